store-wrong-key = le magasin { $path } ne peut pas être ouvert avec cette clé : clé erronée, ou ce n’est pas un magasin Caducée. Rien n’a été modifié
store-open = impossible d’ouvrir le magasin { $path } : { $reason }
store-file = impossible de préparer le fichier du magasin { $path } : { $reason }
store-sql = erreur du magasin : { $reason }
store-no-message = aucun message ne porte le numéro { $id }
store-no-folder = aucun dossier ne s’appelle « { $name } »
store-query = recherche invalide : { $reason }
