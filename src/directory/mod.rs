//! The national directory (Annuaire Santé) of MSSanté mailboxes.
//!
//! * Offline: the `Extraction_Correspondance_MSSante` bulk file imported into its own
//!   SQLite database `directory.db` beside the mail store. The data is public, so
//!   this database is not encrypted. It has its own numbered migrations, STRICT
//!   tables and an FTS5 index; see [`import`] and [`search`].
//! * Online: a client of the Annuaire Santé FHIR API ([`fhir`]) mapping the
//!   MSSanté mailboxes of Practitioner, PractitionerRole and Organization resources
//!   into the same [`Entry`].
//! * The user's own address book lives in the mail store ([`contacts`]) and is
//!   searched together with the directory.

pub mod contacts;
mod entry;
pub mod fhir;
mod fhir_map;
pub mod import;
pub mod normalize;
mod schema;
pub mod search;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use entry::{Entry, MailboxKind};
pub use import::{ImportProblem, ImportReport};
pub use search::DirectoryQuery;

/// File name of the directory database inside the data directory.
pub const DIRECTORY_FILE: &str = "directory.db";

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("cannot open the directory database at {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Schema(#[from] crate::store::MigrateError),
    #[error("directory database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot read the directory file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a usable zip archive ({reason}); give the Extraction_Correspondance_MSSante file or its zip"
    )]
    Zip { path: PathBuf, reason: String },
    #[error(
        "{path} holds no directory rows: is it really an Extraction_Correspondance_MSSante file? The directory was left unchanged"
    )]
    Empty { path: PathBuf },
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    #[error(transparent)]
    Fhir(#[from] fhir::FhirError),
}

/// The offline directory.
pub struct Directory {
    conn: Connection,
    path: PathBuf,
    user_department: Option<String>,
}

/// Figures for `caducee directory info`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DirectoryInfo {
    pub path: PathBuf,
    pub size_bytes: u64,
    pub schema_level: u32,
    pub mailboxes: i64,
    pub persons: i64,
    pub organisations: i64,
    /// When the ANS produced the extraction (Unix seconds), when known.
    pub extraction_date: Option<i64>,
    /// When it was imported here (Unix seconds).
    pub imported_at: Option<i64>,
    pub source: Option<String>,
}

impl Directory {
    /// Open (creating if needed) `directory.db` in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Directory, DirectoryError> {
        crate::paths::ensure_private_dir(data_dir)?;
        Self::open_file(&data_dir.join(DIRECTORY_FILE))
    }

    /// Open (creating if needed) the directory database at `path`.
    pub fn open_file(path: &Path) -> Result<Directory, DirectoryError> {
        let open_err = |source| DirectoryError::Open {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -16000)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        crate::store::migrate::migrate(&mut conn, schema::DIRECTORY_MIGRATIONS, None)?;
        Ok(Directory {
            conn,
            path: path.to_path_buf(),
            user_department: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The user's department (`"69"`, `"2A"`, `"974"`): entries there rank first.
    pub fn set_user_department(&mut self, department: Option<&str>) {
        self.user_department = department
            .map(normalize::normalize)
            .filter(|d| !d.is_empty());
    }

    /// Number of mailboxes in the directory.
    pub fn len(&self) -> Result<i64, DirectoryError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM entry", [], |r| r.get(0))?)
    }

    pub fn is_empty(&self) -> Result<bool, DirectoryError> {
        Ok(self.len()? == 0)
    }

    /// The entry of one mailbox address (case-insensitive).
    pub fn lookup(&self, address: &str) -> Result<Option<Entry>, DirectoryError> {
        let sql = format!(
            "SELECT {} FROM entry WHERE address = ?1",
            entry::ENTRY_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt
            .query_row([address.trim().to_lowercase()], entry::from_row)
            .optional()?)
    }

    /// Size, counts, dates.
    pub fn info(&self) -> Result<DirectoryInfo, DirectoryError> {
        let count = |sql: &str| -> Result<i64, DirectoryError> {
            Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
        };
        let meta = |key: &str| -> Result<Option<String>, DirectoryError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?)
        };
        Ok(DirectoryInfo {
            path: self.path.clone(),
            size_bytes: std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0),
            schema_level: crate::store::migrate::level(&self.conn)?,
            mailboxes: count("SELECT count(*) FROM entry")?,
            persons: count("SELECT count(*) FROM entry WHERE kind = 'PER'")?,
            organisations: count("SELECT count(*) FROM entry WHERE kind <> 'PER'")?,
            extraction_date: meta("extraction_date")?.and_then(|v| v.parse().ok()),
            imported_at: meta("imported_at")?.and_then(|v| v.parse().ok()),
            source: meta("source")?,
        })
    }

    /// Base URL of the online directory's FHIR API: the saved setting, else
    /// [`fhir::DEFAULT_BASE_URL`].
    pub fn fhir_base_url(&self) -> Result<String, DirectoryError> {
        let saved: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'fhir_base_url'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(saved
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| fhir::DEFAULT_BASE_URL.to_owned()))
    }

    /// Save the base URL of the FHIR API (`None`: back to the default).
    pub fn set_fhir_base_url(&self, url: Option<&str>) -> Result<(), DirectoryError> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => self.conn.execute(
                "INSERT INTO meta (key, value) VALUES ('fhir_base_url', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [u],
            )?,
            None => self
                .conn
                .execute("DELETE FROM meta WHERE key = 'fhir_base_url'", [])?,
        };
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
