account-not-found = no account “{ $name }” (see `caducee account list`)
account-exists = an account for { $address } already exists
account-bad-address = “{ $address }” is not an e-mail address
account-bad-settings = the settings of account { $account } are damaged: { $reason }
account-plaintext = plain connections without TLS are refused: choose tls or starttls
