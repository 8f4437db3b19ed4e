//! The durable outbox (table `outbox`) and its send journal (`send_attempts`).
//!
//! States: `queued` (waiting, maybe for a retry), `sending` (an SMTP attempt
//! was journaled and its content may have reached the server), `sent`,
//! `failed` (permanent failure or refusal, with the reason). A `sending` row
//! with `in_doubt = 1` waits for a person's decision (see the module docs of
//! [`crate::send`]).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::store::{Store, now};

use super::SendError;
use super::compose::{Composed, StoredOptions};

/// Where a message is in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutboxState {
    Queued,
    Sending,
    InDoubt,
    Sent,
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::InDoubt => "in-doubt",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

/// One outbox message, without its content.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub account_id: i64,
    pub message_id: String,
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub copied_to_sent: bool,
    pub options: StoredOptions,
}

const COLUMNS: &str = "id, account_id, rfc_message_id, envelope_from, envelope_to, state, in_doubt,
     attempts, next_attempt_at, last_error, created_at, sent_at, copied_to_sent, options";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let envelope_to: String = r.get(4)?;
    let state: String = r.get(5)?;
    let in_doubt: bool = r.get(6)?;
    let options: String = r.get(13)?;
    Ok(OutboxEntry {
        id: r.get(0)?,
        account_id: r.get(1)?,
        message_id: r.get(2)?,
        envelope_from: r.get(3)?,
        envelope_to: serde_json::from_str(&envelope_to).unwrap_or_default(),
        state: match (state.as_str(), in_doubt) {
            ("sending", true) => OutboxState::InDoubt,
            ("sending", false) => OutboxState::Sending,
            ("sent", _) => OutboxState::Sent,
            ("failed", _) => OutboxState::Failed,
            _ => OutboxState::Queued,
        },
        attempts: r.get(7)?,
        next_attempt_at: r.get(8)?,
        last_error: r.get(9)?,
        created_at: r.get(10)?,
        sent_at: r.get(11)?,
        copied_to_sent: r.get(12)?,
        options: serde_json::from_str(&options).unwrap_or_default(),
    })
}

/// Put a composed message in the outbox, due now.
pub fn insert(store: &Store, account_id: i64, c: &Composed) -> Result<i64, SendError> {
    let t = now();
    let envelope_to = serde_json::to_string(&c.envelope_to).unwrap_or_else(|_| "[]".into());
    let options = serde_json::to_string(&c.options).unwrap_or_else(|_| "{}".into());
    store.conn().execute(
        "INSERT INTO outbox (account_id, rfc_message_id, raw, envelope_from, envelope_to, options,
                             state, attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', 0, ?7, ?7)",
        params![
            account_id,
            c.message_id,
            c.raw,
            c.envelope_from,
            envelope_to,
            options,
            t
        ],
    )?;
    Ok(store.conn().last_insert_rowid())
}

/// Every message of the outbox (all accounts when `account_id` is `None`), newest first.
pub fn list(store: &Store, account_id: Option<i64>) -> Result<Vec<OutboxEntry>, SendError> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE ?1 IS NULL OR account_id = ?1 ORDER BY id DESC"
    ))?;
    let rows = stmt
        .query_map([account_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One message.
pub fn get(store: &Store, id: i64) -> Result<OutboxEntry, SendError> {
    store
        .conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(SendError::NoSuchMessage(id))
}

/// The raw message.
pub fn raw(store: &Store, id: i64) -> Result<Vec<u8>, SendError> {
    store
        .conn()
        .query_row("SELECT raw FROM outbox WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or(SendError::NoSuchMessage(id))
}

/// Find a message by its Message-ID (with or without angle brackets).
pub fn find_by_message_id(store: &Store, message_id: &str) -> Result<Option<i64>, SendError> {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    Ok(store
        .conn()
        .query_row(
            "SELECT id FROM outbox WHERE rfc_message_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Messages of `account_id` due for an attempt at `at`, oldest first.
pub fn due(store: &Store, account_id: i64, at: i64) -> Result<Vec<OutboxEntry>, SendError> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM outbox
         WHERE account_id = ?1 AND state = 'queued' AND next_attempt_at <= ?2 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map(params![account_id, at], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Messages of `account_id` left `sending` by an interrupted flush.
pub fn interrupted(store: &Store, account_id: i64) -> Result<Vec<OutboxEntry>, SendError> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE account_id = ?1 AND state = 'sending' ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([account_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Accepted messages not yet copied to the Sent folder.
pub fn pending_copies(store: &Store, account_id: i64) -> Result<Vec<OutboxEntry>, SendError> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM outbox
         WHERE account_id = ?1 AND state = 'sent' AND copied_to_sent = 0 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([account_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Journal attempt `attempt` and mark the message `sending`, in one
/// transaction, before any of its content is written to the server.
pub fn begin_attempt(store: &Store, id: i64, attempt: i64) -> Result<(), SendError> {
    let tx = store.conn().unchecked_transaction()?;
    tx.execute(
        "INSERT INTO send_attempts (outbox_id, attempt, started_at) VALUES (?1, ?2, ?3)",
        params![id, attempt, now()],
    )?;
    tx.execute(
        "UPDATE outbox SET state = 'sending', attempts = ?2 WHERE id = ?1",
        params![id, attempt],
    )?;
    tx.commit()?;
    Ok(())
}

fn finish_attempt(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    outcome: &str,
    reply: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE send_attempts SET finished_at = ?2, outcome = ?3, reply = ?4
         WHERE outbox_id = ?1 AND finished_at IS NULL",
        params![id, now(), outcome, reply],
    )?;
    Ok(())
}

/// The server accepted the message.
pub fn mark_sent(store: &Store, id: i64, outcome: &str, reply: &str) -> Result<(), SendError> {
    let tx = store.conn().unchecked_transaction()?;
    finish_attempt(&tx, id, outcome, reply)?;
    tx.execute(
        "UPDATE outbox SET state = 'sent', in_doubt = 0, sent_at = ?2, last_error = NULL
         WHERE id = ?1",
        params![id, now()],
    )?;
    tx.commit()?;
    Ok(())
}

/// A temporary failure: try again at `next_at`.
pub fn mark_retry(store: &Store, id: i64, reply: &str, next_at: i64) -> Result<(), SendError> {
    let tx = store.conn().unchecked_transaction()?;
    finish_attempt(&tx, id, "temporary", reply)?;
    tx.execute(
        "UPDATE outbox SET state = 'queued', next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
        params![id, next_at, reply],
    )?;
    tx.commit()?;
    Ok(())
}

/// A temporary failure before any content was sent (connection, login, a
/// recipient refused for now): counts as a try, try again at `next_at`.
pub fn postpone(store: &Store, id: i64, reason: &str, next_at: i64) -> Result<(), SendError> {
    store.conn().execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
         WHERE id = ?1 AND state = 'queued'",
        params![id, next_at, reason],
    )?;
    Ok(())
}

/// A permanent failure (`outcome` "permanent" or "refused"), with the reason.
pub fn mark_failed(store: &Store, id: i64, outcome: &str, reason: &str) -> Result<(), SendError> {
    let tx = store.conn().unchecked_transaction()?;
    finish_attempt(&tx, id, outcome, reason)?;
    tx.execute(
        "UPDATE outbox SET state = 'failed', in_doubt = 0, last_error = ?2 WHERE id = ?1",
        params![id, reason],
    )?;
    tx.commit()?;
    Ok(())
}

/// Hold an interrupted message for a person's decision.
pub fn mark_in_doubt(store: &Store, id: i64) -> Result<(), SendError> {
    let tx = store.conn().unchecked_transaction()?;
    finish_attempt(
        &tx,
        id,
        "in-doubt",
        "interrupted after the message content was started",
    )?;
    tx.execute(
        "UPDATE outbox SET in_doubt = 1, last_error = ?2 WHERE id = ?1",
        params![
            id,
            "interrupted while the server was receiving it: it may have been delivered. Check with a recipient, then `caducee outbox confirm` or `caducee outbox release`"
        ],
    )?;
    tx.commit()?;
    Ok(())
}

fn in_doubt_entry(store: &Store, id: i64) -> Result<OutboxEntry, SendError> {
    let entry = get(store, id)?;
    if entry.state != OutboxState::InDoubt {
        return Err(SendError::NotInDoubt(id));
    }
    Ok(entry)
}

/// A person checked: the in-doubt message did arrive. It is marked sent.
pub fn confirm_delivered(store: &Store, id: i64) -> Result<OutboxEntry, SendError> {
    in_doubt_entry(store, id)?;
    mark_sent(
        store,
        id,
        "confirmed-delivered",
        "confirmed delivered by the user",
    )?;
    get(store, id)
}

/// A person checked: the in-doubt message did not arrive. It is queued again.
pub fn release(store: &Store, id: i64) -> Result<OutboxEntry, SendError> {
    in_doubt_entry(store, id)?;
    let tx = store.conn().unchecked_transaction()?;
    finish_attempt(&tx, id, "released", "released for sending by the user")?;
    tx.execute(
        "UPDATE outbox SET state = 'queued', in_doubt = 0, next_attempt_at = ?2, last_error = NULL
         WHERE id = ?1",
        params![id, now()],
    )?;
    tx.commit()?;
    get(store, id)
}

/// The accepted message was copied to the Sent folder.
pub fn mark_copied(store: &Store, id: i64) -> Result<(), SendError> {
    store
        .conn()
        .execute("UPDATE outbox SET copied_to_sent = 1 WHERE id = ?1", [id])?;
    Ok(())
}

/// Number of SMTP attempts journaled for a message.
pub fn attempts(store: &Store, id: i64) -> Result<Vec<(i64, Option<String>)>, SendError> {
    let mut stmt = store
        .conn()
        .prepare("SELECT attempt, outcome FROM send_attempts WHERE outbox_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
