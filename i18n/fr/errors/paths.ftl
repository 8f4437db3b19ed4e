paths-no-home = aucun dossier personnel n’a été trouvé pour cet utilisateur ; choisissez un dossier de données avec --data-dir ou { $env }
paths-create = impossible de créer le dossier de données { $path } : { $reason }
