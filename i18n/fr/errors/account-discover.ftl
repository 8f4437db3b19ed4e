account-discover-bad-address = « { $address } » n’est pas une adresse de messagerie
account-discover-bad-dns-server = « { $server } » n’est pas une adresse de serveur DNS : indiquez-la sous la forme IP:port, par exemple 192.0.2.53:53
account-discover-stopped = la recherche des serveurs s’est arrêtée de façon inattendue ({ $reason }) ; réessayez
account-discover-autoconfig-plaintext = le fichier autoconfig à l’adresse { $url } ne propose { $what } qu’en connexion en clair, sans TLS, ce qui est refusé. Demandez des paramètres TLS à l’opérateur de messagerie, ou indiquez les serveurs vous-même
account-discover-autoconfig-incomplete = le fichier autoconfig à l’adresse { $url } n’indique aucun serveur { $what } ; indiquez les serveurs vous-même (--imap-host, --smtp-host)
account-discover-nothing-found =
    aucun paramètre de serveur de messagerie n’a été trouvé pour { $domain }. Recherches effectuées :
    {"  "}{ $tried }
    Indiquez les serveurs vous-même : `caducee account setup ADDRESS --imap-host HOST --smtp-host HOST` (ou `caducee account add`)
