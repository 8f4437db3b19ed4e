//! Download of the whitelist over HTTPS, trusting only IGC-Santé.
//!
//! The trust anchors are the IGC-Santé roots and intermediates shipped in
//! `assets/igc-sante/`, plus one extra CA file given explicitly (a test or
//! development CA); the system's CAs are never used.

use std::path::Path;
use std::time::Duration;

use super::TrustError;
use crate::i18n::tr1;

/// Where the ANS publishes the list.
pub const OFFICIAL_URL: &str = "https://espacedeconfiance.mssante.fr/listeblanchemssante.xml";

/// Larger than any plausible list (the 2025 list is 3.7 MB).
const MAX_BYTES: u64 = 64 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(120);

/// Fetch `url` (HTTPS only) and return its body.
pub fn fetch(url: &str, extra_ca: Option<&Path>) -> Result<Vec<u8>, TrustError> {
    if let Some(path) = extra_ca {
        tracing::info!(path = %path.display(), "extra CA trusted for the whitelist download");
    }
    let agent = crate::tls::https::igc_sante_agent(extra_ca, TIMEOUT).map_err(|e| {
        // Which anchors could not be read: the extra CA file, else the shipped ones.
        let path = match &e {
            crate::tls::TlsError::CaFile { path, .. } | crate::tls::TlsError::EmptyCaFile(path) => {
                path.display().to_string()
            }
            _ => "IGC-Santé".to_owned(),
        };
        TrustError::BadCaFile {
            path,
            message: e.to_string(),
        }
    })?;
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
    if let Some(detail) = crate::tls::https::refusal(&e) {
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
            message: tr1("trust-reason-too-large", "limit", &limit),
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
    fn plain_http_is_refused() {
        let err = fetch("http://127.0.0.1:9/list.xml", None).unwrap_err();
        assert!(matches!(err, TrustError::NotHttps(_)), "{err}");
    }
}
