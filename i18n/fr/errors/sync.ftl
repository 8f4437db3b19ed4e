sync-no-message = le message { $id } n’est pas dans le magasin
sync-no-folder = ce compte n’a pas de dossier « { $name } »
