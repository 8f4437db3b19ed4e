//! The patient's INS (Identifiant National de Santé): the 13-character NIR and its
//! 2-digit key, checked as `97 - (n mod 97)` (Corsica: `2A` counts as 19, `2B` as 18),
//! the OIDs naming it in CDA and XDS, and the patient mail address
//! `<INS>@patient.mssante.fr`.

use super::DocumentError;
use crate::i18n::{tr, tr2};

/// OID of an INS-NIR (a qualified identity's matricule).
pub const OID_INS_NIR: &str = "1.2.250.1.213.1.4.8";
/// OID of an INS-NIA (temporary number issued while a NIR is pending).
pub const OID_INS_NIA: &str = "1.2.250.1.213.1.4.9";
/// OID of a test INS-NIR (test identities of the INSi service).
pub const OID_INS_NIR_TEST: &str = "1.2.250.1.213.1.4.10";
/// OID of a test INS-NIA.
pub const OID_INS_NIA_TEST: &str = "1.2.250.1.213.1.4.11";
/// Domain of patient mailboxes (Mon Espace Santé).
pub const PATIENT_DOMAIN: &str = "patient.mssante.fr";

/// Whether an identifier root names an INS.
pub fn is_ins_oid(oid: &str) -> bool {
    matches!(
        oid,
        OID_INS_NIR | OID_INS_NIA | OID_INS_NIR_TEST | OID_INS_NIA_TEST
    )
}

/// A checked INS: 15 characters, the NIR and its key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ins(String);

impl Ins {
    /// Check an INS written with or without spaces.
    pub fn parse(value: &str) -> Result<Self, DocumentError> {
        let bad = |reason: &str| DocumentError::Ins {
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        let s: String = value
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if s.len() != 15 || !s.is_ascii() {
            return Err(bad(&tr("documents-reason-ins-length")));
        }
        let (nir, key) = s.split_at(13);
        let digits: String = match &nir[5..7] {
            "2A" => format!("{}19{}", &nir[..5], &nir[7..]),
            "2B" => format!("{}18{}", &nir[..5], &nir[7..]),
            _ => nir.to_owned(),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !key.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&tr("documents-reason-ins-digits")));
        }
        if !matches!(
            digits.as_bytes()[0],
            b'1' | b'2' | b'3' | b'4' | b'7' | b'8'
        ) {
            return Err(bad(&tr("documents-reason-ins-sex")));
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| bad(&tr("documents-reason-ins-not-number")))?;
        let expected = 97 - (n % 97);
        let key: u64 = key
            .parse()
            .map_err(|_| bad(&tr("documents-reason-ins-key-not-number")))?;
        if key != expected {
            return Err(bad(&tr2(
                "documents-reason-ins-key",
                "key",
                &format!("{key:02}"),
                "expected",
                &format!("{expected:02}"),
            )));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Ins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Mon Espace Santé mailbox of a patient: `<INS>@patient.mssante.fr`.
pub fn patient_address(ins: &str) -> Result<String, DocumentError> {
    let ins = Ins::parse(ins)?;
    Ok(format!("{}@{PATIENT_DOMAIN}", ins.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Key computed independently of the code under test.
    fn key_of(thirteen: &str) -> u64 {
        let n: u64 = thirteen
            .replace("2A", "19")
            .replace("2B", "18")
            .parse()
            .unwrap();
        97 - n % 97
    }

    #[test]
    fn accepts_a_valid_nir_with_spaces() {
        let nir = "2840763220174";
        let ins = format!("{nir}{:02}", key_of(nir));
        let spaced = format!(
            "{} {} {} {}",
            &ins[..1],
            &ins[1..5],
            &ins[5..13],
            &ins[13..]
        );
        assert_eq!(Ins::parse(&spaced).unwrap().as_str(), ins);
        assert_eq!(
            patient_address(&ins).unwrap(),
            format!("{ins}@patient.mssante.fr")
        );
    }

    #[test]
    fn corsica_departments_use_19_and_18() {
        for dep in ["2A", "2B"] {
            let nir = format!("18405{dep}004123");
            let ins = format!("{nir}{:02}", key_of(&nir));
            assert_eq!(Ins::parse(&ins.to_lowercase()).unwrap().as_str(), ins);
        }
        // The 2A key is not the 2B key.
        assert_ne!(key_of("184052A004123"), key_of("184052B004123"));
    }

    #[test]
    fn refuses_wrong_key_length_and_letters() {
        let nir = "1840763220174";
        let wrong = (key_of(nir) % 97) + 1;
        let err = Ins::parse(&format!("{nir}{wrong:02}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not match"), "{err}");
        let fr = crate::i18n::with_lang(crate::i18n::Lang::Fr, || {
            Ins::parse(&format!("{nir}{wrong:02}"))
                .unwrap_err()
                .to_string()
        });
        assert!(
            fr.starts_with("INS « ") && fr.contains("ne correspond pas au numéro"),
            "{fr}"
        );
        assert!(Ins::parse("18407632201").is_err());
        assert!(Ins::parse("18407X322017412").is_err());
        assert!(Ins::parse("984076322017412").is_err());
        assert!(patient_address("12").is_err());
    }
}
