//! Reading the rows of an extraction into batches ready to be written: the
//! lines split, checked, de-duplicated and folded for the index on one thread,
//! while the import writes the previous batch into SQLite on another.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::sync::mpsc::SyncSender;

use super::DirectoryError;
use super::entry::MailboxKind;
use super::import::{COLUMNS, HEADER_START, ImportReport, clean, department_of};
use super::lines::ExportLines;
use super::normalize::{fold_into, push_words};

/// Text values of one row in a [`Batch`], in this order:
///
/// - 0..=16: address, type, then the source columns 2 to 16;
/// - 17..=26: organisation, trade name, street, city, postcode, department,
///   country, name key, given-name key, folded fields (`entry.norm`);
/// - 27..=34: folded surname, profession, specialty, organisation and city,
///   department and type in lower case, and the other searched words (the
///   FTS columns not given above).
pub(super) const ROW_TEXTS: usize = 35;
pub(super) const POSTCODE: usize = 21;
pub(super) const GIVEN_KEY: usize = 25;

/// Rows sent to the writer at a time.
const BATCH_ROWS: usize = 2048;

/// Rows ready to be written, their text values end to end in one buffer.
#[derive(Default)]
pub(super) struct Batch {
    text: String,
    /// End of each text value in `text`: [`ROW_TEXTS`] per row.
    ends: Vec<usize>,
    /// Id, paper-free flag and digest of each row.
    pub ints: Vec<[i64; 3]>,
}

impl Batch {
    fn with_capacity(rows: usize) -> Batch {
        Batch {
            text: String::with_capacity(rows * 600),
            ends: Vec::with_capacity(rows * ROW_TEXTS),
            ints: Vec::with_capacity(rows),
        }
    }

    pub fn len(&self) -> usize {
        self.ints.len()
    }

    /// Text value `k` of row `row`.
    pub fn text(&self, row: usize, k: usize) -> &str {
        let i = row * ROW_TEXTS + k;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.end();
    }

    fn end(&mut self) {
        self.ends.push(self.text.len());
    }
}

/// Buffers reused from row to row.
#[derive(Default)]
struct Scratch {
    fold: String,
    family: String,
    given: String,
    profession: String,
    specialty: String,
    organisation: String,
    city: String,
    other: String,
    name_key: String,
}

/// `s` folded like [`super::normalize::normalize`] into `out`.
fn normalize_to(out: &mut String, fold: &mut String, parts: &[&str]) {
    out.clear();
    fold.clear();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            fold.push(' ');
        }
        fold_into(fold, p);
    }
    push_words(out, fold);
}

/// What the reading thread found besides the rows.
pub(super) struct ReadSummary {
    /// Every folded word worth expanding a typed prefix to, sorted.
    pub vocab: Vec<String>,
}

/// Read every row of `reader`, sending them by batches to `out`, and count
/// lines, rejected rows, duplicates and mailboxes in `report`. Stops early,
/// without error, when the writer has stopped listening.
pub(super) fn read_batches<R: BufRead>(
    reader: R,
    report: &mut ImportReport,
    out: SyncSender<Batch>,
) -> Result<ReadSummary, DirectoryError> {
    let source = report.source.clone();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut vocab: HashSet<String> = HashSet::new();
    let mut scratch = Scratch::default();
    let mut batch = Batch::with_capacity(BATCH_ROWS);
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
        let text = &*line.text;
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
        row.prepare(id, &mut batch, &mut scratch, &mut vocab);
        if batch.len() >= BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Batch::with_capacity(BATCH_ROWS));
            if out.send(full).is_err() {
                break;
            }
        }
    }
    if batch.len() > 0 {
        let _ = out.send(batch);
    }
    report.mailboxes = id as u64;
    let mut words: Vec<String> = vocab.into_iter().collect();
    words.sort_unstable();
    Ok(ReadSummary { vocab: words })
}

/// One parsed row of the extraction.
struct Row<'a> {
    address: String,
    kind: MailboxKind,
    f: [&'a str; COLUMNS],
    street: String,
    city: &'a str,
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
            .trim();
        let dept = if f[29].is_empty() {
            department_of(postcode)
        } else {
            f[29].to_ascii_uppercase()
        };
        let paper_free = ["true", "1", "o", "oui", "y", "yes"]
            .iter()
            .any(|t| f[17].eq_ignore_ascii_case(t));
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

    /// Append the row's values (see [`ROW_TEXTS`]) to `batch`, and its
    /// searchable words to `vocab`.
    fn prepare(&self, id: i64, batch: &mut Batch, s: &mut Scratch, vocab: &mut HashSet<String>) {
        let f = &self.f;
        normalize_to(&mut s.family, &mut s.fold, &[f[9]]);
        normalize_to(&mut s.given, &mut s.fold, &[f[10]]);
        normalize_to(&mut s.organisation, &mut s.fold, &[f[18], f[19]]);
        if s.family.is_empty() {
            let name = if f[18].is_empty() { f[19] } else { f[18] };
            normalize_to(&mut s.name_key, &mut s.fold, &[name]);
        } else {
            s.name_key.clear();
            s.name_key.push_str(&s.family);
        }
        normalize_to(&mut s.profession, &mut s.fold, &[f[14]]);
        normalize_to(&mut s.specialty, &mut s.fold, &[f[16]]);
        normalize_to(&mut s.city, &mut s.fold, &[self.city]);
        // The mailbox address and the service; the street is shown, not searched.
        normalize_to(&mut s.other, &mut s.fold, &[&self.address, f[7]]);
        let postcode = f[28];
        for field in [
            &s.family,
            &s.given,
            &s.profession,
            &s.specialty,
            &s.organisation,
            &s.city,
            &s.other,
        ]
        .into_iter()
        .map(String::as_str)
        .chain([postcode])
        {
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

        batch.push(&self.address);
        batch.push(self.kind.code());
        for v in &f[2..=16] {
            batch.push(v);
        }
        batch.push(f[18]);
        batch.push(f[19]);
        batch.push(&self.street);
        batch.push(self.city);
        batch.push(postcode);
        batch.push(&self.dept);
        batch.push(f[30]);
        batch.push(&s.name_key);
        batch.push(&s.given);
        // entry.norm: the folded fields joined by '|', in schema::Field order.
        let dept = &mut s.fold;
        dept.clear();
        dept.push_str(&self.dept);
        dept.make_ascii_lowercase();
        let kind = self.kind.code();
        for (i, part) in [
            s.family.as_str(),
            &s.given,
            &s.profession,
            &s.specialty,
            &s.organisation,
            &s.city,
            postcode,
            dept,
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                batch.text.push('|');
            }
            batch.text.push_str(part);
        }
        batch.text.push('|');
        batch
            .text
            .extend(kind.chars().map(|c| c.to_ascii_lowercase()));
        batch.text.push('|');
        batch.text.push_str(&s.other);
        batch.end();
        batch.push(&s.family);
        batch.push(&s.profession);
        batch.push(&s.specialty);
        batch.push(&s.organisation);
        batch.push(&s.city);
        batch.push(dept);
        batch
            .text
            .extend(kind.chars().map(|c| c.to_ascii_lowercase()));
        batch.end();
        batch.push(&s.other);
        batch
            .ints
            .push([id, i64::from(self.paper_free), row_digest(f)]);
    }
}

/// A stable 64-bit FNV-1a hash of the source fields: it only tells a
/// modified row from an unchanged one between two imports, so it need not be
/// cryptographic (SHA-256 here was the largest single cost of an import).
pub(super) fn row_digest(fields: &[&str]) -> i64 {
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
    const TYPES: &[(&str, &str)] = &[
        ("R", "RUE"),
        ("AV", "AVENUE"),
        ("BD", "BOULEVARD"),
        ("PL", "PLACE"),
        ("CHE", "CHEMIN"),
        ("CHEM", "CHEMIN"),
        ("RTE", "ROUTE"),
        ("IMP", "IMPASSE"),
        ("ALL", "ALLÉE"),
        ("QU", "QUAI"),
        ("QUAI", "QUAI"),
        ("CRS", "COURS"),
        ("SQ", "SQUARE"),
        ("FG", "FAUBOURG"),
        ("PROM", "PROMENADE"),
        ("RPT", "ROND-POINT"),
        ("ZI", "ZONE INDUSTRIELLE"),
        ("ZA", "ZONE ARTISANALE"),
        ("LOT", "LOTISSEMENT"),
        ("RES", "RÉSIDENCE"),
        ("CHS", "CHAUSSÉE"),
        ("PASS", "PASSAGE"),
    ];
    TYPES
        .iter()
        .find(|(c, _)| code.eq_ignore_ascii_case(c))
        .map_or(code, |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_changed_rows_and_are_stable() {
        assert_eq!(row_digest(&["a", "b"]), row_digest(&["a", "b"]));
        assert_ne!(row_digest(&["a", "b"]), row_digest(&["ab", ""]));
        // FNV-1a of "a|": fixed, so that digests stored by one version
        // compare with the next.
        assert_eq!(row_digest(&["a"]) as u64, 0x089c_4607_b545_9bd0);
    }

    #[test]
    fn street_types_are_spelled_out() {
        assert_eq!(street_type("bd"), "BOULEVARD");
        assert_eq!(street_type("CHEM"), "CHEMIN");
        assert_eq!(street_type("XYZ"), "XYZ");
    }

    #[test]
    fn prepared_values_match_the_folding() {
        let line = "PER|Jean.Lefevre@X.MSSANTE.FR|8|10000000002|810000000002|||Cardio|DR|LEFÈVRE|Jean-Éric|C|Civil|10|Médecin|SM04|Cardiologie|oui|CH DE ST ÉTIENNE||||3||BD|PASTEUR||42000 SAINT-ÉTIENNE|42000||France";
        let fields: Vec<&str> = line.split('|').collect();
        let row = Row::parse(&fields).unwrap();
        let mut batch = Batch::default();
        let mut vocab = HashSet::new();
        row.prepare(1, &mut batch, &mut Scratch::default(), &mut vocab);
        assert_eq!(batch.len(), 1);
        let t = |k| batch.text(0, k);
        assert_eq!(t(0), "jean.lefevre@x.mssante.fr");
        assert_eq!(t(1), "PER");
        assert_eq!(t(19), "3 BOULEVARD PASTEUR");
        assert_eq!(t(20), "SAINT-ÉTIENNE");
        assert_eq!(t(POSTCODE), "42000");
        assert_eq!(t(22), "42");
        assert_eq!(t(24), "lefevre");
        assert_eq!(t(GIVEN_KEY), "jean eric");
        assert_eq!(
            t(26),
            "lefevre|jean eric|medecin|cardiologie|ch de saint etienne|saint etienne|42000|42|per|jean lefevre x mssante fr cardio"
        );
        assert_eq!(t(30), "ch de saint etienne");
        assert_eq!(t(32), "42");
        assert_eq!(t(33), "per");
        assert_eq!(batch.ints[0][1], 1);
        assert!(vocab.contains("lefevre") && vocab.contains("etienne"));
        assert!(
            !vocab.contains("de"),
            "words of fewer than 4 letters are not expanded to"
        );
    }
}
