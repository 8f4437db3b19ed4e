//! Download of the whitelist over HTTPS, trusting only IGC-Santé.
//!
//! The trust anchors are the IGC-Santé roots and intermediates shipped in
//! `assets/igc-sante/`, plus one extra CA file given explicitly (a test or
//! development CA); the system's CAs are never used.

use std::path::Path;
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

use super::TrustError;

/// Where the ANS publishes the list.
pub const OFFICIAL_URL: &str = "https://espacedeconfiance.mssante.fr/listeblanchemssante.xml";

/// Larger than any plausible list (the 2025 list is 3.7 MB).
const MAX_BYTES: u64 = 64 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(120);

/// The IGC-Santé certificates, in PEM.
const IGC_SANTE: &[(&str, &[u8])] = &[
    (
        "ACR_ELEMENTAIRE_20130625.pem",
        include_bytes!("../../assets/igc-sante/ACR_ELEMENTAIRE_20130625.pem"),
    ),
    (
        "ACR_FORT_20130625.pem",
        include_bytes!("../../assets/igc-sante/ACR_FORT_20130625.pem"),
    ),
    (
        "ACR_STANDARD_20130625.pem",
        include_bytes!("../../assets/igc-sante/ACR_STANDARD_20130625.pem"),
    ),
    (
        "AC_ELEMENTAIRE_ORGANISATIONS_20130625.pem",
        include_bytes!("../../assets/igc-sante/AC_ELEMENTAIRE_ORGANISATIONS_20130625.pem"),
    ),
    (
        "AC_ELEMENTAIRE_PERSONNES_20130625.pem",
        include_bytes!("../../assets/igc-sante/AC_ELEMENTAIRE_PERSONNES_20130625.pem"),
    ),
    (
        "AC_FORT_ORGANISATIONS_20130625.pem",
        include_bytes!("../../assets/igc-sante/AC_FORT_ORGANISATIONS_20130625.pem"),
    ),
    (
        "AC_FORT_PERSONNES_20130625.pem",
        include_bytes!("../../assets/igc-sante/AC_FORT_PERSONNES_20130625.pem"),
    ),
    (
        "AC_STANDARD_ORGANISATIONS_20130625.pem",
        include_bytes!("../../assets/igc-sante/AC_STANDARD_ORGANISATIONS_20130625.pem"),
    ),
    (
        "AC_STANDARD_PERSONNES_20130625.pem",
        include_bytes!("../../assets/igc-sante/AC_STANDARD_PERSONNES_20130625.pem"),
    ),
];

fn certificates(pem: &[u8], origin: &str) -> Result<Vec<Certificate<'static>>, TrustError> {
    let mut out = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(PemItem::Certificate(c)) => out.push(c),
            Ok(_) => {}
            Err(e) => {
                return Err(TrustError::BadCaFile {
                    path: origin.to_owned(),
                    message: e.to_string(),
                });
            }
        }
    }
    if out.is_empty() {
        return Err(TrustError::BadCaFile {
            path: origin.to_owned(),
            message: "no certificate in it".into(),
        });
    }
    Ok(out)
}

/// The anchors: IGC-Santé, plus `extra_ca` when given.
fn anchors(extra_ca: Option<&Path>) -> Result<Vec<Certificate<'static>>, TrustError> {
    let mut all = Vec::new();
    for (name, pem) in IGC_SANTE {
        all.extend(certificates(pem, name)?);
    }
    if let Some(path) = extra_ca {
        let pem = std::fs::read(path).map_err(|e| TrustError::BadCaFile {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        tracing::info!(path = %path.display(), "extra CA trusted for the whitelist download");
        all.extend(certificates(&pem, &path.display().to_string())?);
    }
    Ok(all)
}

/// Fetch `url` (HTTPS only) and return its body.
pub fn fetch(url: &str, extra_ca: Option<&Path>) -> Result<Vec<u8>, TrustError> {
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::new_with_certs(&anchors(extra_ca)?))
        .build();
    let agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .https_only(true)
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(true)
        .build()
        .new_agent();
    let failed = |e: ureq::Error| classify(url, e);
    let mut response = agent.get(url).call().map_err(failed)?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(failed)
}

/// Say what went wrong in words a user can act on.
fn classify(url: &str, e: ureq::Error) -> TrustError {
    let tls = match &e {
        ureq::Error::Rustls(r) => Some(r.to_string()),
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(|r| r.to_string()),
        _ => None,
    };
    if let Some(detail) = tls {
        return TrustError::UntrustedServer {
            url: url.to_owned(),
            detail,
        };
    }
    match e {
        ureq::Error::StatusCode(status) => TrustError::HttpStatus {
            url: url.to_owned(),
            status,
        },
        ureq::Error::RequireHttpsOnly(_) => TrustError::NotHttps(url.to_owned()),
        ureq::Error::BodyExceedsLimit(limit) => TrustError::Download {
            url: url.to_owned(),
            message: format!("the file is larger than {limit} bytes"),
        },
        other => TrustError::Download {
            url: url.to_owned(),
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn igc_sante_anchors_parse() {
        let all = anchors(None).unwrap();
        assert_eq!(all.len(), IGC_SANTE.len());
    }

    #[test]
    fn plain_http_is_refused() {
        let err = fetch("http://127.0.0.1:9/list.xml", None).unwrap_err();
        assert!(matches!(err, TrustError::NotHttps(_)), "{err}");
    }
}
