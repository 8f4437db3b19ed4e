app-title = Caducée
demo-badge = Demo
demo-badge-tip = Fictional messages, no server
xdm-badge = IHE XDM
loading = Loading…

## Welcome
welcome-title = Welcome to Caducée
welcome-lead = Secure health messaging (MSSanté).
welcome-no-store = Your mailbox cannot be opened: { $reason }
welcome-empty-store = No account is configured yet.
welcome-open-demo = Open the demo
welcome-add-account = Add an account
account-title = Add a mail account
account-address = Your MSSanté address
account-name = Account name (as shown in the window)
account-servers-guessed = Server settings, guessed from the address: check them with your operator's instructions.
account-imap-host = IMAP server (incoming mail)
account-smtp-host = SMTP server (sending)
account-port = Port
account-implicit-tls = Implicit TLS (otherwise STARTTLS)
account-login-later = The password is kept in the system keyring, never in a file.
account-username = Login name
account-password = Password
account-bad-address = This is not a mail address (name@domain.mssante.fr).
account-bad-server = Each server needs a host name and a port between 1 and 65535.
account-missing-login = Give the login name and the password.
account-next = Next
account-back = Back
account-save = Save
account-cancel = Cancel
account-save-failed = The account could not be added: { $reason }
account-password-not-kept = Account added, but its password could not be kept in the keyring: { $reason }
account-searching = Searching the settings for { $domain }…
account-searching-detail = In the DNS (SRV records), then in the domain's autoconfig file.
account-enter-by-hand = Enter by hand
account-found-srv = Servers found in the DNS of { $domain } (SRV records, RFC 6186). You may change them.
account-found-autoconfig = Servers found in the autoconfig file { $url }. You may change them.
account-found-none = No settings found for { $domain }: enter the servers your operator gave you (the ones shown are only guesses).
account-search-bad-dns = The DNS server given ({ $value }) is not an IP:port address: enter the servers by hand.
account-search-plain = The autoconfig file { $url } offers only unencrypted connections, which are refused: enter the servers by hand.
account-search-incomplete = The autoconfig file { $url } is incomplete: enter the servers by hand.
account-search-failed = The search for the settings failed ({ $reason }): enter the servers by hand.
account-checking = Reading the login methods the servers offer…
account-methods-offered = Offered by your servers
account-methods-other = Other methods
account-methods-none = The servers offer no login method Caducée knows ({ $mechanisms }): choose one yourself.
account-card-present = A CPS card is in a reader: the card login is proposed first.
account-smtp-lacks = The sending server does not offer this login method: sending may fail.
account-unreachable = The server { $server } does not answer: the login methods could not be read. Check the servers, or choose the method yourself.
account-untrusted = The certificate of { $host } was refused: an MSSanté server must present an IGC-Santé certificate. Check the servers, or choose the method yourself.
account-check-failed = The login methods could not be read ({ $reason }): choose the method yourself.

## Card login
login-method-title = Login method
login-method-card = CPS card
login-method-card-detail = The card in a reader and its 4-digit PIN.
login-method-ecps = e-CPS (Pro Santé Connect)
login-method-otp = One-time code
login-method-password = Password
login-method-password-detail = The login name and password your operator gave you.
account-pkcs11-module = The card's PKCS#11 module (empty: Cryptolib CPS, else OpenSC)
account-card-later = The PIN is asked for when the card is inserted; it is never saved.
lock-title = Session locked
lock-insert-card = Insert your CPS card in the reader to continue.
lock-queued-stay = Messages waiting to be sent stay in the outbox: they go once the card is in and the PIN typed.
card-not-cps = The card inserted is not a CPS card.
card-deactivated = This CPS card is deactivated: it must be renewed with the ANS.
card-mute = The card does not answer: take it out and insert it again; if this goes on, the card or the reader may be faulty.
card-readers-unavailable = The card readers cannot be followed: { $reason }
card-unlocked = CPS card unlocked: syncing and sending resume.
card-locked = Card taken out: the session is locked.
card-resumed = Synced: { $received } new message(s), { $sent } message(s) sent.
card-resume-failed = Syncing or sending is not possible for now: { $reason }
pin-title = CPS card PIN
pin-holder-reading = Reading the card…
pin-holder-unreadable = The card holder cannot be read: { $reason }
pin-reader = Reader: { $reader }
pin-prompt = Type your card's PIN (4 digits).
pin-on-reader = Type the PIN on the reader's keypad, then confirm.
pin-unlock = Unlock
pin-checking = Checking…
pin-never-kept = The PIN is neither saved nor logged.
pin-tries-left = { $count ->
    [one] { $count } try left.
   *[other] { $count } tries left.
}
pin-wrong = Wrong PIN.
pin-final-try = One try left: one more wrong PIN locks the card. Check the PIN before typing it again.
pin-count-low = The card reports that tries are running low, without telling how many remain; a CPS card locks after 3 wrong PINs in a row.
pin-tries-unknown = The card does not tell how many tries remain; a CPS card locks after 3 wrong PINs in a row.
pin-blocked = This card's PIN is blocked after too many wrong PINs. Unblock it with the unblocking code (PUK) that came with the card, in the CPS card management tool, or ask the ANS, which issues the card, for help.
pin-card-gone = The card was taken out: insert it again.
pin-failed = The card login failed: { $reason }
card-signed-out = Card locked: type the PIN again to continue.

## Folders
folder-inbox = Inbox
folder-sent = Sent
folder-drafts = Drafts
folder-trash = Trash
folder-junk = Junk
folder-archive = Archive
folder-all = All messages
folders-title = Folders
folders-quota = { $used } of { $limit } used ({ $percent } %)

## Message list
list-empty = No messages
list-count = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}
list-no-subject = (no subject)
list-attachment = Attachment
list-attachment-short = Att.
list-flagged = Flagged
list-unread = Unread
list-show-threads = Group by conversation
list-show-messages = One line per message
list-threads-count = { $count ->
    [one] { $count } conversation
   *[other] { $count } conversations
}

## Reader
reader-none = Select a message to read it.
reader-from = From
reader-to = To
reader-cc = Cc
reader-date = Date
reader-folder = Folder
reader-attachments = Attachments
reader-save = Save
reader-saved = Attachment saved: { $path }
reader-save-failed = Cannot save: { $reason }
reader-reply = Reply
reader-reply-all = Reply all
reader-mark-unread = Mark unread
reader-mark-read = Mark read
reader-delete = Delete
reader-deleted = Message deleted.
reader-delete-unavailable = Deleting is only possible in the demo until synchronisation is configured.
reader-parse-error = This message could not be parsed: it is shown raw.
reader-body-missing = The content of this message is not downloaded yet.

## Search
search-placeholder = Search (words, from:, to:, folder:, after:, before:, has:attachment, is:unread)
search-results = { $count ->
    [one] { $count } result
   *[other] { $count } results
}
search-error = Invalid search: { $reason }
search-clear = Clear

## Composer
compose-new = New message
compose-title = New message
compose-to = To
compose-cc = Cc
compose-bcc = Bcc
compose-subject = Subject
compose-body = Message
compose-recipient-placeholder = address@domain.mssante.fr then Enter
compose-remove = Remove
compose-refused = Refused: { $reason }
compose-allowed = Allowed ({ $domain })
compose-unverified = Not verified: { $reason }
compose-attach-placeholder = Path of a file to attach
compose-attach = Attach
compose-attach-failed = Cannot read the file: { $reason }
compose-attachments-size = Attachments: { $size } of { $limit }
compose-too-big = The attachments exceed the { $limit } limit.
compose-send = Send
compose-send-blocked = Sending blocked: a recipient is refused or not verified.
compose-no-recipient = Add at least one recipient.
compose-close = Close
compose-reply-prefix = Re:
compose-from = From
compose-on-behalf = { $address } on behalf of { $professional }
compose-no-account = No mail account is set up: this message can be written and saved as a draft, not sent.
compose-dsn = Delivery report
compose-mdn = Read receipt
compose-save-draft = Save draft
compose-sending = Sending…
compose-send-no-account = No mail account is set up: the demo mailbox cannot send. Add an account from the welcome screen. Nothing was sent or queued.
compose-send-failed = Not sent, nothing was queued: { $reason }
compose-sent = Message sent.
compose-send-refused = The server refused the message: { $reason } It stays in the outbox (caducee outbox list).
compose-queued = Message kept in the outbox, not sent yet: { $reason } It will be tried again at the next send.
compose-draft-saved = Draft saved.
compose-draft-saved-server = Draft saved, here and on the server.
compose-draft-failed = The draft could not be saved: { $reason }
trust-unavailable = the MSSanté whitelist is not loaded yet
trust-invalid-address = this is not a valid mail address
directory-unavailable = Directory not available in this version.

## Settings
settings-title = Settings
settings-language = Language
settings-language-system = System language
settings-theme = Theme
settings-theme-light = Light
settings-theme-dark = Dark
settings-scale = Display size
settings-close = Close
settings-open = Settings
settings-accounts = Accounts
settings-account-signed-in = signed in
settings-account-signed-out = not signed in
settings-account-card-unlocked = CPS card unlocked
settings-account-card-locked = CPS card locked
settings-account-password = password or certificate
settings-sign-in = Sign in
settings-sign-out = Sign out
settings-card-sign-out = Lock the card
signout-unsent = { $count ->
    [one] { $count } message is still waiting in the outbox: it goes after the next sign-in. Sign out all the same?
   *[other] { $count } messages are still waiting in the outbox: they go after the next sign-in. Sign out all the same?
}
signout-confirm = Sign out all the same
signout-keep = Stay signed in

## Shortcuts
shortcuts-hint = Ctrl+N new · Ctrl+R reply · Ctrl+L search · J/K navigate · M read/unread
error-generic = Error: { $reason }

## Directory
directory-open = Directory
directory-title = Health directory
directory-placeholder = Name, profession, city or address
directory-write = Write
directory-none = No professional found.

## e-CPS and one-time-code sign-in
login-method-ecps-detail = The e-CPS app on your phone, through Pro Santé Connect in the browser.
login-method-otp-detail = Your national identifier, your password and a code received by SMS or mail.
account-psc-provider = Pro Santé Connect provider (empty: production; "sandbox", or an issuer address)
account-psc-client-id = Client id registered with the ANS
account-psc-later = The sign-in opens in your browser as soon as the account is saved.
account-otp-identifier = National identifier (8 + RPPS, or 0 + ADELI)
account-otp-later = The password and the code are asked for at each sign-in; they are never saved.
account-bad-provider = This Pro Santé Connect provider is not valid: { $reason }
signin-title = Sign in to the account
signin-cancel = Cancel
signin-ended = The session has ended: sign in again. Messages waiting to be sent stay in the outbox.
signin-failed = The sign-in failed: { $reason }
lock-queued-stay-token = Messages waiting to be sent stay in the outbox: they go after the sign-in.
ecps-explain = Sign in with your e-CPS: Pro Santé Connect opens in your browser.
ecps-start = Sign in with e-CPS
ecps-waiting = Waiting for the browser… Approve the sign-in in the e-CPS app, then come back here.
ecps-unreachable = Pro Santé Connect does not answer: check the network and try again.
ecps-denied = Pro Santé Connect refused the sign-in: try again, and approve it in the e-CPS app.
ecps-timeout = The browser did not come back in time: sign in again.
ecps-invalid = The answer of Pro Santé Connect could not be checked: { $reason }
ecps-open-yourself = If the browser does not open, open this address yourself:
ecps-badge = e-CPS: { $id }
ecps-resumed = e-CPS session resumed: sync and sending resume.
ecps-signed-in = Signed in with e-CPS: national identifier { $id }.
otp-identifier = National identifier
otp-identifier-hint = 8 followed by the 11 digits of the RPPS number, or 0 followed by the 9 characters of the ADELI number.
otp-password = Password
otp-channel = Receive the code by
otp-channel-sms = SMS
otp-channel-mail = Mail
otp-send-code = Get a code
otp-code-sent = Code sent to { $destination }.
otp-code = Code received
otp-verify = Confirm
otp-resend = Get a new code
otp-signed-in = Signed in with a one-time code: sync and sending resume.
otp-bad-identifier = This is not a national identifier: type 8 followed by the 11 digits of the RPPS number, or 0 followed by the 9 characters of the ADELI number.
otp-wrong-password = Wrong identifier or password: check them and try again.
otp-wrong-code = Wrong code: { $tries } tries left. Check the code you received and type it again.
otp-expired = The code has expired: ask for a new one.
otp-locked = This account is locked after too many failed sign-ins: contact the national operator's support to unlock it.
otp-wait = Too many attempts: wait { $seconds } seconds before trying again.
signin-later = Later: open the mailbox without this account
signout-revoked = { $account } is signed out: the refresh token was revoked at Pro Santé Connect and forgotten here.
signout-not-revoked = { $account } is signed out here, but Pro Santé Connect could not be told ({ $reason }): the refresh token is forgotten here.
signout-done = { $account } is signed out.
signout-failed = The sign-out is not complete: { $reason }
live-progress-start = Syncing { $account }…
live-progress = Syncing { $folder }: { $done } / { $total } messages
live-progress-bytes = Syncing { $folder }: { $done } / { $total } messages, { $size }
live-progress-of = { $account }: { $line }
live-failed = Syncing { $account } has stopped: { $reason }
live-new-mail = { $count ->
    [one] 1 new message
   *[other] { $count } new messages
}
live-new-mail-first = { $from }: { $subject }
outbox-flushed = { $sent } message(s) sent from the outbox.
settings-notify = Desktop notifications for new mail
settings-notify-on = On
settings-notify-off = Off
