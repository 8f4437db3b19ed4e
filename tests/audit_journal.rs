//! The audit journal: append-only, hash-chained; tampering with the database
//! directly (triggers dropped) is found by `verify`, which says where.

use caducee::audit::{self, Action, AuditError, Break, Entry};
use caducee::store::{Store, StoreKey};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
    (dir, store)
}

/// Five entries, ids 1 to 5.
fn journal() -> (tempfile::TempDir, Store) {
    let (dir, store) = open();
    let actions = [
        Action::Sent,
        Action::Delivered,
        Action::Read,
        Action::Delegated,
        Action::HandedOff,
    ];
    for (i, action) in actions.into_iter().enumerate() {
        let rec = audit::record(
            &store,
            Entry {
                actor: "secretariat@chu-x.mssante.fr".into(),
                on_behalf_of: (i % 2 == 0).then(|| "dr.martin@chu-x.mssante.fr".to_owned()),
                action,
                subject: format!("<msg{i}@chu-x.mssante.fr>"),
                details: serde_json::json!({"to": ["a@b.mssante.fr"], "n": i}),
            },
        )
        .unwrap();
        assert_eq!(rec.id, i as i64 + 1);
    }
    (dir, store)
}

fn unprotect(store: &Store) {
    store
        .conn()
        .execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
}

fn broken(store: &Store) -> Break {
    match audit::verify(store) {
        Err(AuditError::Broken(b)) => b,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[test]
fn an_intact_journal_verifies_and_links() {
    let (_dir, store) = journal();
    let v = audit::verify(&store).unwrap();
    assert_eq!(v.entries, 5);
    assert_eq!(v.last_id, Some(5));
    let newest_first = audit::list(&store, 10).unwrap();
    assert_eq!(newest_first.len(), 5);
    assert_eq!(v.last_hash, newest_first[0].hash);
    for pair in newest_first.windows(2) {
        assert_eq!(pair[0].prev_hash, pair[1].hash);
    }
    assert_eq!(newest_first[4].prev_hash, audit::GENESIS);
    assert_eq!(newest_first[0].action, "handed-off");
    assert_eq!(
        newest_first[0].details,
        r#"{"n":4,"to":["a@b.mssante.fr"]}"#
    );
    assert_eq!(audit::list(&store, 2).unwrap().len(), 2);
    let empty = open();
    assert_eq!(audit::verify(&empty.1).unwrap().entries, 0);
}

#[test]
fn the_database_refuses_edits_and_deletions() {
    let (_dir, store) = journal();
    let update = store
        .conn()
        .execute("UPDATE audit_log SET subject = 'x' WHERE id = 2", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = store
        .conn()
        .execute("DELETE FROM audit_log WHERE id = 5", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert!(audit::verify(&store).is_ok());
}

#[test]
fn an_edited_entry_is_found() {
    let (_dir, store) = journal();
    unprotect(&store);
    store
        .conn()
        .execute(
            "UPDATE audit_log SET actor = 'someone-else@x.fr' WHERE id = 3",
            [],
        )
        .unwrap();
    assert_eq!(broken(&store), Break::Edited { id: 3 });
    assert!(broken(&store).to_string().contains("entry 3"));
}

#[test]
fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
    let (_dir, store) = journal();
    unprotect(&store);
    let mut rec = audit::list(&store, 5)
        .unwrap()
        .into_iter()
        .find(|r| r.id == 2)
        .unwrap();
    rec.subject = "<forged@x.fr>".into();
    rec.hash = audit::entry_hash(&rec);
    store
        .conn()
        .execute(
            "UPDATE audit_log SET subject = ?1, hash = ?2 WHERE id = 2",
            [&rec.subject, &rec.hash],
        )
        .unwrap();
    assert_eq!(
        broken(&store),
        Break::Unlinked {
            id: 3,
            previous_id: Some(2)
        }
    );
}

#[test]
fn a_removed_entry_is_found() {
    let (_dir, store) = journal();
    unprotect(&store);
    store
        .conn()
        .execute("DELETE FROM audit_log WHERE id = 3", [])
        .unwrap();
    assert_eq!(
        broken(&store),
        Break::Unlinked {
            id: 4,
            previous_id: Some(2)
        }
    );
}

#[test]
fn a_removed_first_entry_is_found() {
    let (_dir, store) = journal();
    unprotect(&store);
    store
        .conn()
        .execute("DELETE FROM audit_log WHERE id = 1", [])
        .unwrap();
    assert_eq!(
        broken(&store),
        Break::Unlinked {
            id: 2,
            previous_id: None
        }
    );
}

#[test]
fn removed_last_entries_are_found() {
    let (_dir, store) = journal();
    unprotect(&store);
    store
        .conn()
        .execute("DELETE FROM audit_log WHERE id >= 4", [])
        .unwrap();
    let b = broken(&store);
    assert_eq!(
        b,
        Break::Truncated {
            last_id: Some(3),
            head_id: 5
        }
    );
    assert!(b.to_string().contains("entry 3"));
    // Recording after a cut does not hide it.
    audit::record(
        &store,
        Entry {
            actor: "a@b.fr".into(),
            on_behalf_of: None,
            action: Action::Sent,
            subject: "s".into(),
            details: serde_json::Value::Null,
        },
    )
    .unwrap();
    assert_eq!(broken(&store), Break::Gap { after: 3, next: 6 });
    store.conn().execute("DELETE FROM audit_log", []).unwrap();
    assert_eq!(
        broken(&store),
        Break::Truncated {
            last_id: None,
            head_id: 6
        }
    );
}

#[test]
fn reordered_entries_are_found() {
    let (_dir, store) = journal();
    unprotect(&store);
    store
        .conn()
        .execute_batch(
            "UPDATE audit_log SET id = 100 WHERE id = 2;
             UPDATE audit_log SET id = 2 WHERE id = 3;
             UPDATE audit_log SET id = 3 WHERE id = 100;",
        )
        .unwrap();
    assert_eq!(broken(&store), Break::Edited { id: 2 });
}

#[test]
fn export_writes_one_json_line_per_entry() {
    let (_dir, store) = journal();
    let mut out = Vec::new();
    let n = audit::export(&store, &mut out).unwrap();
    assert_eq!(n, 5);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    let records = audit::list(&store, 5).unwrap();
    for (line, rec) in lines.iter().zip(records.iter().rev()) {
        assert_eq!(line["id"], rec.id);
        assert_eq!(line["hash"], rec.hash.as_str());
        assert_eq!(line["action"], rec.action.as_str());
        // The exported details re-serialise to the exact text the hash covers.
        assert_eq!(line["details"].to_string(), rec.details);
        assert!(line["at_utc"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(lines[0]["on_behalf_of"], "dr.martin@chu-x.mssante.fr");
    assert!(lines[1]["on_behalf_of"].is_null());
}
