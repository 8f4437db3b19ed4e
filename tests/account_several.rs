//! Several accounts in one data directory, each set up from its address
//! through SRV records on a private dnsmasq and synced from a private
//! Dovecot: a professional's personal mailbox (password), an organisational
//! mailbox (application certificate, SASL EXTERNAL) and a secretary's
//! mailbox holding the professional's delegation. Mail stays apart, each
//! logs in its own way, and only the delegated account sends for the
//! professional.

mod support;

use std::process::{Command, Output};

use support::dnsmasq::Dnsmasq;
use support::dovecot::{DOMAIN, Dovecot};
use support::run_ok;
use support::sender::with_message_id;

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const P12_PASSWORD: &str = "certificat-secretariat";

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn personal_organisational_and_delegated_mailboxes_coexist() {
    let d = Dovecot::start(&["claire", "secretariat", "sophie", "paul"]);
    let addr = |u: &str| d.user(u).address.clone();
    let dns = Dnsmasq::start(
        &[
            format!("_imaps._tcp.{DOMAIN},localhost,{},0,0", d.imaps_port),
            format!(
                "_submission._tcp.{DOMAIN},localhost,{},0,0",
                d.submission_port
            ),
        ],
        &[DOMAIN],
    );
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let caducee = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
        c.env("CADUCEE_LANG", "en");
        c.env("CADUCEE_DATA_DIR", data.path())
            .env("CADUCEE_STORE_KEY", KEY)
            .env("CADUCEE_DNS_SERVER", dns.addr())
            .env_remove("CADUCEE_PASSWORD")
            .env_remove("CADUCEE_LOG");
        c
    };
    let setup = |address: &str, extra: &[&str]| {
        json(&run_ok(
            caducee()
                .args(["account", "setup", address, "--json", "--no-card-check"])
                .arg("--extra-ca")
                .arg(&d.ca_path)
                .args(extra),
        ))
    };

    // The application certificate of the organisational mailbox.
    let (crt, key) = d.ca.client("secretariat").write(work.path(), "org");
    let p12 = work.path().join("org.p12");
    run_ok(
        Command::new("openssl")
            .args(["pkcs12", "-export", "-passout"])
            .arg(format!("pass:{P12_PASSWORD}"))
            .arg("-in")
            .arg(&crt)
            .arg("-inkey")
            .arg(&key)
            .arg("-out")
            .arg(&p12),
    );

    let personal = setup(
        &addr("claire"),
        &["--auth", "password", "--name", "Dr Claire"],
    );
    let p12_arg = p12.to_str().unwrap();
    let org = setup(
        &addr("secretariat"),
        &["--pkcs12", p12_arg, "--name", "Secrétariat"],
    );
    assert_eq!(org["chosen"], "certificate", "{org}");
    let delegated = setup(
        &addr("sophie"),
        &["--auth", "password", "--send-for", &addr("claire")],
    );
    let ids: Vec<i64> = [&personal, &org, &delegated]
        .iter()
        .map(|r| r["account_id"].as_i64().unwrap())
        .collect();

    let listed = json(&run_ok(caducee().args(["account", "list", "--json"])));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[1]["settings"]["auth"]["method"], "certificate");
    assert_eq!(
        listed[2]["settings"]["delegations"],
        serde_json::json!([addr("claire")])
    );

    // Each mailbox gets its own mail, synced with its own login.
    for (user, n) in [("claire", 1), ("secretariat", 2), ("sophie", 3)] {
        for i in 0..n {
            d.deliver(
                user,
                "INBOX",
                &support::mail::message(i + 1, &addr(user)),
                false,
            );
        }
    }
    for user in ["claire", "sophie"] {
        run_ok(
            caducee()
                .args(["sync", "--once", "--account", &addr(user)])
                .env("CADUCEE_PASSWORD", &d.user(user).password),
        );
    }
    let out = run_ok(
        caducee()
            .args(["sync", "--once", "--account", "Secrétariat"])
            .env("CADUCEE_PKCS12_PASSWORD", P12_PASSWORD),
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("certificate login: secretariat"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let log = d.log();
    assert!(
        log.contains(&format!("user=<{}>, method=PLAIN", addr("claire"))),
        "{log}"
    );
    assert!(log.contains("user=<secretariat>, method=EXTERNAL"), "{log}");
    assert!(
        log.contains(&format!("user=<{}>, method=PLAIN", addr("sophie"))),
        "{log}"
    );

    let folders = json(&run_ok(caducee().args(["folders", "--json"])));
    for (id, n) in ids.iter().zip([1, 2, 3]) {
        let inbox = folders
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["account_id"] == *id && f["name"] == "INBOX")
            .unwrap_or_else(|| panic!("no INBOX for account {id}: {folders}"));
        assert_eq!(inbox["total"], n, "{folders}");
    }
    let sophie_inbox = json(&run_ok(caducee().args([
        "list",
        "--account",
        &addr("sophie"),
        "--folder",
        "INBOX",
        "--json",
    ])));
    assert_eq!(sophie_inbox.as_array().unwrap().len(), 3);

    // Sending for the professional: only with the delegation.
    let whitelist = work.path().join("liste.xml");
    std::fs::write(
        &whitelist,
        support::settings::whitelist_xml("2026-11-01T00:00:00Z", &[DOMAIN]),
    )
    .unwrap();
    run_ok(
        caducee()
            .args(["whitelist", "import", "--force"])
            .arg(&whitelist),
    );
    let send_for_claire = |account: &str| {
        let mut c = caducee();
        c.args([
            "send",
            "--account",
            account,
            "--on-behalf-of",
            &addr("claire"),
        ])
        .args(["--to", &addr("paul"), "--subject", "Rendez-vous"])
        .args(["--body", "Votre rendez-vous est confirmé.", "--json"]);
        c
    };
    let out = run_ok(
        send_for_claire(&addr("sophie")).env("CADUCEE_PASSWORD", &d.user("sophie").password),
    );
    let entry = json(&out);
    assert_eq!(entry["state"], "sent", "{entry}");
    let got = with_message_id(
        &d.folder_dir("paul", "INBOX"),
        entry["message_id"].as_str().unwrap(),
    );
    assert_eq!(got.len(), 1);
    let text = String::from_utf8_lossy(&got[0]);
    assert!(
        text.contains(&format!("From: <{}>", addr("claire"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("Sender: <{}>", addr("sophie"))),
        "{text}"
    );

    let out = send_for_claire("Secrétariat")
        .env("CADUCEE_PKCS12_PASSWORD", P12_PASSWORD)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("may not send on behalf of"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The delegation can be given later, and taken back.
    run_ok(caducee().args(["account", "delegate", "Secrétariat", &addr("claire")]));
    let out = run_ok(send_for_claire("Secrétariat").env("CADUCEE_PKCS12_PASSWORD", P12_PASSWORD));
    assert_eq!(json(&out)["state"], "sent");
    run_ok(caducee().args([
        "account",
        "delegate",
        "Secrétariat",
        &addr("claire"),
        "--remove",
    ]));
    let out = send_for_claire("Secrétariat")
        .env("CADUCEE_PKCS12_PASSWORD", P12_PASSWORD)
        .output()
        .unwrap();
    assert!(!out.status.success());
}
