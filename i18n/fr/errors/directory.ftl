directory-open = impossible d’ouvrir la base de l’annuaire { $path } : { $reason }
directory-sql = erreur de la base de l’annuaire : { $reason }
directory-read = impossible de lire le fichier d’annuaire { $path } : { $reason }
directory-zip = { $path } n’est pas une archive zip utilisable ({ $reason }) ; donnez le fichier Extraction_Correspondance_MSSante ou son zip
directory-empty = { $path } ne contient aucune ligne d’annuaire : est-ce bien un fichier Extraction_Correspondance_MSSante ? L’annuaire n’a pas été modifié
