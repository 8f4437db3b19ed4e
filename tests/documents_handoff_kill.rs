//! Exactly-once hand-off across `kill -9`: the real program is started on a
//! store full of documents and killed at random moments, again and again; in the
//! end every document is in the folder exactly once, with its sidecar.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use caducee::documents::{Code, PackAuthor, PackInput, PatientIdentity, Sex, pack};
use caducee::store::{STORE_FILE, Store, StoreKey};
use support::documents::*;

const MESSAGES: usize = 100;
const DOCS_PER_MESSAGE: usize = 3;
const KILLS_MID_HANDOFF: usize = 20;

fn spawn(data: &Path, key: &StoreKey, dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .arg("--data-dir")
        .arg(data)
        .args(["documents", "handoff", "--to"])
        .arg(dir)
        .env("CADUCEE_STORE_KEY", key.to_hex())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// (done, writing) claims in the store.
fn progress(data: &Path, key: &StoreKey) -> (i64, i64) {
    let store = Store::open(&data.join(STORE_FILE), key).unwrap();
    store
        .conn()
        .query_row(
            "SELECT coalesce(sum(state = 'done'), 0), coalesce(sum(state = 'writing'), 0)
             FROM document_handoffs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// Documents in the folder: name -> has a sidecar. Panics on a duplicate.
fn check_folder(dir: &Path, data: &Path, key: &StoreKey) -> BTreeMap<String, bool> {
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    let store = Store::open(&data.join(STORE_FILE), key).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT file_name, state FROM document_handoffs")
        .unwrap();
    let claims: BTreeMap<String, String> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut docs = BTreeMap::new();
    for n in &names {
        if n.ends_with(".caducee-tmp") {
            continue; // Left by a kill; removed by the next run.
        }
        if let Some(doc) = n.strip_suffix(".json") {
            assert!(
                names.iter().any(|m| m == doc),
                "sidecar {n} without its document"
            );
            continue;
        }
        // Every document in the folder was claimed under exactly this name:
        // nothing was written twice under another name.
        assert!(
            claims.contains_key(n),
            "{n} in the folder but never claimed"
        );
        docs.insert(n.clone(), names.contains(&format!("{n}.json")));
    }
    for (name, state) in &claims {
        if state == "done" {
            assert_eq!(
                docs.get(name),
                Some(&true),
                "{name} done but not in place with its sidecar"
            );
        }
    }
    docs
}

#[test]
fn hand_off_is_exactly_once_across_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = tmp.path().join("logiciel");
    std::fs::create_dir_all(&data).unwrap();
    let key = StoreKey::random();
    let ins = patient_ins();
    let patient = PatientIdentity {
        ins: ins.clone(),
        given: vec!["Jeanne".into()],
        family: "DURAND".into(),
        birth_date: "19620714".into(),
        sex: Sex::Female,
    };
    let mut expected_sha = Vec::new();
    {
        let store = Store::open(&data.join(STORE_FILE), &key).unwrap();
        let tx = store.conn().unchecked_transaction().unwrap();
        for m in 0..MESSAGES {
            let mut inputs = vec![PackInput::Cda {
                name: "bio.xml".into(),
                bytes: cda_level3(&ins),
            }];
            for d in 1..DOCS_PER_MESSAGE {
                // PDFs of some weight, each different.
                let mut pdf = tiny_pdf(&format!("message {m} document {d}"));
                pdf.extend(std::iter::repeat_n(b'%', 64 * 1024 + m * 97 + d));
                inputs.push(PackInput::Pdf {
                    name: format!("cr-{m}-{d}.pdf"),
                    bytes: pdf,
                    code: Code {
                        code: "11488-4".into(),
                        ..Code::default()
                    },
                    title: format!("CR {m}.{d}"),
                });
            }
            let zip = pack(&patient, &PackAuthor::default(), &inputs).unwrap();
            let package = caducee::documents::read_xdm(&zip, &Default::default()).unwrap();
            for doc in &package.documents {
                use sha2::Digest;
                expected_sha.push(hex::encode(sha2::Sha256::digest(&doc.bytes)));
            }
            insert(&store, &message_with_zip(m, &zip));
        }
        tx.commit().unwrap();
    }
    let total = (MESSAGES * DOCS_PER_MESSAGE) as i64;

    let mut kills_mid_handoff = 0;
    let mut kills = 0;
    let mut finished_early = 0;
    // Widened whenever a kill lands before the program did anything (slow start).
    let mut max_delay_ms = 160;
    while kills_mid_handoff < KILLS_MID_HANDOFF {
        assert!(
            kills < 500,
            "the program never got to work before being killed"
        );
        let before = progress(&data, &key);
        assert!(
            before.0 < total,
            "all documents were handed off after {kills} kills ({kills_mid_handoff} mid hand-off): make the workload heavier"
        );
        let mut child = spawn(&data, &key, &out);
        std::thread::sleep(Duration::from_millis(rand::random_range(20..max_delay_ms)));
        if child.try_wait().unwrap().is_some() {
            finished_early += 1;
            continue;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        let after = progress(&data, &key);
        if after != before {
            kills_mid_handoff += 1;
            // A run that got far: kill sooner, so the work lasts for every kill.
            if after.0 - before.0 > total / (2 * KILLS_MID_HANDOFF as i64) {
                max_delay_ms = (max_delay_ms * 2 / 3).max(30);
            }
        } else {
            max_delay_ms += 25;
        }
        check_folder(&out, &data, &key);
    }
    let before_last = progress(&data, &key);
    // Let the last run finish.
    let status = spawn(&data, &key, &out).wait().unwrap();
    assert!(status.success());
    assert_eq!(progress(&data, &key), (total, 0));

    let docs = check_folder(&out, &data, &key);
    assert_eq!(docs.len(), total as usize, "each document once");
    assert!(docs.values().all(|&has_sidecar| has_sidecar));
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".caducee-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Contents are whole and match what was sent.
    let mut got_sha = Vec::new();
    for name in docs.keys() {
        use sha2::Digest;
        let bytes = std::fs::read(out.join(name)).unwrap();
        let side: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(format!("{name}.json"))).unwrap())
                .unwrap();
        let sha = hex::encode(sha2::Sha256::digest(&bytes));
        assert_eq!(side["sha256"], sha.as_str(), "{name}");
        assert_eq!(side["document"], name.as_str());
        assert_eq!(side["patient"]["ins"], ins.as_str());
        got_sha.push(sha);
    }
    got_sha.sort();
    expected_sha.sort();
    assert_eq!(got_sha, expected_sha);
    // Each hand-off is in the audit journal exactly once, and the journal holds.
    let store = Store::open(&data.join(STORE_FILE), &key).unwrap();
    let (entries, subjects): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT count(*), count(DISTINCT subject) FROM audit_log WHERE action = 'handed-off'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((entries, subjects), (total, total));
    caducee::audit::verify(&store).unwrap();
    eprintln!(
        "{kills} kills, {kills_mid_handoff} during hand-off, {finished_early} runs ended before the kill; \
         {} of {total} documents done before the last run",
        before_last.0
    );
}
