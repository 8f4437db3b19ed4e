tls-ca-file = cannot read the CA file { $path }: { $reason }
tls-empty-ca-file = the CA file { $path } holds no certificate
tls-server-name = “{ $name }” is not a valid server name
tls-setup = TLS setup failed: { $reason }
tls-certificate = the certificate of { $host } was refused: { $reason }. It was issued by “{ $issuer }” for “{ $subject }”. MSSanté servers must present an IGC-Santé certificate; a test CA can only be added explicitly in the account settings
tls-handshake = secure connection to { $host } failed: { $reason }
