//! Full-text search: accents, case, prefixes, phrases and filters.

use caducee::store::{Flag, SearchQuery, Store, StoreKey};

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
}

fn add(store: &Store, folder: &str, raw: &str, seen: bool) -> i64 {
    let folder = store.ensure_folder(None, folder, None).unwrap();
    let flags = Flag {
        seen,
        ..Default::default()
    };
    store
        .insert_raw(folder, raw.as_bytes(), flags, None)
        .unwrap()
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.db"), &StoreKey::random()).unwrap();
    add(
        &store,
        "INBOX",
        "Message-ID: <1@x>\r\nFrom: Dr Jean Lefèvre <jean.lefevre@chu-lyon.mssante.fr>\r\nTo: claire.moreau@medecin.mssante.fr\r\nSubject: Insuffisance RÉNALE chronique\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDFG à 35, insuffisance rénale chronique stade 3b.\r\n",
        true,
    );
    add(
        &store,
        "INBOX",
        "Message-ID: <2@x>\r\nFrom: Radiologie <radio@clinique.mssante.fr>\r\nTo: claire.moreau@medecin.mssante.fr\r\nSubject: Contrôle pneumothorax\r\nDate: Tue, 3 Nov 2026 10:00:00 +0100\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPneumothorax résorbé. La fonction rénale est normale.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"radio-thorax.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
        false,
    );
    add(
        &store,
        "Sent",
        "Message-ID: <3@x>\r\nFrom: claire.moreau@medecin.mssante.fr\r\nTo: Dr Jean Lefèvre <jean.lefevre@chu-lyon.mssante.fr>\r\nSubject: Re: Insuffisance rénale\r\nDate: Wed, 4 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMerci, la chronicité est confirmée ?\r\n",
        true,
    );
    Fixture { _dir: dir, store }
}

fn ids(f: &Fixture, q: &str) -> Vec<i64> {
    f.store
        .search(&SearchQuery::parse(q).unwrap(), 50, 0)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn accents_and_case_do_not_matter() {
    let f = fixture();
    assert_eq!(ids(&f, "renale"), vec![3, 2, 1], "newest first");
    assert_eq!(ids(&f, "RÉNALE"), vec![3, 2, 1]);
    assert_eq!(ids(&f, "lefevre"), vec![3, 1]);
    assert_eq!(ids(&f, "Controle"), vec![2]);
}

#[test]
fn prefix_and_phrase_queries() {
    let f = fixture();
    assert_eq!(ids(&f, "pneumo*"), vec![2]);
    assert_eq!(ids(&f, "chron*"), vec![3, 1]);
    assert_eq!(ids(&f, "\"insuffisance renale chronique\""), vec![1]);
    assert_eq!(ids(&f, "\"renale chronique\" stade"), vec![1]);
    assert!(ids(&f, "\"chronique insuffisance\"").is_empty());
}

#[test]
fn filters() {
    let f = fixture();
    assert_eq!(ids(&f, "from:lefevre"), vec![1]);
    assert_eq!(ids(&f, "to:lefevre"), vec![3]);
    assert_eq!(ids(&f, "de:radio"), vec![2]);
    assert_eq!(ids(&f, "renale folder:sent"), vec![3]);
    assert_eq!(ids(&f, "has:attachment"), vec![2]);
    assert_eq!(
        ids(&f, "radio-thorax"),
        vec![2],
        "attachment names are indexed"
    );
    assert_eq!(ids(&f, "is:unread"), vec![2]);
    assert_eq!(ids(&f, "renale after:2026-11-03"), vec![3, 2]);
    assert_eq!(ids(&f, "renale before:2026-11-03"), vec![1]);
}

#[test]
fn pagination_and_index_kept_current() {
    let f = fixture();
    let q = SearchQuery::parse("renale").unwrap();
    let page1: Vec<i64> = f
        .store
        .search(&q, 2, 0)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    let page2: Vec<i64> = f
        .store
        .search(&q, 2, 2)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(page1, vec![3, 2]);
    assert_eq!(page2, vec![1]);
    f.store.delete_message(2).unwrap();
    assert_eq!(
        ids(&f, "renale"),
        vec![3, 1],
        "deleted messages leave the index"
    );
    assert!(ids(&f, "pneumothorax").is_empty());
}
