//! Which login methods a server offers, read from its SASL mechanisms, and
//! the one to propose: EXTERNAL is a CPS card or an application certificate,
//! XOAUTH2/OAUTHBEARER is Pro Santé Connect (or the national operator's
//! one-time code), PLAIN/LOGIN a password. The card comes first when a
//! reader holds a CPS card.

use std::path::Path;

use serde::Serialize;

use super::{DiscoverError, Discovery, imap_caps, smtp_ehlo};
use crate::account::Server;
use crate::imap::ImapError;
use crate::tls::{TlsClient, TlsSettings};
use smtp_ehlo::SmtpProbeError;

/// A way to log in, as offered to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginKind {
    /// CPS card (TLS client certificate, SASL EXTERNAL).
    Cps,
    /// Application certificate in a PKCS#12 file (SASL EXTERNAL).
    Certificate,
    /// Pro Santé Connect (e-CPS, SASL XOAUTH2).
    ProSanteConnect,
    /// The national operator's password and one-time code (token, SASL XOAUTH2).
    Otp,
    /// Password (SASL PLAIN or LOGIN over TLS).
    Password,
}

impl LoginKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Cps => "CPS card",
            Self::Certificate => "application certificate (PKCS#12)",
            Self::ProSanteConnect => "Pro Santé Connect (e-CPS)",
            Self::Otp => "one-time code (national operator)",
            Self::Password => "password",
        }
    }

    /// The SASL mechanisms this method can use.
    fn mechanisms(self) -> &'static [&'static str] {
        match self {
            Self::Cps | Self::Certificate => &["EXTERNAL"],
            Self::ProSanteConnect | Self::Otp => &["XOAUTH2", "OAUTHBEARER"],
            Self::Password => &["PLAIN", "LOGIN"],
        }
    }

    fn offered_by(self, mechanisms: &[String]) -> bool {
        self.mechanisms()
            .iter()
            .any(|m| mechanisms.iter().any(|x| x == m))
    }
}

/// What the servers offer and what is proposed.
#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    pub imap_mechanisms: Vec<String>,
    pub smtp_mechanisms: Vec<String>,
    /// Whether a CPS card was seen in a reader (false when not looked for).
    pub card_present: bool,
    /// The methods the IMAP server offers, best first.
    pub methods: Vec<LoginKind>,
    /// Things to know (e.g. the submission server lacks a mechanism).
    pub warnings: Vec<String>,
}

impl Detection {
    /// The method to propose, if the server offers any this client knows.
    pub fn proposed(&self) -> Option<LoginKind> {
        self.methods.first().copied()
    }
}

/// The methods `imap` offers, best first.
pub fn rank(imap: &[String], card_present: bool) -> Vec<LoginKind> {
    use LoginKind::*;
    let order: &[LoginKind] = if card_present {
        &[Cps, ProSanteConnect, Certificate, Otp, Password]
    } else {
        &[ProSanteConnect, Cps, Certificate, Otp, Password]
    };
    order
        .iter()
        .copied()
        .filter(|k| k.offered_by(imap))
        .collect()
}

/// Whether a reader holds a CPS card now. Any PC/SC trouble (no service, no
/// reader) counts as no card: the card is only a preference here.
pub fn cps_card_present() -> bool {
    use crate::auth::card::{CardKind, status};
    match status() {
        Ok(s) => s
            .readers
            .iter()
            .filter_map(|r| r.card.as_ref())
            .any(|c| c.kind != CardKind::Unknown),
        Err(e) => {
            tracing::debug!(error = %e, "no card reader looked at");
            false
        }
    }
}

/// Connect to both servers (TLS, trusting IGC-Santé and `extra_ca`), read
/// the mechanisms they offer, and rank the login methods.
pub async fn detect(
    imap: &Server,
    smtp: &Server,
    extra_ca: Option<&Path>,
    look_for_card: bool,
) -> Result<Detection, DiscoverError> {
    let tls = tls_client(extra_ca)?;
    let imap_mechanisms = imap_caps::mechanisms(imap, &tls).await?;
    let smtp_mechanisms = smtp_ehlo::mechanisms(smtp, &tls).await?;
    finish(imap_mechanisms, smtp_mechanisms, look_for_card).await
}

/// Like [`detect`], trying the next server of `found` (the other SRV
/// records, in order) when one cannot be reached; `found.imap` and
/// `found.smtp` become the servers that answered.
pub async fn detect_reachable(
    found: &mut Discovery,
    extra_ca: Option<&Path>,
    look_for_card: bool,
) -> Result<Detection, DiscoverError> {
    let tls = tls_client(extra_ca)?;
    let imap_mechanisms = loop {
        match imap_caps::mechanisms(&found.imap, &tls).await {
            Err(e @ (ImapError::Connect { .. } | ImapError::Timeout(_)))
                if !found.imap_alternatives.is_empty() =>
            {
                found
                    .notes
                    .push(format!("{}:{}: {e}", found.imap.host, found.imap.port));
                found.imap = found.imap_alternatives.remove(0);
            }
            other => break other?,
        }
    };
    let smtp_mechanisms = loop {
        match smtp_ehlo::mechanisms(&found.smtp, &tls).await {
            Err(e @ (SmtpProbeError::Connect { .. } | SmtpProbeError::Timeout(_)))
                if !found.smtp_alternatives.is_empty() =>
            {
                found
                    .notes
                    .push(format!("{}:{}: {e}", found.smtp.host, found.smtp.port));
                found.smtp = found.smtp_alternatives.remove(0);
            }
            other => break other?,
        }
    };
    finish(imap_mechanisms, smtp_mechanisms, look_for_card).await
}

fn tls_client(extra_ca: Option<&Path>) -> Result<TlsClient, DiscoverError> {
    Ok(TlsClient::new(&TlsSettings {
        extra_ca: extra_ca.map(Path::to_path_buf),
        client_auth: None,
    })?)
}

async fn finish(
    imap_mechanisms: Vec<String>,
    smtp_mechanisms: Vec<String>,
    look_for_card: bool,
) -> Result<Detection, DiscoverError> {
    let card_present = if look_for_card {
        tokio::task::spawn_blocking(cps_card_present)
            .await
            .unwrap_or(false)
    } else {
        false
    };
    let methods = rank(&imap_mechanisms, card_present);
    let mut warnings = Vec::new();
    if methods.is_empty() {
        warnings.push(format!(
            "the IMAP server offers no login method this program knows ({})",
            imap_mechanisms.join(" ")
        ));
    }
    if let Some(first) = methods.first()
        && !first.offered_by(&smtp_mechanisms)
    {
        warnings.push(format!(
            "the submission server does not offer {} ({}): sending may fail",
            first.mechanisms().join(" or "),
            if smtp_mechanisms.is_empty() {
                "no AUTH".to_owned()
            } else {
                smtp_mechanisms.join(" ")
            }
        ));
    }
    Ok(Detection {
        imap_mechanisms,
        smtp_mechanisms,
        card_present,
        methods,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ranking_follows_the_card_and_the_mechanisms() {
        use LoginKind::*;
        let all = m(&["PLAIN", "LOGIN", "EXTERNAL", "XOAUTH2"]);
        assert_eq!(
            rank(&all, true),
            [Cps, ProSanteConnect, Certificate, Otp, Password]
        );
        assert_eq!(
            rank(&all, false),
            [ProSanteConnect, Cps, Certificate, Otp, Password]
        );
        assert_eq!(rank(&m(&["EXTERNAL"]), false), [Cps, Certificate]);
        assert_eq!(rank(&m(&["OAUTHBEARER"]), true), [ProSanteConnect, Otp]);
        assert_eq!(rank(&m(&["PLAIN"]), true), [Password]);
        assert!(rank(&m(&["CRAM-MD5"]), true).is_empty());
    }
}
