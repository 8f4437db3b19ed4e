//! Flushing the outbox of one account: settle interrupted attempts, submit
//! what is due, retry with backoff, copy accepted messages to Sent.

use std::cell::Cell;
use std::fs::{File, OpenOptions, TryLockError};

use serde::Serialize;

use crate::account::{Account, AuthMethod};
use crate::audit::Action;
use crate::imap::{self, Credentials};
use crate::store::{Store, now};
use crate::tls::TlsClient;

use super::outbox::{self, OutboxEntry, OutboxState};
use super::policy::{self, Event};
use super::smtp::{Dsn, Failure, Login, Session};
use super::{SendError, reports};

/// Tries before a message is given up (each a connection or an SMTP attempt).
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds to wait before try `attempts + 1`: 1 min, 2, 4... capped at 1 h.
pub fn backoff(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 7) - 1;
    (60_i64 << exp).min(3600)
}

/// What a flush did.
#[derive(Debug, Default, Serialize)]
pub struct FlushReport {
    pub sent: Vec<i64>,
    /// Interrupted earlier, then found delivered in the account's mailbox.
    pub found_delivered: Vec<i64>,
    pub retry_later: Vec<(i64, String)>,
    pub failed: Vec<(i64, String)>,
    pub in_doubt: Vec<i64>,
    pub copied_to_sent: Vec<i64>,
}

/// The account's login for submission.
pub fn username(account: &Account) -> Result<&str, SendError> {
    match &account.settings.auth {
        AuthMethod::Password { username } => Ok(username),
        AuthMethod::Cps { .. } => Err(SendError::AuthUnsupported("a CPS card")),
        AuthMethod::Certificate { .. } => {
            Err(SendError::AuthUnsupported("an application certificate"))
        }
        AuthMethod::ProSanteConnect { username, .. } => Ok(username),
        AuthMethod::Otp { .. } => Ok(&account.address),
    }
}

/// Whether the account logs in with a TLS client certificate (CPS card or
/// application certificate) and SASL EXTERNAL.
fn uses_certificate(account: &Account) -> bool {
    matches!(
        account.settings.auth,
        AuthMethod::Cps { .. } | AuthMethod::Certificate { .. }
    )
}

/// Whether the account logs in with a token (Pro Santé Connect, one-time
/// code) and SASL XOAUTH2.
fn uses_token(account: &Account) -> bool {
    matches!(
        account.settings.auth,
        AuthMethod::ProSanteConnect { .. } | AuthMethod::Otp { .. }
    )
}

/// The token of the moment of a token account (none for other accounts):
/// taken again at each connection, so a renewed token is used.
fn current_token(account: &Account) -> Result<Option<String>, SendError> {
    if !uses_token(account) {
        return Ok(None);
    }
    Ok(Some(crate::auth::session::token_for(
        &account.address,
        imap::auth::session_kind(account),
    )?))
}

/// The SMTP login: the password for password accounts, EXTERNAL for
/// certificate accounts, XOAUTH2 with `token` for token accounts.
fn smtp_login<'a>(
    account: &'a Account,
    password: &'a str,
    token: Option<&'a str>,
) -> Result<Login<'a>, SendError> {
    if uses_certificate(account) {
        return Ok(Login::External);
    }
    if let Some(token) = token {
        return Ok(Login::XOAuth2 {
            username: username(account)?,
            token,
        });
    }
    Ok(Login::Password {
        username: username(account)?,
        password,
    })
}

/// Connect to the account's submission server and log in.
async fn open_smtp(
    account: &Account,
    tls: &TlsClient,
    password: &str,
) -> Result<Session, SendError> {
    let token = current_token(account)?;
    let login = smtp_login(account, password, token.as_deref())?;
    Session::open_with(&account.settings.smtp, tls, login).await
}

/// One flusher at a time: an OS lock on a file beside the store, released by
/// the OS when the process ends, however it ends.
fn lock(store: &Store) -> Result<File, SendError> {
    let path = store.path().with_extension("outbox.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| SendError::Lock(format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(SendError::Busy),
        Err(TryLockError::Error(e)) => Err(SendError::Lock(format!("{}: {e}", path.display()))),
    }
}

/// Submit every due message of `account`. `password` is the account's
/// password; certificate accounts (CPS card, application certificate) log in
/// with their certificate and ignore it.
pub async fn flush(
    store: &Store,
    account: &Account,
    password: &str,
) -> Result<FlushReport, SendError> {
    let _lock = lock(store)?;
    let tls = TlsClient::new(&account.tls_settings()?)?;
    // A token account without a live session stops here, before any entry
    // is touched: the outbox waits, as it is, for the next sign-in.
    current_token(account)?;
    let mut report = FlushReport::default();

    for entry in outbox::interrupted(store, account.id)? {
        let found = find_delivered(account, &tls, password, &entry.message_id)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot search the mailbox for an interrupted message");
                false
            });
        if found {
            outbox::mark_sent(
                store,
                entry.id,
                "found-delivered",
                "found in the mailbox after an interruption",
            )?;
            journal_sent(store, account, &entry, "found after an interruption");
            report.found_delivered.push(entry.id);
        } else {
            if entry.state == OutboxState::Sending {
                outbox::mark_in_doubt(store, entry.id)?;
                tracing::warn!(outbox = entry.id, "interrupted send held as in doubt");
            }
            report.in_doubt.push(entry.id);
        }
    }

    let mut session: Option<Session> = None;
    for entry in outbox::due(store, account.id, now())? {
        // The whitelist again, right before the transaction: it may have
        // changed since the message was queued.
        let raw = outbox::raw(store, entry.id)?;
        let mut check = entry.envelope_to.clone();
        check.extend(reports::header_recipients(&raw));
        if let Err(SendError::Refused(reasons)) = policy::check_recipients(store, &check) {
            let reason = format!("refused by the whitelist: {}", reasons.join("; "));
            outbox::mark_failed(store, entry.id, "refused", &reason)?;
            policy::journal_refusal(
                store,
                account,
                entry.options.on_behalf_of.as_deref(),
                &reasons,
            );
            report.failed.push((entry.id, reason));
            continue;
        }

        let sess = match session.as_mut() {
            Some(s) => s,
            None => match open_smtp(account, &tls, password).await {
                Ok(s) => session.insert(s),
                // The token session ended (or the token was refused): stop,
                // leaving this entry and the rest queued as they are.
                Err(e @ (SendError::Session(_) | SendError::TokenLogin(_))) => return Err(e),
                Err(e) => {
                    let reason = e.to_string();
                    retry_or_fail(store, account, &entry, &reason, false, &mut report)?;
                    continue;
                }
            },
        };
        let attempt = entry.attempts + 1;
        let begun = Cell::new(false);
        let dsn = entry.options.send.dsn.then(|| Dsn {
            envid: entry.message_id.clone(),
        });
        let result = sess
            .transaction(
                &entry.envelope_from,
                &entry.envelope_to,
                dsn.as_ref(),
                &raw,
                || {
                    outbox::begin_attempt(store, entry.id, attempt)?;
                    begun.set(true);
                    Ok(())
                },
            )
            .await?;
        match result {
            Ok(reply) => {
                outbox::mark_sent(store, entry.id, "accepted", &reply)?;
                journal_sent(store, account, &entry, &reply);
                tracing::info!(outbox = entry.id, attempt, "message accepted");
                report.sent.push(entry.id);
            }
            Err(failure) => {
                session = None;
                match failure {
                    Failure::Unknown(text) if begun.get() => {
                        tracing::warn!(outbox = entry.id, error = %text, "send interrupted");
                        outbox::mark_in_doubt(store, entry.id)?;
                        report.in_doubt.push(entry.id);
                    }
                    Failure::Permanent(text) => {
                        fail(store, account, &entry, &text)?;
                        report.failed.push((entry.id, text));
                    }
                    other => {
                        let text = other.text().to_owned();
                        retry_or_fail(store, account, &entry, &text, begun.get(), &mut report)?;
                    }
                }
            }
        }
    }
    if let Some(s) = session {
        s.quit().await;
    }

    for entry in outbox::pending_copies(store, account.id)? {
        let raw = outbox::raw(store, entry.id)?;
        let copied = copy_to_sent(account, &tls, password, &entry.message_id, &raw)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "copy to the Sent folder failed; it will be tried again");
                false
            });
        if copied {
            outbox::mark_copied(store, entry.id)?;
            report.copied_to_sent.push(entry.id);
        }
    }
    Ok(report)
}

fn retry_or_fail(
    store: &Store,
    account: &Account,
    entry: &OutboxEntry,
    reason: &str,
    begun: bool,
    report: &mut FlushReport,
) -> Result<(), SendError> {
    let tries = entry.attempts + 1;
    if tries >= MAX_ATTEMPTS {
        let text = format!("gave up after {tries} tries: {reason}");
        fail(store, account, entry, &text)?;
        report.failed.push((entry.id, text));
        return Ok(());
    }
    let next = now() + backoff(tries);
    if begun {
        outbox::mark_retry(store, entry.id, reason, next)?;
    } else {
        outbox::postpone(store, entry.id, reason, next)?;
    }
    report.retry_later.push((entry.id, reason.to_owned()));
    Ok(())
}

fn fail(
    store: &Store,
    account: &Account,
    entry: &OutboxEntry,
    reason: &str,
) -> Result<(), SendError> {
    outbox::mark_failed(store, entry.id, "permanent", reason)?;
    policy::journal(
        store,
        Event {
            account,
            on_behalf_of: entry.options.on_behalf_of.as_deref(),
            action: Action::Failed,
            subject: &entry.message_id,
            details: serde_json::json!({ "to": entry.envelope_to, "reason": reason }),
        },
    );
    Ok(())
}

fn journal_sent(store: &Store, account: &Account, entry: &OutboxEntry, reply: &str) {
    policy::journal(
        store,
        Event {
            account,
            on_behalf_of: entry.options.on_behalf_of.as_deref(),
            action: Action::Sent,
            subject: &entry.message_id,
            details: serde_json::json!({
                "to": entry.envelope_to,
                "subject": entry.options.subject,
                "reply": reply,
            }),
        },
    );
}

/// The Sent folder when the server names none with the `\\Sent` attribute.
pub const SENT_FOLDER: &str = "Sent";

/// The folder the server marks `\\Sent` (RFC 6154), else [`SENT_FOLDER`].
async fn sent_folder(session: &mut imap::Session) -> String {
    use futures::TryStreamExt;
    let names: Vec<_> = match session.list(Some(""), Some("*")).await {
        Ok(stream) => stream.try_collect().await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    names
        .iter()
        .find(|n| {
            n.attributes()
                .iter()
                .any(|a| matches!(a, async_imap::types::NameAttribute::Sent))
        })
        .map(|n| n.name().to_owned())
        .unwrap_or_else(|| SENT_FOLDER.to_owned())
}

async fn imap_session(
    account: &Account,
    tls: &TlsClient,
    password: &str,
) -> Result<imap::Session, SendError> {
    let creds = if uses_certificate(account) {
        Credentials::External { authzid: None }
    } else if uses_token(account) {
        Credentials::for_account(account).map_err(|e| SendError::Imap(e.to_string()))?
    } else {
        Credentials::Password {
            username: username(account)?.to_owned(),
            password: password.to_owned(),
        }
    };
    let client = imap::connect(&account.settings.imap, tls)
        .await
        .map_err(|e| SendError::Imap(e.to_string()))?;
    imap::login(client, &creds)
        .await
        .map_err(|e| SendError::Imap(e.to_string()))
}

async fn search(
    session: &mut imap::Session,
    folder: &str,
    message_id: &str,
) -> Result<bool, SendError> {
    if session.examine(folder).await.is_err() {
        return Ok(false);
    }
    let quoted = message_id.replace(['"', '\\'], "");
    let hits = session
        .uid_search(format!("HEADER Message-ID \"<{quoted}>\""))
        .await
        .map_err(|e| SendError::Imap(e.to_string()))?;
    Ok(!hits.is_empty())
}

/// Whether a message with this Message-ID is in the account's mailbox.
async fn find_delivered(
    account: &Account,
    tls: &TlsClient,
    password: &str,
    message_id: &str,
) -> Result<bool, SendError> {
    let mut session = imap_session(account, tls, password).await?;
    // Where a server files submitted mail, and where a copy lands when the
    // account was itself a recipient.
    let folders = [sent_folder(&mut session).await, "INBOX".to_owned()];
    let mut found = false;
    for folder in &folders {
        if search(&mut session, folder, message_id).await? {
            found = true;
            break;
        }
    }
    let _ = session.logout().await;
    Ok(found)
}

/// Copy an accepted message to the server's Sent folder.
/// A copy already there (an earlier flush stopped before noting it) is not
/// made again.
async fn copy_to_sent(
    account: &Account,
    tls: &TlsClient,
    password: &str,
    message_id: &str,
    raw: &[u8],
) -> Result<bool, SendError> {
    let mut session = imap_session(account, tls, password).await?;
    if search(&mut session, SENT_FOLDER, message_id).await? {
        let _ = session.logout().await;
        return Ok(true);
    }
    let result = session
        .append(SENT_FOLDER, Some("(\\Seen)"), None, raw)
        .await;
    let _ = session.logout().await;
    match result {
        Ok(()) => Ok(true),
        Err(e) => {
            tracing::warn!(error = %e, "copy to the Sent folder failed; it will be tried again");
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps_at_an_hour() {
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(2), 120);
        assert_eq!(backoff(4), 480);
        assert_eq!(backoff(7), 3600);
        assert_eq!(backoff(20), 3600);
    }
}
