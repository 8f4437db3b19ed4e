//! The TLS client certificate given to the server when it asks: the card's
//! authentication certificate with its on-card key, or an application
//! certificate from a PKCS#12 file.

use std::sync::Arc;

use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::pki_types::CertificateDer;
use rustls::sign::{CertifiedKey, SigningKey};

use super::identity::Identity;

/// A client certificate and the key that signs for it.
#[derive(Debug, Clone)]
pub struct ClientCertificate {
    certified: Arc<CertifiedKey>,
}

impl ClientCertificate {
    /// `chain` starts with the end-entity certificate.
    pub fn new(chain: Vec<CertificateDer<'static>>, key: Arc<dyn SigningKey>) -> Self {
        Self {
            certified: Arc::new(CertifiedKey::new(chain, key)),
        }
    }

    /// The end-entity certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        self.certified
            .cert
            .first()
            .map(|c| c.as_ref())
            .unwrap_or_default()
    }

    /// Who the certificate names.
    pub fn identity(&self) -> Option<Identity> {
        Identity::from_der(self.certificate_der()).ok()
    }

    /// Whether the key can sign with one of `schemes`.
    pub fn can_sign(&self, schemes: &[SignatureScheme]) -> bool {
        self.certified.key.choose_scheme(schemes).is_some()
    }
}

impl ResolvesClientCert for ClientCertificate {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        if self.can_sign(sigschemes) {
            Some(self.certified.clone())
        } else {
            tracing::warn!(
                ?sigschemes,
                "the server accepts no signature scheme the certificate's key can make"
            );
            None
        }
    }

    fn has_certs(&self) -> bool {
        true
    }
}
