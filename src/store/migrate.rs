//! Numbered, append-only schema migrations, each applied in one transaction.
//!
//! The schema level is SQLite's `user_version`. A store whose level is higher than
//! this program knows is refused, never wiped or rewritten.

use crate::i18n::{tr1, tr2, tr3};
use rusqlite::Connection;

/// One schema step. Steps are never edited once released: add a new one instead.
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The mail store's migrations, in order. Append only.
pub const MAIL_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "mail",
        sql: include_str!("migrations/0001_mail.sql"),
    },
    Migration {
        version: 2,
        name: "outbox, audit and settings",
        sql: include_str!("migrations/0002_outbox_audit_settings.sql"),
    },
    Migration {
        version: 3,
        name: "whitelist",
        sql: include_str!("migrations/0003_whitelist.sql"),
    },
    Migration {
        version: 4,
        name: "sync state",
        sql: include_str!("migrations/0004_sync.sql"),
    },
    Migration {
        version: 5,
        name: "contacts",
        sql: include_str!("migrations/0005_contacts.sql"),
    },
    Migration {
        version: 6,
        name: "document hand-off",
        sql: include_str!("migrations/0006_handoff.sql"),
    },
    Migration {
        version: 7,
        name: "send journal and delivery reports",
        sql: include_str!("migrations/0007_send.sql"),
    },
    Migration {
        version: 8,
        name: "raw messages in the bodies file",
        sql: include_str!("migrations/0008_bodies_apart.sql"),
    },
];

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{}", tr2("store-schema-too-new", "found", .found, "known", .known))]
    TooNew { found: u32, known: u32 },
    #[error("{}", tr3("store-schema-step", "version", .version, "name", .name, "reason", .source))]
    Step {
        version: u32,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("{}", tr1("store-schema-read", "reason", .0))]
    Read(#[from] rusqlite::Error),
}

/// The schema level the store is at.
pub fn level(conn: &Connection) -> Result<u32, MigrateError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Bring `conn` up to `target` (or to the last migration when `None`).
/// Returns the levels applied.
pub fn migrate(
    conn: &mut Connection,
    migrations: &[Migration],
    target: Option<u32>,
) -> Result<Vec<u32>, MigrateError> {
    let known = migrations.last().map_or(0, |m| m.version);
    let current = level(conn)?;
    if current > known {
        return Err(MigrateError::TooNew {
            found: current,
            known,
        });
    }
    let target = target.unwrap_or(known).min(known);
    let mut applied = Vec::new();
    for m in migrations
        .iter()
        .filter(|m| m.version > current && m.version <= target)
    {
        let step = |source| MigrateError::Step {
            version: m.version,
            name: m.name,
            source,
        };
        let tx = conn.transaction().map_err(step)?;
        tx.execute_batch(m.sql).map_err(step)?;
        tx.pragma_update(None, "user_version", m.version)
            .map_err(step)?;
        tx.commit().map_err(step)?;
        tracing::info!(version = m.version, name = m.name, "schema upgraded");
        applied.push(m.version);
    }
    Ok(applied)
}
