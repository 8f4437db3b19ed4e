//! Round trip through the real program: `caducee documents pack` builds a
//! package, a message carrying it is stored, and `documents show` / `extract`
//! give back the same documents and identities.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use caducee::store::{STORE_FILE, Store, StoreKey};
use support::documents::*;

fn caducee(data: &Path, key: &StoreKey, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("CADUCEE_STORE_KEY", key.to_hex())
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn pack_store_show_extract_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = StoreKey::random();
    let ins = patient_ins();
    let cda_path = tmp.path().join("bio.xml");
    let pdf_path = tmp.path().join("Courrier.pdf");
    let cda = cda_level3(&ins);
    let pdf = tiny_pdf("courrier de sortie");
    std::fs::write(&cda_path, &cda).unwrap();
    std::fs::write(&pdf_path, &pdf).unwrap();
    let zip_path = tmp.path().join("IHE_XDM.ZIP");

    let packed = ok(caducee(
        &data,
        &key,
        &[
            "documents",
            "pack",
            "--patient-ins",
            &ins,
            "--patient-given",
            "Jeanne",
            "--patient-given",
            "Marie",
            "--patient-family",
            "DURAND",
            "--birth-date",
            "1962-07-14",
            "--sex",
            "F",
            "--cda",
            cda_path.to_str().unwrap(),
            "--pdf",
            pdf_path.to_str().unwrap(),
            "--author-id",
            "810009876543",
            "--author-given",
            "Paul",
            "--author-family",
            "MARTIN",
            "--out",
            zip_path.to_str().unwrap(),
            "--json",
        ],
    ));
    let packed: serde_json::Value = serde_json::from_str(&packed).unwrap();
    assert_eq!(packed["x_mss_codecda"], "11502-2,11488-4");
    assert_eq!(packed["x_mss_ins"], "O");
    assert_eq!(
        packed["patient_address"],
        format!("{ins}@patient.mssante.fr")
    );

    // The message, as a correspondent's software would send it.
    let zip = std::fs::read(&zip_path).unwrap();
    let raw = message_with_zip(1, &zip);
    let id = {
        std::fs::create_dir_all(&data).unwrap();
        let store = Store::open(&data.join(STORE_FILE), &key).unwrap();
        insert(&store, &raw)
    };

    let shown = ok(caducee(
        &data,
        &key,
        &["documents", "show", &id.to_string(), "--json", "--text"],
    ));
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["subject"], "Résultats 1", "the XDM prefix is hidden");
    let docs = shown["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    for d in docs {
        assert_eq!(d["kind"], "cda");
        assert_eq!(d["ins_state"], "qualified");
        let p = &d["cda"]["patient"];
        assert_eq!(p["family"], "DURAND");
        assert_eq!(p["given"], serde_json::json!(["Jeanne", "Marie"]));
        assert_eq!(p["birth_date"], "19620714");
        assert_eq!(p["sex"], "F");
        let ins_id = p["ids"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["root"] == "1.2.250.1.213.1.4.8")
            .unwrap();
        assert_eq!(ins_id["extension"], ins.as_str());
    }
    assert_eq!(docs[0]["cda"]["code"]["code"], "11502-2");
    assert_eq!(docs[1]["cda"]["code"]["code"], "11488-4");
    assert_eq!(docs[1]["cda"]["title"], "Courrier");
    assert_eq!(docs[1]["cda"]["body"]["level"], "non-xml");
    assert_eq!(docs[0]["cda"]["body"]["level"], "structured");
    assert!(
        docs[0]["text"]
            .as_str()
            .unwrap()
            .contains("Glycémie | 1,32 | g/L")
    );
    assert_eq!(docs[0]["entry"]["type_code"]["code"], "11502-2");

    let text = ok(caducee(
        &data,
        &key,
        &["documents", "show", &id.to_string()],
    ));
    assert!(text.contains("CDA level 3"), "{text}");
    assert!(
        text.contains(&format!("INS:     {ins} (qualified)")),
        "{text}"
    );

    let out_dir = tmp.path().join("extract");
    let listed = ok(caducee(
        &data,
        &key,
        &[
            "documents",
            "extract",
            &id.to_string(),
            "--to",
            out_dir.to_str().unwrap(),
        ],
    ));
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert_eq!(std::fs::read(out_dir.join("01-DOC0001.XML")).unwrap(), cda);
    assert_eq!(std::fs::read(out_dir.join("02-DOC0002.pdf")).unwrap(), pdf);
    let wrapped = std::fs::read(out_dir.join("02-DOC0002.XML")).unwrap();
    let wrapped = caducee::documents::cda::parse_cda(&wrapped, "w").unwrap();
    assert_eq!(wrapped.patient.ins().unwrap().as_str(), ins);
}

#[test]
fn show_reports_a_hostile_attachment_without_failing_the_message() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = StoreKey::random();
    let md = metadata(&patient_ins(), &[("DOC0001.XML", "11502-2", "A")]);
    let evil = zip_of(&[
        ("IHE_XDM/SUBSET01/METADATA.XML", &md),
        ("../../evil.sh", b"rm -rf ~"),
    ]);
    std::fs::create_dir_all(&data).unwrap();
    let id = {
        let store = Store::open(&data.join(STORE_FILE), &key).unwrap();
        insert(&store, &message_with_zip(7, &evil))
    };
    let out = caducee(&data, &key, &["documents", "show", &id.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("IHE_XDM.ZIP: the XDM package contains an unsafe file name"),
        "{err}"
    );
    assert!(!tmp.path().join("evil.sh").exists());
}
