account-smtp-ehlo-connect = impossible de joindre le serveur d’envoi { $host }:{ $port } : { $reason }. Vérifiez le nom et le port du serveur, ainsi que le réseau
account-smtp-ehlo-no-starttls = le serveur d’envoi { $host } ne propose pas STARTTLS ; les connexions en clair sont refusées : utilisez le TLS implicite (port 465) si le serveur le propose
account-smtp-ehlo-protocol = le serveur d’envoi { $host } a répondu de façon inattendue : { $reason }
account-smtp-ehlo-timeout = le serveur d’envoi { $host } n’a pas répondu à temps
