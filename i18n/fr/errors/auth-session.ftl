auth-session-not-logged-in = vous n’êtes pas connecté avec { $kind } pour { $account } : connectez-vous avec `caducee account login { $account }`
auth-session-ended = la session de { $account } (connexion avec { $kind }) a pris fin ({ $reason }) : connectez-vous de nouveau avec `caducee account login { $account }`. Rien de ce qui était en attente n’est perdu : les messages en attente seront envoyés après la nouvelle connexion
auth-session-stale = le jeton d’accès de { $account } a expiré et n’a pas encore pu être renouvelé ({ $reason }) ; Caducée continue d’essayer
auth-session-keyring = le jeton de renouvellement de { $account } ne peut pas être conservé : { $reason }

# The one-time-code sign-in, as { $kind } above.
auth-session-kind-otp = un code à usage unique

# Reasons given inside the messages above.
auth-session-renewing = renouvellement en cours
auth-session-expired = le jeton de session a expiré
