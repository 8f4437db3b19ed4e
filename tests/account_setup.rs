//! `caducee account setup ADDRESS` / `account discover ADDRESS` end to end:
//! a private dnsmasq on a loopback port serves RFC 6186 SRV records pointing
//! at a private Dovecot, a loopback HTTPS server serves autoconfig files over
//! real TLS, and the login methods are read from Dovecot itself.

mod support;

use std::collections::HashMap;
use std::process::{Command, Output};

use support::dnsmasq::Dnsmasq;
use support::dovecot::{DOMAIN, Dovecot, Login};
use support::https::HttpsServer;
use support::run_ok;

const KEY: &str = "5e0f4a3b2c1d00112233445566778899aabbccddeeff00112233445566778899";

fn caducee(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
    c.env("CADUCEE_LANG", "en");
    c.env("CADUCEE_DATA_DIR", data)
        .env("CADUCEE_STORE_KEY", KEY)
        .env_remove("CADUCEE_DNS_SERVER")
        .env_remove("CADUCEE_LOG");
    c
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn srv(service: &str, target: &str, port: u16, priority: u16, weight: u16) -> String {
    format!("{service}.{DOMAIN},{target},{port},{priority},{weight}")
}

/// A record with no target: the service is not offered (target ".").
fn not_offered(service: &str) -> String {
    format!("{service}.{DOMAIN}")
}

/// An autoconfig file for the test server.
fn autoconfig(imap: (u16, &str), smtp: (u16, &str), username: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="{DOMAIN}">
    <domain>{DOMAIN}</domain>
    <incomingServer type="imap">
      <hostname>localhost</hostname><port>{}</port><socketType>{}</socketType>
      <username>{username}</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>localhost</hostname><port>{}</port><socketType>{}</socketType>
      <username>{username}</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#,
        imap.0, imap.1, smtp.0, smtp.1
    )
}

fn routes(list: &[(&str, &str)]) -> HashMap<String, (u16, String)> {
    list.iter()
        .map(|(p, b)| (p.to_string(), (200, b.to_string())))
        .collect()
}

const FIRST: &str = "/mail/config-v1.1.xml";
const WELL_KNOWN: &str = "/.well-known/autoconfig/mail/config-v1.1.xml";

#[test]
fn setup_from_srv_records_then_sync() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    for i in 1..=2 {
        d.deliver(
            "claire",
            "INBOX",
            &support::mail::message(i, &address),
            false,
        );
    }
    // Priority 5 before priority 10; the first does not answer, so the next
    // is tried. Autoconfig says otherwise and is not asked.
    let closed = support::free_port();
    let dns = Dnsmasq::start(
        &[
            srv("_imaps._tcp", "localhost", d.imaps_port, 10, 0),
            srv("_imaps._tcp", "localhost", closed, 5, 100),
            srv("_submission._tcp", "localhost", d.submission_port, 0, 0),
        ],
        &[DOMAIN],
    );
    let web = HttpsServer::start(
        &d.ca,
        routes(&[(
            FIRST,
            &autoconfig((d.imap_port, "STARTTLS"), (d.submissions_port, "SSL"), "x"),
        )]),
    );
    let data = tempfile::tempdir().unwrap();
    let out = run_ok(
        caducee(data.path())
            .args(["account", "setup", &address, "--json", "--no-card-check"])
            .args(["--auth", "password", "--autoconfig-url", &web.base()])
            .arg("--extra-ca")
            .arg(&d.ca_path)
            .env("CADUCEE_DNS_SERVER", dns.addr()),
    );
    let report = json(&out);
    assert_eq!(report["discovery"]["source"], "dns-srv", "{report}");
    assert_eq!(report["discovery"]["imap"]["port"], d.imaps_port);
    assert_eq!(report["discovery"]["imap"]["security"], "tls");
    assert_eq!(report["discovery"]["smtp"]["port"], d.submission_port);
    assert_eq!(report["discovery"]["smtp"]["security"], "starttls");
    assert!(report["account_id"].is_i64(), "{report}");
    assert!(web.asked().is_empty(), "SRV answered: no autoconfig asked");
    let notes = report["discovery"]["notes"].to_string();
    assert!(
        notes.contains(&format!("localhost:{closed}, localhost:{}", d.imaps_port))
            && notes.contains(&format!("cannot reach the mail server localhost:{closed}")),
        "{notes}"
    );
    let mechs = report["detection"]["imap_mechanisms"].as_array().unwrap();
    assert!(mechs.iter().any(|m| m == "PLAIN"), "{report}");

    let listed = json(&run_ok(
        caducee(data.path()).args(["account", "list", "--json"]),
    ));
    assert_eq!(listed[0]["address"], address.as_str());
    assert_eq!(listed[0]["settings"]["auth"]["method"], "password");
    assert_eq!(listed[0]["settings"]["auth"]["username"], address.as_str());

    let out = run_ok(
        caducee(data.path())
            .args(["sync", "--once"])
            .env("CADUCEE_PASSWORD", &d.user("claire").password),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 new messages"), "{text}");
}

#[test]
fn dot_target_means_not_offered() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    let dns = Dnsmasq::start(
        &[
            not_offered("_imaps._tcp"),
            srv("_imap._tcp", "localhost", d.imap_port, 0, 0),
            not_offered("_submissions._tcp"),
            srv("_submission._tcp", "localhost", d.submission_port, 0, 0),
        ],
        &[DOMAIN],
    );
    let data = tempfile::tempdir().unwrap();
    let out = run_ok(
        caducee(data.path())
            .args(["account", "discover", &address, "--json", "--no-card-check"])
            .args(["--dns-server", &dns.addr()])
            .arg("--extra-ca")
            .arg(&d.ca_path),
    );
    let report = json(&out);
    assert_eq!(report["discovery"]["source"], "dns-srv", "{report}");
    assert_eq!(report["discovery"]["imap"]["port"], d.imap_port);
    assert_eq!(report["discovery"]["imap"]["security"], "starttls");
    let notes = report["discovery"]["notes"].to_string();
    assert!(notes.contains("not offered"), "{notes}");
    assert!(report["account_id"].is_null(), "discover adds nothing");
    let text = run_ok(
        caducee(data.path())
            .args(["account", "discover", &address, "--no-card-check"])
            .args(["--dns-server", &dns.addr()])
            .arg("--extra-ca")
            .arg(&d.ca_path),
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("found by:    DNS SRV records (RFC 6186)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "imap:        localhost:{} (STARTTLS)",
            d.imap_port
        )),
        "{text}"
    );
    assert!(text.contains("proposed:    CPS card"), "{text}");
    let listed = json(&run_ok(
        caducee(data.path()).args(["account", "list", "--json"]),
    ));
    assert_eq!(listed.as_array().unwrap().len(), 0);

    // Every IMAP record says "not offered", and there is no autoconfig.
    let dns = Dnsmasq::start(
        &[
            not_offered("_imaps._tcp"),
            not_offered("_imap._tcp"),
            srv("_submission._tcp", "localhost", d.submission_port, 0, 0),
        ],
        &[DOMAIN],
    );
    let web = HttpsServer::start(&d.ca, HashMap::new());
    let out = caducee(data.path())
        .args(["account", "discover", &address, "--no-card-check"])
        .args(["--dns-server", &dns.addr(), "--autoconfig-url", &web.base()])
        .arg("--extra-ca")
        .arg(&d.ca_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no mail server settings were found"), "{err}");
    assert!(
        err.contains("_imaps._tcp.test.mssante.fr.: not offered"),
        "{err}"
    );
}

#[test]
fn autoconfig_over_tls_when_there_is_no_srv_record() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    d.deliver(
        "claire",
        "INBOX",
        &support::mail::message(1, &address),
        false,
    );
    let dns = Dnsmasq::start(&[], &[DOMAIN]);
    // Only the well-known path: the first URL gets a 404.
    let web = HttpsServer::start(
        &d.ca,
        routes(&[(
            WELL_KNOWN,
            &autoconfig(
                (d.imaps_port, "SSL"),
                (d.submission_port, "STARTTLS"),
                "%EMAILLOCALPART%",
            ),
        )]),
    );
    let data = tempfile::tempdir().unwrap();
    let out = run_ok(
        caducee(data.path())
            .args(["account", "setup", &address, "--json", "--no-card-check"])
            .args(["--auth", "password", "--name", "Cabinet"])
            .args(["--dns-server", &dns.addr(), "--autoconfig-url", &web.base()])
            .arg("--extra-ca")
            .arg(&d.ca_path),
    );
    let report = json(&out);
    assert_eq!(report["discovery"]["source"], "autoconfig", "{report}");
    assert_eq!(
        report["discovery"]["autoconfig_url"],
        format!("{}{WELL_KNOWN}", web.base())
    );
    assert_eq!(report["discovery"]["username"], "claire");
    assert_eq!(report["discovery"]["imap"]["port"], d.imaps_port);
    let asked = web.asked();
    assert_eq!(
        asked[0],
        format!("{FIRST}?emailaddress=claire%40{DOMAIN}"),
        "{asked:?}"
    );
    assert_eq!(asked[1], WELL_KNOWN);

    let out = run_ok(
        caducee(data.path())
            .args(["sync", "--once", "--account", "Cabinet"])
            .env("CADUCEE_PASSWORD", &d.user("claire").password),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 new message"), "{text}");
    assert!(d.log().contains("user=<claire>"), "{}", d.log());
}

#[test]
fn plaintext_autoconfig_is_refused() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    let dns = Dnsmasq::start(&[], &[DOMAIN]);
    let web = HttpsServer::start(
        &d.ca,
        routes(&[(
            FIRST,
            &autoconfig((d.imap_port, "plain"), (25, "plain"), "%EMAILADDRESS%"),
        )]),
    );
    let data = tempfile::tempdir().unwrap();
    let out = caducee(data.path())
        .args(["account", "setup", &address, "--no-card-check"])
        .args(["--dns-server", &dns.addr(), "--autoconfig-url", &web.base()])
        .arg("--extra-ca")
        .arg(&d.ca_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("offers IMAP only over plain connections without TLS; they are refused"),
        "{err}"
    );
    let listed = json(&run_ok(
        caducee(data.path()).args(["account", "list", "--json"]),
    ));
    assert_eq!(listed.as_array().unwrap().len(), 0);

    // Plain http:// for the autoconfig itself is refused too.
    let out = caducee(data.path())
        .args(["account", "discover", &address, "--no-card-check"])
        .args(["--dns-server", &dns.addr()])
        .args([
            "--autoconfig-url",
            &format!("http://127.0.0.1:{}", web.port),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("plain HTTP is refused"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn nothing_found_asks_for_manual_settings_then_uses_them() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    let dns = Dnsmasq::start(&[], &[DOMAIN]);
    let web = HttpsServer::start(&d.ca, HashMap::new());
    let data = tempfile::tempdir().unwrap();
    let base = |c: &mut Command| {
        c.args(["account", "setup", &address, "--no-card-check"])
            .args(["--dns-server", &dns.addr(), "--autoconfig-url", &web.base()])
            .arg("--extra-ca")
            .arg(&d.ca_path);
    };
    let mut c = caducee(data.path());
    base(&mut c);
    let out = c.output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no mail server settings were found for test.mssante.fr"),
        "{err}"
    );
    assert!(
        err.contains("_imaps._tcp.test.mssante.fr.: no record"),
        "{err}"
    );
    assert!(err.contains("HTTP status 404"), "{err}");
    assert!(err.contains("--imap-host HOST --smtp-host HOST"), "{err}");

    let mut c = caducee(data.path());
    base(&mut c);
    let out = run_ok(
        c.args(["--imap-host", "localhost", "--imap-port"])
            .arg(d.imaps_port.to_string())
            .args(["--smtp-host", "localhost", "--smtp-port"])
            .arg(d.submission_port.to_string())
            .args(["--auth", "password", "--json"]),
    );
    let report = json(&out);
    assert_eq!(report["discovery"]["source"], "manual", "{report}");
    assert!(report["account_id"].is_i64());

    // No DNS server at that address: said, and the search goes on.
    let silent = format!("127.0.0.1:{}", support::free_port());
    let out = caducee(data.path())
        .args(["account", "discover", &address, "--no-card-check"])
        .args(["--dns-server", &silent, "--autoconfig-url", &web.base()])
        .arg("--extra-ca")
        .arg(&d.ca_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("_imaps._tcp.test.mssante.fr.: the DNS question failed"),
        "{err}"
    );
    assert!(err.contains("HTTP status 404"), "{err}");
}

#[test]
fn unreachable_server_and_untrusted_certificate_are_explained() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    let closed = support::free_port();
    let dns = Dnsmasq::start(
        &[
            srv("_imaps._tcp", "localhost", closed, 0, 0),
            srv("_submissions._tcp", "localhost", d.submissions_port, 0, 0),
        ],
        &[DOMAIN],
    );
    let data = tempfile::tempdir().unwrap();
    let out = caducee(data.path())
        .args(["account", "setup", &address, "--no-card-check"])
        .args(["--dns-server", &dns.addr()])
        .arg("--extra-ca")
        .arg(&d.ca_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot reach the mail server localhost:{closed}")),
        "{err}"
    );

    // The real server, but its test CA is not given: only IGC-Santé is trusted.
    let dns = Dnsmasq::start(
        &[
            srv("_imaps._tcp", "localhost", d.imaps_port, 0, 0),
            srv("_submissions._tcp", "localhost", d.submissions_port, 0, 0),
        ],
        &[DOMAIN],
    );
    let out = caducee(data.path())
        .args(["account", "setup", &address, "--no-card-check"])
        .args(["--dns-server", &dns.addr()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("the certificate of localhost was refused"),
        "{err}"
    );
    assert!(err.contains("IGC-Santé"), "{err}");
    let listed = json(&run_ok(
        caducee(data.path()).args(["account", "list", "--json"]),
    ));
    assert_eq!(listed.as_array().unwrap().len(), 0);
}

#[test]
fn login_methods_read_from_the_server() {
    let data = tempfile::tempdir().unwrap();
    let discover = |d: &Dovecot, dns: &Dnsmasq| {
        json(&run_ok(
            caducee(data.path())
                .args(["account", "discover", &d.users[0].address, "--json"])
                .args(["--no-card-check", "--dns-server", &dns.addr()])
                .arg("--extra-ca")
                .arg(&d.ca_path),
        ))
    };
    let records = |d: &Dovecot| {
        vec![
            srv("_imaps._tcp", "localhost", d.imaps_port, 0, 0),
            srv("_submission._tcp", "localhost", d.submission_port, 0, 0),
        ]
    };

    // Passwords or certificates.
    let d = Dovecot::start(&["claire"]);
    let dns = Dnsmasq::start(&records(&d), &[DOMAIN]);
    let r = discover(&d, &dns);
    let imap: Vec<&str> = r["detection"]["imap_mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(imap.contains(&"PLAIN") && imap.contains(&"EXTERNAL"), "{r}");
    let smtp = r["detection"]["smtp_mechanisms"].to_string();
    assert!(smtp.contains("PLAIN"), "{r}");
    let methods = r["detection"]["methods"].to_string();
    assert!(
        methods.contains("password") && methods.contains("cps"),
        "{r}"
    );
    drop((dns, d));

    // Client certificates only: EXTERNAL, so a card or a certificate.
    let d = Dovecot::start_with(&["810002813839"], Login::CertificateOnly);
    let dns = Dnsmasq::start(&records(&d), &[DOMAIN]);
    let r = discover(&d, &dns);
    assert_eq!(
        r["detection"]["imap_mechanisms"],
        serde_json::json!(["EXTERNAL"]),
        "{r}"
    );
    assert_eq!(
        r["detection"]["methods"],
        serde_json::json!(["cps", "certificate"]),
        "{r}"
    );
    assert_eq!(r["proposed"], "cps");
}

#[test]
fn a_cps_card_in_a_reader_is_seen() {
    use support::pcscd::Pcscd;
    use support::vpcd::{Behaviour, CPS3_ATR, VirtualCard};

    let d = Dovecot::start(&["claire"]);
    let dns = Dnsmasq::start(
        &[
            srv("_imaps._tcp", "localhost", d.imaps_port, 0, 0),
            srv("_submission._tcp", "localhost", d.submission_port, 0, 0),
        ],
        &[DOMAIN],
    );
    let data = tempfile::tempdir().unwrap();
    let discover = || {
        json(&run_ok(
            caducee(data.path())
                .args(["account", "discover", &d.users[0].address, "--json"])
                .args(["--dns-server", &dns.addr()])
                .arg("--extra-ca")
                .arg(&d.ca_path),
        ))
    };
    let p = Pcscd::start();
    assert_eq!(discover()["detection"]["card_present"], false);

    let card = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let out = caducee(data.path())
            .args(["card", "status", "--json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if v["readers"][0]["card"]["kind"] == "cps3" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{v}: {}", p.log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let r = discover();
    assert_eq!(r["detection"]["card_present"], true, "{r}");
    assert_eq!(r["proposed"], "cps", "{r}");
    card.remove();
}
