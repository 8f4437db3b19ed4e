tls-ca-file = impossible de lire le fichier d’autorités de certification { $path } : { $reason }
tls-empty-ca-file = le fichier d’autorités de certification { $path } ne contient aucun certificat
tls-server-name = « { $name } » n’est pas un nom de serveur valide
tls-setup = la préparation de TLS a échoué : { $reason }
tls-certificate = le certificat de { $host } a été refusé : { $reason }. Il a été émis par « { $issuer } » pour « { $subject } ». Les serveurs MSSanté doivent présenter un certificat IGC-Santé ; une autorité de test ne peut être ajoutée qu’explicitement, dans les réglages du compte
tls-handshake = la connexion sécurisée à { $host } a échoué : { $reason }
