//! The store is encrypted at rest: no message text in its files, a wrong key is
//! refused without touching anything, a newer schema is refused.

use std::path::Path;

use caducee::import::{self, Source};
use caducee::store::{Store, StoreError, StoreKey};

const SENTENCE: &str = "Le patient présente une insuffisance rénale chronique stade 3b";

fn message(i: usize) -> String {
    format!(
        "Message-ID: <enc-{i}@chu-test.mssante.fr>\r\nFrom: Dr Alice Martin <alice.martin@chu-test.mssante.fr>\r\n\
To: claire.moreau@medecin.mssante.fr\r\nSubject: Compte rendu {i}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n{SENTENCE}. Courrier {i}.\r\n"
    )
}

fn files_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(std::fs::read(path).unwrap());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn imported_text_never_appears_in_the_store_files() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    std::fs::create_dir(&mail).unwrap();
    for i in 0..50 {
        std::fs::write(mail.join(format!("{i}.eml")), message(i)).unwrap();
    }
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let key = StoreKey::random();
    {
        let store = Store::open(&data.join("caducee.db"), &key).unwrap();
        let report = import::import(
            &store,
            &Source::detect(&mail).unwrap(),
            "Import",
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(report.imported, 50);
        // The text is really there, through the key.
        let hits = store
            .search(
                &caducee::store::SearchQuery::parse("\"stade 3b\"").unwrap(),
                100,
                0,
            )
            .unwrap();
        assert_eq!(hits.len(), 50);
        // Check the files while the WAL still holds data, then after close.
        let bytes = files_bytes(&data);
        assert!(!bytes.is_empty());
        for needle in [SENTENCE, "insuffisance", "alice.martin", "Compte rendu"] {
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "found “{needle}” in clear"
            );
        }
    }
    let bytes = files_bytes(&data);
    for needle in [SENTENCE, "insuffisance", "alice.martin", "Compte rendu"] {
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "found “{needle}” in clear"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["caducee.db", "caducee-bodies.db"] {
            let mode = std::fs::metadata(data.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }
}

#[test]
fn wrong_key_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caducee.db");
    let key = StoreKey::random();
    {
        let store = Store::open(&path, &key).unwrap();
        let folder = store.ensure_folder(None, "INBOX", None).unwrap();
        store
            .insert_raw(folder, message(1).as_bytes(), Default::default(), None)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let listing_before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    match Store::open(&path, &StoreKey::random()) {
        Err(StoreError::WrongKey(p)) => assert_eq!(p, path),
        Err(other) => panic!("expected WrongKey, got {other}"),
        Ok(_) => panic!("a wrong key opened the store"),
    }
    let err = Store::open(&path, &StoreKey::random())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("wrong key") && err.contains("Nothing was changed"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file changed");
    let listing_after: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(listing_before.len(), listing_after.len());
    // The right key still works and the message is intact.
    let store = Store::open(&path, &key).unwrap();
    assert_eq!(store.info().unwrap().messages, 1);
}

#[test]
fn a_newer_store_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caducee.db");
    let key = StoreKey::random();
    {
        let store = Store::open(&path, &key).unwrap();
        store
            .conn()
            .pragma_update(None, "user_version", 999)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, &key).err().unwrap();
    assert!(
        matches!(
            &err,
            StoreError::Schema(caducee::store::MigrateError::TooNew { found: 999, .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("newer version of Caducée"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
