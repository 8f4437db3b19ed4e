send-too-large = the attachments weigh { $total } in all, over this account's limit of { $limit }: send fewer or smaller files
send-no-recipient = the message has no recipient
send-bad-address = “{ $address }” is not a valid e-mail address
send-not-delegated = this account may not send on behalf of { $address }: add it to the account's delegations first
send-refused = sending refused by the whitelist of trusted domains: { $reasons }
send-attachment = cannot read the attachment { $path }: { $reason }
send-xdm = the { $name } attachment cannot be read: { $reason }
send-build = cannot build the message: { $reason }
send-auth-unsupported = this account logs in with { $method }, which cannot be used for sending yet
send-method-cps-card = a CPS card
send-method-certificate = an application certificate
send-connect = cannot reach the SMTP server { $host }:{ $port }: { $reason }
send-no-starttls = the SMTP server { $host } does not offer STARTTLS: refusing to send in clear text (use implicit TLS on port 465)
send-login = the SMTP server refused the login: { $reason }
send-certificate-login = the SMTP server refused the certificate login: { $reason }. The server must trust the certificate's issuer; check the card or certificate with `caducee account identity ADDRESS`
send-token-login = the SMTP server refused the sign-in token: { $reason }. Sign in again with `caducee account login ADDRESS`
send-smtp = the SMTP server answered: { $reply }
send-busy = another `caducee outbox flush` is running; try again when it is done
send-no-such-message = no outbox message { $id }
send-not-in-doubt = outbox message { $id } is not in doubt
send-imap = IMAP: { $reason }
send-lock = cannot lock the outbox ({ $reason })

## Details given inside the messages above

send-reason-whitelist-unreadable = the whitelist cannot be read: { $reason }
send-reason-closed-before-starttls = { $host } closed the connection before STARTTLS
send-reason-data-before-tls = { $host } sent data before the TLS handshake
send-reason-no-auth-external = { $host } does not offer AUTH EXTERNAL
