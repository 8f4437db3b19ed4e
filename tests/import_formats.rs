//! Import keeps every message: damaged mbox, Maildir flags, .eml files.

use caducee::import::{self, Source};
use caducee::store::{Store, StoreKey};

fn store(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("c.db"), &StoreKey::random()).unwrap()
}

#[test]
fn damaged_mbox_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = dir.path().join("vieux.mbox");
    // 1: text before any From line; 2: normal; 3: binary garbage without headers;
    // 4: a header line without colon and an unterminated multipart; 5: truncated.
    let content: Vec<u8> = [
        &b"Subject: sans separateur\r\nFrom: a@b.fr\r\n\r\nCorps 1\r\n"[..],
        b"From alice@chu.mssante.fr Mon Nov  2 10:00:00 2026\nMessage-ID: <2@x>\nFrom: alice@chu.mssante.fr\nSubject: Normal\n\nCorps 2\n>From ici, une ligne echappee\n",
        b"From x Mon Nov  2 10:00:00 2026\n\x00\x01\x02\xff\xfe garbage\n",
        b"From y Mon Nov  2 10:00:00 2026\nCeci n'est pas un en-tete\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nCorps 4\n",
        b"From z Mon Nov  2 10:00:00 2026\nSubject: tronque\nFrom: z@",
    ]
    .concat();
    std::fs::write(&mbox, content).unwrap();
    let store = store(dir.path());
    let source = Source::detect(&mbox).unwrap();
    assert_eq!(source, Source::Mbox(mbox.clone()));
    let report = import::import(&store, &source, "Vieux", &mut |_| {}).unwrap();
    assert_eq!(report.imported, 5, "every message kept");
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "bulk import goes back to the WAL");
    assert!(report.unreadable.is_empty());
    assert!(
        !report.malformed.is_empty(),
        "the garbage message is reported"
    );
    let rows = store.list_messages(None, 10, 0).unwrap();
    assert_eq!(rows.len(), 5);
    // The unescaped body line of message 2 comes back as written.
    let normal = rows.iter().find(|r| r.subject == "Normal").unwrap();
    let raw = store.raw_message(normal.id).unwrap().unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("\nFrom ici, une ligne echappee"));
    // The garbage is kept raw, byte for byte.
    let garbage = &report.malformed[0];
    let raw = store.raw_message(garbage.message_id).unwrap().unwrap();
    assert!(raw.starts_with(b"\x00\x01\x02\xff\xfe garbage"));
    let shown = store.message(garbage.message_id).unwrap();
    assert!(shown.parse_error.is_some());
}

#[test]
fn maildir_flags_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    let msg = |i: u32| {
        format!(
            "Message-ID: <{i}@x>\r\nFrom: a@chu.mssante.fr\r\nSubject: M{i}\r\nDate: Mon, 2 Nov 2026 10:0{i}:00 +0100\r\n\r\nCorps\r\n"
        )
    };
    std::fs::write(md.join("cur/1.host:2,S"), msg(1)).unwrap();
    std::fs::write(md.join("cur/2.host:2,FS"), msg(2)).unwrap();
    std::fs::write(md.join("new/3.host"), msg(3)).unwrap();
    let store = store(dir.path());
    let mut last = None;
    let report = import::import(
        &store,
        &Source::detect(&md).unwrap(),
        "Archives",
        &mut |p| last = Some(p),
    )
    .unwrap();
    assert_eq!(report.imported, 3);
    let p = last.unwrap();
    assert_eq!((p.done, p.total), (3, Some(3)));
    let rows = store.list_messages(None, 10, 0).unwrap();
    let by_subject = |s: &str| rows.iter().find(|r| r.subject == s).unwrap().flags;
    assert!(by_subject("M1").seen && !by_subject("M1").flagged);
    assert!(by_subject("M2").seen && by_subject("M2").flagged);
    assert!(!by_subject("M3").seen);
}

#[test]
fn unknown_sources_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let err = Source::detect(&dir.path().join("absent")).unwrap_err();
    assert!(err.to_string().contains("no such file"));
    let bin = dir.path().join("photo.jpg");
    std::fs::write(&bin, [0xffu8, 0xd8, 0xff, 0xe0, 0x00]).unwrap();
    let err = Source::detect(&bin).unwrap_err();
    assert!(err.to_string().contains("neither an e-mail"));
}
