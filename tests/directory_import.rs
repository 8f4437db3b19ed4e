//! Import of the Extraction_Correspondance_MSSante file: every tolerance, the
//! zip form, re-imports and their atomic swap.

use std::io::{BufReader, Cursor, Read, Write};

use caducee::directory::{Directory, DirectoryQuery, MailboxKind};

const HEADER: &str = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";

fn per(addr: &str, family: &str, given: &str, postcode: &str, city: &str) -> String {
    let dept = &postcode[..2];
    format!(
        "PER|{addr}|8|10000000001|810000000001||||DR|{family}|{given}|C|Civil|10|Médecin|SM54|Médecine générale|true|CABINET DU DR {family}||||12||R|DES LILAS||{postcode} {city}|{postcode}|{dept}|France"
    )
}

fn org(addr: &str, service: &str, name: &str, postcode: &str, city: &str) -> String {
    let dept = &postcode[..2];
    format!(
        "ORG|{addr}||||1|100000000|{service}||||||||||false|{name}||||2||AV|DE LA RÉPUBLIQUE||{postcode} {city}|{postcode}|{dept}|France"
    )
}

fn file(lines: &[String], bom: bool, crlf: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    out.extend_from_slice(HEADER.as_bytes());
    out.extend_from_slice(eol.as_bytes());
    for l in lines {
        out.extend_from_slice(l.as_bytes());
        out.extend_from_slice(eol.as_bytes());
    }
    out
}

fn open() -> (tempfile::TempDir, Directory) {
    let dir = tempfile::tempdir().unwrap();
    let d = Directory::open(dir.path()).unwrap();
    (dir, d)
}

#[test]
fn bom_crlf_quotes_and_trailing_separator_are_tolerated() {
    let (tmp, mut d) = open();
    let lines = vec![
        per(
            "jean.lefevre@medecin.mssante.fr",
            "LEFÈVRE",
            "JEAN",
            "69003",
            "LYON",
        ),
        // stray quotes around fields
        per(
            "\"anne.durand@medecin.mssante.fr\"",
            "\"DURAND",
            "ANNE\"",
            "75015",
            "PARIS",
        ),
        // trailing separator
        format!(
            "{}|",
            org(
                "accueil@ch-lyon.mssante.fr",
                "Accueil",
                "CH LYON",
                "69003",
                "LYON"
            )
        ),
    ];
    let path = tmp
        .path()
        .join("Extraction_Correspondance_MSSante_202611200430.txt");
    std::fs::write(&path, file(&lines, true, true)).unwrap();
    let report = d.import_file(&path).unwrap();
    assert_eq!(report.mailboxes, 3, "{:?}", report.problems);
    assert_eq!(report.problem_count, 0, "{:?}", report.problems);
    assert_eq!(report.added, 3);

    let e = d
        .lookup("jean.lefevre@medecin.mssante.fr")
        .unwrap()
        .unwrap();
    assert_eq!(e.family_name, "LEFÈVRE");
    assert_eq!(e.kind, MailboxKind::Per);
    assert_eq!(e.city, "LYON");
    assert_eq!(e.department, "69");
    assert_eq!(e.street, "12 RUE DES LILAS");
    assert_eq!(e.rpps.as_deref(), Some("10000000001"));
    assert!(e.paper_free);
    assert_eq!(e.display_name, "Dr JEAN LEFÈVRE");

    let quoted = d.lookup("anne.durand@medecin.mssante.fr").unwrap().unwrap();
    assert_eq!(quoted.family_name, "DURAND");
    assert_eq!(quoted.given_name, "ANNE");

    let o = d.lookup("ACCUEIL@ch-lyon.mssante.fr").unwrap().unwrap();
    assert_eq!(o.kind, MailboxKind::Org);
    assert_eq!(o.organisation, "CH LYON");
    assert_eq!(o.display_name, "Accueil — CH LYON");
    assert!(!o.paper_free);

    let info = d.info().unwrap();
    assert_eq!(info.mailboxes, 3);
    assert_eq!(info.organisations, 1);
    // 2026-11-20 04:30 UTC, from the file name
    assert_eq!(info.extraction_date, Some(1_795_149_000));
}

#[test]
fn broken_rows_are_reported_with_line_numbers_and_never_fatal() {
    let (tmp, mut d) = open();
    let good = per(
        "a.b@medecin.mssante.fr",
        "BERNARD",
        "ALICE",
        "13001",
        "MARSEILLE",
    );
    let too_few = "PER|c.d@medecin.mssante.fr|8|100".to_owned();
    let too_many = format!(
        "{}|EXTRA|FIELDS",
        per(
            "e.f@medecin.mssante.fr",
            "PETIT",
            "EVE",
            "13001",
            "MARSEILLE"
        )
    );
    let bad_type = per(
        "g.h@medecin.mssante.fr",
        "ROBERT",
        "GUY",
        "13001",
        "MARSEILLE",
    )
    .replacen("PER|", "XYZ|", 1);
    let no_address = per("not-an-address", "SIMON", "HUGO", "13001", "MARSEILLE");
    let dup = per(
        "a.b@medecin.mssante.fr",
        "BERNARD-AUTRE",
        "ALICE",
        "13001",
        "MARSEILLE",
    );
    let good2 = per(
        "i.j@medecin.mssante.fr",
        "MOREAU",
        "IRIS",
        "13001",
        "MARSEILLE",
    );
    let lines = vec![
        good,
        too_few,
        too_many,
        bad_type,
        no_address,
        String::new(),
        dup,
        good2,
    ];
    let path = tmp.path().join("x.txt");
    std::fs::write(&path, file(&lines, false, false)).unwrap();
    let report = d.import_file(&path).unwrap();
    assert_eq!(report.mailboxes, 2);
    assert_eq!(report.rejected, 4);
    assert_eq!(report.duplicates, 1);
    let lines: Vec<u64> = report.problems.iter().map(|p| p.line).collect();
    // header is line 1; the empty line 7 is skipped silently
    assert_eq!(lines, vec![3, 4, 5, 6, 8]);
    assert!(report.problems[0].reason.contains("4 fields"));
    assert!(report.problems[1].reason.contains("33 fields"));
    assert!(report.problems[2].reason.contains("XYZ"));
    assert!(report.problems[4].reason.contains("a.b@medecin.mssante.fr"));
    // the first row of a duplicated address is kept
    let kept = d.lookup("a.b@medecin.mssante.fr").unwrap().unwrap();
    assert_eq!(kept.family_name, "BERNARD");
}

#[test]
fn latin1_rows_are_read_and_reported() {
    let (_tmp, mut d) = open();
    let mut bytes = file(
        &[per(
            "x.y@medecin.mssante.fr",
            "DUPONT",
            "JEAN",
            "69003",
            "LYON",
        )],
        false,
        false,
    );
    // A row in Latin-1: "LEFÈVRE" with È = 0xC8.
    let row = per("l.l@medecin.mssante.fr", "LEF#VRE", "JEAN", "69003", "LYON");
    let mut raw = row
        .replace("Médecine générale", "Medecine generale")
        .replace("Médecin", "Medecin")
        .into_bytes();
    let pos = raw.iter().position(|&b| b == b'#').unwrap();
    raw[pos] = 0xC8;
    bytes.extend_from_slice(&raw);
    bytes.push(b'\n');
    let report = d
        .import_reader(BufReader::new(Cursor::new(bytes)), "latin1", None)
        .unwrap();
    assert_eq!(report.mailboxes, 2);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].line, 3);
    let e = d.lookup("l.l@medecin.mssante.fr").unwrap().unwrap();
    assert_eq!(e.family_name, "LEFÈVRE");
    assert_eq!(d.autocomplete("lefevre", 5).unwrap().len(), 1);
}

#[test]
fn zipped_extraction_is_imported() {
    let (tmp, mut d) = open();
    let lines = vec![
        per(
            "p.q@medecin.mssante.fr",
            "GUÉRIN",
            "PAUL",
            "35000",
            "RENNES",
        ),
        org(
            "labo@ch-rennes.mssante.fr",
            "Laboratoire",
            "CHU DE RENNES",
            "35000",
            "RENNES",
        ),
    ];
    let path = tmp.path().join("Extraction_Correspondance_MSSante.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file(
        "Extraction_Correspondance_MSSante_202611230455.txt",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&file(&lines, true, true)).unwrap();
    zip.finish().unwrap();
    let report = d.import_file(&path).unwrap();
    assert_eq!(report.mailboxes, 2);
    assert!(
        report
            .source
            .ends_with("Extraction_Correspondance_MSSante_202611230455.txt")
    );
    assert_eq!(report.extraction_date, Some(1_795_409_700));
    assert_eq!(
        d.lookup("labo@ch-rennes.mssante.fr").unwrap().unwrap().city,
        "RENNES"
    );
}

#[test]
fn a_file_without_rows_leaves_the_directory_unchanged() {
    let (tmp, mut d) = open();
    let path = tmp.path().join("one.txt");
    std::fs::write(
        &path,
        file(
            &[per(
                "k@medecin.mssante.fr",
                "KLEIN",
                "KARL",
                "67000",
                "STRASBOURG",
            )],
            false,
            false,
        ),
    )
    .unwrap();
    d.import_file(&path).unwrap();
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "something else entirely\n").unwrap();
    let err = d.import_file(&empty).unwrap_err();
    assert!(err.to_string().contains("left unchanged"), "{err}");
    assert_eq!(d.len().unwrap(), 1);
    assert!(d.lookup("k@medecin.mssante.fr").unwrap().is_some());
}

/// A reader that runs a check when the import has read everything, while the
/// new rows are written but not yet swapped in.
struct CheckAtEnd<F: FnMut()> {
    inner: Cursor<Vec<u8>>,
    check: Option<F>,
}

impl<F: FnMut()> Read for CheckAtEnd<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0
            && let Some(mut f) = self.check.take()
        {
            f();
        }
        Ok(n)
    }
}

#[test]
fn reimport_reports_changes_and_swaps_atomically() {
    let (tmp, mut d) = open();
    let first = vec![
        per(
            "keep@medecin.mssante.fr",
            "DUBOIS",
            "LUC",
            "31000",
            "TOULOUSE",
        ),
        per(
            "change@medecin.mssante.fr",
            "FAURE",
            "LÉA",
            "31000",
            "TOULOUSE",
        ),
        per(
            "gone@medecin.mssante.fr",
            "VIDAL",
            "MARC",
            "31000",
            "TOULOUSE",
        ),
    ];
    d.import_reader(
        BufReader::new(Cursor::new(file(&first, false, false))),
        "v1",
        None,
    )
    .unwrap();

    let second = vec![
        per(
            "keep@medecin.mssante.fr",
            "DUBOIS",
            "LUC",
            "31000",
            "TOULOUSE",
        ),
        per(
            "change@medecin.mssante.fr",
            "FAURE",
            "LÉA",
            "33000",
            "BORDEAUX",
        ),
        per(
            "new1@medecin.mssante.fr",
            "ROCHE",
            "NINA",
            "31000",
            "TOULOUSE",
        ),
        per(
            "new2@medecin.mssante.fr",
            "ROCHE",
            "NOÉ",
            "31000",
            "TOULOUSE",
        ),
    ];
    let db = tmp.path().to_path_buf();
    let mut checked = false;
    let reader = CheckAtEnd {
        inner: Cursor::new(file(&second, false, false)),
        check: Some(|| {
            // Another connection, as the interface would have, during the import.
            let other = Directory::open(&db).unwrap();
            assert_eq!(other.len().unwrap(), 3);
            assert!(other.lookup("gone@medecin.mssante.fr").unwrap().is_some());
            assert!(other.autocomplete("roche", 5).unwrap().is_empty());
            assert_eq!(other.autocomplete("vidal", 5).unwrap().len(), 1);
            checked = true;
        }),
    };
    let report = d
        .import_reader(BufReader::new(reader), "v2", Some(1_795_000_000))
        .unwrap();
    assert!(checked);
    assert_eq!((report.added, report.removed, report.modified), (2, 1, 1));
    assert_eq!(d.len().unwrap(), 4);
    assert!(d.lookup("gone@medecin.mssante.fr").unwrap().is_none());
    assert_eq!(d.autocomplete("roche", 5).unwrap().len(), 2);
    let q = DirectoryQuery {
        name: Some("faure".into()),
        ..DirectoryQuery::default()
    };
    assert_eq!(d.search(&q, 5).unwrap()[0].city, "BORDEAUX");

    // A third import, to check that the swapped tables can be swapped again.
    let report = d
        .import_reader(
            BufReader::new(Cursor::new(file(&first, false, false))),
            "v3",
            None,
        )
        .unwrap();
    assert_eq!((report.added, report.removed, report.modified), (1, 2, 1));
    assert_eq!(Directory::open(tmp.path()).unwrap().len().unwrap(), 3);
}

/// Bytes of every file of the directory in `dir` (database, journal, data files).
fn directory_bytes(dir: &std::path::Path) -> (u64, usize) {
    let mut total = 0;
    let mut data_files = 0;
    for f in std::fs::read_dir(dir).unwrap() {
        let f = f.unwrap();
        let name = f.file_name().to_string_lossy().into_owned();
        if name.starts_with("directory") {
            total += f.metadata().unwrap().len();
            if name.ends_with(".db") && name != "directory.db" {
                data_files += 1;
            }
        }
    }
    (total, data_files)
}

#[test]
fn reimports_leave_no_free_pages_and_open_handles_follow() {
    let (tmp, mut d) = open();
    let rows: Vec<String> = (0..3000)
        .map(|i| {
            per(
                &format!("p{i}@medecin.mssante.fr"),
                &format!("NOM{}", i % 700),
                "JEAN",
                "31000",
                "TOULOUSE",
            )
        })
        .collect();
    let bytes = file(&rows, false, false);
    // A handle kept open, as the interface keeps one, from before the first import.
    let kept = Directory::open(tmp.path()).unwrap();
    assert_eq!(kept.len().unwrap(), 0);
    let mut sizes = Vec::new();
    for round in 0..6 {
        let src = if round % 2 == 0 {
            bytes.clone()
        } else {
            // Every other import changes a third of the rows.
            let changed: Vec<String> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    if i % 3 == 0 {
                        r.replace("TOULOUSE", "BLAGNAC")
                    } else {
                        r.clone()
                    }
                })
                .collect();
            file(&changed, false, false)
        };
        let report = d
            .import_reader(BufReader::new(Cursor::new(src)), "t", None)
            .unwrap();
        assert_eq!(report.mailboxes, 3000);
        if round > 0 {
            assert_eq!(report.modified, 1000, "round {round}");
        }
        let (total, data_files) = directory_bytes(tmp.path());
        assert_eq!(
            data_files, 1,
            "round {round}: one data file, the old ones deleted"
        );
        sizes.push(total);
        // The kept handle reads the new data without being reopened.
        assert_eq!(kept.len().unwrap(), 3000);
        let city = if round % 2 == 0 {
            "TOULOUSE"
        } else {
            "BLAGNAC"
        };
        assert_eq!(
            kept.lookup("p0@medecin.mssante.fr").unwrap().unwrap().city,
            city
        );
    }
    let first = sizes[0];
    for (round, s) in sizes.iter().enumerate() {
        // Same rows, same size give or take a few pages: nothing accumulates.
        assert!(
            s.abs_diff(first) < first / 20 + 64 * 1024,
            "round {round}: {s} bytes, first import {first}: {sizes:?}"
        );
    }
}
