//! Who a certificate names: the professional's name, national identifier and
//! profession, read from an IGC-Santé subject.
//!
//! A CPS authentication certificate names the holder in a subject such as
//! `C=FR, O=CABINET DUPONT, OU=10B0123456, title=Médecin,
//! CN=810002813839+SN=DUPONT+GN=JEAN`: the common name is the national
//! identifier (`8` + RPPS number, or `0` + ADELI number), surname and given
//! name are their own attributes, the profession is the title. Some profiles
//! carry the identifier in serialNumber or UID instead. An organisation
//! certificate (application mailbox) has a plain common name.

use serde::Serialize;
use x509_parser::oid_registry::{
    OID_PKCS9_EMAIL_ADDRESS, OID_X509_COMMON_NAME, OID_X509_GIVEN_NAME, OID_X509_ORGANIZATION_NAME,
    OID_X509_ORGANIZATIONAL_UNIT, OID_X509_SERIALNUMBER, OID_X509_SURNAME, OID_X509_TITLE,
};

use super::AuthError;

/// UID (RFC 4519), 0.9.2342.19200300.100.1.1.
const UID: &str = "0.9.2342.19200300.100.1.1";

/// The holder of a certificate, as its subject says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Given name then surname, or the common name when there are none.
    pub name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// The national identifier (`8` + RPPS, `0` + ADELI), when present.
    pub national_id: Option<String>,
    /// The profession (the subject's title), when present.
    pub profession: Option<String>,
    pub organisation: Option<String>,
    /// The structure identifier (the subject's organisational unit).
    pub structure_id: Option<String>,
    pub email: Option<String>,
    /// The whole subject and issuer, as text.
    pub subject: String,
    pub issuer: String,
    /// End of validity, Unix seconds.
    pub not_after: i64,
}

impl Identity {
    /// Read the identity from a certificate, DER.
    pub fn from_der(der: &[u8]) -> Result<Identity, AuthError> {
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| AuthError::Certificate(e.to_string()))?;
        let subject = cert.subject();
        let first = |oid: &x509_parser::der_parser::Oid<'_>| {
            subject
                .iter_attributes()
                .find(|a| a.attr_type() == oid)
                .and_then(|a| a.as_str().ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let uid_oid = x509_parser::der_parser::Oid::from(&[0, 9, 2342, 19200300, 100, 1, 1])
            .map_err(|_| AuthError::Certificate(format!("bad OID {UID}")))?;
        let common_name = first(&OID_X509_COMMON_NAME);
        let given_name = first(&OID_X509_GIVEN_NAME);
        let surname = first(&OID_X509_SURNAME);
        let national_id = common_name
            .clone()
            .filter(|cn| looks_like_national_id(cn))
            .or_else(|| first(&OID_X509_SERIALNUMBER).filter(|s| looks_like_national_id(s)))
            .or_else(|| first(&uid_oid).filter(|s| looks_like_national_id(s)));
        let name = match (&given_name, &surname) {
            (Some(g), Some(s)) => format!("{g} {s}"),
            (None, Some(s)) => s.clone(),
            (Some(g), None) => g.clone(),
            (None, None) => common_name.clone().unwrap_or_else(|| subject.to_string()),
        };
        Ok(Identity {
            name,
            given_name,
            surname,
            national_id,
            profession: first(&OID_X509_TITLE),
            organisation: first(&OID_X509_ORGANIZATION_NAME),
            structure_id: first(&OID_X509_ORGANIZATIONAL_UNIT),
            email: first(&OID_PKCS9_EMAIL_ADDRESS),
            subject: subject.to_string(),
            issuer: cert.issuer().to_string(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// What kind of national identifier this is: "RPPS" (`8` prefix) or
    /// "ADELI" (`0` prefix).
    pub fn national_id_kind(&self) -> Option<&'static str> {
        match self.national_id.as_deref()?.as_bytes().first()? {
            b'8' => Some("RPPS"),
            b'0' => Some("ADELI"),
            _ => None,
        }
    }

    /// One line for a terminal: name, identifier, profession, organisation.
    pub fn summary(&self) -> String {
        let mut out = self.name.clone();
        if let Some(id) = &self.national_id {
            match self.national_id_kind() {
                Some(kind) => out.push_str(&format!(", {kind} {id}")),
                None => out.push_str(&format!(", id {id}")),
            }
        }
        if let Some(p) = &self.profession {
            out.push_str(&format!(", {p}"));
        }
        if let Some(o) = &self.organisation {
            out.push_str(&format!(" ({o})"));
        }
        out
    }
}

/// A national identifier: 9 to 12 digits (a leading type digit then an RPPS
/// or ADELI number).
fn looks_like_national_id(s: &str) -> bool {
    (9..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_ids() {
        assert!(looks_like_national_id("810002813839"));
        assert!(looks_like_national_id("0751234567"));
        assert!(!looks_like_national_id("DUPONT"));
        assert!(!looks_like_national_id("1234"));
    }
}
