//! The national directory (Annuaire Santé) of MSSanté mailboxes.
//!
//! * Offline: the `Extraction_Correspondance_MSSante` bulk file imported into
//!   SQLite beside the mail store. The data is public, so it is not encrypted.
//!   `directory.db` (numbered migrations) holds the settings and which data file
//!   is current; each import writes a new data file `directory-N.db` (STRICT
//!   tables, FTS5 index) once, swaps it in and deletes the old one, so a
//!   re-import leaves no free pages behind; see [`import`] and [`search`].
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
mod lines;
pub mod normalize;
mod rows;
pub mod rpps;
mod schema;
pub mod search;
mod search_fts;
mod search_plan;
mod search_tiers;

use crate::i18n::{tr1, tr2};
use std::cell::Cell;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use entry::{Entry, MailboxKind, Practice};
pub use import::{ImportKind, ImportProblem, ImportReport};
pub use search::DirectoryQuery;

/// File name of the directory database inside the data directory.
pub const DIRECTORY_FILE: &str = "directory.db";

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{}", tr2("directory-open", "path", &.path.display(), "reason", .source))]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Schema(#[from] crate::store::MigrateError),
    #[error("{}", tr1("directory-sql", "reason", .0))]
    Sql(#[from] rusqlite::Error),
    #[error("{}", tr2("directory-read", "path", &.path.display(), "reason", .source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", tr2("directory-zip", "path", &.path.display(), "reason", .reason))]
    Zip { path: PathBuf, reason: String },
    #[error("{}", tr1("directory-empty", "path", &.path.display()))]
    Empty { path: PathBuf },
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    #[error(transparent)]
    Fhir(#[from] fhir::FhirError),
}

/// The offline directory.
///
/// Every read first checks which data file is current, so a handle kept open
/// (by the interface) moves to the new data when another process's import
/// swaps it in.
pub struct Directory {
    conn: Connection,
    path: PathBuf,
    user_department: Option<String>,
    /// Generation of the data file attached as `data` (0: none imported).
    attached: Cell<Option<i64>>,
    /// Generation of the RPPS file, and whether it is attached as `rpps`.
    rpps_attached: Cell<Option<(i64, bool)>>,
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
    /// PS_LibreAcces enrichment: activity rows, when imported.
    pub rpps_activities: i64,
    pub rpps_imported_at: Option<i64>,
    pub rpps_source: Option<String>,
    /// Mailboxes the RPPS data describes.
    pub enriched: u64,
}

/// Bytes of a data file mapped into memory for searches (the whole file).
const DATA_MMAP_SIZE: i64 = 2 << 30;

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
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -16000)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        crate::store::migrate::migrate(&mut conn, schema::DIRECTORY_MIGRATIONS, None)?;
        let dir = Directory {
            conn,
            path: path.to_path_buf(),
            user_department: None,
            attached: Cell::new(None),
            rpps_attached: Cell::new(None),
        };
        dir.current()?;
        Ok(dir)
    }

    /// The data file of import `generation`, beside `directory.db`.
    pub(crate) fn data_path(&self, generation: i64) -> PathBuf {
        self.generation_path("", generation)
    }

    /// `{stem}-{prefix}{generation}.db` beside `directory.db`: the data files.
    fn generation_path(&self, prefix: &str, generation: i64) -> PathBuf {
        self.path
            .with_file_name(format!("{}-{prefix}{generation}.db", self.stem()))
    }

    /// The name of `directory.db` without its extension.
    pub(crate) fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "directory".into())
    }

    /// Generation of the current data file (0: nothing imported).
    pub(crate) fn data_generation(&self) -> Result<i64, DirectoryError> {
        Ok(self.generations()?.0)
    }

    /// Generations of the current data file and of the current RPPS file
    /// (0: none imported).
    pub(crate) fn generations(&self) -> Result<(i64, i64), DirectoryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, value FROM meta WHERE key IN ('data_generation', 'rpps_generation')",
        )?;
        let mut rows = stmt.query([])?;
        let (mut data, mut rpps) = (0, 0);
        while let Some(r) = rows.next()? {
            let key = r.get_ref(0)?.as_str().unwrap_or("");
            let value: i64 = r.get_ref(1)?.as_str().unwrap_or("").parse().unwrap_or(0);
            if key == "data_generation" {
                data = value;
            } else {
                rpps = value;
            }
        }
        Ok((data, rpps))
    }

    /// Attach the current data files, if others are attached (or none yet):
    /// the mailboxes as `data` and the RPPS enrichment as `rpps`. Without an
    /// import, or when the data file is unusable, an empty in-memory one
    /// stands in for `data`, so that searches find nothing.
    pub(crate) fn current(&self) -> Result<(), DirectoryError> {
        let (generation, rpps) = self.generations()?;
        if self.attached.get() != Some(generation) {
            self.attach_data(generation)?;
        }
        if self.rpps_attached.get().map(|(g, _)| g) != Some(rpps) {
            if self.rpps_attached.get().is_some_and(|(_, ok)| ok) {
                self.conn.execute_batch("DETACH DATABASE rpps")?;
            }
            self.rpps_attached.set(None);
            let file = self.rpps_path(rpps);
            let ok =
                rpps > 0 && file.is_file() && self.attach_file(&file, "rpps", rpps::RPPS_FORMAT);
            self.rpps_attached.set(Some((rpps, ok)));
        }
        Ok(())
    }

    /// Attach `file` as `schema` if it is a data file of `format`.
    fn attach_file(&self, file: &Path, schema: &str, format: u32) -> bool {
        let attached = self
            .conn
            .execute(&format!("ATTACH DATABASE ?1 AS {schema}"), [data_uri(file)]);
        if let Err(e) = attached {
            tracing::warn!(file = %file.display(), error = %e, "directory data file unreadable: import it again");
            return false;
        }
        let version = self
            .conn
            .query_row(&format!("PRAGMA {schema}.user_version"), [], |r| {
                r.get::<_, u32>(0)
            });
        if version.as_ref().is_ok_and(|v| *v == format) {
            return true;
        }
        tracing::warn!(file = %file.display(), "directory data file of another format: import it again");
        let _ = self
            .conn
            .execute_batch(&format!("DETACH DATABASE {schema}"));
        false
    }

    fn attach_data(&self, generation: i64) -> Result<(), DirectoryError> {
        if self.attached.get().is_some() {
            self.conn.execute_batch("DETACH DATABASE data")?;
            self.attached.set(None);
        }
        let file = self.data_path(generation);
        let usable = generation > 0
            && file.is_file()
            && self.attach_file(&file, "data", schema::DATA_FORMAT);
        if !usable {
            let (tables, indexes) = schema::data_tables();
            self.conn
                .execute_batch("ATTACH DATABASE ':memory:' AS data")?;
            let qualify = |ddl: &str| {
                ddl.replace("CREATE TABLE ", "CREATE TABLE data.")
                    .replace("CREATE VIRTUAL TABLE ", "CREATE VIRTUAL TABLE data.")
                    .replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX data.")
                    .replace("CREATE INDEX ", "CREATE INDEX data.")
            };
            self.conn.execute_batch(&qualify(&tables))?;
            self.conn.execute_batch(&qualify(&indexes))?;
        }
        self.conn
            .pragma_update(Some("data"), "cache_size", -16000)?;
        if usable {
            // The data file never changes once written: searches read its
            // pages from the mapping instead of copying them into the cache.
            self.conn
                .pragma_update(Some("data"), "mmap_size", DATA_MMAP_SIZE)?;
        }
        self.attached.set(Some(generation));
        Ok(())
    }

    /// The RPPS enrichment file of import `generation`.
    pub(crate) fn rpps_path(&self, generation: i64) -> PathBuf {
        self.generation_path("rpps-", generation)
    }

    /// Is RPPS enrichment data attached?
    pub(crate) fn has_rpps(&self) -> bool {
        self.rpps_attached.get().is_some_and(|(_, ok)| ok)
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
        self.current()?;
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM entry", [], |r| r.get(0))?)
    }

    pub fn is_empty(&self) -> Result<bool, DirectoryError> {
        Ok(self.len()? == 0)
    }

    /// The entry of one mailbox address (case-insensitive).
    pub fn lookup(&self, address: &str) -> Result<Option<Entry>, DirectoryError> {
        self.current()?;
        let sql = format!(
            "SELECT {} FROM entry WHERE address = ?1",
            entry::ENTRY_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let found = stmt
            .query_row([address.trim().to_lowercase()], entry::from_row)
            .optional()?;
        Ok(match found {
            Some(mut e) => {
                self.enrich(std::slice::from_mut(&mut e))?;
                Some(e)
            }
            None => None,
        })
    }

    /// Size, counts, dates.
    pub fn info(&self) -> Result<DirectoryInfo, DirectoryError> {
        self.current()?;
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let (generation, rpps) = self.generations()?;
        let data_size = size(&self.data_path(generation)) + size(&self.rpps_path(rpps));
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
            size_bytes: size(&self.path) + data_size,
            schema_level: crate::store::migrate::level(&self.conn)?,
            mailboxes: count("SELECT count(*) FROM entry")?,
            persons: count("SELECT count(*) FROM entry WHERE kind = 'PER'")?,
            organisations: count("SELECT count(*) FROM entry WHERE kind <> 'PER'")?,
            extraction_date: meta("extraction_date")?.and_then(|v| v.parse().ok()),
            imported_at: meta("imported_at")?.and_then(|v| v.parse().ok()),
            source: meta("source")?,
            rpps_activities: if self.has_rpps() {
                count("SELECT count(*) FROM rpps.activity")?
            } else {
                0
            },
            rpps_imported_at: meta("rpps_imported_at")?.and_then(|v| v.parse().ok()),
            rpps_source: meta("rpps_source")?,
            enriched: self.count_enriched()?,
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

/// A read-only, immutable `file:` URI for a data file (written once, never
/// changed after it is swapped in).
fn data_uri(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut uri = String::from("file:");
    if text.as_bytes().get(1) == Some(&b':') {
        // A Windows drive letter: file:/C:/...
        uri.push('/');
    }
    for b in text.bytes() {
        match b {
            b'%' | b'?' | b'#' | 0x80.. => uri.push_str(&format!("%{b:02X}")),
            b'\\' => uri.push('/'),
            _ => uri.push(b as char),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}
