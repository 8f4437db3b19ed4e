import-not-found = { $path } : fichier ou dossier introuvable
import-unknown-format = { $path } n’est ni un courriel (.eml), ni un fichier mbox, ni un Maildir (cur/ et new/), ni un dossier de fichiers .eml
import-read = impossible de lire { $path } : { $reason }
import-stopped = l’importation s’est arrêtée de façon inattendue (échec de { $step }) ; ce qui a déjà été importé est conservé
