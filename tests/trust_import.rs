//! Import of whitelist files: validation errors, shrink and age protection,
//! the last good copy kept and the reason recorded.

use caducee::store::{Store, StoreKey};
use caducee::trust::{self, ImportOptions, NAMESPACE, TrustError, Whitelist};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
    (dir, store)
}

fn domaine(nom: &str) -> String {
    format!(
        "<Domaine><Nom>{nom}</Nom><Description>Test</Description>\
         <DNCertificatOperateur>CN=mss.example.fr,O=Test,C=FR</DNCertificatOperateur>\
         <ResponsableContact>r</ResponsableContact><SupportContact>s</SupportContact>\
         <DateMAJ>2026-01-01T00:00:00Z</DateMAJ></Domaine>"
    )
}

fn list_xml(date: &str, names: &[String]) -> String {
    let body: String = names.iter().map(|n| domaine(n)).collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListeBlancheMSSante xmlns=\"{NAMESPACE}\">\
         <DateDeGeneration>{date}</DateDeGeneration><ListeDomaines>{body}</ListeDomaines></ListeBlancheMSSante>"
    )
}

fn names(n: usize, prefix: &str) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}.mssante.fr")).collect()
}

fn import(store: &Store, xml: &str) -> Result<trust::ImportReport, TrustError> {
    trust::import_bytes(store, xml.as_bytes(), "test", &ImportOptions::default())
}

#[test]
fn validation_errors_are_clear() {
    let (_dir, store) = open();
    let good_date = "2026-01-01T00:00:00Z";
    type Expect = fn(&TrustError) -> bool;
    let cases: Vec<(String, Expect, &str)> = vec![
        (
            list_xml(good_date, &names(3, "a")).replace(NAMESPACE, "https://example.org/other"),
            |e| matches!(e, TrustError::WrongNamespace { found, .. } if found == "https://example.org/other"),
            "namespace",
        ),
        (
            list_xml(good_date, &names(3, "a")).replace(&format!(" xmlns=\"{NAMESPACE}\""), ""),
            |e| matches!(e, TrustError::WrongNamespace { found, .. } if found.is_empty()),
            "namespace",
        ),
        (
            list_xml(good_date, &names(3, "a")).replace(
                "<DateDeGeneration>2026-01-01T00:00:00Z</DateDeGeneration>",
                "",
            ),
            |e| matches!(e, TrustError::NoGenerationDate),
            "DateDeGeneration",
        ),
        (
            list_xml("13/03/2025", &names(3, "a")),
            |e| matches!(e, TrustError::BadGenerationDate(d) if d == "13/03/2025"),
            "13/03/2025",
        ),
        (
            list_xml(
                good_date,
                &["a.mssante.fr".into(), "  ".into(), "c.mssante.fr".into()],
            ),
            |e| matches!(e, TrustError::EmptyName { entry: 2 }),
            "entry 2",
        ),
        (
            list_xml(good_date, &names(2, "a")).replace("<Nom>a1.mssante.fr</Nom>", "<Nom/>"),
            |e| matches!(e, TrustError::EmptyName { entry: 2 }),
            "empty domain name",
        ),
        (
            list_xml(good_date, &[]),
            |e| matches!(e, TrustError::NoDomains),
            "no domain",
        ),
        (
            list_xml(good_date, &names(3, "a")).replace("</ListeDomaines>", ""),
            |e| matches!(e, TrustError::Xml { .. }),
            "not well-formed",
        ),
        (
            format!("<Other xmlns=\"{NAMESPACE}\"/>"),
            |e| matches!(e, TrustError::WrongRoot(r) if r == "Other"),
            "<Other>",
        ),
        (
            list_xml(good_date, &names(3, "a"))
                .replace("</Domaine></ListeDomaines></ListeBlancheMSSante>", ""),
            |e| matches!(e, TrustError::Truncated),
            "truncated",
        ),
        (
            "just some text".into(),
            |e| matches!(e, TrustError::NoRoot),
            "not an MSSanté whitelist",
        ),
    ];
    for (xml, is_expected, words) in cases {
        let err = import(&store, &xml).expect_err(&xml);
        assert!(is_expected(&err), "unexpected error {err:?} for {xml}");
        assert!(err.to_string().contains(words), "“{err}” lacks “{words}”");
    }
    // Nothing was imported; every refusal was recorded.
    assert!(trust::store::info(&store).unwrap().is_none());
    let attempts = trust::store::attempts(&store, 100).unwrap();
    assert_eq!(attempts.len(), 11);
    assert!(
        attempts
            .iter()
            .all(|a| a.outcome == "kept-previous" && !a.reason.is_empty())
    );
}

#[test]
fn odd_entries_are_reported_not_fatal() {
    let (_dir, store) = open();
    let mut n = names(4, "b");
    n.push("UPPER.MSSANTE.FR".into());
    n.push("sessad@ase.mssante.fr".into());
    n.push("b0.mssante.fr".into()); // same domain, same operator: counted once
    let report = import(&store, &list_xml("2026-01-01T00:00:00Z", &n)).unwrap();
    assert_eq!(report.info.domains, 5);
    assert_eq!(report.info.entries, 5);
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].name, "sessad@ase.mssante.fr");
    assert_eq!(report.skipped[0].entry, 6);
    let list = Whitelist::load(&store).unwrap();
    assert!(list.check("x@upper.mssante.fr").is_allowed());
    assert!(!list.check("x@ase.mssante.fr").is_allowed());
}

#[test]
fn shrinking_or_older_lists_keep_the_last_good_copy() {
    let (_dir, store) = open();
    let first = import(&store, &list_xml("2026-01-01T00:00:00Z", &names(100, "c"))).unwrap();
    assert_eq!(first.info.domains, 100);

    // 49 domains instead of 100: refused, the 100 stay in use.
    let err = import(&store, &list_xml("2026-02-01T00:00:00Z", &names(49, "c"))).unwrap_err();
    assert!(
        matches!(err, TrustError::Shrunk { old: 100, new: 49 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("less than half"));
    let list = Whitelist::load(&store).unwrap();
    assert_eq!(list.len(), 100);
    assert!(list.check("x@c99.mssante.fr").is_allowed());
    let last = &trust::store::attempts(&store, 1).unwrap()[0];
    assert_eq!(last.outcome, "kept-previous");
    assert!(last.reason.contains("less than half"), "{}", last.reason);

    // Half exactly is accepted.
    let ok = import(&store, &list_xml("2026-02-01T00:00:00Z", &names(50, "c"))).unwrap();
    assert_eq!(ok.previous_domains, Some(100));
    assert_eq!(Whitelist::load(&store).unwrap().len(), 50);

    // An older list is refused.
    let err = import(&store, &list_xml("2025-12-01T00:00:00Z", &names(60, "c"))).unwrap_err();
    assert!(matches!(err, TrustError::Older { .. }), "{err:?}");
    assert_eq!(Whitelist::load(&store).unwrap().len(), 50);

    // Forced, both are accepted.
    let forced = trust::import_bytes(
        &store,
        list_xml("2025-12-01T00:00:00Z", &names(10, "d")).as_bytes(),
        "test",
        &ImportOptions {
            force: true,
            extra_ca: None,
        },
    )
    .unwrap();
    assert_eq!(forced.info.domains, 10);
    let list = Whitelist::load(&store).unwrap();
    assert!(list.check("x@d9.mssante.fr").is_allowed());
    assert!(!list.check("x@c9.mssante.fr").is_allowed());
}

#[test]
fn the_shipped_list_does_not_replace_a_newer_one() {
    let (_dir, store) = open();
    import(&store, &list_xml("2030-01-01T00:00:00Z", &names(5, "e"))).unwrap();
    let list = Whitelist::load(&store).unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(list.info().source, "test");
}

#[test]
fn import_file_records_its_path() {
    let (dir, store) = open();
    let path = dir.path().join("liste.xml");
    std::fs::write(&path, list_xml("2026-01-01T00:00:00Z", &names(3, "f"))).unwrap();
    let report = trust::import_file(&store, &path, &ImportOptions::default()).unwrap();
    assert!(report.info.source.ends_with("liste.xml"));
    assert_eq!(report.info.sha256.len(), 64);
    let missing = trust::import_file(
        &store,
        &dir.path().join("nope.xml"),
        &ImportOptions::default(),
    );
    assert!(matches!(missing, Err(TrustError::File { .. })));
}
