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

use super::lines::ExportLines;
use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use rusqlite::params;
use serde::Serialize;

use super::entry::MailboxKind;
use super::normalize::normalize;
use super::schema::{DATA_FORMAT, data_tables};
use super::{Directory, DirectoryError};

/// Number of columns of the extraction.
pub const COLUMNS: usize = 31;
/// First column of the header line.
pub(crate) const HEADER_START: &str = "Type de BAL";
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
    let mut conn = open_build_file(file)?;
    let (tables, indexes) = data_tables();
    conn.execute_batch(&tables)?;
    let tx = conn.transaction()?;
    read_rows(&tx, reader, report)?;
    tracing::info!(
        secs = started.elapsed().as_secs_f64(),
        "directory import: rows read"
    );
    if report.mailboxes == 0 {
        return Ok(());
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

/// Read every row of `reader` into the data file's tables.
fn read_rows<R: BufRead>(
    tx: &rusqlite::Transaction<'_>,
    reader: R,
    report: &mut ImportReport,
) -> Result<(), DirectoryError> {
    let source = report.source.clone();
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
    let mut seen: HashSet<u64> = HashSet::new();
    let mut vocab: HashSet<String> = HashSet::new();
    let mut id = 0i64;
    let mut lines = ExportLines::new(reader);
    while let Some(line) = lines.next_line().map_err(|e| DirectoryError::Read {
        path: source.clone().into(),
        source: e,
    })? {
        let line_no = line.number;
        if line.latin1 {
            report.problem(line_no, "not UTF-8: read as Latin-1".into());
        }
        let text = line.text;
        if line_no == 1 && clean(text.split('|').next().unwrap_or("")) == HEADER_START {
            let n = text.split('|').count();
            if n != COLUMNS && !(n == COLUMNS + 1 && text.ends_with('|')) {
                report.problem(
                    1,
                    format!("the header has {n} columns, {COLUMNS} expected: columns are read by position"),
                );
            }
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        report.lines += 1;
        let mut fields: Vec<&str> = text.split('|').collect();
        if fields.len() == COLUMNS + 1 && fields[COLUMNS].trim().is_empty() {
            fields.pop();
        }
        if fields.len() != COLUMNS {
            report.rejected += 1;
            report.problem(
                line_no,
                format!("{} fields, {COLUMNS} expected: row set aside", fields.len()),
            );
            continue;
        }
        let row = match Row::parse(&fields) {
            Ok(row) => row,
            Err(reason) => {
                report.rejected += 1;
                report.problem(line_no, reason);
                continue;
            }
        };
        let mut h = DefaultHasher::new();
        row.address.hash(&mut h);
        if !seen.insert(h.finish()) {
            report.duplicates += 1;
            report.problem(
                line_no,
                format!(
                    "{} already appeared on an earlier line: the first row is kept",
                    row.address
                ),
            );
            continue;
        }
        id += 1;
        row.insert(id, &mut insert, &mut insert_fts, &mut vocab)?;
    }
    report.mailboxes = id as u64;
    let mut insert_word = tx.prepare("INSERT INTO vocab (word) VALUES (?1)")?;
    let mut words: Vec<String> = vocab.into_iter().collect();
    words.sort_unstable();
    for word in words {
        insert_word.execute([word])?;
    }
    Ok(())
}

/// Trim spaces and stray double quotes around a field.
pub(crate) fn clean(field: &str) -> &str {
    field.trim().trim_matches('"').trim()
}

/// One parsed row of the extraction.
struct Row<'a> {
    address: String,
    kind: MailboxKind,
    f: [&'a str; COLUMNS],
    street: String,
    city: String,
    dept: String,
    paper_free: bool,
}

impl<'a> Row<'a> {
    fn parse(raw: &[&'a str]) -> Result<Row<'a>, String> {
        let mut f = [""; COLUMNS];
        for (slot, value) in f.iter_mut().zip(raw) {
            *slot = clean(value);
        }
        let kind = MailboxKind::parse(f[0])
            .ok_or_else(|| format!("unknown mailbox type “{}”: row set aside", f[0]))?;
        let address = f[1].to_lowercase();
        let valid = address
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
            && !address.contains(char::is_whitespace);
        if !valid {
            return Err(format!(
                "“{}” is not a mailbox address: row set aside",
                f[1]
            ));
        }
        let mut street = String::new();
        for part in [f[22], f[23], street_type(f[24]), f[25]] {
            if !part.is_empty() {
                if !street.is_empty() {
                    street.push(' ');
                }
                street.push_str(part);
            }
        }
        let postcode = f[28];
        let city = f[27]
            .strip_prefix(postcode)
            .filter(|_| !postcode.is_empty())
            .unwrap_or(f[27])
            .trim()
            .to_owned();
        let dept = if f[29].is_empty() {
            department_of(postcode)
        } else {
            f[29].to_ascii_uppercase()
        };
        let paper_free = matches!(
            f[17].to_ascii_lowercase().as_str(),
            "true" | "1" | "o" | "oui" | "y" | "yes"
        );
        Ok(Row {
            address,
            kind,
            f,
            street,
            city,
            dept,
            paper_free,
        })
    }

    fn insert(
        &self,
        id: i64,
        insert: &mut rusqlite::Statement<'_>,
        insert_fts: &mut rusqlite::Statement<'_>,
        vocab: &mut HashSet<String>,
    ) -> rusqlite::Result<()> {
        let f = &self.f;
        let family = normalize(f[9]);
        let given = normalize(f[10]);
        let organisation = normalize(&format!("{} {}", f[18], f[19]));
        let name_key = if family.is_empty() {
            normalize(if f[18].is_empty() { f[19] } else { f[18] })
        } else {
            family.clone()
        };
        let profession = normalize(f[14]);
        let specialty = normalize(f[16]);
        let city = normalize(&self.city);
        let dept = self.dept.to_ascii_lowercase();
        let kind = self.kind.code().to_ascii_lowercase();
        // The mailbox address and the service; the street is shown, not searched.
        let other = normalize(&format!("{} {}", self.address, f[7]));
        let norm = [
            family.as_str(),
            &given,
            &profession,
            &specialty,
            &organisation,
            &city,
            f[28],
            &dept,
            &kind,
            &other,
        ]
        .join("|");
        let postcode = f[28].to_owned();
        for field in [
            &family,
            &given,
            &profession,
            &specialty,
            &organisation,
            &city,
            &other,
            &postcode,
        ] {
            for word in field.split(' ') {
                // Words mixing letters and digits come from addresses
                // ("dupont2"): nobody types them as a name.
                let mixed = word.bytes().any(|b| b.is_ascii_digit())
                    && word.bytes().any(|b| b.is_ascii_alphabetic());
                if word.len() >= 4 && !mixed && !vocab.contains(word) {
                    vocab.insert(word.to_owned());
                }
            }
        }
        let digest = row_digest(f);
        insert.execute(params![
            id,
            self.address,
            self.kind.code(),
            f[2],
            f[3],
            f[4],
            f[5],
            f[6],
            f[7],
            f[8],
            f[9],
            f[10],
            f[11],
            f[12],
            f[13],
            f[14],
            f[15],
            f[16],
            self.paper_free as i64,
            f[18],
            f[19],
            self.street,
            self.city,
            f[28],
            self.dept,
            f[30],
            name_key,
            given,
            norm,
            digest,
        ])?;
        insert_fts.execute(params![
            id,
            family,
            given,
            profession,
            specialty,
            organisation,
            city,
            f[28],
            dept,
            kind,
            other
        ])?;
        Ok(())
    }
}

/// A stable 64-bit FNV-1a hash of the source fields: it only tells a
/// modified row from an unchanged one between two imports, so it need not be
/// cryptographic (SHA-256 here was the largest single cost of an import).
fn row_digest(fields: &[&str]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for field in fields {
        for &b in field.as_bytes().iter().chain(b"|") {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h as i64
}

/// Label of a way type code of the extraction ("R" -> "RUE").
fn street_type(code: &str) -> &str {
    match code.to_ascii_uppercase().as_str() {
        "R" => "RUE",
        "AV" => "AVENUE",
        "BD" => "BOULEVARD",
        "PL" => "PLACE",
        "CHE" | "CHEM" => "CHEMIN",
        "RTE" => "ROUTE",
        "IMP" => "IMPASSE",
        "ALL" => "ALLÉE",
        "QU" | "QUAI" => "QUAI",
        "CRS" => "COURS",
        "SQ" => "SQUARE",
        "FG" => "FAUBOURG",
        "PROM" => "PROMENADE",
        "RPT" => "ROND-POINT",
        "ZI" => "ZONE INDUSTRIELLE",
        "ZA" => "ZONE ARTISANALE",
        "LOT" => "LOTISSEMENT",
        "RES" => "RÉSIDENCE",
        "CHS" => "CHAUSSÉE",
        "PASS" => "PASSAGE",
        _ => code,
    }
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
    fn digests_tell_changed_rows_and_are_stable() {
        assert_eq!(row_digest(&["a", "b"]), row_digest(&["a", "b"]));
        assert_ne!(row_digest(&["a", "b"]), row_digest(&["ab", ""]));
        // FNV-1a of "a|": fixed, so that digests stored by one version
        // compare with the next.
        assert_eq!(row_digest(&["a"]) as u64, 0x089c_4607_b545_9bd0);
    }

    #[test]
    fn cleaning_strips_stray_quotes() {
        assert_eq!(clean(" \"CH EXEMPLE\" "), "CH EXEMPLE");
        assert_eq!(clean("\"DUPONT"), "DUPONT");
        assert_eq!(clean("D'ARC"), "D'ARC");
    }
}
