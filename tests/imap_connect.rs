//! Connecting and logging in to a real Dovecot: implicit TLS, STARTTLS,
//! wrong password, untrusted server, SASL EXTERNAL with a client certificate.

mod support;

use std::sync::Arc;

use caducee::account::{Security, Server};
use caducee::imap::{self, Credentials, ImapError};
use caducee::tls::{TlsError, TlsSettings};
use support::dovecot::Dovecot;

fn server(d: &Dovecot, security: Security) -> Server {
    Server {
        host: d.host.clone(),
        port: match security {
            Security::Tls => d.imaps_port,
            Security::StartTls => d.imap_port,
        },
        security,
    }
}

fn tls(d: &Dovecot) -> TlsSettings {
    TlsSettings {
        extra_ca: Some(d.ca_path.clone()),
        client_auth: None,
    }
}

fn password(d: &Dovecot, user: &str) -> Credentials {
    let u = d.user(user);
    Credentials::Password {
        username: u.address.clone(),
        password: u.password.clone(),
    }
}

#[tokio::test]
async fn login_over_implicit_tls_and_starttls() {
    let d = Dovecot::start(&["alice"]);
    for security in [Security::Tls, Security::StartTls] {
        let mut s = imap::open_with(&server(&d, security), &tls(&d), &password(&d, "alice"))
            .await
            .unwrap_or_else(|e| panic!("{security:?}: {e}\n{}", d.log()));
        let caps = s.capabilities().await.unwrap();
        assert!(caps.has_str("IDLE"), "{security:?}");
        let inbox = s.select("INBOX").await.unwrap();
        assert_eq!(inbox.exists, 0);
        s.logout().await.unwrap();
    }
}

#[tokio::test]
async fn wrong_password_and_untrusted_server_are_explained() {
    let d = Dovecot::start(&["alice"]);
    let bad = Credentials::Password {
        username: "alice".into(),
        password: "nope".into(),
    };
    let err = imap::open_with(&server(&d, Security::Tls), &tls(&d), &bad)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ImapError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("alice"));

    // Without the test CA only IGC-Santé is trusted: the server is refused.
    let err = imap::open_with(
        &server(&d, Security::StartTls),
        &TlsSettings::default(),
        &password(&d, "alice"),
    )
    .await
    .err()
    .unwrap();
    assert!(
        matches!(err, ImapError::Tls(TlsError::Certificate { .. })),
        "{err}"
    );
}

#[tokio::test]
async fn sasl_external_with_a_client_certificate() {
    let d = Dovecot::start(&["alice"]);
    let issued = d.ca.client("alice");
    let certs = rustls_pemfile::certs(&mut issued.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls_pemfile::private_key(&mut issued.key_pem.as_bytes())
        .unwrap()
        .unwrap();
    let provider = rustls::crypto::ring::default_provider();
    let signing = provider.key_provider.load_private_key(key).unwrap();
    let certified = rustls::sign::CertifiedKey::new(certs, signing);
    let resolver = Arc::new(rustls::sign::SingleCertAndKey::from(certified));
    let settings = TlsSettings {
        extra_ca: Some(d.ca_path.clone()),
        client_auth: Some(resolver),
    };
    let mut s = imap::open_with(
        &server(&d, Security::Tls),
        &settings,
        &Credentials::External { authzid: None },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    s.select("INBOX").await.unwrap();
    s.logout().await.unwrap();
    assert!(d.log().contains("method=EXTERNAL"), "{}", d.log());
}
