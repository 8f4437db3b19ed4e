store-key-bad-hex = { $env } doit contenir 64 chiffres hexadécimaux (une clé de 256 bits)
store-key-no-keyring = le trousseau du système n’est pas disponible ({ $reason }). Déverrouillez le trousseau de votre session, ou, pour un usage sans session graphique, donnez dans { $env } une clé de 64 chiffres hexadécimaux
store-key-missing = un magasin existe dans { $path } mais sa clé n’est pas dans le trousseau du système. Restaurez l’entrée du trousseau ou donnez la clé dans { $env } ; le magasin n’a pas été modifié
