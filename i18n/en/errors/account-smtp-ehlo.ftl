account-smtp-ehlo-connect = cannot reach the mail submission server { $host }:{ $port }: { $reason }. Check the server name and port, and the network
account-smtp-ehlo-no-starttls = the mail submission server { $host } does not offer STARTTLS; plain connections are refused: use implicit TLS (port 465) if the server offers it
account-smtp-ehlo-protocol = the mail submission server { $host } answered unexpectedly: { $reason }
account-smtp-ehlo-timeout = the mail submission server { $host } timed out
