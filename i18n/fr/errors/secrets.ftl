secrets-missing = { $what ->
        [password] aucun mot de passe
        [pkcs12-password] aucun mot de passe de certificat PKCS#12
        [refresh-token] aucun jeton de renouvellement
        [psc-client-secret] aucun secret client Pro Santé Connect
       *[other] aucun secret « { $what } »
    } n’est enregistré pour { $account } : enregistrez-le avec `caducee account password { $account }`, ou, pour un usage sans session graphique, donnez-le dans { $env }
secrets-keyring = le trousseau du système n’est pas disponible ({ $reason }) ; pour un usage sans session graphique, utilisez plutôt la variable d’environnement
