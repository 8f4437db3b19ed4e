//! A message carrying an IHE XDM package gets X-MSS-CODECDA and X-MSS-INS from
//! the package itself; an unreadable package stops the send.

mod support;

use caducee::account::{self, AccountSettings, AuthMethod, OfflineBodies, Security, Server};
use caducee::send::{self, Attachment, Draft, SendError};
use caducee::store::{Store, StoreKey};
use support::documents::{cda_level1, cda_level3, patient_ins, tiny_pdf, xdm_package};

fn setup(dir: &std::path::Path) -> (Store, caducee::account::Account) {
    let store = Store::open(&dir.join("c.db"), &StoreKey::random()).unwrap();
    support::sender::set_whitelist(
        &store,
        "2026-11-01T00:00:00Z",
        &["medecin.mssante.fr", "patient.mssante.fr"],
    );
    let server = |port| Server {
        host: "127.0.0.1".into(),
        port,
        security: Security::Tls,
    };
    let settings = AccountSettings {
        imap: server(993),
        smtp: server(465),
        auth: AuthMethod::Password {
            username: "claire".into(),
        },
        extra_ca: None,
        attachment_limit: account::DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: OfflineBodies::All,
        delegations: vec![],
    };
    let id = account::add(
        &store,
        "Cabinet",
        "claire.moreau@medecin.mssante.fr",
        &settings,
    )
    .unwrap();
    let account = account::get(&store, Some(&id.to_string())).unwrap();
    (store, account)
}

fn draft(zip: Vec<u8>) -> Draft {
    Draft {
        to: vec![format!("{}@patient.mssante.fr", patient_ins())],
        subject: "XDM/1.0/DDM+ Vos résultats".into(),
        text: "Bonjour, voici vos résultats.".into(),
        attachments: vec![Attachment {
            filename: "IHE_XDM.ZIP".into(),
            content_type: Some("application/zip".into()),
            data: zip,
        }],
        ..Draft::default()
    }
}

#[test]
fn xdm_headers_come_from_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let (store, account) = setup(dir.path());
    let ins = patient_ins();
    let zip = xdm_package(
        &ins,
        &[
            ("DOC0001.XML", cda_level3(&ins), "11502-2", "Biologie"),
            (
                "DOC0002.XML",
                cda_level1(&ins, &tiny_pdf("echo")),
                "18748-4",
                "Imagerie",
            ),
        ],
    );
    let composed = send::compose::compose(&store, &account, &draft(zip)).unwrap();
    let raw = String::from_utf8_lossy(&composed.raw);
    assert!(raw.contains("X-MSS-CODECDA: 11502-2,18748-4\r\n"), "{raw}");
    assert!(raw.contains("X-MSS-INS: O\r\n"));
    assert!(raw.contains("X-MSS-NIL: "));
}

#[test]
fn an_unreadable_package_stops_the_send() {
    let dir = tempfile::tempdir().unwrap();
    let (store, account) = setup(dir.path());
    let err = send::compose::compose(&store, &account, &draft(b"PK\x03\x04 truncated".to_vec()))
        .unwrap_err();
    assert!(matches!(err, SendError::Xdm(_)), "{err}");
    assert!(err.to_string().contains("IHE_XDM.ZIP"));
}
