//! Refresh of the whitelist over real TLS from a loopback HTTPS server that
//! stands in for espacedeconfiance.mssante.fr (which cannot be reached from
//! tests): only IGC-Santé and the CA given explicitly are trusted, and any
//! broken download keeps the last good copy.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use caducee::store::{Store, StoreKey};
use caducee::trust::{self, ImportOptions, TrustError, Whitelist};

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/whitelist/listeblanchemssante_full_6554_20250313.xml"
);

/// A test CA and a server certificate for 127.0.0.1 signed by it.
struct Pki {
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

fn pki(name: &str) -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} test CA"));
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let server = server_params.signed_by(&server_key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        chain: vec![server.der().clone(), ca.der().clone()],
        key_der: server_key.serialize_der(),
    }
}

/// A one-thread HTTPS/1.1 server answering fixed routes, stopped on drop.
struct HttpsServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpsServer {
    fn start(pki: &Pki, routes: HashMap<String, (u16, Vec<u8>)>) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                pki.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone())),
            )
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                // A failed handshake (untrusted certificate) just ends the connection.
                let _ = serve_one(config.clone(), stream, &routes);
            }
        });
        HttpsServer {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(
    config: Arc<rustls::ServerConfig>,
    tcp: TcpStream,
    routes: &HashMap<String, (u16, Vec<u8>)>,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut reader = BufReader::new(&mut tls);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
    let (status, body) = routes
        .get(&path)
        .cloned()
        .unwrap_or((404, b"not found".to_vec()));
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    );
    tls.write_all(head.as_bytes())?;
    tls.write_all(&body)?;
    tls.conn.send_close_notify();
    tls.flush()?;
    Ok(())
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
    (dir, store)
}

/// The real list, regenerated later and with one more domain.
fn newer_list() -> Vec<u8> {
    let xml = std::fs::read_to_string(SHIPPED).unwrap();
    let extra = "<Domaine><Nom>nouveau-cabinet.mssante.fr</Nom><Description>Nouveau</Description>\
        <DNCertificatOperateur>CN=mss.example.fr,C=FR</DNCertificatOperateur>\
        <ResponsableContact>r</ResponsableContact><SupportContact>s</SupportContact>\
        <DateMAJ>2026-11-01T00:00:00Z</DateMAJ></Domaine>";
    let xml = xml.replacen(
        "<DateDeGeneration>2025-03-13T14:54:10Z</DateDeGeneration>",
        "<DateDeGeneration>2026-11-01T06:00:00Z</DateDeGeneration>",
        1,
    );
    let xml = xml.replacen("<ListeDomaines>", &format!("<ListeDomaines>{extra}"), 1);
    xml.into_bytes()
}

fn write_ca(dir: &tempfile::TempDir, name: &str, pki: &Pki) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, &pki.ca_pem).unwrap();
    path
}

fn opts(extra_ca: Option<PathBuf>) -> ImportOptions {
    ImportOptions {
        force: false,
        extra_ca,
    }
}

#[test]
fn refresh_over_tls_with_the_explicit_ca() {
    let (dir, store) = open();
    let before = Whitelist::load(&store).unwrap();
    assert!(!before.check("x@nouveau-cabinet.mssante.fr").is_allowed());

    let pki = pki("trusted");
    let newer = newer_list();
    let full_len = newer.len();
    let routes = HashMap::from([
        ("/listeblanchemssante.xml".to_owned(), (200, newer.clone())),
        (
            "/truncated.xml".to_owned(),
            (200, newer[..full_len / 2].to_vec()),
        ),
        (
            "/small.xml".to_owned(),
            (
                200,
                String::from_utf8(newer.clone())
                    .unwrap()
                    .split("<Domaine>")
                    .take(50)
                    .collect::<Vec<_>>()
                    .join("<Domaine>")
                    .rsplit_once("<Domaine>")
                    .map(|(head, _)| format!("{head}</ListeDomaines></ListeBlancheMSSante>"))
                    .unwrap()
                    .into_bytes(),
            ),
        ),
        (
            "/broken.xml".to_owned(),
            (200, b"<html>maintenance</html>".to_vec()),
        ),
    ]);
    let server = HttpsServer::start(&pki, routes);
    let ca = write_ca(&dir, "ca.pem", &pki);

    // Broken downloads keep the last good copy, with the reason recorded.
    type Expect = fn(&TrustError) -> bool;
    let bad: [(&str, Expect); 4] = [
        ("/truncated.xml", |e| {
            matches!(e, TrustError::Truncated | TrustError::Xml { .. })
        }),
        (
            "/small.xml",
            |e| matches!(e, TrustError::Shrunk { new, .. } if *new < 50),
        ),
        ("/broken.xml", |e| {
            matches!(
                e,
                TrustError::WrongRoot(_) | TrustError::WrongNamespace { .. }
            )
        }),
        ("/missing.xml", |e| {
            matches!(e, TrustError::HttpStatus { status: 404, .. })
        }),
    ];
    for (path, expected) in bad {
        let url = server.url(path);
        let err = trust::refresh(&store, &url, &opts(Some(ca.clone()))).unwrap_err();
        assert!(expected(&err), "{path}: {err:?}");
        let kept = Whitelist::load(&store).unwrap();
        assert_eq!(kept.len(), before.len());
        assert_eq!(kept.info().source, before.info().source);
        let last = &trust::store::attempts(&store, 1).unwrap()[0];
        assert_eq!(
            (last.outcome.as_str(), last.source.as_str()),
            ("kept-previous", url.as_str())
        );
        assert_eq!(last.reason, err.to_string());
    }

    // The good one is taken.
    let url = server.url("/listeblanchemssante.xml");
    let report = trust::refresh(&store, &url, &opts(Some(ca))).unwrap();
    assert_eq!(report.info.domains, before.len() + 1);
    assert_eq!(report.previous_domains, Some(before.len()));
    let after = Whitelist::load(&store).unwrap();
    assert!(
        after
            .check("Dr N <n@nouveau-cabinet.mssante.fr>")
            .is_allowed()
    );
    assert_eq!(after.info().source, url);
    assert!(after.generated_at() > before.generated_at());
}

#[test]
fn a_server_from_an_untrusted_ca_is_refused() {
    let (dir, store) = open();
    let before = Whitelist::load(&store).unwrap();
    let routes = HashMap::from([("/listeblanchemssante.xml".to_owned(), (200, newer_list()))]);
    let server_pki = pki("rogue");
    let server = HttpsServer::start(&server_pki, routes);
    let url = server.url("/listeblanchemssante.xml");

    // Another CA given explicitly does not vouch for this server.
    let other = pki("other");
    let other_ca = write_ca(&dir, "other.pem", &other);
    // And IGC-Santé alone does not either.
    for extra in [Some(other_ca), None] {
        let err = trust::refresh(&store, &url, &opts(extra)).unwrap_err();
        match &err {
            TrustError::UntrustedServer { url: u, detail } => {
                assert_eq!(u, &url);
                assert!(detail.to_lowercase().contains("certificate"), "{detail}");
            }
            other => panic!("expected an untrusted server, got {other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.contains("not trusted") && text.contains("IGC-Santé"),
            "{text}"
        );
        let kept = Whitelist::load(&store).unwrap();
        assert_eq!(kept.len(), before.len());
        assert!(!kept.check("x@nouveau-cabinet.mssante.fr").is_allowed());
    }
}

#[test]
fn a_bad_ca_file_is_reported() {
    let (dir, store) = open();
    let path = dir.path().join("not-a-ca.pem");
    std::fs::write(&path, "hello").unwrap();
    let err = trust::refresh(&store, "https://127.0.0.1:9/x.xml", &opts(Some(path))).unwrap_err();
    assert!(matches!(err, TrustError::BadCaFile { .. }), "{err:?}");
    assert!(err.to_string().contains("no certificate"), "{err}");
}
