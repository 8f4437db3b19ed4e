trust-xml = the whitelist is not well-formed XML (near byte { $position }): { $message }
trust-wrong-root = this is not an MSSanté whitelist: the document starts with <{ $root }> instead of <ListeBlancheMSSante>
trust-no-root = this is not an MSSanté whitelist: it holds no <ListeBlancheMSSante> element
trust-truncated = the whitelist file ends in the middle of the list: it is truncated (an interrupted download?)
trust-wrong-namespace = this is not an MSSanté whitelist: element <{ $element }> is in namespace “{ $found }” instead of “{ $namespace }”
trust-no-generation-date = the whitelist has no generation date (DateDeGeneration): it cannot be trusted
trust-bad-generation-date = the whitelist's generation date “{ $date }” is not a valid date and time
trust-empty-name = entry { $entry } of the whitelist has an empty domain name (Nom)
trust-no-domains = the whitelist contains no domain
trust-shrunk = the new whitelist has { $new } domains, less than half of the { $old } in use: it looks truncated, so the list in use was kept (import it with --force if it is right)
trust-older = the new whitelist was generated on { $new }, before the one in use ({ $current }): the list in use was kept (import it with --force to go back)
trust-untrusted-server = the server at { $url } is not trusted: its certificate is not issued by IGC-Santé (or the extra CA given): { $detail }
trust-not-https = the whitelist can only be downloaded over HTTPS, not from { $url }
trust-http-status = the server at { $url } answered with HTTP status { $status }
trust-download = cannot download the whitelist from { $url }: { $message }
trust-bad-ca-file = cannot read the CA certificates in { $path }: { $message }
trust-file = cannot read { $path }: { $reason }
trust-sql = the whitelist cannot be stored: { $reason }

## Why a recipient is refused (shown next to the recipient)

trust-refusal-empty = the address is empty
trust-refusal-too-long = the address is too long to be a real address
trust-refusal-line-break = the address contains a line break, which can be used to add hidden recipients
trust-refusal-control-character = the address contains an invisible control character
trust-refusal-invisible-character = the address contains invisible or direction-changing characters that can hide what it really says
trust-refusal-unusual-space = the address contains an unusual space character; type it again by hand
trust-refusal-encoded-word = the address contains encoded text (=?...?=) that can hide the real recipient
trust-refusal-comment = the address contains a comment in parentheses, which can hide the real recipient
trust-refusal-group = this is a group of addresses (name: ...;), not a single recipient
trust-refusal-several-addresses = this contains several addresses; give one recipient at a time
trust-refusal-source-route = the address sends the message through other servers first (@a,@b:...), which is not allowed
trust-refusal-no-at = this is not an e-mail address (there is no @)
trust-refusal-several-at = the address contains more than one @
trust-refusal-relay-character = the address contains % or !, which can pass the message on to another server
trust-refusal-quoted-local-part = the part before @ is in quotes, which can hide the real recipient
trust-refusal-invalid-local-part = the part before @ contains characters that addresses do not use
trust-refusal-non-ascii-local-part = the part before @ contains accented or non-Latin letters, which MSSanté mailboxes do not use
trust-refusal-ip-literal = the address names a server by its IP address instead of a domain name
trust-refusal-invalid-domain = the part after @ is not a valid domain name
trust-refusal-disguised-characters = the domain is written with look-alike characters (such as full-width letters) that imitate an ordinary domain
trust-refusal-look-alike-domain = the domain contains non-Latin or accented letters ({ $domain }) and may imitate a trusted domain; it is not in the MSSanté whitelist
trust-refusal-display-name-looks-like-address = the name shown contains an address other than the real one, which could mislead you
trust-refusal-malformed-name = the address is badly formed (unbalanced quotes or angle brackets)
trust-refusal-not-listed = the domain { $domain } is not in the MSSanté whitelist: mail sent there would leave the health trusted space

## Details given inside the messages above

trust-reason-too-large = the file is larger than { $limit } bytes
trust-reason-unknown-entity = unknown entity &{ $name };
