//! TLS for MSSanté servers (IMAP, SMTP submission, HTTPS).
//!
//! IGC-Santé is the only certificate authority trusted for MSSanté servers: its
//! roots and intermediates ship with the program (`assets/igc-sante/`). A test or
//! private CA is added only through an explicit per-account file. TLS 1.2 is the
//! minimum. A refused certificate is explained: who issued it and why it was refused.

pub mod https;
mod verifier;

use crate::i18n::{tr1, tr2, tr4};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use verifier::ExplainingVerifier;
pub use verifier::PeerCertificate;

/// The IGC-Santé certificates shipped with the program.
const IGC_SANTE: &[(&str, &[u8])] = &[
    (
        "ACR-ELEMENTAIRE",
        include_bytes!("../../assets/igc-sante/ACR_ELEMENTAIRE_20130625.pem"),
    ),
    (
        "ACR-STANDARD",
        include_bytes!("../../assets/igc-sante/ACR_STANDARD_20130625.pem"),
    ),
    (
        "ACR-FORT",
        include_bytes!("../../assets/igc-sante/ACR_FORT_20130625.pem"),
    ),
    (
        "AC-ELEMENTAIRE-ORGANISATIONS",
        include_bytes!("../../assets/igc-sante/AC_ELEMENTAIRE_ORGANISATIONS_20130625.pem"),
    ),
    (
        "AC-ELEMENTAIRE-PERSONNES",
        include_bytes!("../../assets/igc-sante/AC_ELEMENTAIRE_PERSONNES_20130625.pem"),
    ),
    (
        "AC-STANDARD-ORGANISATIONS",
        include_bytes!("../../assets/igc-sante/AC_STANDARD_ORGANISATIONS_20130625.pem"),
    ),
    (
        "AC-STANDARD-PERSONNES",
        include_bytes!("../../assets/igc-sante/AC_STANDARD_PERSONNES_20130625.pem"),
    ),
    (
        "AC-FORT-ORGANISATIONS",
        include_bytes!("../../assets/igc-sante/AC_FORT_ORGANISATIONS_20130625.pem"),
    ),
    (
        "AC-FORT-PERSONNES",
        include_bytes!("../../assets/igc-sante/AC_FORT_PERSONNES_20130625.pem"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{}", tr2("tls-ca-file", "path", &.path.display(), "reason", .reason))]
    CaFile { path: PathBuf, reason: String },
    #[error("{}", tr1("tls-empty-ca-file", "path", &.0.display()))]
    EmptyCaFile(PathBuf),
    #[error("{}", tr1("tls-server-name", "name", .0))]
    ServerName(String),
    #[error("{}", tr1("tls-setup", "reason", .0))]
    Setup(String),
    #[error("{}", tr4("tls-certificate", "host", .host, "reason", .reason, "issuer", .issuer, "subject", .subject))]
    Certificate {
        host: String,
        reason: String,
        issuer: String,
        subject: String,
    },
    #[error("{}", tr2("tls-handshake", "host", .host, "reason", .reason))]
    Handshake { host: String, reason: String },
}

/// What a TLS client trusts and how it proves who it is.
#[derive(Clone, Default)]
pub struct TlsSettings {
    /// An extra CA (PEM) trusted besides IGC-Santé: test or private servers only.
    pub extra_ca: Option<PathBuf>,
    /// Client certificate (CPS card, application certificate), when the server asks.
    pub client_auth: Option<Arc<dyn ResolvesClientCert>>,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSettings")
            .field("extra_ca", &self.extra_ca)
            .field("client_auth", &self.client_auth.is_some())
            .finish()
    }
}

/// The IGC-Santé certificates shipped with the program, DER.
pub fn igc_sante_certificates() -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let mut all = Vec::new();
    for (name, pem) in IGC_SANTE {
        for cert in rustls_pemfile::certs(&mut &pem[..]) {
            all.push(cert.map_err(|e| TlsError::Setup(format!("{name}: {e}")))?);
        }
    }
    Ok(all)
}

/// The IGC-Santé trust anchors.
pub fn igc_sante_roots() -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in igc_sante_certificates()? {
        roots
            .add(cert)
            .map_err(|e| TlsError::Setup(e.to_string()))?;
    }
    Ok(roots)
}

/// Read every certificate of a PEM file.
pub fn read_pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let err = |reason: String| TlsError::CaFile {
        path: path.to_path_buf(),
        reason,
    };
    let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let certs = rustls_pemfile::certs(&mut &data[..])
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::EmptyCaFile(path.to_path_buf()));
    }
    Ok(certs)
}

/// A TLS client for one account: its configuration and the verifier that can
/// explain a refusal.
#[derive(Clone)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
    verifier: Arc<ExplainingVerifier>,
}

impl TlsClient {
    pub fn new(settings: &TlsSettings) -> Result<Self, TlsError> {
        let mut roots = igc_sante_roots()?;
        if let Some(path) = &settings.extra_ca {
            for cert in read_pem_certs(path)? {
                roots.add(cert).map_err(|e| TlsError::CaFile {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Arc::new(ExplainingVerifier::new(roots, provider.clone())?);
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions(settings))
            .map_err(|e| TlsError::Setup(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone());
        let config = match &settings.client_auth {
            Some(resolver) => builder.with_client_cert_resolver(resolver.clone()),
            None => builder.with_no_client_auth(),
        };
        Ok(Self {
            config: Arc::new(config),
            verifier,
        })
    }

    /// The rustls configuration (for libraries that take one).
    pub fn config(&self) -> Arc<ClientConfig> {
        self.config.clone()
    }

    /// Run the TLS handshake over `stream` (a fresh TCP connection for implicit
    /// TLS, or one after STARTTLS).
    pub async fn connect<S>(&self, host: &str, stream: S) -> Result<TlsStream<S>, TlsError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| TlsError::ServerName(host.to_owned()))?;
        TlsConnector::from(self.config.clone())
            .connect(name, stream)
            .await
            .map_err(|e| self.explain(host, &e))
    }

    /// Turn a handshake failure into a message a user can act on.
    pub fn explain(&self, host: &str, err: &std::io::Error) -> TlsError {
        let reason = err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(describe)
            .unwrap_or_else(|| err.to_string());
        match self.verifier.last_refused() {
            Some(peer) => TlsError::Certificate {
                host: host.to_owned(),
                reason,
                issuer: peer.issuer,
                subject: peer.subject,
            },
            None => TlsError::Handshake {
                host: host.to_owned(),
                reason,
            },
        }
    }
}

/// TLS 1.3 and 1.2, or 1.2 alone when the client key cannot sign for TLS 1.3
/// (a card whose token offers RSA PKCS#1 v1.5 but not RSA-PSS).
fn versions(settings: &TlsSettings) -> &'static [&'static rustls::SupportedProtocolVersion] {
    use rustls::SignatureScheme as S;
    const BOTH: &[&rustls::SupportedProtocolVersion] =
        &[&rustls::version::TLS13, &rustls::version::TLS12];
    const TLS12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    let tls13 = [
        S::RSA_PSS_SHA256,
        S::RSA_PSS_SHA384,
        S::RSA_PSS_SHA512,
        S::ECDSA_NISTP256_SHA256,
        S::ECDSA_NISTP384_SHA384,
        S::ED25519,
    ];
    let tls12 = [
        S::RSA_PKCS1_SHA256,
        S::RSA_PKCS1_SHA384,
        S::RSA_PKCS1_SHA512,
    ];
    match &settings.client_auth {
        Some(r) if r.resolve(&[], &tls13).is_none() && r.resolve(&[], &tls12).is_some() => TLS12,
        _ => BOTH,
    }
}

/// Plain words for the rustls errors a user may meet.
fn describe(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => "its issuer is not a trusted authority".into(),
            C::Expired | C::ExpiredContext { .. } => "it has expired".into(),
            C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".into(),
            C::Revoked => "it has been revoked".into(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "it was not issued for this server name".into()
            }
            C::BadSignature => "its signature is invalid".into(),
            other => format!("{other:?}"),
        },
        rustls::Error::PeerIncompatible(p) => {
            format!("the server does not speak TLS 1.2 or newer with a safe cipher ({p:?})")
        }
        rustls::Error::AlertReceived(alert) => {
            format!("the server refused the connection ({alert:?})")
        }
        other => other.to_string(),
    }
}
