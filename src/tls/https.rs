//! HTTPS downloads from the MSSanté space (the whitelist, autoconfig files):
//! a client that trusts IGC-Santé only, plus one extra CA file given
//! explicitly (a test or development CA); the system's CAs are never used.

use std::path::Path;
use std::time::Duration;

use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use super::{TlsError, igc_sante_certificates, read_pem_certs};

/// An HTTPS-only client trusting IGC-Santé, plus `extra_ca` when given; an
/// HTTP error status is an error.
pub fn igc_sante_agent(
    extra_ca: Option<&Path>,
    timeout: Duration,
) -> Result<ureq::Agent, TlsError> {
    let mut ders = igc_sante_certificates()?;
    if let Some(path) = extra_ca {
        ders.extend(read_pem_certs(path)?);
    }
    let anchors: Vec<Certificate<'static>> = ders
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::new_with_certs(&anchors))
        .build();
    Ok(ureq::Agent::config_builder()
        .tls_config(tls)
        .https_only(true)
        .timeout_global(Some(timeout))
        .http_status_as_error(true)
        .build()
        .new_agent())
}

/// The TLS refusal behind a failed request (an untrusted or invalid server
/// certificate), in words, when that is what failed.
pub fn refusal(e: &ureq::Error) -> Option<String> {
    match e {
        ureq::Error::Rustls(r) => Some(r.to_string()),
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(|r| r.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn igc_sante_anchors_parse() {
        assert_eq!(igc_sante_certificates().unwrap().len(), 9);
        assert!(igc_sante_agent(None, Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn an_unreadable_extra_ca_is_refused() {
        let missing = Path::new("/nonexistent/ca.pem");
        match igc_sante_agent(Some(missing), Duration::from_secs(1)) {
            Err(TlsError::CaFile { path, .. }) => assert_eq!(path, missing),
            Err(e) => panic!("expected a CA file error, got {e}"),
            Ok(_) => panic!("a missing CA file was accepted"),
        }
    }
}
