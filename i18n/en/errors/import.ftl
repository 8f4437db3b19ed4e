import-not-found = { $path }: no such file or folder
import-unknown-format = { $path } is neither an e-mail (.eml), an mbox file, a Maildir (cur/ and new/) nor a folder of .eml files
import-read = cannot read { $path }: { $reason }
import-stopped = the import stopped unexpectedly ({ $step } failed); what was imported so far is kept
