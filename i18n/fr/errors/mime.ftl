mime-no-headers = le message n’a pas d’en-tête lisible (est-ce un courriel ?)
mime-parser-failed = le message n’a pas pu être analysé (l’analyseur a échoué) ; il est conservé tel que reçu
