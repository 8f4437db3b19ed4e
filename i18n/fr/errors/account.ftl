account-not-found = aucun compte « { $name } » (voir `caducee account list`)
account-exists = un compte existe déjà pour { $address }
account-bad-address = « { $address } » n’est pas une adresse de messagerie
account-bad-settings = les paramètres du compte { $account } sont endommagés : { $reason }
account-plaintext = les connexions en clair sans TLS sont refusées : choisissez tls ou starttls
