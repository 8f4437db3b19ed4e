//! The audit journal: who did what, on whose behalf, to which message or
//! recipient, when. Append-only (triggers forbid UPDATE and DELETE on
//! `audit_log`) and hash-chained: each entry's hash covers the previous hash
//! and a canonical serialisation of the entry, so an edited, removed or
//! reordered entry is found by [`verify`].
//!
//! The head of the chain (last id and hash) is also kept in the settings, so
//! that removing the last entries is detected too. Someone able to rewrite the
//! whole database consistently can still forge a journal: the chain proves
//! integrity against partial edits, not against a full rewrite.

use crate::i18n::{tr1, tr2};
use std::io::Write;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::Store;

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Settings key holding `id:hash` of the last entry.
const HEAD_KEY: &str = "audit.head";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Sent,
    Refused,
    Delivered,
    Failed,
    Read,
    Deleted,
    Delegated,
    HandedOff,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Sent,
        Action::Refused,
        Action::Delivered,
        Action::Failed,
        Action::Read,
        Action::Deleted,
        Action::Delegated,
        Action::HandedOff,
    ];

    /// The stored name (`sent`, `handed-off`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Sent => "sent",
            Action::Refused => "refused",
            Action::Delivered => "delivered",
            Action::Failed => "failed",
            Action::Read => "read",
            Action::Deleted => "deleted",
            Action::Delegated => "delegated",
            Action::HandedOff => "handed-off",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Action {
    type Err = AuditError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| AuditError::UnknownAction(s.to_owned()))
    }
}

/// An entry to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Who acted (an address or a national identifier).
    pub actor: String,
    /// The professional a secretary acts for, if any.
    pub on_behalf_of: Option<String>,
    pub action: Action,
    /// What it was about: a Message-ID, an address...
    pub subject: String,
    /// Anything else worth keeping (recipients, reason...), as a JSON value.
    pub details: serde_json::Value,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub on_behalf_of: Option<String>,
    /// Normally an [`Action`] name; shown as stored.
    pub action: String,
    pub subject: String,
    /// Canonical JSON text, exactly as hashed.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Break {
    /// The entry's content no longer matches its hash: it was edited.
    Edited { id: i64 },
    /// The entry does not follow the one before it: an entry before it was
    /// removed, or entries were reordered or inserted.
    Unlinked { id: i64, previous_id: Option<i64> },
    /// Entries are missing between two ids.
    Gap { after: i64, next: i64 },
    /// The last entries were removed: the journal ends before its recorded head.
    Truncated { last_id: Option<i64>, head_id: i64 },
    /// The recorded head does not match the last entry.
    HeadMismatch { last_id: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Break::Edited { id } => tr1("audit-break-edited", "id", id),
            Break::Unlinked { id, previous_id } => match previous_id {
                Some(p) => tr2("audit-break-unlinked", "id", id, "previous", p),
                None => tr1("audit-break-unlinked-first", "id", id),
            },
            Break::Gap { after, next } => tr2("audit-break-gap", "after", after, "next", next),
            Break::Truncated { last_id, head_id } => match last_id {
                Some(l) => tr2("audit-break-truncated", "last", l, "head", head_id),
                None => tr1("audit-break-emptied", "head", head_id),
            },
            Break::HeadMismatch { last_id } => tr1("audit-break-head", "last", last_id),
        };
        f.write_str(&text)
    }
}

/// An intact journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub entries: usize,
    pub last_id: Option<i64>,
    pub last_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{}", tr1("audit-broken", "reason", .0))]
    Broken(Break),
    #[error("{}", tr1("audit-unknown-action", "action", .0))]
    UnknownAction(String),
    #[error("{}", tr1("audit-details", "reason", .0))]
    Details(#[from] serde_json::Error),
    #[error("{}", tr1("audit-export", "reason", .0))]
    Export(#[from] std::io::Error),
    #[error("{}", tr1("audit-sql", "reason", .0))]
    Sql(#[from] rusqlite::Error),
}

/// The hash an entry must carry: SHA-256 over its previous hash, a newline,
/// and the entry as a JSON array `[id, at, actor, on_behalf_of, action, subject,
/// details]` (details being the stored canonical text). `rec.hash` is ignored.
pub fn entry_hash(rec: &Record) -> String {
    let canonical = serde_json::json!([
        rec.id,
        rec.at,
        rec.actor,
        rec.on_behalf_of,
        rec.action,
        rec.subject,
        rec.details
    ]);
    let mut h = Sha256::new();
    h.update(rec.prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Canonical JSON of the details: object keys sorted, no spaces.
fn canonical_details(v: &serde_json::Value) -> Result<String, AuditError> {
    fn sort(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let sorted: std::collections::BTreeMap<_, _> =
                    map.iter().map(|(k, v)| (k.clone(), sort(v))).collect();
                serde_json::Value::Object(sorted.into_iter().collect())
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    let v = if v.is_null() {
        serde_json::json!({})
    } else {
        sort(v)
    };
    Ok(serde_json::to_string(&v)?)
}

/// Append `entry` to the journal, now. Returns the stored record.
///
/// Runs in its own `BEGIN IMMEDIATE` transaction (so two writers cannot fork
/// the chain): do not call it while a transaction is open on the same connection.
pub fn record(store: &Store, entry: Entry) -> Result<Record, AuditError> {
    let details = canonical_details(&entry.details)?;
    let at = time::OffsetDateTime::now_utc().unix_timestamp();
    let conn = store.conn();
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let head: Option<String> = tx
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [HEAD_KEY],
            |r| r.get(0),
        )
        .optional()?;
    // Never extend a journal whose end was cut: the next id follows the head.
    let head_id = head.as_deref().and_then(parse_head).map(|(id, _)| id);
    let (prev_id, prev_hash) = last.unwrap_or((0, GENESIS.to_owned()));
    let id = prev_id.max(head_id.unwrap_or(0)) + 1;
    let mut rec = Record {
        id,
        at,
        actor: entry.actor,
        on_behalf_of: entry.on_behalf_of,
        action: entry.action.as_str().to_owned(),
        subject: entry.subject,
        details,
        prev_hash,
        hash: String::new(),
    };
    rec.hash = entry_hash(&rec);
    tx.execute(
        "INSERT INTO audit_log (id, at, actor, on_behalf_of, action, subject, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            rec.id,
            rec.at,
            rec.actor,
            rec.on_behalf_of,
            rec.action,
            rec.subject,
            rec.details,
            rec.prev_hash,
            rec.hash
        ],
    )?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![HEAD_KEY, format!("{id}:{}", rec.hash)],
    )?;
    tx.commit()?;
    tracing::debug!(id, action = %rec.action, "audit entry recorded");
    Ok(rec)
}

fn parse_head(s: &str) -> Option<(i64, String)> {
    let (id, hash) = s.split_once(':')?;
    Some((id.parse().ok()?, hash.to_owned()))
}

const SELECT: &str =
    "SELECT id, at, actor, on_behalf_of, action, subject, details, prev_hash, hash FROM audit_log";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        on_behalf_of: r.get(3)?,
        action: r.get(4)?,
        subject: r.get(5)?,
        details: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// Walk the whole chain in id order. Returns the first break found.
pub fn verify(store: &Store) -> Result<Verified, AuditError> {
    let conn = store.conn();
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut prev: Option<(i64, String)> = None;
    let mut entries = 0usize;
    while let Some(r) = rows.next()? {
        let rec = row(r)?;
        let expected_prev = prev.as_ref().map_or(GENESIS, |(_, h)| h.as_str());
        if entry_hash(&rec) != rec.hash {
            return Err(AuditError::Broken(Break::Edited { id: rec.id }));
        }
        if rec.prev_hash != expected_prev {
            return Err(AuditError::Broken(Break::Unlinked {
                id: rec.id,
                previous_id: prev.as_ref().map(|(id, _)| *id),
            }));
        }
        let expected_id = prev.as_ref().map_or(1, |(id, _)| id + 1);
        if rec.id != expected_id {
            return Err(AuditError::Broken(match &prev {
                Some((after, _)) => Break::Gap {
                    after: *after,
                    next: rec.id,
                },
                None => Break::Unlinked {
                    id: rec.id,
                    previous_id: None,
                },
            }));
        }
        entries += 1;
        prev = Some((rec.id, rec.hash));
    }
    let head: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [HEAD_KEY],
            |r| r.get(0),
        )
        .optional()?;
    if let Some((head_id, head_hash)) = head.as_deref().and_then(parse_head) {
        match &prev {
            Some((id, hash)) if *id == head_id && *hash == head_hash => {}
            Some((id, _)) if *id < head_id => {
                return Err(AuditError::Broken(Break::Truncated {
                    last_id: Some(*id),
                    head_id,
                }));
            }
            Some((id, _)) => return Err(AuditError::Broken(Break::HeadMismatch { last_id: *id })),
            None => {
                return Err(AuditError::Broken(Break::Truncated {
                    last_id: None,
                    head_id,
                }));
            }
        }
    }
    Ok(Verified {
        entries,
        last_id: prev.as_ref().map(|(id, _)| *id),
        last_hash: prev.map_or_else(|| GENESIS.to_owned(), |(_, h)| h),
    })
}

/// The latest `limit` entries, newest first.
pub fn list(store: &Store, limit: usize) -> Result<Vec<Record>, AuditError> {
    let mut stmt = store
        .conn()
        .prepare(&format!("{SELECT} ORDER BY id DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit as i64], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One exported line: the record with its details as JSON and its time in RFC 3339.
#[derive(Serialize)]
struct ExportLine<'a> {
    id: i64,
    at: i64,
    at_utc: String,
    actor: &'a str,
    on_behalf_of: Option<&'a str>,
    action: &'a str,
    subject: &'a str,
    details: serde_json::Value,
    prev_hash: &'a str,
    hash: &'a str,
}

/// Write the whole journal as JSON Lines, oldest first. Returns the number of entries.
/// The stored `details` text is exported as JSON; its canonical text (what the hash
/// covers) is re-obtained by serialising it without spaces, keys sorted.
pub fn export<W: Write>(store: &Store, mut out: W) -> Result<usize, AuditError> {
    let mut stmt = store.conn().prepare(&format!("{SELECT} ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let rec = row(r)?;
        let details = serde_json::from_str(&rec.details)
            .unwrap_or_else(|_| serde_json::Value::String(rec.details.clone()));
        let line = ExportLine {
            id: rec.id,
            at: rec.at,
            at_utc: time::OffsetDateTime::from_unix_timestamp(rec.at)
                .ok()
                .and_then(|d| {
                    d.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default(),
            actor: &rec.actor,
            on_behalf_of: rec.on_behalf_of.as_deref(),
            action: &rec.action,
            subject: &rec.subject,
            details,
            prev_hash: &rec.prev_hash,
            hash: &rec.hash,
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_kebab_case() {
        for a in Action::ALL {
            let json = serde_json::to_value(a).unwrap_or_default();
            assert_eq!(json, a.as_str());
            assert_eq!(a.as_str().parse::<Action>().ok(), Some(a));
        }
        assert_eq!(Action::HandedOff.as_str(), "handed-off");
        assert!("sent ".parse::<Action>().is_err());
    }

    #[test]
    fn details_are_canonical() {
        let a = serde_json::json!({"b": 1, "a": {"z": 2, "y": [3, {"d": 4, "c": 5}]}});
        assert_eq!(
            canonical_details(&a).unwrap_or_default(),
            r#"{"a":{"y":[3,{"c":5,"d":4}],"z":2},"b":1}"#
        );
        assert_eq!(
            canonical_details(&serde_json::Value::Null).unwrap_or_default(),
            "{}"
        );
    }

    #[test]
    fn hash_depends_on_every_field() {
        let base = Record {
            id: 1,
            at: 10,
            actor: "a".into(),
            on_behalf_of: None,
            action: "sent".into(),
            subject: "m".into(),
            details: "{}".into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        let h = entry_hash(&base);
        assert_eq!(h.len(), 64);
        let edits: [fn(&mut Record); 8] = [
            |r| r.prev_hash = "1".into(),
            |r| r.id = 2,
            |r| r.at = 11,
            |r| r.actor = "b".into(),
            |r| r.on_behalf_of = Some("a".into()),
            |r| r.action = "read".into(),
            |r| r.subject = "n".into(),
            |r| r.details = "{\"x\":1}".into(),
        ];
        for edit in edits {
            let mut r = base.clone();
            edit(&mut r);
            assert_ne!(entry_hash(&r), h, "{r:?}");
        }
        let mut r = base.clone();
        r.hash = "anything".into();
        assert_eq!(entry_hash(&r), h);
    }
}
