//! The local mail store: SQLite databases encrypted with SQLCipher.
//!
//! The store owns the schema (numbered migrations in `migrations/`), the raw
//! messages (content-addressed blobs, kept in the bodies file beside the store:
//! see [`bodies`]), the envelope index, the full-text index kept current by
//! triggers, and the tables other modules write through [`Store::conn`]:
//! outbox, audit journal, settings.

pub mod bodies;
mod cipher;
mod folders;
pub mod key;
mod messages;
pub mod migrate;
mod search;
mod threads;

use crate::i18n::{tr1, tr2};
use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use folders::{Folder, FolderRole};
pub use key::{KeySource, StoreKey};
pub use messages::{Flag, MessageRow, NewMessage, StoredMessage, blob_hash};
pub use migrate::{MAIL_MIGRATIONS, MigrateError};
pub use search::{SearchHit, SearchQuery};
pub use threads::ThreadHead;

/// File name of the mail store inside the data directory.
pub const STORE_FILE: &str = "caducee.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", tr1("store-wrong-key", "path", &.0.display()))]
    WrongKey(PathBuf),
    #[error("{}", tr2("store-open", "path", &.path.display(), "reason", .source))]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{}", tr2("store-file", "path", &.path.display(), "reason", .source))]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Schema(#[from] MigrateError),
    #[error("{}", tr1("store-sql", "reason", .0))]
    Sql(#[from] rusqlite::Error),
    #[error("{}", tr1("store-no-message", "id", .0))]
    NoMessage(i64),
    #[error("{}", tr1("store-no-folder", "name", .0))]
    NoFolder(String),
    #[error("{}", tr1("store-query", "reason", .0))]
    Query(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open mail store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The bodies file; `None` only for a store kept below the schema level
    /// that moved bodies there (upgrade tests), whose bodies stay inline.
    bodies: Option<bodies::Bodies>,
}

/// First schema level whose raw messages go to the bodies file.
const BODIES_APART_LEVEL: u32 = 8;

impl Store {
    /// Open (creating if needed) the store file at `path` with `key`, and bring
    /// its schema up to date.
    pub fn open(path: &Path, key: &StoreKey) -> Result<Self> {
        Self::open_at_level(path, key, None)
    }

    /// Open and migrate only up to `level` (tests of upgrades from older levels).
    #[doc(hidden)]
    pub fn open_at_level(path: &Path, key: &StoreKey, level: Option<u32>) -> Result<Self> {
        let (mut conn, page_size) = open_private_keyed(path, key)?;
        tracing::debug!(page_size, "store opened");
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // 64 MB of page cache: every page read from disk is decrypted, so keeping
        // the envelope index in memory is what makes search over 100k messages fast.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate::migrate(&mut conn, MAIL_MIGRATIONS, level)?;
        let bodies = if migrate::level(&conn)? >= BODIES_APART_LEVEL {
            let bodies = bodies::Bodies::open(path, key)?;
            // Bodies left behind by a deletion cut short.
            bodies.drop_unlinked(&conn)?;
            Some(bodies)
        } else {
            None
        };
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            bodies,
        })
    }

    /// The bodies file, when raw messages are kept apart (every store at the
    /// current schema level).
    pub(crate) fn bodies(&self) -> Option<&bodies::Bodies> {
        self.bodies.as_ref()
    }

    /// Remove from the bodies file the bodies that deleted messages left
    /// unused. Call after committing deletions made through [`Store::conn`].
    pub fn drop_unlinked_bodies(&self) -> Result<usize> {
        match &self.bodies {
            Some(b) => b.drop_unlinked(&self.conn),
            None => Ok(0),
        }
    }

    /// Open the store of a data directory, with the key from the environment or
    /// the OS keyring.
    pub fn open_in(data_dir: &Path) -> Result<(Self, KeySource), OpenError> {
        crate::paths::ensure_private_dir(data_dir)?;
        let path = data_dir.join(STORE_FILE);
        let (key, source) = key::resolve(data_dir, path.exists())?;
        Ok((Self::open(&path, &key)?, source))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for modules that own tables of their own (outbox, audit,
    /// whitelist, sync state). Keep SQL in the module that owns the table.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Bulk mode for large imports: a rollback journal instead of the WAL, so new
    /// raw messages are written once instead of twice (WAL, then checkpoint).
    /// Only possible while no other connection has the store open; returns
    /// whether it was switched. [`Store::end_bulk`] goes back to WAL.
    pub fn begin_bulk(&self) -> Result<bool> {
        let mode: String =
            self.conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Ok(false);
        }
        if let Some(b) = &self.bodies {
            b.set_journal_mode("DELETE")?;
        }
        Ok(true)
    }

    /// Leave bulk mode: back to the WAL.
    pub fn end_bulk(&self) -> Result<()> {
        let _: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if let Some(b) = &self.bodies {
            b.set_journal_mode("WAL")?;
        }
        Ok(())
    }

    /// Current schema level.
    pub fn schema_level(&self) -> Result<u32> {
        Ok(migrate::level(&self.conn)?)
    }

    /// Read a setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Write a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Figures for `caducee store info`.
    pub fn info(&self) -> Result<StoreInfo> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let file_size = size(&self.path) + self.bodies.as_ref().map_or(0, |b| size(b.path()));
        let cipher: Option<String> = self
            .conn
            .query_row("PRAGMA cipher_version", [], |r| r.get(0))
            .ok();
        Ok(StoreInfo {
            path: self.path.clone(),
            size_bytes: file_size,
            schema_level: self.schema_level()?,
            encrypted: cipher.is_some(),
            cipher_version: cipher,
            accounts: count("SELECT count(*) FROM accounts")?,
            folders: count("SELECT count(*) FROM folders")?,
            messages: count("SELECT count(*) FROM messages")?,
            unread: count("SELECT count(*) FROM messages WHERE seen = 0")?,
            blobs_bytes: count("SELECT coalesce(sum(size), 0) FROM blobs")?,
        })
    }
}

/// Errors of [`Store::open_in`]: the data directory, the key, or the store.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    #[error(transparent)]
    Key(#[from] key::KeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StoreInfo {
    pub path: PathBuf,
    pub size_bytes: u64,
    pub schema_level: u32,
    pub encrypted: bool,
    pub cipher_version: Option<String>,
    pub accounts: i64,
    pub folders: i64,
    pub messages: i64,
    pub unread: i64,
    pub blobs_bytes: i64,
}

/// Create (mode 0600) and open the encrypted file at `path` with `key`;
/// returns the connection and its page size. A key that does not open the
/// file is told as such, with nothing written.
pub(crate) fn open_private_keyed(path: &Path, key: &StoreKey) -> Result<(Connection, u32)> {
    create_private_file(path)?;
    cipher::open_keyed(path, key).map_err(|e| match e {
        cipher::KeyingError::WrongKey => StoreError::WrongKey(path.to_path_buf()),
        cipher::KeyingError::Sql(source) => StoreError::Open {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Create the store file with mode 0600 before SQLite does (its journal files
/// inherit the mode).
fn create_private_file(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .map(drop)
        .map_err(|source| StoreError::File {
            path: path.to_path_buf(),
            source,
        })
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
