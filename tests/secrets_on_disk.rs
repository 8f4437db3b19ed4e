//! No secret ever reaches a file. The command-line flows run against real
//! components (a private Dovecot found through SRV records on a private
//! dnsmasq, a SoftHSM2 token standing in for the CPS card, a PKCS#12
//! application certificate, a loopback FHIR server) with every secret the
//! tests use: the store key, mail passwords, the PKCS#12 password, the card
//! PIN, an access token and the directory API key. Then every file under the
//! data directory (the SQLCipher store and its WAL/SHM while a sync runs, the
//! separate directory databases, anything else) and every line the commands
//! printed (with debug logs on) are searched for each secret, as is and in
//! hex and base64: none is found.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

use support::dnsmasq::Dnsmasq;
use support::dovecot::{DOMAIN, Dovecot};
use support::run_ok;
use support::token::{Holder, MODULE, PIN, cps_card};

const STORE_KEY: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";
const P12_PASSWORD: &str = "p12-Mot.de.passe-Secretariat";
const ACCESS_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.psc-access-token-for-tests.c2lnbmF0dXJl";
const API_KEY: &str = "annuaire-api-key-0f3c9a71";

/// The forms a secret could be written in.
fn encodings(secret: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("plain".to_owned(), secret.to_vec()),
        ("hex".to_owned(), hex::encode(secret).into_bytes()),
        ("HEX".to_owned(), hex::encode_upper(secret).into_bytes()),
    ];
    let engines = [
        ("base64", base64::engine::general_purpose::STANDARD),
        ("base64url", base64::engine::general_purpose::URL_SAFE),
    ];
    for (name, engine) in engines {
        // The secret may start at any offset modulo 3 of an encoded stream:
        // keep, for each, the characters that depend on the secret alone.
        for shift in 0..3 {
            let mut padded = vec![0u8; shift];
            padded.extend_from_slice(secret);
            let enc = engine.encode(&padded);
            let start = if shift == 0 { 0 } else { 4 };
            // Whole groups only: a trailing partial group depends on what follows.
            let end = padded.len() / 3 * 4;
            if end >= start + 4 {
                out.push((
                    format!("{name}+{shift}"),
                    enc.as_bytes()[start..end].to_vec(),
                ));
            }
        }
    }
    out
}

/// Secrets shorter than this (the 4-digit PIN) are looked for as a word of
/// their own: "1234" turns up by chance inside timestamps, ports and random
/// bytes, which would make the test fail on luck rather than on a leak.
const SHORT: usize = 8;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return false;
    }
    let standalone = needle.len() < SHORT;
    haystack.windows(needle.len()).enumerate().any(|(i, w)| {
        w == needle
            && (!standalone
                || (i
                    .checked_sub(1)
                    .is_none_or(|b| !haystack[b].is_ascii_alphanumeric())
                    && haystack
                        .get(i + needle.len())
                        .is_none_or(|a| !a.is_ascii_alphanumeric())))
    })
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every (what, secret) pair found in `bytes`.
fn leaks(bytes: &[u8], secrets: &[(&str, Vec<u8>)]) -> Vec<String> {
    let mut found = Vec::new();
    for (what, secret) in secrets {
        for (form, needle) in encodings(secret) {
            if contains(bytes, &needle) {
                found.push(format!("{what} ({form})"));
            }
        }
    }
    found
}

/// Search every file under `dir`; returns the files searched.
fn assert_no_secret_in_files(dir: &Path, secrets: &[(&str, Vec<u8>)]) -> Vec<String> {
    let mut files = Vec::new();
    all_files(dir, &mut files);
    let mut names = Vec::new();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let name = f.strip_prefix(dir).unwrap().display().to_string();
        let found = leaks(&bytes, secrets);
        assert!(found.is_empty(), "{name} holds {found:?}");
        let found = leaks(name.as_bytes(), secrets);
        assert!(found.is_empty(), "the file name {name} holds {found:?}");
        names.push(name);
    }
    names
}

/// A loopback FHIR API answering every search with an empty bundle, and
/// counting the requests that carried the right key.
fn fhir_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let keyed = std::sync::Arc::new(AtomicUsize::new(0));
    let k = keyed.clone();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            if req
                .headers()
                .iter()
                .any(|h| h.field.equiv("ESANTE-API-KEY") && h.value.as_str() == API_KEY)
            {
                k.fetch_add(1, Ordering::SeqCst);
            }
            let body = r#"{"resourceType":"Bundle","type":"searchset","total":0,"entry":[]}"#;
            let _ = req.respond(
                tiny_http::Response::from_string(body).with_header(
                    "Content-Type: application/fhir+json"
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                ),
            );
        }
    });
    (format!("http://127.0.0.1:{port}/fhir/v2"), keyed)
}

#[test]
fn no_secret_reaches_the_data_directory() {
    let holder = Holder::doctor();
    let card_user = holder.national_id.clone();
    let d = Dovecot::start(&["claire", "secretariat", &card_user, "paul"]);
    let addr = |u: &str| d.user(u).address.clone();
    let hsm = cps_card(&d.ca, &holder);
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
    let (fhir_base, fhir_keyed) = fhir_server();
    for u in ["claire", "secretariat", card_user.as_str()] {
        d.deliver(u, "INBOX", &support::mail::message(1, &addr(u)), false);
    }

    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
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
    let whitelist = work.path().join("liste.xml");
    std::fs::write(
        &whitelist,
        support::settings::whitelist_xml("2026-11-01T00:00:00Z", &[DOMAIN]),
    )
    .unwrap();

    let claire_pw = d.user("claire").password.clone();
    let paul_pw = d.user("paul").password.clone();
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("store key", STORE_KEY.as_bytes().to_vec()),
        ("store key bytes", hex::decode(STORE_KEY).unwrap()),
        ("claire's password", claire_pw.as_bytes().to_vec()),
        ("paul's password", paul_pw.as_bytes().to_vec()),
        ("PKCS#12 password", P12_PASSWORD.as_bytes().to_vec()),
        ("card PIN", PIN.as_bytes().to_vec()),
        ("access token", ACCESS_TOKEN.as_bytes().to_vec()),
        ("directory API key", API_KEY.as_bytes().to_vec()),
    ];

    // Every command gets every secret, and logs at debug level.
    let caducee = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
        c.env("CADUCEE_LANG", "en");
        c.env("CADUCEE_DATA_DIR", data.path())
            .env("CADUCEE_STORE_KEY", STORE_KEY)
            .env("CADUCEE_DNS_SERVER", dns.addr())
            .env("CADUCEE_PASSWORD", &claire_pw)
            .env("CADUCEE_PKCS12_PASSWORD", P12_PASSWORD)
            .env("CADUCEE_CARD_PIN", PIN)
            .env("CADUCEE_ACCESS_TOKEN", ACCESS_TOKEN)
            .env("CADUCEE_ESANTE_API_KEY", API_KEY)
            .env("CADUCEE_LOG", "debug");
        hsm.env(&mut c);
        c
    };
    let mut printed: Vec<(String, Output)> = Vec::new();
    let mut run = |what: &str, cmd: &mut Command, must_succeed: bool| {
        let out = cmd.stdin(Stdio::null()).output().unwrap();
        if must_succeed {
            assert!(
                out.status.success(),
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        printed.push((what.to_owned(), out));
    };
    let setup = |address: &str| {
        let mut c = caducee();
        c.args(["account", "setup", address, "--no-card-check"])
            .arg("--extra-ca")
            .arg(&d.ca_path);
        c
    };

    run(
        "setup claire",
        setup(&addr("claire")).args(["--auth", "password"]),
        true,
    );
    run(
        "setup secretariat",
        setup(&addr("secretariat")).arg("--pkcs12").arg(&p12),
        true,
    );
    run(
        "setup card",
        setup(&addr(&card_user)).args(["--auth", "cps", "--pkcs11-module", MODULE]),
        true,
    );
    run(
        "setup paul (e-CPS)",
        setup(&addr("paul")).args(["--auth", "psc"]),
        true,
    );
    run(
        "whitelist",
        caducee()
            .args(["whitelist", "import", "--force"])
            .arg(&whitelist),
        true,
    );
    for (who, account) in [
        ("claire", addr("claire")),
        ("secretariat", addr("secretariat")),
        ("card", addr(&card_user)),
    ] {
        run(
            &format!("sync {who}"),
            caducee().args(["sync", "--once", "--account", &account]),
            true,
        );
        run(
            &format!("send {who}"),
            caducee()
                .args(["send", "--account", &account, "--to", &addr("paul")])
                .args(["--subject", "Compte rendu", "--body", "Bien reçu."]),
            true,
        );
    }
    // The e-CPS login is not offered by this server: it fails, the token stays unwritten.
    run(
        "sync paul (e-CPS)",
        caducee().args(["sync", "--once", "--account", &addr("paul")]),
        false,
    );
    run(
        "identity",
        caducee().args(["account", "identity", &addr("secretariat")]),
        true,
    );
    run(
        "directory import",
        caducee().args(["directory", "import"]).arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/directory/demo-extraction.txt"
        )),
        true,
    );
    run(
        "directory online",
        caducee()
            .args(["directory", "search", "--online", "--api-base", &fhir_base])
            .args(["--name", "dupont"]),
        false,
    );
    assert!(
        fhir_keyed.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "the API key was used"
    );
    // Saving secrets: in the keyring or nowhere (no keyring here: refused).
    for (what, sub, secret) in [
        ("password", "password", claire_pw.as_str()),
        ("certificate password", "certificate-password", P12_PASSWORD),
    ] {
        let account = if sub == "password" {
            addr("claire")
        } else {
            addr("secretariat")
        };
        let mut child = caducee()
            .args(["account", sub, &account])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{secret}").unwrap();
        printed.push((what.to_owned(), child.wait_with_output().unwrap()));
    }
    let sent = d.count_files("paul", "INBOX");
    assert_eq!(sent, 3, "every account sent: {}", d.log());

    // While a sync runs, the store's WAL and SHM files exist: search them too.
    d.deliver(
        "claire",
        "INBOX",
        &support::mail::message(2, &addr("claire")),
        false,
    );
    let mut watch = caducee()
        .args(["sync", "--watch", "--account", &addr("claire")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut during = Vec::new();
    while Instant::now() < deadline {
        let wal = data.path().join("caducee.db-wal");
        if wal.exists() && std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0 {
            std::thread::sleep(Duration::from_millis(500));
            during = assert_no_secret_in_files(data.path(), &secrets);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(watch.id().to_string())
        .status();
    let _ = watch.wait();
    assert!(
        during.iter().any(|f| f == "caducee.db-wal")
            && during.iter().any(|f| f == "caducee.db-shm"),
        "the WAL and SHM were searched: {during:?}"
    );

    let after = assert_no_secret_in_files(data.path(), &secrets);
    eprintln!("searched while syncing: {during:?}; after: {after:?}");
    assert!(after.iter().any(|f| f == "caducee.db"), "{after:?}");
    assert!(after.iter().any(|f| f == "directory.db"), "{after:?}");
    assert!(
        after
            .iter()
            .any(|f| f.starts_with("directory-") && f.ends_with(".db")),
        "{after:?}"
    );

    for (what, out) in &printed {
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let found = leaks(bytes, &secrets);
            assert!(
                found.is_empty(),
                "{what} printed {found:?} on {stream}: {}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

#[test]
fn the_search_finds_what_it_looks_for() {
    // The search itself must see a secret in each form it checks.
    let secret = b"secret-claire".to_vec();
    let secrets = vec![("s", secret.clone())];
    let b64 = base64::engine::general_purpose::STANDARD;
    for prefix in ["", "x", "xy"] {
        let mut stream = prefix.as_bytes().to_vec();
        stream.extend_from_slice(&secret);
        stream.extend_from_slice(b"tail");
        let encoded = b64.encode(&stream);
        assert!(
            !leaks(encoded.as_bytes(), &secrets).is_empty(),
            "{prefix:?}"
        );
    }
    assert!(!leaks(hex::encode(&secret).as_bytes(), &secrets).is_empty());
    assert!(!leaks(b"..secret-claire..", &secrets).is_empty());
    assert!(leaks(b"nothing here", &secrets).is_empty());

    // A PIN is found as a word of its own, not inside a longer number.
    let pin = vec![("pin", b"1234".to_vec())];
    assert!(!leaks(b"pin=1234\n", &pin).is_empty());
    assert!(!leaks(b"1234", &pin).is_empty());
    assert!(leaks(b"127.0.0.1:41234 at 23:03:12345", &pin).is_empty());
}
