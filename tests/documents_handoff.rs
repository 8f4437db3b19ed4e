//! Hand-off of received documents to the practice software's folder: one file
//! and one JSON sidecar per document, routed per account, never twice.

mod support;

use std::path::Path;

use caducee::documents::handoff::{self, HandoffRule};
use caducee::mime;
use caducee::store::{Flag, FolderRole, NewMessage, Store, StoreKey};
use support::documents::*;

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn insert_in(store: &Store, folder: i64, raw: &[u8]) -> i64 {
    let parsed = mime::parse(raw).unwrap();
    store
        .insert_message(&NewMessage {
            folder_id: folder,
            raw: Some(raw),
            parsed: &parsed,
            parse_error: None,
            size: raw.len() as u64,
            flags: Flag::default(),
            received_at: None,
        })
        .unwrap()
}

const HPRIM: &str = "P0042\nDURAND\nJeanne\n\n\n69003 LYON\n14/07/1962\n262076912345678\nD1\n20/11/2026\nPR01\nDr MARTIN\nBilan.\n****LAB****\nRES|Potassium|K|N|5.9|mmol/l|3.5|5.0|H|F\n****FINLAB****\n";

#[test]
fn hands_off_each_document_once_with_its_sidecar_per_account() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("t.db"), &StoreKey::random()).unwrap();
    let local_dir = tmp.path().join("logiciel-local");
    let account_dir = tmp.path().join("logiciel-compte");
    let ins = patient_ins();
    let pdf = tiny_pdf("échographie");

    // Local inbox: an XDM package with two documents.
    let xdm = xdm_package(
        &ins,
        &[
            ("DOC0001.XML", cda_level1(&ins, &pdf), "18748-4", "Écho"),
            ("DOC0002.XML", cda_level3(&ins), "11502-2", "Bio"),
        ],
    );
    let m1 = insert(&store, &message_with_zip(1, &xdm));
    // A message of an account: a bare PDF, an HPRIM file and an HPRIM body.
    store
        .conn()
        .execute(
            "INSERT INTO accounts (name, address, created_at) VALUES ('Dr Martin', 'paul.martin@medecin.mssante.fr', 0)",
            [],
        )
        .unwrap();
    let account_id = store.conn().last_insert_rowid();
    let inbox = store
        .ensure_folder(Some(account_id), "INBOX", Some(FolderRole::Inbox))
        .unwrap();
    let raw2 = mail_builder::MessageBuilder::new()
        .from(("Labo", "labo@brotteaux.mssante.fr"))
        .to("paul.martin@medecin.mssante.fr")
        .subject("Résultats")
        .message_id("hprim-2@brotteaux.mssante.fr")
        .date(1_795_000_100i64)
        .text_body(HPRIM)
        .attachment("application/pdf", "CR ../../evil.pdf", pdf.clone())
        .attachment("text/plain", "RES.HPR", HPRIM.as_bytes().to_vec())
        .write_to_vec()
        .unwrap();
    let m2 = insert_in(&store, inbox, &raw2);
    // Sent mail is not handed off.
    let sent = store
        .ensure_folder(Some(account_id), "Sent", Some(FolderRole::Sent))
        .unwrap();
    insert_in(&store, sent, &message_with_zip(3, &xdm));

    // No rule yet: nothing moves.
    assert!(!handoff::has_rules(&store).unwrap());
    assert!(handoff::run_handoff(&store, None).unwrap().done.is_empty());

    handoff::set_rule(
        &store,
        "local",
        &HandoffRule {
            dir: local_dir.clone(),
        },
    )
    .unwrap();
    handoff::set_rule(
        &store,
        "paul.martin@medecin.mssante.fr",
        &HandoffRule {
            dir: account_dir.clone(),
        },
    )
    .unwrap();
    let report = handoff::run_handoff(&store, None).unwrap();
    assert_eq!(report.done.len(), 5, "{report:?}");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        files(&local_dir),
        [
            format!("{m1}-01-DOC0001.XML"),
            format!("{m1}-01-DOC0001.XML.json"),
            format!("{m1}-02-DOC0002.XML"),
            format!("{m1}-02-DOC0002.XML.json"),
        ]
    );
    assert_eq!(
        files(&account_dir),
        [
            format!("{m2}-01-evil.pdf"),
            format!("{m2}-01-evil.pdf.json"),
            format!("{m2}-02-RES.HPR"),
            format!("{m2}-02-RES.HPR.json"),
            format!("{m2}-03-resultats.hpr"),
            format!("{m2}-03-resultats.hpr.json"),
        ]
    );
    assert_eq!(
        std::fs::read(account_dir.join(format!("{m2}-01-evil.pdf"))).unwrap(),
        pdf
    );

    // The sidecar of the CDA.
    let side: serde_json::Value = serde_json::from_slice(
        &std::fs::read(local_dir.join(format!("{m1}-02-DOC0002.XML.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(side["document"], format!("{m1}-02-DOC0002.XML"));
    assert_eq!(side["kind"], "cda");
    assert_eq!(side["document_code"]["code"], "11502-2");
    assert_eq!(side["patient"]["ins"], ins.as_str());
    assert_eq!(side["patient"]["ins_oid"], "1.2.250.1.213.1.4.8");
    assert_eq!(side["patient"]["ins_state"], "qualified");
    assert_eq!(side["patient"]["family"], "DURAND");
    assert_eq!(side["patient"]["birth_date"], "19620714");
    assert_eq!(side["sender"], "labo@brotteaux.mssante.fr");
    assert_eq!(side["message_id"], "res-1@brotteaux.mssante.fr");
    // Date header 1795000001 (set by the fixture) in RFC 3339.
    assert_eq!(side["date"], "2026-11-18T11:06:41Z");
    assert_eq!(side["account"], "local");
    assert_eq!(side["embedded_media_type"], serde_json::Value::Null);
    let side1: serde_json::Value = serde_json::from_slice(
        &std::fs::read(local_dir.join(format!("{m1}-01-DOC0001.XML.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(side1["embedded_media_type"], "application/pdf");
    assert_eq!(side1["document_code"]["code"], "18748-4");
    use sha2::Digest;
    let bytes = std::fs::read(local_dir.join(format!("{m1}-02-DOC0002.XML"))).unwrap();
    assert_eq!(side["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
    // The sidecar of the HPRIM file.
    let side: serde_json::Value = serde_json::from_slice(
        &std::fs::read(account_dir.join(format!("{m2}-02-RES.HPR.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(side["kind"], "hprim");
    assert_eq!(side["patient"]["family"], "DURAND");
    assert_eq!(side["patient"]["ins_state"], "unqualified");
    assert_eq!(side["account"], "paul.martin@medecin.mssante.fr");

    // Once: a second run, or a new message scan, does nothing more.
    assert!(handoff::run_handoff(&store, None).unwrap().done.is_empty());
    store
        .conn()
        .execute("DELETE FROM document_scans", [])
        .unwrap();
    assert!(handoff::run_handoff(&store, None).unwrap().done.is_empty());
    assert_eq!(files(&local_dir).len(), 4);

    // A new message is picked up; the account filter holds.
    let m4 = insert(&store, &message_with_zip(4, &xdm));
    let only_account =
        handoff::run_handoff(&store, Some("paul.martin@medecin.mssante.fr")).unwrap();
    assert!(only_account.done.is_empty());
    let report = handoff::run_handoff(&store, Some("local")).unwrap();
    assert_eq!(report.done.len(), 2);
    assert!(report.done.iter().all(|d| d.message_id == m4));
}

#[test]
fn a_rule_must_name_an_absolute_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("t.db"), &StoreKey::random()).unwrap();
    let err = handoff::set_rule(
        &store,
        "local",
        &HandoffRule {
            dir: "relative".into(),
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("absolute"), "{err}");
}
