auth-module-not-found = aucun module PKCS#11 pour la carte CPS n’a été trouvé (essayés : { $tried }). Installez le logiciel « Cryptolib CPS » de l’ANS, ou OpenSC, ou indiquez le chemin du module avec `--pkcs11-module PATH` lors de l’ajout du compte
auth-module-load = le module PKCS#11 { $path } ne peut pas être chargé : { $reason }. Réinstallez le logiciel de la carte CPS (Cryptolib CPS ou OpenSC)
auth-no-token = aucune carte trouvée : insérez votre carte CPS dans le lecteur de carte (le module { $module } ne voit aucune carte). Si la carte est insérée, vérifiez que le lecteur est branché et que le service PC/SC fonctionne
auth-no-auth-certificate = la carte « { $token } » ne contient aucun certificat d’authentification (objet dont le CKA_ID se termine par 0x20) : s’agit-il bien d’une carte CPS ?
auth-no-auth-key = la carte « { $token } » ne contient pas la clé privée de son certificat d’authentification (CKA_ID { $id })
auth-unsupported-key = la clé de la carte est d’un type qui ne permet pas de signer les connexions TLS ({ $kind }) ; seules les clés RSA sont prises en charge
auth-wrong-pin = code PIN erroné pour la carte « { $token } » : { $tries }
auth-pin-locked = le code PIN de la carte « { $token } » est bloqué après trop d’essais erronés : débloquez-le avec son code de déblocage (PUK) ou demandez de l’aide à l’émetteur de la carte (ANS)
auth-pin-length = le code PIN de la carte « { $token } » n’a pas la bonne longueur ({ $reason })
auth-no-pin = le code PIN de la carte est nécessaire : saisissez-le lorsqu’il vous est demandé ou, pour un usage sans interface, définissez { $env }
auth-pin-cancelled = la saisie du code PIN a été annulée
auth-card-removed = la carte a été retirée : insérez-la de nouveau et connectez-vous avec le code PIN
auth-token = la carte a refusé l’opération ({ $operation }) : { $reason }
auth-certificate = le certificat de la carte ne peut pas être lu : { $reason }
auth-pkcs12 = le fichier de certificat { $path } ne peut pas être lu : { $reason }
auth-pkcs12-password = le mot de passe du fichier de certificat { $path } est erroné : enregistrez le bon avec `caducee account certificate-password ADDRESS` ou, pour un usage sans interface, définissez { $env }

# How many PIN tries remain (the end of auth-wrong-pin).
auth-pin-tries-final = il ne reste qu’un essai : un nouveau code PIN erroné bloquera la carte. Vérifiez le code PIN avant de le saisir de nouveau
auth-pin-tries-low = la carte signale qu’il reste peu d’essais (sans préciser combien) ; une carte CPS se bloque après 3 codes PIN erronés consécutifs
auth-pin-tries-unknown = la carte n’indique pas combien d’essais il reste ; une carte CPS se bloque après 3 codes PIN erronés consécutifs

# The card operations named in auth-token.
auth-op-list-readers = lister les lecteurs de carte
auth-op-open-session = ouvrir une session
auth-op-list-certificates = lister les certificats
auth-op-read-certificate = lire un certificat
auth-op-read-state = lire l’état de la carte
auth-op-log-in = se connecter
auth-op-find-key = trouver la clé d’authentification
auth-op-read-key = lire la clé d’authentification
auth-op-sign = signer
auth-op-load-module = charger le module

# Reasons given inside the messages above.
auth-reason-pin-digits = le code PIN d’une carte CPS comporte 4 chiffres
auth-reason-earlier-login = une connexion précédente a échoué
auth-reason-earlier-module = une utilisation précédente du module a échoué
auth-reason-earlier-signature = une signature précédente a échoué
