account-discover-bad-address = “{ $address }” is not an e-mail address
account-discover-bad-dns-server = “{ $server }” is not a DNS server address: give it as IP:port, e.g. 192.0.2.53:53
account-discover-stopped = the search for the servers stopped unexpectedly ({ $reason }); try again
account-discover-autoconfig-plaintext = the autoconfig file at { $url } offers { $what } only over plain connections without TLS; they are refused. Ask the mail operator for TLS settings, or give the servers by hand
account-discover-autoconfig-incomplete = the autoconfig file at { $url } has no { $what } server; give the servers by hand (--imap-host, --smtp-host)
account-discover-nothing-found =
    no mail server settings were found for { $domain }. Tried:
    {"  "}{ $tried }
    Give the servers by hand: `caducee account setup ADDRESS --imap-host HOST --smtp-host HOST` (or `caducee account add`)
