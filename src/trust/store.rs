//! The whitelist's tables (migration 0003): the last good copy of the list, its
//! metadata, and the history of imports and refused refreshes.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::TrustError;
use super::xml::ParsedList;
use crate::store::Store;

/// What is known of the list in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListInfo {
    /// `DateDeGeneration` of the list, Unix seconds.
    pub generated_at: i64,
    /// Where it came from: a URL, a file path, or the built-in snapshot.
    pub source: String,
    /// When it was stored here, Unix seconds.
    pub imported_at: i64,
    /// Entries kept (one per domain and operator certificate).
    pub entries: usize,
    /// Distinct domains.
    pub domains: usize,
    /// Entries left out because their name is not a domain.
    pub skipped: usize,
    /// SHA-256 of the file imported.
    pub sha256: String,
}

/// One import attempt, kept or refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportAttempt {
    pub at: i64,
    pub source: String,
    /// `imported` or `kept-previous`.
    pub outcome: String,
    pub reason: String,
}

pub(crate) fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The metadata of the list in use, if any.
pub fn info(store: &Store) -> Result<Option<ListInfo>, TrustError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT generated_at, source, imported_at, entries, domains, skipped, sha256
             FROM whitelist_meta WHERE id = 1",
            [],
            |r| {
                Ok(ListInfo {
                    generated_at: r.get(0)?,
                    source: r.get(1)?,
                    imported_at: r.get(2)?,
                    entries: r.get::<_, i64>(3)? as usize,
                    domains: r.get::<_, i64>(4)? as usize,
                    skipped: r.get::<_, i64>(5)? as usize,
                    sha256: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// Every distinct domain of the list in use.
pub(crate) fn domains(store: &Store) -> Result<Vec<String>, TrustError> {
    let mut stmt = store
        .conn()
        .prepare("SELECT DISTINCT domain FROM whitelist_domains")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replace the list in use with `list`, in one transaction.
pub(crate) fn replace(
    store: &Store,
    list: &ParsedList,
    source: &str,
    sha256: &str,
) -> Result<ListInfo, TrustError> {
    let info = ListInfo {
        generated_at: list.generated_at.unix_timestamp(),
        source: source.to_owned(),
        imported_at: now(),
        entries: list.entries.len(),
        domains: list.distinct_domains(),
        skipped: list.skipped.len(),
        sha256: sha256.to_owned(),
    };
    let tx = store.conn().unchecked_transaction()?;
    tx.execute("DELETE FROM whitelist_domains", [])?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO whitelist_domains
                 (domain, operator_dn, description, responsible_contact, support_contact, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for e in &list.entries {
            insert.execute(params![
                e.domain,
                e.operator_dn,
                e.description,
                e.responsible_contact,
                e.support_contact,
                e.updated_at
            ])?;
        }
    }
    tx.execute(
        "INSERT INTO whitelist_meta
             (id, generated_at, source, imported_at, entries, domains, skipped, sha256)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET
             generated_at = excluded.generated_at, source = excluded.source,
             imported_at = excluded.imported_at, entries = excluded.entries,
             domains = excluded.domains, skipped = excluded.skipped, sha256 = excluded.sha256",
        params![
            info.generated_at,
            info.source,
            info.imported_at,
            info.entries as i64,
            info.domains as i64,
            info.skipped as i64,
            info.sha256
        ],
    )?;
    log_attempt_in(&tx, source, "imported", "")?;
    tx.commit()?;
    Ok(info)
}

/// Record a refused import: the previous list stays in use.
pub(crate) fn log_kept_previous(
    store: &Store,
    source: &str,
    reason: &str,
) -> Result<(), TrustError> {
    log_attempt_in(store.conn(), source, "kept-previous", reason)
}

fn log_attempt_in(
    conn: &rusqlite::Connection,
    source: &str,
    outcome: &str,
    reason: &str,
) -> Result<(), TrustError> {
    conn.execute(
        "INSERT INTO whitelist_imports (at, source, outcome, reason) VALUES (?1, ?2, ?3, ?4)",
        params![now(), source, outcome, reason],
    )?;
    Ok(())
}

/// The latest import attempts, newest first.
pub fn attempts(store: &Store, limit: usize) -> Result<Vec<ImportAttempt>, TrustError> {
    let mut stmt = store.conn().prepare(
        "SELECT at, source, outcome, reason FROM whitelist_imports ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(ImportAttempt {
            at: r.get(0)?,
            source: r.get(1)?,
            outcome: r.get(2)?,
            reason: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
