//! Every earlier schema level upgrades to the current one without losing data.

use caducee::store::{MAIL_MIGRATIONS, SearchQuery, Store, StoreKey};

fn raw(i: usize) -> String {
    format!(
        "Message-ID: <mig-{i}@hopital.mssante.fr>\r\nFrom: Service de néphrologie <nephro@hopital.mssante.fr>\r\n\
To: claire.moreau@medecin.mssante.fr\r\nSubject: Résultats {i}\r\nDate: Tue, 3 Nov 2026 08:30:00 +0100\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nClairance de la créatinine {i} mL/min.\r\n"
    )
}

#[test]
fn upgrades_from_every_earlier_level() {
    let latest = MAIL_MIGRATIONS.last().unwrap().version;
    for level in 1..latest {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caducee.db");
        let key = StoreKey::random();
        {
            let store = Store::open_at_level(&path, &key, Some(level)).unwrap();
            assert_eq!(store.schema_level().unwrap(), level);
            let folder = store.ensure_folder(None, "INBOX", None).unwrap();
            for i in 0..20 {
                store
                    .insert_raw(folder, raw(i).as_bytes(), Default::default(), None)
                    .unwrap();
            }
        }
        let store = Store::open(&path, &key).unwrap();
        assert_eq!(store.schema_level().unwrap(), latest, "from level {level}");
        assert_eq!(store.info().unwrap().messages, 20, "from level {level}");
        let hits = store
            .search(&SearchQuery::parse("creatinine").unwrap(), 50, 0)
            .unwrap();
        assert_eq!(hits.len(), 20, "search after upgrade from level {level}");
        // Raw messages stored inline before the bodies file still read back,
        // and new ones go to the bodies file.
        let folder = store.ensure_folder(None, "INBOX", None).unwrap();
        let ids = store.message_ids_in(folder).unwrap();
        for &id in &ids {
            let raw = store.raw_message(id).unwrap().unwrap();
            assert!(raw.starts_with(b"Message-ID: <mig-"), "from level {level}");
        }
        let new = store
            .insert_raw(folder, raw(99).as_bytes(), Default::default(), None)
            .unwrap();
        assert_eq!(store.raw_message(new).unwrap().unwrap(), raw(99).as_bytes());
        assert!(dir.path().join("caducee-bodies.db").exists());
        let check: String = store
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}

#[test]
fn migrations_are_numbered_in_order() {
    for (i, m) in MAIL_MIGRATIONS.iter().enumerate() {
        assert_eq!(
            m.version as usize,
            i + 1,
            "migration {} out of order",
            m.name
        );
    }
}

#[test]
fn every_table_is_strict() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.db"), &StoreKey::random()).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT name, strict FROM pragma_table_list
             WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .unwrap();
    let tables: Vec<(String, bool)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.len() >= 8);
    for (name, strict) in tables {
        assert!(strict, "table {name} is not STRICT");
    }
}
