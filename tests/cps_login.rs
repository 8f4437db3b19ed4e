//! CPS card logins end to end: the command-line binary, a SoftHSM2 token
//! holding the card's keys (generated on the token, never extractable), and a
//! private Dovecot that requires client certificates (IMAP and submission,
//! SASL EXTERNAL, user name from the certificate). Also the application
//! mailbox's PKCS#12 certificate.

mod support;

use std::process::{Command, Output};

use caducee::account::{AuthMethod, Security, Server};
use support::ca::TestCa;
use support::dovecot::{DOMAIN, Dovecot, Login};
use support::run_ok;
use support::sender::{Sender, settings, with_message_id};
use support::token::{Holder, MODULE, PIN, SoftHsm, cps_card};

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn card_account(d: &Dovecot, holder: &Holder, smtp: Security) -> Sender {
    Sender::with_auth(
        d,
        &holder.national_id,
        settings(d, smtp),
        AuthMethod::Cps {
            pkcs11_module: Some(MODULE.into()),
        },
    )
}

/// The binary on the sender's store, the token's directory, and `pin`.
fn with_card(sender: &Sender, hsm: &SoftHsm, pin: Option<&str>) -> Command {
    let mut cmd = sender.command();
    hsm.env(&mut cmd);
    cmd.env_remove("CADUCEE_CARD_PIN");
    if let Some(pin) = pin {
        cmd.env("CADUCEE_CARD_PIN", pin);
    }
    cmd
}

#[test]
fn login_and_sync_with_the_key_on_the_token() {
    let holder = Holder::doctor();
    let d = Dovecot::start_with(&[&holder.national_id], Login::CertificateOnly);
    let hsm = cps_card(&d.ca, &holder);
    let address = d.user(&holder.national_id).address.clone();
    for i in 1..=3 {
        d.deliver(
            &holder.national_id,
            "INBOX",
            &support::mail::message(i, &address),
            false,
        );
    }
    let sender = card_account(&d, &holder, Security::StartTls);

    let out = run_ok(with_card(&sender, &hsm, Some(PIN)).args(["sync", "--once"]));
    let (stdout, _) = text(&out);
    assert!(
        stdout
            .contains("card login: JEAN DUPONT, RPPS 810002813839, Médecin (CABINET DU DR DUPONT)"),
        "{stdout}"
    );
    assert!(stdout.contains("3 new messages"), "{stdout}");
    assert!(
        d.log().contains("user=<810002813839>, method=EXTERNAL"),
        "{}",
        d.log()
    );

    let listed = run_ok(sender.command().args(["list", "--json"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3, "{listed}");

    // The certificate is public: reading who it names needs no PIN.
    let out =
        run_ok(with_card(&sender, &hsm, None).args(["account", "identity", &address, "--json"]));
    let id: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(id["national_id"], "810002813839");
    assert_eq!(id["surname"], "DUPONT");
    assert_eq!(id["given_name"], "JEAN");
    assert_eq!(id["profession"], "Médecin");
}

#[test]
fn send_through_submission_with_the_key_on_the_token() {
    let holder = Holder::doctor();
    let d = Dovecot::start_with(&[&holder.national_id, "paul"], Login::CertificateOnly);
    let hsm = cps_card(&d.ca, &holder);
    for smtp in [Security::StartTls, Security::Tls] {
        let sender = card_account(&d, &holder, smtp);
        let subject = format!("Compte rendu ({smtp:?})");
        let out = run_ok(
            with_card(&sender, &hsm, Some(PIN))
                .args(["send", "--to", &format!("paul@{DOMAIN}")])
                .args(["--subject", &subject, "--body", "Bonjour Paul.", "--json"]),
        );
        let (stdout, stderr) = text(&out);
        assert!(stderr.contains("card login: JEAN DUPONT"), "{stderr}");
        let entry: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(entry["state"], "sent", "{entry}");
        let message_id = entry["message_id"].as_str().unwrap();
        assert_eq!(
            with_message_id(&d.folder_dir("paul", "INBOX"), message_id).len(),
            1,
            "{}",
            d.log()
        );
        // The copy in Sent went over IMAP with the same card login.
        assert_eq!(
            with_message_id(&d.folder_dir(&holder.national_id, "Sent"), message_id).len(),
            1
        );
    }
    assert!(
        d.log()
            .contains("submission-login: Info: Login: user=<810002813839>, method=EXTERNAL"),
        "{}",
        d.log()
    );
}

#[test]
fn wrong_pin_is_refused_with_the_tries_the_token_reports() {
    let holder = Holder::doctor();
    let d = Dovecot::start_with(&[&holder.national_id], Login::CertificateOnly);
    let hsm = cps_card(&d.ca, &holder);
    // IMAP with STARTTLS here (the other tests use implicit TLS).
    let mut imap_starttls = settings(&d, Security::StartTls);
    imap_starttls.imap = Server {
        host: d.host.clone(),
        port: d.imap_port,
        security: Security::StartTls,
    };
    let sender = Sender::with_auth(
        &d,
        &holder.national_id,
        imap_starttls,
        AuthMethod::Cps {
            pkcs11_module: Some(MODULE.into()),
        },
    );

    let out = with_card(&sender, &hsm, Some("0000"))
        .args(["sync", "--once"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    println!("wrong PIN: {stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a wrong PIN (never
    // FINAL_TRY or LOCKED): that is all it tells.
    assert!(
        stderr.contains("wrong PIN for the card “CPS DUPONT”")
            && stderr.contains("tries are running low"),
        "{stderr}"
    );
    assert!(
        hsm.flags().contains("user PIN count low"),
        "{}",
        hsm.flags()
    );
    assert!(
        !d.log().contains("method=EXTERNAL"),
        "no login without the PIN"
    );

    // No PIN at all, and no terminal to ask on.
    let out = with_card(&sender, &hsm, None)
        .args(["sync", "--once"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("set CADUCEE_CARD_PIN"), "{stderr}");

    // The right PIN logs in and clears the token's warning.
    run_ok(with_card(&sender, &hsm, Some(PIN)).args(["sync", "--once"]));
    assert!(
        d.log().contains("user=<810002813839>, method=EXTERNAL"),
        "{}",
        d.log()
    );
    assert!(
        !hsm.flags().contains("user PIN count low"),
        "{}",
        hsm.flags()
    );
}

#[test]
fn certificate_from_another_ca_is_refused() {
    let holder = Holder::doctor();
    let d = Dovecot::start_with(&[&holder.national_id], Login::CertificateOnly);
    let stranger = TestCa::new("Autre autorite");
    let hsm = cps_card(&stranger, &holder);
    let sender = card_account(&d, &holder, Security::StartTls);

    let out = with_card(&sender, &hsm, Some(PIN))
        .args(["sync", "--once"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    println!("other CA: {stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("refused the certificate login: Client didn't present valid SSL certificate"),
        "{stderr}\n{}",
        d.log()
    );
    assert!(
        !d.log().contains("Login: user=<810002813839>"),
        "{}",
        d.log()
    );
}

#[test]
fn application_certificate_from_a_pkcs12_file() {
    let d = Dovecot::start_with(&["labo-resultats", "paul"], Login::CertificateOnly);
    let work = tempfile::tempdir().unwrap();
    let (crt, key) = d.ca.client("labo-resultats").write(work.path(), "app");
    let p12 = work.path().join("app.p12");
    run_ok(
        Command::new("openssl")
            .args(["pkcs12", "-export", "-passout", "pass:mot-de-passe"])
            .arg("-in")
            .arg(&crt)
            .arg("-inkey")
            .arg(&key)
            .arg("-out")
            .arg(&p12),
    );
    let address = d.user("labo-resultats").address.clone();
    d.deliver(
        "labo-resultats",
        "INBOX",
        &support::mail::message(1, &address),
        false,
    );
    let sender = Sender::with_auth(
        &d,
        "labo-resultats",
        settings(&d, Security::Tls),
        AuthMethod::Certificate {
            pkcs12: p12.clone(),
        },
    );
    let cmd = |password: &str| {
        let mut c = sender.command();
        c.env("CADUCEE_PKCS12_PASSWORD", password);
        c
    };

    let out = cmd("mauvais").args(["sync", "--once"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("the password of the certificate file") && stderr.contains("is wrong"),
        "{stderr}"
    );

    let out = run_ok(cmd("mot-de-passe").args(["sync", "--once"]));
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("certificate login: labo-resultats"),
        "{stdout}"
    );
    assert!(stdout.contains("1 new messages"), "{stdout}");

    let out = run_ok(
        cmd("mot-de-passe")
            .args(["send", "--to", &format!("paul@{DOMAIN}")])
            .args([
                "--subject",
                "Résultats",
                "--body",
                "Résultats joints.",
                "--json",
            ]),
    );
    let entry: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(entry["state"], "sent", "{entry}");
    let message_id = entry["message_id"].as_str().unwrap();
    assert_eq!(
        with_message_id(&d.folder_dir("paul", "INBOX"), message_id).len(),
        1
    );
    assert!(
        d.log().contains("user=<labo-resultats>, method=EXTERNAL"),
        "{}",
        d.log()
    );
}

#[test]
fn cli_adds_card_and_certificate_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let caducee = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
        c.env("CADUCEE_LANG", "en");
        c.env("CADUCEE_DATA_DIR", dir.path())
            .env("CADUCEE_STORE_KEY", "cd".repeat(32));
        c
    };
    let servers = [
        "--imap-host",
        "imap.mssante.fr",
        "--smtp-host",
        "smtp.mssante.fr",
    ];
    run_ok(
        caducee()
            .args([
                "account",
                "add",
                "--name",
                "Carte",
                "--address",
                "jean.dupont@medecin.mssante.fr",
            ])
            .args(servers)
            .args(["--auth", "cps", "--pkcs11-module", MODULE]),
    );
    let p12 = dir.path().join("app.p12");
    std::fs::write(&p12, b"not read yet").unwrap();
    let out = caducee()
        .args([
            "account",
            "add",
            "--name",
            "Labo",
            "--address",
            "labo@labo.mssante.fr",
        ])
        .args(servers)
        .args(["--auth", "certificate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--pkcs12 is required");
    run_ok(
        caducee()
            .args([
                "account",
                "add",
                "--name",
                "Labo",
                "--address",
                "labo@labo.mssante.fr",
            ])
            .args(servers)
            .args(["--auth", "certificate", "--pkcs12"])
            .arg(&p12),
    );
    let out = run_ok(caducee().args(["account", "list", "--json"]));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let auth0 = &list[0]["settings"]["auth"];
    assert_eq!(auth0["method"], "cps");
    assert_eq!(auth0["pkcs11_module"], MODULE);
    let auth1 = &list[1]["settings"]["auth"];
    assert_eq!(auth1["method"], "certificate");
    assert_eq!(auth1["pkcs12"], p12.to_str().unwrap());

    // A module that is not there: the paths tried and what to install.
    run_ok(
        caducee()
            .args([
                "account",
                "add",
                "--name",
                "X",
                "--address",
                "x@medecin.mssante.fr",
            ])
            .args(servers)
            .args(["--auth", "cps", "--pkcs11-module", "/nowhere/libcps.so"]),
    );
    let out = caducee()
        .args(["account", "identity", "x@medecin.mssante.fr"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("tried: /nowhere/libcps.so") && stderr.contains("Cryptolib CPS"),
        "{stderr}"
    );
}

#[test]
fn identity_from_a_multi_valued_igc_sante_subject() {
    // The shape of a CPS authentication certificate's subject, with the
    // national identifier, surname and given name in one multi-valued RDN.
    let dir = tempfile::tempdir().unwrap();
    let der = dir.path().join("cert.der");
    run_ok(
        Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"])
            .arg("-keyout")
            .arg(dir.path().join("key.pem"))
            .args(["-subj", "/C=FR/O=PHARMACIE CENTRALE/OU=10B0123456/title=Pharmacien/CN=810002813839+SN=MARTIN+GN=CLAIRE"])
            .args(["-multivalue-rdn", "-outform", "DER", "-out"])
            .arg(&der),
    );
    let id = caducee::auth::Identity::from_der(&std::fs::read(&der).unwrap()).unwrap();
    assert_eq!(id.name, "CLAIRE MARTIN");
    assert_eq!(id.national_id.as_deref(), Some("810002813839"));
    assert_eq!(id.national_id_kind(), Some("RPPS"));
    assert_eq!(id.profession.as_deref(), Some("Pharmacien"));
    assert_eq!(id.organisation.as_deref(), Some("PHARMACIE CENTRALE"));
    assert_eq!(id.structure_id.as_deref(), Some("10B0123456"));
    assert_eq!(
        id.summary(),
        "CLAIRE MARTIN, RPPS 810002813839, Pharmacien (PHARMACIE CENTRALE)"
    );
}
