//! Import of the ANS `Extraction_Correspondance_MSSante` file (or its zip).
//!
//! The file is read as a stream: `|`-separated, one header line, 31 columns.
//! Real extractions are not always clean, so the reader tolerates a byte-order
//! mark, CRLF line ends, stray double quotes around fields, a trailing `|`,
//! Latin-1 bytes, and rows with too few or too many fields or a repeated
//! mailbox address: such rows are reported with their line number, never fatal.
//!
//! The rows go into a new data file; when they are all in, one transaction of
//! `directory.db` makes it the current one and the old file is deleted, so
//! searches keep answering from the old data until the new data is complete,
//! and no free pages are left behind.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use rusqlite::params;
use serde::Serialize;

use super::rows::{Batch, GIVEN_KEY, POSTCODE, ReadSummary, read_batches};
use super::schema::{DATA_FORMAT, data_tables};
use super::{Directory, DirectoryError};

/// Number of columns of the extraction.
pub const COLUMNS: usize = 31;
/// First column of the header line.
pub(crate) const HEADER_START: &str = "Type de BAL";
/// Bytes of FTS index terms kept in memory during an import before they are
/// written as a segment.
const FTS_HASH_SIZE: i64 = 8 << 20;
/// Problems kept in a report (the count goes on).
pub const MAX_REPORTED_PROBLEMS: usize = 1000;

/// Which file an import read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// Extraction_Correspondance_MSSante: the mailboxes.
    #[default]
    Extraction,
    /// PS_LibreAcces: RPPS data enriching the professionals.
    PsLibreAcces,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub source: String,
    /// Data lines read (header excluded).
    pub lines: u64,
    /// Mailboxes now in the directory.
    pub mailboxes: u64,
    /// Rows repeating a mailbox already seen (the first one is kept).
    pub duplicates: u64,
    /// Rows set aside (wrong number of fields, unknown type, no address).
    pub rejected: u64,
    /// Mailboxes that were not in the previous directory.
    pub added: u64,
    /// Mailboxes of the previous directory that are gone.
    pub removed: u64,
    /// Mailboxes whose details changed.
    pub modified: u64,
    /// When the ANS produced the extraction (Unix seconds), when known.
    pub extraction_date: Option<i64>,
    /// The first problems met, with their line numbers.
    pub problems: Vec<ImportProblem>,
    /// All problems met (rejected rows, duplicates, encoding).
    pub problem_count: u64,
    pub seconds: f64,
    /// PS_LibreAcces: activity rows read.
    pub activities: u64,
    /// PS_LibreAcces: distinct professionals.
    pub professionals: u64,
    /// PS_LibreAcces: mailboxes of the directory it describes.
    pub enriched: u64,
}

/// One row the import could not take as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

impl ImportReport {
    pub(crate) fn problem(&mut self, line: u64, reason: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(ImportProblem { line, reason });
        }
    }
}

impl Directory {
    /// Import an extraction file, plain or zipped, replacing the directory.
    pub fn import_file(&mut self, path: &Path) -> Result<ImportReport, DirectoryError> {
        let read_err = |source| DirectoryError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(read_err)?;
        let mut magic = [0u8; 4];
        let n = file.read(&mut magic).map_err(read_err)?;
        drop(file);
        let source = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mtime = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        let file = std::fs::File::open(path).map_err(read_err)?;
        let report = if n == 4 && &magic == b"PK\x03\x04" {
            let zip_err = |e: zip::result::ZipError| DirectoryError::Zip {
                path: path.to_path_buf(),
                reason: e.to_string(),
            };
            let mut archive = zip::ZipArchive::new(file).map_err(zip_err)?;
            let index = pick_zip_entry(&mut archive).ok_or_else(|| DirectoryError::Zip {
                path: path.to_path_buf(),
                reason: "it holds no file".into(),
            })?;
            let entry = archive.by_index(index).map_err(zip_err)?;
            let name = entry.name().to_owned();
            let date = date_from_name(&name)
                .or_else(|| date_from_name(&source))
                .or_else(|| entry.last_modified().and_then(zip_date))
                .or(mtime);
            let reader = BufReader::with_capacity(1 << 20, entry);
            self.import_detected(reader, &format!("{source}:{name}"), &name, date)?
        } else {
            let date = date_from_name(&source).or(mtime);
            let reader = BufReader::with_capacity(1 << 20, file);
            self.import_detected(reader, &source, &source, date)?
        };
        if report.mailboxes == 0 && report.activities == 0 {
            return Err(DirectoryError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(report)
    }

    /// Import an extraction or a PS_LibreAcces file, told apart by its first
    /// line (or its `name`).
    fn import_detected<R: BufRead>(
        &mut self,
        mut reader: R,
        source: &str,
        name: &str,
        date: Option<i64>,
    ) -> Result<ImportReport, DirectoryError> {
        let head = reader.fill_buf().map_err(|e| DirectoryError::Read {
            path: source.into(),
            source: e,
        })?;
        let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
        match super::rpps::detect(first, name) {
            super::rpps::FileKind::Extraction => self.import_reader(reader, source, date),
            super::rpps::FileKind::PsLibreAcces => self.import_ps_reader(reader, source),
        }
    }

    /// Import extraction rows from `reader`, replacing the directory when at
    /// least one mailbox was read. `source` names the data in reports.
    ///
    /// The rows go into a new data file, written once with no journal (it is
    /// not in use until it is complete); one small transaction of
    /// `directory.db` then makes it the current one, and the previous data
    /// file is deleted. Searches keep answering from the old file until then.
    pub fn import_reader<R: BufRead>(
        &mut self,
        reader: R,
        source: &str,
        extraction_date: Option<i64>,
    ) -> Result<ImportReport, DirectoryError> {
        let started = Instant::now();
        let mut report = ImportReport {
            source: source.to_owned(),
            extraction_date,
            ..ImportReport::default()
        };
        self.current()?;
        let old_generation = self.data_generation()?;
        let generation = self.reserve_generation()?;
        let file = self.data_path(generation);
        let old_file = (old_generation > 0)
            .then(|| self.data_path(old_generation))
            .filter(|p| p.is_file());
        let built = build_data_file(&file, reader, old_file.as_deref(), &mut report);
        if let Err(e) = built {
            let _ = std::fs::remove_file(&file);
            return Err(e);
        }
        if report.mailboxes == 0 {
            let _ = std::fs::remove_file(&file);
            report.seconds = started.elapsed().as_secs_f64();
            return Ok(report);
        }
        self.swap_in(
            &file,
            "",
            "data_generation",
            generation,
            &[
                ("imported_at", Some(crate::store::now().to_string())),
                ("source", Some(source.to_owned())),
                ("extraction_date", extraction_date.map(|d| d.to_string())),
            ],
        )?;
        report.seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            mailboxes = report.mailboxes,
            added = report.added,
            removed = report.removed,
            modified = report.modified,
            problems = report.problem_count,
            secs = report.seconds,
            "directory imported"
        );
        Ok(report)
    }

    /// A new generation number for an import's data file, never used before.
    pub(crate) fn reserve_generation(&mut self) -> Result<i64, DirectoryError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let last: Option<i64> = tx.query_row(
            "SELECT max(CAST(value AS INTEGER)) FROM meta
             WHERE key IN ('next_generation', 'data_generation')",
            [],
            |r| r.get(0),
        )?;
        let generation = last.unwrap_or(0) + 1;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('next_generation', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [generation.to_string()],
        )?;
        tx.commit()?;
        Ok(generation)
    }

    /// Make the complete data file `file` (`{stem}-{prefix}N.db`, import
    /// `generation`) current by setting `key` with `values`, then delete the
    /// older files of its kind. When a later import was swapped in first, or
    /// the switch fails, `file` is deleted instead.
    pub(crate) fn swap_in(
        &mut self,
        file: &Path,
        prefix: &str,
        key: &str,
        generation: i64,
        values: &[(&str, Option<String>)],
    ) -> Result<(), DirectoryError> {
        match self.publish_meta(key, generation, values) {
            Ok(true) => {}
            Ok(false) => {
                // An import started later was swapped in first: it stays.
                let _ = std::fs::remove_file(file);
            }
            Err(e) => {
                let _ = std::fs::remove_file(file);
                return Err(e);
            }
        }
        self.current()?;
        self.remove_old_files(prefix, key);
        Ok(())
    }

    /// Set `key` to `generation` with `values` (`None`: removed) in one
    /// durable transaction, unless `key` already holds a later generation
    /// (then `false`). The old file is deleted next: the switch must last.
    fn publish_meta(
        &mut self,
        key: &str,
        generation: i64,
        values: &[(&str, Option<String>)],
    ) -> Result<bool, DirectoryError> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let current: Option<i64> = tx.query_row(
                "SELECT max(CAST(value AS INTEGER)) FROM meta WHERE key = ?1",
                [key],
                |r| r.get(0),
            )?;
            if current.unwrap_or(0) > generation {
                return Ok(false);
            }
            let mut set = tx.prepare(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?;
            set.execute(params![key, generation.to_string()])?;
            for (k, v) in values {
                match v {
                    Some(v) => set.execute(params![k, v])?,
                    None => tx.execute("DELETE FROM meta WHERE key = ?1", [k])?,
                };
            }
            drop(set);
            tx.commit()?;
            Ok(true)
        })();
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        result
    }

    /// Delete the data files (`{stem}-{prefix}N.db`) older than the
    /// generation in `key`. One still open elsewhere (another process on
    /// Windows) stays until a later import.
    fn remove_old_files(&self, prefix: &str, key: &str) {
        let Ok((data, rpps)) = self.generations() else {
            return;
        };
        let current = if key == "rpps_generation" { rpps } else { data };
        let Some(dir) = self.path.parent() else {
            return;
        };
        let stem = self.stem();
        let Ok(files) = std::fs::read_dir(dir) else {
            return;
        };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let generation = name
                .strip_prefix(&stem)
                .and_then(|n| n.strip_prefix('-'))
                .and_then(|n| n.strip_prefix(prefix))
                .and_then(|n| n.strip_suffix(".db"))
                .and_then(|n| n.parse::<i64>().ok());
            if generation.is_some_and(|g| g < current)
                && let Err(e) = std::fs::remove_file(f.path())
            {
                tracing::debug!(file = %name, error = %e, "old directory data file kept for now");
            }
        }
    }
}

/// Write a new data file at `file` from the rows of `reader`, and count in
/// `report` what changed from the data file `old` (if any).
fn build_data_file<R: BufRead>(
    file: &Path,
    reader: R,
    old: Option<&Path>,
    report: &mut ImportReport,
) -> Result<(), DirectoryError> {
    let started = Instant::now();
    let _ = std::fs::remove_file(file);
    let conn = open_build_file(file)?;
    let (tables, indexes) = data_tables();
    conn.execute_batch(&tables)?;
    // Index terms gathered in memory before each write of a segment (the
    // default is 1 MB): fewer, larger segments to merge.
    conn.execute(
        "INSERT INTO entry_fts (entry_fts, rank) VALUES ('hashsize', ?1)",
        [FTS_HASH_SIZE],
    )?;
    let (mut conn, summary) = read_rows(conn, reader, report)?;
    tracing::info!(
        secs = started.elapsed().as_secs_f64(),
        "directory import: rows read"
    );
    if report.mailboxes == 0 {
        return Ok(());
    }
    let tx = conn.transaction()?;
    {
        let mut insert_word = tx.prepare("INSERT INTO vocab (word) VALUES (?1)")?;
        for word in &summary.vocab {
            insert_word.execute([word])?;
        }
    }
    tx.execute_batch(&indexes)?;
    tx.commit()?;
    tracing::info!(
        secs = started.elapsed().as_secs_f64(),
        "directory import: indexes built"
    );
    report.added = report.mailboxes;
    if let Some(old) = old {
        conn.execute("ATTACH DATABASE ?1 AS old", [super::data_uri(old)])?;
        let old_count: i64 = conn.query_row("SELECT count(*) FROM old.entry", [], |r| r.get(0))?;
        let (common, modified): (i64, i64) = conn.query_row(
            "SELECT count(*), coalesce(sum(o.digest <> n.digest), 0)
             FROM main.entry AS n JOIN old.entry AS o ON o.address = n.address",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        conn.execute_batch("DETACH DATABASE old")?;
        report.added = report.mailboxes - common as u64;
        report.removed = (old_count - common) as u64;
        report.modified = modified as u64;
    }
    conn.pragma_update(None, "user_version", DATA_FORMAT)?;
    close_build_file(conn, file)
}

/// A new data file being written. Nobody reads it before it is complete, and
/// an import cut short leaves a file that is never used: no journal, no
/// syncs until [`close_build_file`].
pub(crate) fn open_build_file(file: &Path) -> Result<rusqlite::Connection, DirectoryError> {
    let open_err = |source| DirectoryError::Open {
        path: file.to_path_buf(),
        source,
    };
    let conn = rusqlite::Connection::open(file).map_err(open_err)?;
    conn.pragma_update(None, "journal_mode", "OFF")
        .map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    conn.pragma_update(None, "cache_size", -98304)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The indexes built after the rows sort them on both cores.
    conn.pragma_update(None, "threads", 2)?;
    Ok(conn)
}

/// Close a data file and put it on disk for good before it is swapped in.
pub(crate) fn close_build_file(
    conn: rusqlite::Connection,
    file: &Path,
) -> Result<(), DirectoryError> {
    conn.close().map_err(|(_, e)| e)?;
    let read_err = |source| DirectoryError::Read {
        path: file.to_path_buf(),
        source,
    };
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(read_err)?;
    #[cfg(unix)]
    if let Some(dir) = file.parent() {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Read every row of `reader` into the data file's tables: this thread
/// reads, checks and folds the rows while another one writes them through
/// `conn`, which it hands back when all is written.
fn read_rows<R: BufRead>(
    conn: rusqlite::Connection,
    reader: R,
    report: &mut ImportReport,
) -> Result<(rusqlite::Connection, ReadSummary), DirectoryError> {
    let (send, batches) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (read, written) = std::thread::scope(|scope| {
        let writing = scope.spawn(move || -> Result<rusqlite::Connection, DirectoryError> {
            let mut conn = conn;
            let tx = conn.transaction()?;
            write_batches(&tx, &batches)?;
            tx.commit()?;
            Ok(conn)
        });
        // When writing fails, the reading stops at its next batch.
        let read = read_batches(reader, report, send);
        let written = writing.join().unwrap_or_else(|_| {
            Err(DirectoryError::Read {
                path: report.source.clone().into(),
                source: std::io::Error::other("the directory import stopped unexpectedly"),
            })
        });
        (read, written)
    });
    let conn = written?;
    Ok((conn, read?))
}

/// Write the batches of rows into `entry` and `entry_fts` until the reading
/// thread is done.
fn write_batches(
    tx: &rusqlite::Transaction<'_>,
    batches: &std::sync::mpsc::Receiver<Batch>,
) -> Result<(), DirectoryError> {
    let mut insert = tx.prepare(
        "INSERT INTO entry (id, address, kind, pp_id_type, pp_id, national_id,
            structure_id_type, structure_id, service, civility, family, given,
            category_code, category, profession_code, profession, specialty_code,
            specialty, paper_free, organisation, trade_name, street, city, postcode,
            dept, country, name_key, given_key, norm, digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
            ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
    )?;
    let mut insert_fts = tx.prepare(
        "INSERT INTO entry_fts (rowid, name, given, profession, specialty,
            organisation, city, postcode, dept, kind, other)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    // Text values of a row (rows::ROW_TEXTS) bound to the FTS columns 2 to 11.
    const FTS_TEXTS: [usize; 10] = [27, GIVEN_KEY, 28, 29, 30, 31, POSTCODE, 32, 33, 34];
    for batch in batches {
        for row in 0..batch.len() {
            let [id, paper_free, digest] = batch.ints[row];
            insert.raw_bind_parameter(1, id)?;
            for k in 0..=16 {
                insert.raw_bind_parameter(k + 2, batch.text(row, k))?;
            }
            insert.raw_bind_parameter(19, paper_free)?;
            for k in 17..=26 {
                insert.raw_bind_parameter(k + 3, batch.text(row, k))?;
            }
            insert.raw_bind_parameter(30, digest)?;
            insert.raw_execute()?;
            insert_fts.raw_bind_parameter(1, id)?;
            for (i, &k) in FTS_TEXTS.iter().enumerate() {
                insert_fts.raw_bind_parameter(i + 2, batch.text(row, k))?;
            }
            insert_fts.raw_execute()?;
        }
    }
    Ok(())
}

/// Trim spaces and stray double quotes around a field.
pub(crate) fn clean(field: &str) -> &str {
    field.trim().trim_matches('"').trim()
}

/// Department of a French postcode: "69003" -> "69", "97411" -> "974",
/// "20090" -> "2A".
pub fn department_of(postcode: &str) -> String {
    let p = postcode.trim();
    if p.len() < 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return String::new();
    }
    if p.starts_with("97") || p.starts_with("98") {
        return p.get(..3).unwrap_or(p).to_owned();
    }
    if let Some(rest) = p.strip_prefix("20") {
        return if rest.starts_with('0') || rest.starts_with('1') {
            "2A".into()
        } else {
            "2B".into()
        };
    }
    p[..2].to_owned()
}

/// A date written in a file name: `..._20261123...` (and an optional `HHMM`).
fn date_from_name(name: &str) -> Option<i64> {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let run = &name[start..i];
            if run.len() >= 8 {
                let year: i32 = run[0..4].parse().ok()?;
                let month: u8 = run[4..6].parse().ok()?;
                let day: u8 = run[6..8].parse().ok()?;
                let (hour, minute) = if run.len() >= 12 {
                    (run[8..10].parse().ok()?, run[10..12].parse().ok()?)
                } else {
                    (0, 0)
                };
                return timestamp(year, month, day, hour, minute);
            }
        } else {
            i += 1;
        }
    }
    None
}

fn zip_date(d: zip::DateTime) -> Option<i64> {
    timestamp(d.year() as i32, d.month(), d.day(), d.hour(), d.minute())
}

fn timestamp(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> Option<i64> {
    let month = time::Month::try_from(month).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let t = time::Time::from_hms(hour, minute, 0).ok()?;
    Some(date.with_time(t).assume_utc().unix_timestamp())
}

/// The extraction inside a zip: the first `.txt` or `.csv`, else the first file.
fn pick_zip_entry<R: Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>) -> Option<usize> {
    let names: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|i| {
            let f = archive.by_index(i).ok()?;
            f.is_file().then(|| (i, f.name().to_ascii_lowercase()))
        })
        .collect();
    names
        .iter()
        .find(|(_, n)| n.ends_with(".txt") || n.ends_with(".csv"))
        .or(names.first())
        .map(|(i, _)| *i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departments_of_postcodes() {
        assert_eq!(department_of("69003"), "69");
        assert_eq!(department_of("97411"), "974");
        assert_eq!(department_of("20090"), "2A");
        assert_eq!(department_of("20200"), "2B");
        assert_eq!(department_of(""), "");
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_from_name("Extraction_Correspondance_MSSante_202611230455.txt"),
            timestamp(2026, 11, 23, 4, 55)
        );
        assert_eq!(date_from_name("Extraction.txt"), None);
    }

    #[test]
    fn cleaning_strips_stray_quotes() {
        assert_eq!(clean(" \"CH EXEMPLE\" "), "CH EXEMPLE");
        assert_eq!(clean("\"DUPONT"), "DUPONT");
        assert_eq!(clean("D'ARC"), "D'ARC");
    }
}
