//! IGC-Santé is the only trusted CA unless an extra CA is given explicitly; a
//! refused certificate is explained.

mod support;

use std::sync::Arc;

use caducee::tls::{TlsClient, TlsError, TlsSettings};
use support::ca::TestCa;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A TLS echo-once server on loopback with a certificate from `ca`.
async fn server(ca: &TestCa) -> u16 {
    let issued = ca.server(&["localhost"]);
    let certs = rustls_pemfile::certs(&mut issued.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls_pemfile::private_key(&mut issued.key_pem.as_bytes())
        .unwrap()
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let _ = tls.write_all(b"* OK hello\r\n").await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn unknown_ca_is_refused_and_explained() {
    let ca = TestCa::new("Autorite de test inconnue");
    let port = server(&ca).await;
    let client = TlsClient::new(&TlsSettings::default()).unwrap();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let err = client.connect("localhost", tcp).await.unwrap_err();
    match &err {
        TlsError::Certificate { issuer, reason, .. } => {
            assert!(issuer.contains("Autorite de test inconnue"), "{issuer}");
            assert!(reason.contains("not a trusted authority"), "{reason}");
        }
        other => panic!("expected a certificate refusal, got {other}"),
    }
    assert!(err.to_string().contains("IGC-Santé"));
}

/// A client trusting IGC-Santé and, explicitly, `ca`.
fn client_trusting(ca: &TestCa, dir: &std::path::Path) -> TlsClient {
    TlsClient::new(&TlsSettings {
        extra_ca: Some(ca.write(dir, "ca.pem")),
        client_auth: None,
    })
    .unwrap()
}

#[tokio::test]
async fn explicit_extra_ca_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("CA de test explicite");
    let port = server(&ca).await;
    let client = client_trusting(&ca, dir.path());
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut tls = client.connect("localhost", tcp).await.unwrap();
    let mut greeting = String::new();
    tls.read_to_string(&mut greeting).await.unwrap();
    assert_eq!(greeting, "* OK hello\r\n");
}

#[tokio::test]
async fn wrong_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("CA de test");
    let port = server(&ca).await;
    let client = client_trusting(&ca, dir.path());
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let err = client.connect("imap.autre.fr", tcp).await.unwrap_err();
    assert!(
        err.to_string().contains("not issued for this server name"),
        "{err}"
    );
}

#[test]
fn igc_sante_roots_load() {
    assert_eq!(caducee::tls::igc_sante_roots().unwrap().len(), 9);
}

#[test]
fn missing_ca_file_is_explained() {
    let err = TlsClient::new(&TlsSettings {
        extra_ca: Some("/nonexistent/ca.pem".into()),
        client_auth: None,
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("/nonexistent/ca.pem"));
}
