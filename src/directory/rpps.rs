//! Enrichment from the ANS `PS_LibreAcces` file (every health professional of
//! the RPPS register, about 2 million rows): phone numbers, exercise mode,
//! diplomas and skills ("savoir-faire") of the professionals of the directory.
//!
//! The file is `|`-separated with a trailing `|`, 52 columns (older exports)
//! or 56 (newer ones). Columns are found by their header names when the header
//! is there, else by the positions of the 52-column layout. It is read as a
//! stream and as tolerantly as the extraction (byte-order mark, CRLF, stray
//! quotes, Latin-1, rows with a wrong number of fields reported with their
//! line number). Like the extraction, it goes into a data file of its own,
//! written once and swapped in by one transaction of `directory.db`.

use super::lines::ExportLines;
use std::io::BufRead;
use std::time::Instant;

use rusqlite::params;

use super::entry::{Entry, MailboxKind, Practice};
use super::import::{ImportKind, ImportReport, clean};
use super::{Directory, DirectoryError};

/// Format of the RPPS data files (their `user_version`).
pub const RPPS_FORMAT: u32 = 1;
/// First column of the PS_LibreAcces header.
pub const HEADER_START: &str = "Type d'identifiant PP";
/// Column counts of the two known layouts.
pub const LAYOUTS: [usize; 2] = [52, 56];

const SCHEMA: &str = "
CREATE TABLE activity (
    id            INTEGER PRIMARY KEY,
    national_id   TEXT NOT NULL,
    -- SIRET, FINESS of the site, FINESS of the legal entity, technical id
    structure_ids TEXT NOT NULL,
    exercise_mode TEXT NOT NULL,
    site          TEXT NOT NULL,
    sector        TEXT NOT NULL,
    phone         TEXT NOT NULL,
    phone2        TEXT NOT NULL,
    fax           TEXT NOT NULL,
    email         TEXT NOT NULL,
    -- 'label (type)' of one savoir-faire, or ''
    skill         TEXT NOT NULL
) STRICT;
";
const INDEXES: &str = "CREATE INDEX activity_person ON activity (national_id, id);";

/// Which file `import` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Extraction_Correspondance_MSSante: the mailboxes.
    Extraction,
    /// PS_LibreAcces: the RPPS register, to enrich the professionals.
    PsLibreAcces,
}

/// Tell the two files apart by their first line (header or first row), and
/// by the file name when the first line says nothing.
pub fn detect(first_line: &[u8], name: &str) -> FileKind {
    let line = first_line
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(first_line);
    let line = String::from_utf8_lossy(line);
    let line = line.trim_end_matches(['\r', '\n']);
    let first = clean(line.split('|').next().unwrap_or(""));
    if first.eq_ignore_ascii_case(super::import::HEADER_START) {
        return FileKind::Extraction;
    }
    if line
        .split('|')
        .any(|f| clean(f).eq_ignore_ascii_case(HEADER_START))
    {
        return FileKind::PsLibreAcces;
    }
    let mut n = line.split('|').count();
    if line.ends_with('|') {
        n -= 1;
    }
    if LAYOUTS.contains(&n) || name.to_ascii_lowercase().contains("ps_libreacces") {
        FileKind::PsLibreAcces
    } else {
        FileKind::Extraction
    }
}

/// Where the used columns are.
#[derive(Debug, Clone)]
struct Columns {
    national_id: usize,
    skill_type: usize,
    skill: usize,
    mode: usize,
    siret: usize,
    finess_site: usize,
    finess_ej: usize,
    tech_id: usize,
    site: usize,
    trade_name: usize,
    phone: usize,
    phone2: usize,
    fax: usize,
    email: usize,
    sector: usize,
    /// Fields a row must have.
    count: usize,
}

impl Columns {
    /// Positions of the 52-column layout (the header in
    /// `reference/directory/ps_libreacces_header.txt`).
    const OLD: Columns = Columns {
        national_id: 2,
        skill_type: 14,
        skill: 16,
        mode: 18,
        siret: 19,
        finess_site: 21,
        finess_ej: 22,
        tech_id: 23,
        site: 24,
        trade_name: 25,
        phone: 40,
        phone2: 41,
        fax: 42,
        email: 43,
        sector: 49,
        count: 52,
    };

    /// Columns found by name in a header line; `None` when a needed one is
    /// missing.
    fn from_header(fields: &[&str]) -> Option<Columns> {
        let names: Vec<String> = fields.iter().map(|f| clean(f).to_lowercase()).collect();
        let find = |name: &str| names.iter().position(|n| n == &name.to_lowercase());
        let mut count = fields.len();
        if fields.last().is_some_and(|f| f.trim().is_empty()) {
            count -= 1;
        }
        Some(Columns {
            national_id: find("Identification nationale PP")?,
            skill_type: find("Libellé type savoir-faire")?,
            skill: find("Libellé savoir-faire")?,
            mode: find("Libellé mode exercice")?,
            siret: find("Numéro SIRET site")?,
            finess_site: find("Numéro FINESS site")?,
            finess_ej: find("Numéro FINESS établissement juridique")?,
            tech_id: find("Identifiant technique de la structure")?,
            site: find("Raison sociale site")?,
            trade_name: find("Enseigne commerciale site")?,
            phone: find("Téléphone (coord. structure)")?,
            phone2: find("Téléphone 2 (coord. structure)")?,
            fax: find("Télécopie (coord. structure)")?,
            email: find("Adresse e-mail (coord. structure)")?,
            sector: find("Libellé secteur d'activité")?,
            count,
        })
    }
}

impl Directory {
    /// Import a PS_LibreAcces file (plain text) from `reader`, replacing the
    /// previous RPPS enrichment when at least one activity was read.
    pub fn import_ps_reader<R: BufRead>(
        &mut self,
        mut reader: R,
        source: &str,
    ) -> Result<ImportReport, DirectoryError> {
        let started = Instant::now();
        let mut report = ImportReport {
            kind: ImportKind::PsLibreAcces,
            source: source.to_owned(),
            ..ImportReport::default()
        };
        let generation = self.reserve_generation()?;
        let file = self.rpps_path(generation);
        let _ = std::fs::remove_file(&file);
        let built = (|| -> Result<(), DirectoryError> {
            let mut conn = super::import::open_build_file(&file)?;
            conn.execute_batch(SCHEMA)?;
            let tx = conn.transaction()?;
            read_activities(&tx, &mut reader, &mut report)?;
            if report.activities > 0 {
                tx.execute_batch(INDEXES)?;
                report.professionals = tx.query_row(
                    "SELECT count(DISTINCT national_id) FROM activity",
                    [],
                    |r| r.get::<_, i64>(0),
                )? as u64;
            }
            tx.commit()?;
            conn.pragma_update(None, "user_version", RPPS_FORMAT)?;
            super::import::close_build_file(conn, &file)
        })();
        if let Err(e) = built {
            let _ = std::fs::remove_file(&file);
            return Err(e);
        }
        if report.activities == 0 {
            let _ = std::fs::remove_file(&file);
            report.seconds = started.elapsed().as_secs_f64();
            return Ok(report);
        }
        self.swap_in(
            &file,
            "rpps-",
            "rpps_generation",
            generation,
            &[
                ("rpps_imported_at", Some(crate::store::now().to_string())),
                ("rpps_source", Some(source.to_owned())),
            ],
        )?;
        report.enriched = self.count_enriched()?;
        report.seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            activities = report.activities,
            professionals = report.professionals,
            enriched = report.enriched,
            secs = report.seconds,
            "RPPS enrichment imported"
        );
        Ok(report)
    }

    /// Mailboxes of the directory that the RPPS data describes.
    pub fn count_enriched(&self) -> Result<u64, DirectoryError> {
        self.current()?;
        if !self.has_rpps() {
            return Ok(0);
        }
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM data.entry AS e
             WHERE e.kind = 'PER' AND e.national_id <> ''
               AND EXISTS (SELECT 1 FROM rpps.activity AS a WHERE a.national_id = e.national_id)",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Fill [`Entry::practice`] of professionals the RPPS data knows.
    pub(crate) fn enrich(&self, entries: &mut [Entry]) -> Result<(), DirectoryError> {
        if !self.has_rpps() {
            return Ok(());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT structure_ids, exercise_mode, site, sector, phone, phone2, fax, email, skill
             FROM rpps.activity WHERE national_id = ?1 ORDER BY id LIMIT 200",
        )?;
        for e in entries.iter_mut() {
            if e.kind != MailboxKind::Per {
                continue;
            }
            let Some(national) = e
                .national_id
                .clone()
                .or_else(|| e.rpps.as_ref().map(|r| format!("8{r}")))
            else {
                continue;
            };
            let structure = e.structure_id.clone().unwrap_or_default();
            let mut practice: Option<Practice> = None;
            let mut best_is_structure = false;
            let mut sites: Vec<String> = Vec::new();
            let mut skills: Vec<String> = Vec::new();
            let mut rows = stmt.query([&national])?;
            while let Some(r) = rows.next()? {
                let s = |i: usize| -> rusqlite::Result<String> { r.get(i) };
                let ids = s(0)?;
                let skill = s(8)?;
                if !skill.is_empty() && !skills.contains(&skill) {
                    skills.push(skill);
                }
                if !sites.contains(&ids) {
                    sites.push(ids.clone());
                }
                let at_structure = !structure.is_empty()
                    && ids
                        .split(' ')
                        .any(|id| !id.is_empty() && same_structure(&structure, id));
                let candidate = Practice {
                    exercise_mode: s(1)?,
                    site: s(2)?,
                    sector: s(3)?,
                    phone: s(4)?,
                    phone2: s(5)?,
                    fax: s(6)?,
                    email: s(7)?,
                    skills: Vec::new(),
                    activities: 0,
                };
                let better = match &practice {
                    None => true,
                    Some(p) => {
                        (at_structure && !best_is_structure)
                            || (at_structure == best_is_structure
                                && p.phone.is_empty()
                                && !candidate.phone.is_empty())
                    }
                };
                if better {
                    best_is_structure = at_structure;
                    practice = Some(candidate);
                }
            }
            if let Some(mut p) = practice {
                p.skills = skills;
                p.activities = sites.len() as u32;
                e.practice = Some(p);
            }
        }
        Ok(())
    }
}

/// Is the extraction's structure identifier `structure` (often the type digit
/// followed by the number: "1" + FINESS, "3" + SIRET) the RPPS's `id`?
fn same_structure(structure: &str, id: &str) -> bool {
    structure == id || structure.get(1..) == Some(id)
}

/// Read every activity row of `reader`.
fn read_activities<R: BufRead>(
    tx: &rusqlite::Transaction<'_>,
    reader: &mut R,
    report: &mut ImportReport,
) -> Result<(), DirectoryError> {
    let mut insert = tx.prepare(
        "INSERT INTO activity (id, national_id, structure_ids, exercise_mode, site, sector,
            phone, phone2, fax, email, skill)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut cols = Columns::OLD;
    let mut by_name = false;
    let mut id = 0i64;
    let mut structure_ids = String::new();
    let mut skill = String::new();
    let mut lines = ExportLines::new(reader);
    while let Some(line) = lines.next_line().map_err(|e| DirectoryError::Read {
        path: report.source.clone().into(),
        source: e,
    })? {
        let line_no = line.number;
        if line.latin1 {
            report.problem(line_no, "not UTF-8: read as Latin-1".into());
        }
        let text = line.text;
        let mut fields: Vec<&str> = text.split('|').collect();
        if line_no == 1 && fields.iter().any(|f| clean(f) == HEADER_START) {
            match Columns::from_header(&fields) {
                Some(c) => {
                    cols = c;
                    by_name = true;
                }
                None => report.problem(
                    1,
                    format!(
                        "the header has {} columns and not every expected name: columns are read by the positions of the 52-column layout",
                        fields.len()
                    ),
                ),
            }
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        report.lines += 1;
        // A trailing separator ends every row; without a header, the newer
        // layout's rows are read by the older positions.
        let fits = |n: usize| n == cols.count || (!by_name && LAYOUTS.contains(&n));
        if fields.len() > 1 && fits(fields.len() - 1) && fields[fields.len() - 1].trim().is_empty()
        {
            fields.pop();
        }
        if !fits(fields.len()) {
            report.rejected += 1;
            report.problem(
                line_no,
                format!(
                    "{} fields, {} expected: row set aside",
                    fields.len(),
                    cols.count
                ),
            );
            continue;
        }
        let f = |i: usize| clean(fields.get(i).copied().unwrap_or(""));
        let national = f(cols.national_id);
        if national.is_empty() {
            report.rejected += 1;
            report.problem(line_no, "no national identifier: row set aside".into());
            continue;
        }
        structure_ids.clear();
        for i in [cols.siret, cols.finess_site, cols.finess_ej, cols.tech_id] {
            let v = f(i);
            if !v.is_empty() {
                if !structure_ids.is_empty() {
                    structure_ids.push(' ');
                }
                structure_ids.push_str(v);
            }
        }
        skill.clear();
        let (label, kind) = (f(cols.skill), f(cols.skill_type));
        if !label.is_empty() {
            skill.push_str(label);
            if !kind.is_empty() {
                skill.push_str(" (");
                skill.push_str(kind);
                skill.push(')');
            }
        }
        let site = if f(cols.site).is_empty() {
            f(cols.trade_name)
        } else {
            f(cols.site)
        };
        id += 1;
        insert.execute(params![
            id,
            national,
            structure_ids,
            f(cols.mode),
            site,
            f(cols.sector),
            f(cols.phone),
            f(cols.phone2),
            f(cols.fax),
            f(cols.email),
            skill,
        ])?;
    }
    report.activities = id as u64;
    Ok(())
}
