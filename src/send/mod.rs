//! Sending mail: compose, check, queue, submit, copy to Sent, follow up.
//!
//! The pipeline, in order:
//! 1. [`compose`] builds the MIME message (text, optional HTML alternative,
//!    attachments with RFC 2231 file names, reply/forward threading, MSSanté
//!    headers). Attachments over the account's limit are refused here.
//! 2. [`queue`] checks every To/Cc/Bcc address and every envelope recipient
//!    against the whitelist of trusted domains, then stores the raw message,
//!    its Message-ID and its envelope in the outbox. Nothing is sent yet.
//! 3. [`flush()`] submits due messages over SMTP (STARTTLS or implicit TLS,
//!    IGC-Santé trust), checking the whitelist again right before each SMTP
//!    transaction, retries temporary failures with backoff, keeps permanent
//!    failures with the server's answer, and copies accepted messages to the
//!    server's Sent folder over IMAP (APPEND; a copy already there, found by
//!    Message-ID, is not made twice; a failed copy is tried at the next flush).
//! 4. [`reports`] reads incoming delivery status notifications (RFC 3464) and
//!    read receipts (RFC 8098), from files or from the mail synced into the
//!    store, and links them to the message they report on (ENVID, which is the
//!    Message-ID; Original-Message-ID; the returned headers).
//!
//! DSN parameters (`RET=HDRS`, `ENVID`, `NOTIFY=SUCCESS,FAILURE,DELAY`) are
//! sent only when the server announces DSN; lettre's `Envelope` cannot carry
//! them, so [`smtp`] drives the transaction with lettre's commands.
//!
//! A refusal by the whitelist, an acceptance, a permanent failure and every
//! report are written to the audit journal, with the acting account and, for a
//! secretary sending for a professional, the professional (`on_behalf_of`).
//!
//! # Exactly once
//!
//! The outbox is in the encrypted store, so a queued message survives a crash
//! (never lost). Each SMTP attempt follows this order:
//!
//! 1. `MAIL FROM`, `RCPT TO` and `DATA` are exchanged. Until the server has the
//!    whole content and its final `.`, nothing can be delivered: a transaction
//!    cut before that point is discarded by the server (RFC 5321 §3.3, §4.1.1.4).
//! 2. After the server's `354` and before a single byte of content is written,
//!    the attempt is committed to the send journal (`send_attempts`) and the
//!    message is marked `sending`. One process at a time flushes (an OS file
//!    lock next to the store, released by the OS if the process dies).
//! 3. The content and the final `.` are written; the server's answer is
//!    committed: `sent` on 2xx, back to `queued` with backoff on 4xx, `failed`
//!    with the server's answer on 5xx.
//!
//! A message found `sending` when a flush starts was therefore interrupted
//! between steps 2 and 3: the server may or may not have accepted it, and only
//! the mail itself can tell. Such a message is **in doubt** and is never resent
//! automatically. The flush first looks for its Message-ID where the account can
//! see it (the account's own mailbox: its Sent folder when the server files
//! submitted mail there, its inbox when the account was itself a recipient);
//! found, it is marked sent. Otherwise it stays in the outbox, shown as in doubt,
//! until the user, having checked with a recipient, says it arrived
//! ([`outbox::confirm_delivered`], `caducee outbox confirm`) or releases it for
//! sending ([`outbox::release`], `caducee outbox release`). A message in any
//! other state is resent freely, because no content of it can have reached the
//! server: so no message is ever submitted twice without a person deciding it,
//! and none is ever dropped. The window is the time the server takes to take
//! in the content and answer; a connection lost inside it (not only a crash)
//! also leaves the message in doubt.

pub mod compose;
pub mod flush;
pub mod headers;
pub mod outbox;
pub mod policy;
pub mod reports;
pub mod smtp;

pub use compose::{Attachment, Composed, Draft, SendOptions};
pub use flush::{FlushReport, flush};
pub use outbox::{OutboxEntry, OutboxState};
pub use reports::{DeliveryReport, ReportKind};

use crate::account::Account;
use crate::i18n::{tr, tr1, tr2, tr3};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{}", tr2("send-too-large", "total", .total, "limit", .limit))]
    TooLarge { total: String, limit: String },
    #[error("{}", tr("send-no-recipient"))]
    NoRecipient,
    #[error("{}", tr1("send-bad-address", "address", .0))]
    BadAddress(String),
    #[error("{}", tr1("send-not-delegated", "address", .0))]
    NotDelegated(String),
    #[error("{}", tr1("send-refused", "reasons", &.0.join("; ")))]
    Refused(Vec<String>),
    #[error("{}", tr2("send-attachment", "path", .path, "reason", .reason))]
    Attachment { path: String, reason: String },
    #[error("{}", tr2("send-xdm", "name", &headers::XDM_NAME, "reason", .0))]
    Xdm(String),
    #[error("{}", tr1("send-build", "reason", .0))]
    Build(String),
    #[error("{}", tr1("send-auth-unsupported", "method", &auth_method_name(.0)))]
    AuthUnsupported(&'static str),
    #[error("{}", tr3("send-connect", "host", .host, "port", .port, "reason", .reason))]
    Connect {
        host: String,
        port: u16,
        reason: String,
    },
    #[error("{}", tr1("send-no-starttls", "host", .0))]
    NoStartTls(String),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error("{}", tr1("send-login", "reason", .0))]
    Login(String),
    #[error("{}", tr1("send-certificate-login", "reason", .0))]
    CertificateLogin(String),
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error("{}", tr1("send-token-login", "reason", .0))]
    TokenLogin(String),
    #[error(transparent)]
    Session(#[from] crate::auth::session::SessionError),
    #[error("{}", tr1("send-smtp", "reply", .0))]
    Smtp(String),
    #[error("{}", tr("send-busy"))]
    Busy,
    #[error("{}", tr1("send-no-such-message", "id", .0))]
    NoSuchMessage(i64),
    #[error("{}", tr1("send-not-in-doubt", "id", .0))]
    NotInDoubt(i64),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}", tr1("send-imap", "reason", .0))]
    Imap(String),
    #[error("{}", tr1("send-lock", "reason", .0))]
    Lock(String),
}

/// The login method named in [`SendError::AuthUnsupported`], in the current language.
fn auth_method_name(method: &str) -> String {
    match method {
        "a CPS card" => tr("send-method-cps-card"),
        "an application certificate" => tr("send-method-certificate"),
        other => other.to_owned(),
    }
}

impl From<rusqlite::Error> for SendError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}

/// Compose `draft`, check it and put it in the outbox. Returns the outbox id
/// and the Message-ID. The whitelist and the delegation are checked here, in
/// the library, whatever the interface.
pub fn queue(store: &Store, account: &Account, draft: &Draft) -> Result<(i64, String), SendError> {
    let composed = match compose::compose(store, account, draft) {
        Ok(c) => c,
        Err(e) => {
            if let SendError::Refused(reasons) = &e {
                policy::journal_refusal(store, account, draft.on_behalf_of.as_deref(), reasons);
            }
            return Err(e);
        }
    };
    let id = outbox::insert(store, account.id, &composed)?;
    tracing::info!(outbox = id, "message queued");
    learn_recipients(store, draft, &composed.envelope_to);
    Ok((id, composed.message_id))
}

/// Note every recipient in the personal address book, linked to its entry
/// of the offline directory beside the store when there is one. The message
/// is queued already: a failure here is logged, never returned.
fn learn_recipients(store: &Store, draft: &Draft, recipients: &[String]) {
    let directory = store
        .path()
        .parent()
        .map(|d| d.join(crate::directory::DIRECTORY_FILE))
        .filter(|p| p.is_file())
        .and_then(|p| match crate::directory::Directory::open_file(&p) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!(error = %e, "directory unavailable for the address book");
                None
            }
        });
    let now = crate::store::now();
    for address in recipients {
        let name = display_name_for(draft, address);
        if let Err(e) = crate::directory::contacts::record_written(
            store,
            directory.as_ref(),
            address,
            &name,
            now,
        ) {
            tracing::warn!(error = %e, "address book not updated");
        }
    }
}

/// The display name the draft gives `address` (`"Dr Anne Roy" <a@b.fr>`), if any.
fn display_name_for(draft: &Draft, address: &str) -> String {
    draft
        .to
        .iter()
        .chain(&draft.cc)
        .chain(&draft.bcc)
        .find_map(|raw| {
            let (name, rest) = raw.trim().split_once('<')?;
            let addr = rest.strip_suffix('>')?.trim();
            addr.eq_ignore_ascii_case(address)
                .then(|| name.trim().trim_matches('"').trim().to_owned())
        })
        .unwrap_or_default()
}
