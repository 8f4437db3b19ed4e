auth-module-not-found = no PKCS#11 module for the CPS card was found (tried: { $tried }). Install the ANS “Cryptolib CPS” middleware, or OpenSC, or give the module's path with `--pkcs11-module PATH` when adding the account
auth-module-load = the PKCS#11 module { $path } cannot be loaded: { $reason }. Reinstall the CPS middleware (Cryptolib CPS or OpenSC)
auth-no-token = no card found: insert your CPS card in the reader (the module { $module } sees no card). If the card is in, check that the reader is connected and the PC/SC service runs
auth-no-auth-certificate = the card “{ $token }” holds no authentication certificate (an object whose CKA_ID ends in 0x20): is it a CPS card?
auth-no-auth-key = the card “{ $token }” holds no private key for its authentication certificate (CKA_ID { $id })
auth-unsupported-key = the card's key is of a kind that cannot sign TLS logins ({ $kind }); only RSA is supported
auth-wrong-pin = wrong PIN for the card “{ $token }”: { $tries }
auth-pin-locked = the PIN of the card “{ $token }” is locked after too many wrong tries: unblock it with its unblocking code (PUK) or ask the card's issuer (ANS) for help
auth-pin-length = the PIN for the card “{ $token }” has the wrong length ({ $reason })
auth-no-pin = the card PIN is needed: type it when asked, or for headless use set { $env }
auth-pin-cancelled = PIN entry was cancelled
auth-card-removed = the card was removed: insert it again and log in with the PIN
auth-token = the card refused the operation ({ $operation }): { $reason }
auth-certificate = the certificate on the card cannot be read: { $reason }
auth-pkcs12 = the certificate file { $path } cannot be read: { $reason }
auth-pkcs12-password = the password of the certificate file { $path } is wrong: save the right one with `caducee account certificate-password ADDRESS`, or for headless use set { $env }

# How many PIN tries remain (the end of auth-wrong-pin).
auth-pin-tries-final = one try left: one more wrong PIN locks the card. Check the PIN before typing it again
auth-pin-tries-low = the card reports that tries are running low (it does not tell how many remain); a CPS card locks after 3 wrong PINs in a row
auth-pin-tries-unknown = the card does not tell how many tries remain; a CPS card locks after 3 wrong PINs in a row

# The card operations named in auth-token.
auth-op-list-readers = list the card readers
auth-op-open-session = open a session
auth-op-list-certificates = list the certificates
auth-op-read-certificate = read a certificate
auth-op-read-state = read the card's state
auth-op-log-in = log in
auth-op-find-key = find the authentication key
auth-op-read-key = read the authentication key
auth-op-sign = sign
auth-op-load-module = load the module

# Reasons given inside the messages above.
auth-reason-pin-digits = a CPS card PIN has 4 digits
auth-reason-earlier-login = an earlier login failed
auth-reason-earlier-module = an earlier use of the module failed
auth-reason-earlier-signature = an earlier signature failed
