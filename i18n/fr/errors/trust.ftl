trust-xml = la liste blanche n’est pas un document XML bien formé (vers l’octet { $position }) : { $message }
trust-wrong-root = ce n’est pas une liste blanche MSSanté : le document commence par <{ $root }> au lieu de <ListeBlancheMSSante>
trust-no-root = ce n’est pas une liste blanche MSSanté : elle ne contient aucun élément <ListeBlancheMSSante>
trust-truncated = le fichier de la liste blanche s’arrête au milieu de la liste : il est tronqué (téléchargement interrompu ?)
trust-wrong-namespace = ce n’est pas une liste blanche MSSanté : l’élément <{ $element }> est dans l’espace de noms « { $found } » au lieu de « { $namespace } »
trust-no-generation-date = la liste blanche n’a pas de date de génération (DateDeGeneration) : elle ne peut pas être considérée comme fiable
trust-bad-generation-date = la date de génération de la liste blanche « { $date } » n’est pas une date et heure valide
trust-empty-name = l’entrée { $entry } de la liste blanche a un nom de domaine vide (Nom)
trust-no-domains = la liste blanche ne contient aucun domaine
trust-shrunk = la nouvelle liste blanche compte { $new } domaines, moins de la moitié des { $old } de la liste en service : elle semble tronquée, la liste en service a donc été conservée (importez-la avec --force si elle est correcte)
trust-older = la nouvelle liste blanche a été générée le { $new }, avant celle en service ({ $current }) : la liste en service a été conservée (importez-la avec --force pour revenir en arrière)
trust-untrusted-server = le serveur { $url } n’est pas de confiance : son certificat n’est pas émis par l’IGC-Santé (ni par l’autorité de certification supplémentaire indiquée) : { $detail }
trust-not-https = la liste blanche ne peut être téléchargée qu’en HTTPS, pas depuis { $url }
trust-http-status = le serveur { $url } a répondu avec le statut HTTP { $status }
trust-download = impossible de télécharger la liste blanche depuis { $url } : { $message }
trust-bad-ca-file = impossible de lire les certificats d’autorité de certification dans { $path } : { $message }
trust-file = impossible de lire { $path } : { $reason }
trust-sql = la liste blanche ne peut pas être enregistrée : { $reason }

## Pourquoi un destinataire est refusé (affiché à côté du destinataire)

trust-refusal-empty = l’adresse est vide
trust-refusal-too-long = l’adresse est trop longue pour être une adresse réelle
trust-refusal-line-break = l’adresse contient un saut de ligne, qui peut servir à ajouter des destinataires cachés
trust-refusal-control-character = l’adresse contient un caractère de contrôle invisible
trust-refusal-invisible-character = l’adresse contient des caractères invisibles ou qui changent le sens de lecture, pouvant masquer ce qu’elle dit réellement
trust-refusal-unusual-space = l’adresse contient un caractère d’espace inhabituel ; saisissez-la de nouveau à la main
trust-refusal-encoded-word = l’adresse contient du texte encodé (=?...?=) qui peut masquer le véritable destinataire
trust-refusal-comment = l’adresse contient un commentaire entre parenthèses, qui peut masquer le véritable destinataire
trust-refusal-group = il s’agit d’un groupe d’adresses (nom: ...;), pas d’un destinataire unique
trust-refusal-several-addresses = cette saisie contient plusieurs adresses ; indiquez un destinataire à la fois
trust-refusal-source-route = l’adresse fait d’abord passer le message par d’autres serveurs (@a,@b:...), ce qui n’est pas autorisé
trust-refusal-no-at = ce n’est pas une adresse de messagerie (il n’y a pas de @)
trust-refusal-several-at = l’adresse contient plus d’un @
trust-refusal-relay-character = l’adresse contient % ou !, qui peuvent faire relayer le message vers un autre serveur
trust-refusal-quoted-local-part = la partie avant @ est entre guillemets, ce qui peut masquer le véritable destinataire
trust-refusal-invalid-local-part = la partie avant @ contient des caractères qui ne s’utilisent pas dans les adresses
trust-refusal-non-ascii-local-part = la partie avant @ contient des lettres accentuées ou non latines, que les boîtes aux lettres MSSanté n’utilisent pas
trust-refusal-ip-literal = l’adresse désigne un serveur par son adresse IP au lieu d’un nom de domaine
trust-refusal-invalid-domain = la partie après @ n’est pas un nom de domaine valide
trust-refusal-disguised-characters = le domaine est écrit avec des caractères trompeurs (comme des lettres pleine chasse) qui imitent un domaine ordinaire
trust-refusal-look-alike-domain = le domaine contient des lettres non latines ou accentuées ({ $domain }) et peut imiter un domaine de confiance ; il n’est pas dans la liste blanche MSSanté
trust-refusal-display-name-looks-like-address = le nom affiché contient une autre adresse que la véritable, ce qui pourrait vous induire en erreur
trust-refusal-malformed-name = l’adresse est mal formée (guillemets ou chevrons non appariés)
trust-refusal-not-listed = le domaine { $domain } n’est pas dans la liste blanche MSSanté : un message envoyé vers ce domaine sortirait de l’espace de confiance de santé

## Précisions données à l’intérieur des messages ci-dessus

trust-reason-too-large = le fichier dépasse { $limit } octets
trust-reason-unknown-entity = entité inconnue &{ $name };
