//! Application mailboxes: a PKCS#12 file holding an IGC-Santé organisation
//! certificate and its key, opened with a password from the OS keyring (or an
//! environment variable in headless mode).

use std::path::Path;

use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::AuthError;
use super::resolver::ClientCertificate;

/// Environment variable holding the PKCS#12 password in headless mode.
pub const PKCS12_PASSWORD_ENV: &str = "CADUCEE_PKCS12_PASSWORD";

/// The name of the PKCS#12 password in the keyring (`what` of a
/// [`crate::secrets::Secret`]).
pub const PKCS12_SECRET: &str = "pkcs12-password";

/// Open a PKCS#12 file: its first key with its certificate chain.
pub fn load(path: &Path, password: &str) -> Result<ClientCertificate, AuthError> {
    let err = |reason: String| AuthError::Pkcs12 {
        path: path.to_path_buf(),
        reason,
    };
    let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let store = KeyStore::from_pkcs12(&data, password, Pkcs12ImportPolicy::Relaxed).map_err(
        |e| match e {
            p12_keystore::error::Error::MacError(_) => AuthError::Pkcs12Password {
                path: path.to_path_buf(),
                env: PKCS12_PASSWORD_ENV,
            },
            other => err(other.to_string()),
        },
    )?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| err("it holds no private key".into()))?;
    let certs: Vec<CertificateDer<'static>> = chain
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    if certs.is_empty() {
        return Err(err("it holds no certificate for its key".into()));
    }
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()));
    let signing = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| err(format!("its key cannot be used: {e}")))?;
    Ok(ClientCertificate::new(certs, signing))
}
