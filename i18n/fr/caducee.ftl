app-title = Caducée
demo-badge = Démo
demo-badge-tip = Messages fictifs, aucun serveur
xdm-badge = IHE XDM
loading = Chargement…

## Welcome
welcome-title = Bienvenue dans Caducée
welcome-lead = Messagerie sécurisée de santé (MSSanté).
welcome-no-store = Votre boîte aux lettres ne peut pas être ouverte : { $reason }
welcome-empty-store = Aucun compte n'est encore configuré.
welcome-open-demo = Ouvrir la démo
welcome-add-account = Ajouter un compte
account-title = Ajouter un compte de messagerie
account-address = Votre adresse MSSanté
account-name = Nom du compte (affiché dans la fenêtre)
account-servers-guessed = Paramètres des serveurs, devinés d'après l'adresse : vérifiez-les avec les instructions de votre opérateur.
account-imap-host = Serveur IMAP (réception)
account-smtp-host = Serveur SMTP (envoi)
account-port = Port
account-implicit-tls = TLS implicite (sinon STARTTLS)
account-login-later = Le mot de passe est gardé dans le trousseau du système, jamais dans un fichier.
account-username = Identifiant
account-password = Mot de passe
account-bad-address = Ce n'est pas une adresse de messagerie (nom@domaine.mssante.fr).
account-bad-server = Chaque serveur demande un nom d'hôte et un port entre 1 et 65535.
account-missing-login = Indiquez l'identifiant et le mot de passe.
account-next = Suivant
account-back = Retour
account-save = Enregistrer
account-cancel = Annuler
account-save-failed = Le compte n'a pas pu être ajouté : { $reason }
account-password-not-kept = Compte ajouté, mais son mot de passe n'a pas pu être gardé dans le trousseau : { $reason }
account-searching = Recherche des réglages de { $domain }…
account-searching-detail = Dans le DNS (enregistrements SRV), puis dans le fichier d'autoconfiguration du domaine.
account-enter-by-hand = Saisir à la main
account-found-srv = Serveurs trouvés dans le DNS de { $domain } (enregistrements SRV, RFC 6186). Vous pouvez les modifier.
account-found-autoconfig = Serveurs trouvés dans le fichier d'autoconfiguration { $url }. Vous pouvez les modifier.
account-found-none = Aucun réglage trouvé pour { $domain } : saisissez les serveurs donnés par votre opérateur (ceux proposés ne sont que des suppositions).
account-search-bad-dns = Le serveur DNS indiqué ({ $value }) n'est pas une adresse IP:port : saisissez les serveurs à la main.
account-search-plain = Le fichier d'autoconfiguration { $url } ne propose que des connexions sans chiffrement, refusées : saisissez les serveurs à la main.
account-search-incomplete = Le fichier d'autoconfiguration { $url } est incomplet : saisissez les serveurs à la main.
account-search-failed = La recherche des réglages a échoué ({ $reason }) : saisissez les serveurs à la main.
account-checking = Lecture des modes de connexion proposés par les serveurs…
account-methods-offered = Proposés par vos serveurs
account-methods-other = Autres modes
account-methods-none = Les serveurs ne proposent aucun mode de connexion connu de Caducée ({ $mechanisms }) : choisissez-en un vous-même.
account-card-present = Une carte CPS est dans un lecteur : la connexion par carte est proposée en premier.
account-smtp-lacks = Le serveur d'envoi ne propose pas ce mode de connexion : l'envoi risque d'échouer.
account-unreachable = Le serveur { $server } ne répond pas : les modes de connexion n'ont pas pu être lus. Vérifiez les serveurs, ou choisissez le mode vous-même.
account-untrusted = Le certificat de { $host } a été refusé : un serveur MSSanté doit présenter un certificat IGC-Santé. Vérifiez les serveurs, ou choisissez le mode vous-même.
account-check-failed = Les modes de connexion n'ont pas pu être lus ({ $reason }) : choisissez le mode vous-même.

## Card login
login-method-title = Mode de connexion
login-method-card = Carte CPS
login-method-card-detail = La carte dans un lecteur et son code PIN à 4 chiffres.
login-method-ecps = e-CPS (Pro Santé Connect)
login-method-otp = Code à usage unique
login-method-password = Mot de passe
login-method-password-detail = L'identifiant et le mot de passe donnés par votre opérateur.
account-pkcs11-module = Module PKCS#11 de la carte (vide : Cryptolib CPS, sinon OpenSC)
account-card-later = Le code PIN est demandé quand la carte est insérée ; il n'est jamais enregistré.
lock-title = Session verrouillée
lock-insert-card = Insérez votre carte CPS dans le lecteur pour continuer.
lock-queued-stay = Les messages en attente restent dans la boîte d'envoi : ils partiront quand la carte sera insérée et le code PIN saisi.
card-not-cps = La carte insérée n'est pas une carte CPS.
card-deactivated = Cette carte CPS est désactivée : elle doit être renouvelée auprès de l'ANS.
card-mute = La carte ne répond pas : retirez-la et insérez-la de nouveau ; si cela continue, la carte ou le lecteur est peut-être défectueux.
card-readers-unavailable = Les lecteurs de carte ne peuvent pas être suivis : { $reason }
card-unlocked = Carte CPS déverrouillée : la synchronisation et l'envoi reprennent.
card-locked = Carte retirée : la session est verrouillée.
card-resumed = Synchronisé : { $received } nouveau(x) message(s), { $sent } message(s) envoyé(s).
card-resume-failed = Synchronisation ou envoi impossible pour l'instant : { $reason }
pin-title = Code PIN de la carte CPS
pin-holder-reading = Lecture de la carte…
pin-holder-unreadable = Le titulaire de la carte ne peut pas être lu : { $reason }
pin-reader = Lecteur : { $reader }
pin-prompt = Tapez le code PIN de votre carte (4 chiffres).
pin-on-reader = Tapez le code PIN sur le clavier du lecteur, puis validez.
pin-unlock = Déverrouiller
pin-checking = Vérification…
pin-never-kept = Le code PIN n'est ni enregistré ni journalisé.
pin-tries-left = { $count ->
    [one] Il reste { $count } essai.
   *[other] Il reste { $count } essais.
}
pin-wrong = Code PIN incorrect.
pin-final-try = Il ne reste qu'un essai : un code faux de plus bloque la carte. Vérifiez le code avant de le retaper.
pin-count-low = La carte signale que les essais s'épuisent, sans dire combien il en reste ; une carte CPS se bloque après 3 codes faux de suite.
pin-tries-unknown = La carte ne dit pas combien d'essais il reste ; une carte CPS se bloque après 3 codes faux de suite.
pin-blocked = Le code PIN de cette carte est bloqué après trop de codes faux. Débloquez-le avec le code de déblocage (PUK) reçu avec la carte, dans l'outil de gestion de la carte CPS, ou demandez de l'aide à l'ANS, qui émet la carte.
pin-card-gone = La carte a été retirée : insérez-la de nouveau.
pin-failed = La connexion par carte a échoué : { $reason }
card-signed-out = Carte verrouillée : tapez de nouveau le code PIN pour continuer.

## Folders
folder-inbox = Boîte de réception
folder-sent = Envoyés
folder-drafts = Brouillons
folder-trash = Corbeille
folder-junk = Indésirables
folder-archive = Archives
folder-all = Tous les messages
folders-title = Dossiers
folders-quota = { $used } utilisés sur { $limit } ({ $percent } %)

## Message list
list-empty = Aucun message
list-count = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}
list-no-subject = (sans objet)
list-attachment = Pièce jointe
list-attachment-short = PJ
list-flagged = Suivi
list-unread = Non lu
list-show-threads = Grouper par conversation
list-show-messages = Une ligne par message
list-threads-count = { $count ->
    [one] { $count } conversation
   *[other] { $count } conversations
}

## Reader
reader-none = Sélectionnez un message pour le lire.
reader-from = De
reader-to = À
reader-cc = Cc
reader-date = Date
reader-folder = Dossier
reader-attachments = Pièces jointes
reader-save = Enregistrer
reader-saved = Pièce jointe enregistrée : { $path }
reader-save-failed = Enregistrement impossible : { $reason }
reader-reply = Répondre
reader-reply-all = Répondre à tous
reader-mark-unread = Marquer non lu
reader-mark-read = Marquer lu
reader-delete = Supprimer
reader-deleted = Message supprimé.
reader-delete-unavailable = La suppression n'est possible que dans la démo tant que la synchronisation n'est pas configurée.
reader-parse-error = Ce message n'a pas pu être analysé : il est affiché brut.
reader-body-missing = Le contenu de ce message n'est pas encore téléchargé.

## Search
search-placeholder = Rechercher (mots, de:, à:, dossier:, depuis:, avant:, has:pj, is:nonlu)
search-results = { $count ->
    [one] { $count } résultat
   *[other] { $count } résultats
}
search-error = Recherche invalide : { $reason }
search-clear = Effacer

## Composer
compose-new = Nouveau message
compose-title = Nouveau message
compose-to = À
compose-cc = Cc
compose-bcc = Cci
compose-subject = Objet
compose-body = Message
compose-recipient-placeholder = adresse@domaine.mssante.fr puis Entrée
compose-remove = Retirer
compose-refused = Refusé : { $reason }
compose-allowed = Autorisé ({ $domain })
compose-unverified = Non vérifié : { $reason }
compose-attach-placeholder = Chemin d'un fichier à joindre
compose-attach = Joindre
compose-attach-failed = Fichier illisible : { $reason }
compose-attachments-size = Pièces jointes : { $size } sur { $limit }
compose-too-big = Les pièces jointes dépassent la limite de { $limit }.
compose-send = Envoyer
compose-send-blocked = Envoi bloqué : un destinataire est refusé ou non vérifié.
compose-no-recipient = Ajoutez au moins un destinataire.
compose-close = Fermer
compose-reply-prefix = Re :
compose-from = De
compose-on-behalf = { $address } pour le compte de { $professional }
compose-no-account = Aucun compte de messagerie n'est configuré : ce message peut être rédigé et enregistré en brouillon, pas envoyé.
compose-dsn = Accusé de remise
compose-mdn = Accusé de lecture
compose-save-draft = Enregistrer le brouillon
compose-sending = Envoi en cours…
compose-send-no-account = Aucun compte de messagerie n'est configuré : la boîte de démonstration ne peut pas envoyer. Ajoutez un compte depuis l'écran d'accueil. Rien n'a été envoyé ni mis en file d'attente.
compose-send-failed = Non envoyé, rien n'a été mis en file d'attente : { $reason }
compose-sent = Message envoyé.
compose-send-refused = Le serveur a refusé le message : { $reason } Il reste dans la boîte d'envoi (caducee outbox list).
compose-queued = Message gardé dans la boîte d'envoi, pas encore envoyé : { $reason } Il sera réessayé au prochain envoi.
compose-draft-saved = Brouillon enregistré.
compose-draft-saved-server = Brouillon enregistré, ici et sur le serveur.
compose-draft-failed = Le brouillon n'a pas pu être enregistré : { $reason }
trust-unavailable = la liste blanche MSSanté n'est pas encore chargée
trust-invalid-address = ce n'est pas une adresse de messagerie valide
directory-unavailable = Annuaire non disponible dans cette version.

## Settings
settings-title = Paramètres
settings-language = Langue
settings-language-system = Langue du système
settings-theme = Thème
settings-theme-light = Clair
settings-theme-dark = Sombre
settings-scale = Taille d'affichage
settings-close = Fermer
settings-open = Paramètres
settings-accounts = Comptes
settings-account-signed-in = connecté
settings-account-signed-out = non connecté
settings-account-card-unlocked = carte CPS déverrouillée
settings-account-card-locked = carte CPS verrouillée
settings-account-password = mot de passe ou certificat
settings-sign-in = Se connecter
settings-sign-out = Se déconnecter
settings-card-sign-out = Verrouiller la carte
signout-unsent = { $count ->
    [one] { $count } message attend encore dans la boîte d'envoi : il partira après la prochaine connexion. Se déconnecter quand même ?
   *[other] { $count } messages attendent encore dans la boîte d'envoi : ils partiront après la prochaine connexion. Se déconnecter quand même ?
}
signout-confirm = Se déconnecter quand même
signout-keep = Rester connecté

## Shortcuts
shortcuts-hint = Ctrl+N nouveau · Ctrl+R répondre · Ctrl+L rechercher · J/K naviguer · M lu/non lu
error-generic = Erreur : { $reason }

## Directory
directory-open = Annuaire
directory-title = Annuaire santé
directory-placeholder = Nom, profession, ville ou adresse
directory-write = Écrire
directory-none = Aucun professionnel trouvé.

## e-CPS and one-time-code sign-in
login-method-ecps-detail = L'application e-CPS sur votre téléphone, par Pro Santé Connect dans le navigateur.
login-method-otp-detail = Votre identifiant national, votre mot de passe et un code reçu par SMS ou courriel.
account-psc-provider = Fournisseur Pro Santé Connect (vide : production ; « sandbox », ou l'adresse d'un émetteur)
account-psc-client-id = Identifiant client enregistré auprès de l'ANS
account-psc-later = La connexion s'ouvre dans votre navigateur dès l'enregistrement du compte.
account-otp-identifier = Identifiant national (8 + RPPS, ou 0 + ADELI)
account-otp-later = Le mot de passe et le code sont demandés à chaque connexion ; ils ne sont jamais enregistrés.
account-bad-provider = Ce fournisseur Pro Santé Connect n'est pas valable : { $reason }
signin-title = Connexion au compte
signin-cancel = Annuler
signin-ended = La session a pris fin : connectez-vous de nouveau. Les messages en attente restent dans la boîte d'envoi.
signin-failed = La connexion a échoué : { $reason }
lock-queued-stay-token = Les messages en attente restent dans la boîte d'envoi : ils partiront après la connexion.
ecps-explain = Connectez-vous avec votre e-CPS : Pro Santé Connect s'ouvre dans votre navigateur.
ecps-start = Se connecter avec e-CPS
ecps-waiting = En attente du navigateur… Validez la connexion dans l'application e-CPS, puis revenez ici.
ecps-unreachable = Pro Santé Connect ne répond pas : vérifiez le réseau et réessayez.
ecps-denied = Pro Santé Connect a refusé la connexion : réessayez, et validez-la dans l'application e-CPS.
ecps-timeout = Le navigateur n'est pas revenu à temps : connectez-vous de nouveau.
ecps-invalid = La réponse de Pro Santé Connect n'a pas pu être vérifiée : { $reason }
ecps-open-yourself = Si le navigateur ne s'ouvre pas, ouvrez vous-même cette adresse :
ecps-badge = e-CPS : { $id }
ecps-resumed = Session e-CPS reprise : la synchronisation et l'envoi reprennent.
ecps-signed-in = Connecté avec e-CPS : identifiant national { $id }.
otp-identifier = Identifiant national
otp-identifier-hint = 8 suivi des 11 chiffres du RPPS, ou 0 suivi des 9 caractères ADELI.
otp-password = Mot de passe
otp-channel = Recevoir le code par
otp-channel-sms = SMS
otp-channel-mail = Courriel
otp-send-code = Recevoir un code
otp-code-sent = Code envoyé à { $destination }.
otp-code = Code reçu
otp-verify = Valider
otp-resend = Recevoir un nouveau code
otp-signed-in = Connecté avec un code à usage unique : la synchronisation et l'envoi reprennent.
otp-bad-identifier = Ce n'est pas un identifiant national : tapez 8 suivi des 11 chiffres du RPPS, ou 0 suivi des 9 caractères ADELI.
otp-wrong-password = Identifiant ou mot de passe incorrect : vérifiez-les et réessayez.
otp-wrong-code = Code incorrect : encore { $tries } essai(s). Vérifiez le code reçu et tapez-le de nouveau.
otp-expired = Le code a expiré : demandez-en un nouveau.
otp-locked = Ce compte est bloqué après trop d'échecs : contactez le support de l'opérateur national pour le débloquer.
otp-wait = Trop de tentatives : attendez { $seconds } secondes avant de réessayer.
signin-later = Plus tard : ouvrir la messagerie sans ce compte
signout-revoked = { $account } est déconnecté : le jeton de renouvellement a été révoqué auprès de Pro Santé Connect et oublié ici.
signout-not-revoked = { $account } est déconnecté ici, mais Pro Santé Connect n'a pas pu être prévenu ({ $reason }) : le jeton de renouvellement est oublié ici.
signout-done = { $account } est déconnecté.
signout-failed = La déconnexion n'est pas complète : { $reason }
live-progress-start = Synchronisation de { $account }…
live-progress = Synchronisation de { $folder } : { $done } / { $total } messages
live-progress-bytes = Synchronisation de { $folder } : { $done } / { $total } messages, { $size }
live-progress-of = { $account } : { $line }
live-failed = La synchronisation de { $account } est arrêtée : { $reason }
live-new-mail = { $count ->
    [one] 1 nouveau message
   *[other] { $count } nouveaux messages
}
live-new-mail-first = { $from } : { $subject }
outbox-flushed = { $sent } message(s) de la boîte d'envoi envoyé(s).
settings-notify = Notifications de bureau pour le nouveau courrier
settings-notify-on = Activées
settings-notify-off = Désactivées
