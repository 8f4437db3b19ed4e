//! Health documents through the real servers: a doctor packs a report, sends it
//! through Dovecot submission, the colleague syncs over IMAP, and the documents
//! and identities come back unchanged, with the MSSanté headers right.

mod support;

use std::process::Output;

use caducee::account::Security;
use support::documents::{cda_level3, patient_ins, tiny_pdf};
use support::dovecot::Dovecot;
use support::sender::Sender;

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn pack_send_sync_show_extract() {
    let d = Dovecot::start(&["claire", "paul"]);
    let claire = Sender::new(&d, "claire", Security::StartTls);
    let paul = Sender::new(&d, "paul", Security::Tls);
    let work = claire.data_dir().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let ins = patient_ins();
    let cda = cda_level3(&ins);
    let pdf = tiny_pdf("compte rendu de consultation");
    std::fs::write(work.join("bio.xml"), &cda).unwrap();
    std::fs::write(work.join("Consultation.pdf"), &pdf).unwrap();
    let zip = work.join("IHE_XDM.ZIP");

    ok(claire
        .command()
        .args(["documents", "pack", "--patient-ins", &ins])
        .args(["--patient-given", "Jeanne", "--patient-family", "DURAND"])
        .args(["--birth-date", "1962-07-14", "--sex", "F"])
        .arg("--cda")
        .arg(work.join("bio.xml"))
        .arg("--pdf")
        .arg(work.join("Consultation.pdf"))
        .args(["--author-id", "810009876543", "--author-given", "Claire"])
        .args(["--author-family", "MOREAU", "--out"])
        .arg(&zip)
        .output()
        .unwrap());

    let sent = ok(claire
        .command()
        .args(["send", "--to", &d.user("paul").address])
        .args(["--subject", "XDM/1.0/DDM+ Résultats de Mme DURAND"])
        .args(["--body", "Bonjour, voici les résultats.", "--attach"])
        .arg(&zip)
        .arg("--json")
        .output()
        .unwrap());
    let sent: serde_json::Value = serde_json::from_str(&sent).unwrap();
    assert_eq!(sent["state"], "sent");

    ok(paul.command().args(["sync", "--once"]).output().unwrap());
    let found = ok(paul
        .command()
        .args(["search", "--json", "resultats", "durand"])
        .output()
        .unwrap());
    let found: serde_json::Value = serde_json::from_str(&found).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    let id = found[0]["id"].as_i64().unwrap().to_string();

    let raw = ok(paul
        .command()
        .args(["show", &id, "--raw"])
        .output()
        .unwrap());
    assert!(raw.contains("X-MSS-CODECDA: 11502-2,11488-4"), "{raw}");
    assert!(raw.contains("X-MSS-INS: O"));
    assert!(raw.contains("X-MSS-NIL: "));

    let shown = ok(paul
        .command()
        .args(["documents", "show", &id, "--json"])
        .output()
        .unwrap());
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["subject"], "Résultats de Mme DURAND");
    let docs = shown["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    for doc in docs {
        assert_eq!(doc["ins_state"], "qualified");
        assert_eq!(doc["cda"]["patient"]["family"], "DURAND");
        assert_eq!(doc["cda"]["patient"]["birth_date"], "19620714");
    }

    let out = paul.data_dir().join("extracted");
    ok(paul
        .command()
        .args(["documents", "extract", &id, "--to"])
        .arg(&out)
        .output()
        .unwrap());
    assert_eq!(std::fs::read(out.join("01-DOC0001.XML")).unwrap(), cda);
    assert_eq!(std::fs::read(out.join("02-DOC0002.pdf")).unwrap(), pdf);
}
