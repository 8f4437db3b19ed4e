//! The card's key through the library, in one process: a SoftHSM2 token
//! (the PKCS#11 module is initialised once per process, so this file holds a
//! single test), signatures made on the token and checked with ring against
//! the certificate's public key, the key shared across threads, and a real
//! TLS 1.2 handshake with RSA PKCS#1 v1.5 only (a CPS3 card offers no PSS)
//! against Dovecot requiring client certificates.

mod support;

use std::sync::Arc;

use caducee::auth::signer::{TokenSigner, TokenSigningKey};
use caducee::auth::{AuthError, ClientCertificate, Identity, PinSource, TokenKey};
use caducee::tls::{TlsClient, TlsSettings};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use rustls::SignatureScheme;
use rustls::sign::{Signer, SigningKey};
use support::dovecot::{Dovecot, Login};
use support::token::{Holder, MODULE, PIN, cps_card};

struct Pin(&'static str);

impl PinSource for Pin {
    fn pin(&self, _token: &str) -> Result<String, AuthError> {
        Ok(self.0.to_owned())
    }
}

/// A card key restricted to RSA PKCS#1 v1.5 SHA-256, like a CPS3 card.
#[derive(Debug)]
struct Pkcs1Only(Arc<TokenKey>);

impl SigningKey for Pkcs1Only {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::RSA_PKCS1_SHA256)
            .then(|| {
                Box::new(
                    TokenSigner::new(self.0.clone(), SignatureScheme::RSA_PKCS1_SHA256).unwrap(),
                ) as Box<dyn Signer>
            })
    }

    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        rustls::SignatureAlgorithm::RSA
    }
}

fn verify(
    cert_der: &[u8],
    alg: &'static dyn ring::signature::VerificationAlgorithm,
    msg: &[u8],
    sig: &[u8],
) {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).unwrap();
    let public = cert.public_key().subject_public_key.data.to_vec();
    ring::signature::UnparsedPublicKey::new(alg, public)
        .verify(msg, sig)
        .expect("the token's signature verifies with the certificate's key");
}

#[test]
fn token_key_signs_shares_and_logs_in_over_tls12() {
    let holder = Holder::doctor();
    let d = Dovecot::start_with(&[&holder.national_id], Login::CertificateOnly);
    let hsm = cps_card(&d.ca, &holder);
    // Before the module is first loaded in this process.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };

    let key = Arc::new(TokenKey::login(Some(MODULE.as_ref()), &Pin(PIN)).unwrap());
    assert!(key.offers_pss() && key.offers_pkcs1());
    assert_eq!(key.modulus_bits(), 2048);
    assert_eq!(key.certificate().id, vec![0x01, 0x20]);
    let id = Identity::from_der(key.certificate_der()).unwrap();
    assert_eq!(
        id.national_id.as_deref(),
        Some("810002813839"),
        "the 0x20 certificate, not the 0x10 one"
    );
    assert_eq!(id.name, "JEAN DUPONT");
    assert_eq!(id.national_id_kind(), Some("RPPS"));

    // The private key stays on the token.
    let ctx = caducee::auth::module::context(MODULE.as_ref()).unwrap();
    let slot = ctx.get_slots_with_token().unwrap()[0];
    let session = ctx.open_ro_session(slot).unwrap();
    session
        .login(
            cryptoki::session::UserType::User,
            Some(&cryptoki::types::AuthPin::from(PIN.to_owned())),
        )
        .ok();
    let private = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(vec![0x01, 0x20]),
        ])
        .unwrap();
    let attrs = session
        .get_attributes(
            private[0],
            &[AttributeType::Sensitive, AttributeType::Extractable],
        )
        .unwrap();
    assert!(attrs.contains(&Attribute::Sensitive(true)), "{attrs:?}");
    assert!(attrs.contains(&Attribute::Extractable(false)), "{attrs:?}");
    drop(session);

    // PKCS#1 v1.5 over a DigestInfo, and PSS, both made on the token.
    let msg = b"TLS 1.3, client CertificateVerify";
    let signing = TokenSigningKey::new(key.clone());
    let pkcs1 = signing
        .choose_scheme(&[SignatureScheme::RSA_PKCS1_SHA256])
        .unwrap();
    verify(
        key.certificate_der(),
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        msg,
        &pkcs1.sign(msg).unwrap(),
    );
    let pkcs1 = signing
        .choose_scheme(&[SignatureScheme::RSA_PKCS1_SHA512])
        .unwrap();
    verify(
        key.certificate_der(),
        &ring::signature::RSA_PKCS1_2048_8192_SHA512,
        msg,
        &pkcs1.sign(msg).unwrap(),
    );
    let pss = signing
        .choose_scheme(&[
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PSS_SHA256,
        ])
        .unwrap();
    assert_eq!(
        pss.scheme(),
        SignatureScheme::RSA_PSS_SHA256,
        "PSS preferred when offered"
    );
    verify(
        key.certificate_der(),
        &ring::signature::RSA_PSS_2048_8192_SHA256,
        msg,
        &pss.sign(msg).unwrap(),
    );
    assert!(
        signing
            .choose_scheme(&[SignatureScheme::ECDSA_NISTP256_SHA256])
            .is_none()
    );

    // One session, many threads.
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let key = key.clone();
            std::thread::spawn(move || {
                let msg = format!("message {i}").into_bytes();
                let s = TokenSigner::new(key.clone(), SignatureScheme::RSA_PSS_SHA384).unwrap();
                (msg.clone(), s.sign(&msg).unwrap())
            })
        })
        .collect();
    for t in threads {
        let (msg, sig) = t.join().unwrap();
        verify(
            key.certificate_der(),
            &ring::signature::RSA_PSS_2048_8192_SHA384,
            &msg,
            &sig,
        );
    }

    // A PKCS#1-only card: TLS 1.2 is chosen, the handshake and EXTERNAL work.
    let cert = ClientCertificate::new(
        vec![key.certificate_der().to_vec().into()],
        Arc::new(Pkcs1Only(key.clone())),
    );
    let tls = TlsClient::new(&TlsSettings {
        extra_ca: Some(d.ca_path.clone()),
        client_auth: Some(Arc::new(cert)),
    })
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", d.imaps_port))
            .await
            .unwrap();
        let stream = tls.connect("localhost", tcp).await.unwrap();
        assert_eq!(
            stream.get_ref().1.protocol_version(),
            Some(rustls::ProtocolVersion::TLSv1_2)
        );
        let mut client = async_imap::Client::new(stream);
        client.read_response().await.unwrap().unwrap();
        let mut session = caducee::imap::login(
            client,
            &caducee::imap::Credentials::External { authzid: None },
        )
        .await
        .unwrap();
        session.select("INBOX").await.unwrap();
        session.logout().await.unwrap();
    });
    assert!(
        d.log().contains("user=<810002813839>, method=EXTERNAL"),
        "{}",
        d.log()
    );

    // The session lock's PIN login is the token login: the PIN logs the
    // account in (its connections then need no PIN), and taking the card out
    // forgets it. The token is still logged in by the key above: a wrong PIN
    // must be refused all the same.
    use caducee::account::{Account, AuthMethod};
    use caducee::auth::lock::SessionLock;
    let mut settings = support::sender::settings(&d, caducee::account::Security::Tls);
    settings.auth = AuthMethod::Cps {
        pkcs11_module: Some(MODULE.into()),
    };
    let account = Account {
        id: 1,
        name: "Jean Dupont".into(),
        address: format!("{}@{}", holder.national_id, d.host),
        settings,
    };
    let lock = SessionLock::new(Arc::new(caducee::auth::TokenLogin::new(account.clone())));
    lock.card_inserted("Reader 0");
    let wrong = lock.unlock("9999");
    assert!(wrong.is_err(), "a wrong PIN unlocked a logged-in token");
    assert!(!lock.watch().is_unlocked());
    lock.unlock(PIN).unwrap();
    assert!(lock.watch().is_unlocked());
    // No PIN source is set in this process: only a kept login can answer.
    let cert = caducee::auth::client_auth(&account).unwrap().unwrap();
    assert_eq!(
        Identity::from_der(cert.certificate_der())
            .unwrap()
            .national_id,
        Some(holder.national_id.clone())
    );
    lock.card_removed("Reader 0");
    assert!(matches!(
        caducee::auth::client_auth(&account),
        Err(AuthError::NoPin { .. })
    ));
}
