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
account-login-password = Login with a password. CPS card, e-CPS and one-time code logins come in a later version.
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

## Shortcuts
shortcuts-hint = Ctrl+N new · Ctrl+R reply · Ctrl+L search · J/K navigate · M read/unread
error-generic = Error: { $reason }

## Directory
directory-open = Directory
directory-title = Health directory
directory-placeholder = Name, profession, city or address
directory-write = Write
directory-none = No professional found.
