send-too-large = les pièces jointes pèsent { $total } au total, au-delà de la limite de { $limit } de ce compte : envoyez moins de fichiers ou des fichiers plus petits
send-no-recipient = le message n’a aucun destinataire
send-bad-address = « { $address } » n’est pas une adresse de messagerie valide
send-not-delegated = ce compte n’est pas autorisé à envoyer au nom de { $address } : ajoutez d’abord cette adresse aux délégations du compte
send-refused = envoi refusé par la liste blanche MSSanté des domaines de confiance : { $reasons }
send-attachment = impossible de lire la pièce jointe { $path } : { $reason }
send-xdm = la pièce jointe { $name } ne peut pas être lue : { $reason }
send-build = impossible de construire le message : { $reason }
send-auth-unsupported = ce compte se connecte avec { $method }, qui ne permet pas encore d’envoyer des messages
send-method-cps-card = une carte CPS
send-method-certificate = un certificat applicatif
send-connect = impossible de joindre le serveur SMTP { $host }:{ $port } : { $reason }
send-no-starttls = le serveur SMTP { $host } ne propose pas STARTTLS : envoi en clair refusé (utilisez le TLS implicite sur le port 465)
send-login = le serveur SMTP a refusé la connexion : { $reason }
send-certificate-login = le serveur SMTP a refusé la connexion par certificat : { $reason }. Le serveur doit faire confiance à l’émetteur du certificat ; vérifiez la carte ou le certificat avec `caducee account identity ADRESSE`
send-token-login = le serveur SMTP a refusé le jeton de connexion : { $reason }. Reconnectez-vous avec `caducee account login ADRESSE`
send-smtp = le serveur SMTP a répondu : { $reply }
send-busy = un autre `caducee outbox flush` est en cours ; réessayez quand il sera terminé
send-no-such-message = aucun message { $id } dans la boîte d’envoi
send-not-in-doubt = le message { $id } de la boîte d’envoi n’est pas dans l’état « envoi incertain » (envoi interrompu, peut-être remis)
send-imap = IMAP : { $reason }
send-lock = impossible de verrouiller la boîte d’envoi ({ $reason })

## Précisions données à l’intérieur des messages ci-dessus

send-reason-whitelist-unreadable = la liste blanche MSSanté ne peut pas être lue : { $reason }
send-reason-closed-before-starttls = { $host } a fermé la connexion avant STARTTLS
send-reason-data-before-tls = { $host } a envoyé des données avant la négociation TLS
send-reason-no-auth-external = { $host } ne propose pas AUTH EXTERNAL
