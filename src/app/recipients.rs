//! How the composer checks recipients and completes addresses, kept behind small
//! traits so the interface does not depend on how the whitelist or the
//! directory are built (and tests can use doubles).

use caducee::store::Store;

/// The verdict on one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed {
        address: String,
        domain: String,
    },
    Refused {
        reason: String,
    },
    /// No whitelist to check against: not sendable.
    Unverified {
        reason: String,
    },
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allowed { .. })
    }
}

/// Checks an address typed by the user against the MSSanté whitelist.
pub trait RecipientCheck {
    fn check(&self, raw: &str) -> Verdict;
}

/// One completion from the health directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub address: String,
    pub display_name: String,
    /// Profession, specialty, organisation and city, as one line.
    pub detail: String,
}

/// Completes addresses from the health directory.
pub trait DirectoryLookup {
    fn autocomplete(&self, input: &str, limit: usize) -> Vec<Suggestion>;
    /// Whether a directory is there at all (else the composer says so).
    fn available(&self) -> bool {
        true
    }
}

/// Used while no whitelist is loaded: what is not an address is refused, the
/// rest is unverified (never sendable).
pub struct NoWhitelist {
    pub unavailable: String,
    pub invalid: String,
}

impl RecipientCheck for NoWhitelist {
    fn check(&self, raw: &str) -> Verdict {
        if !looks_like_address(raw) {
            return Verdict::Refused {
                reason: self.invalid.clone(),
            };
        }
        Verdict::Unverified {
            reason: self.unavailable.clone(),
        }
    }
}

/// One `@`, something before it, a dotted domain after it, no spaces.
pub fn looks_like_address(raw: &str) -> bool {
    let raw = raw.trim();
    match raw.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !raw.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Used while no directory is available.
pub struct NoDirectory;

impl DirectoryLookup for NoDirectory {
    fn autocomplete(&self, _input: &str, _limit: usize) -> Vec<Suggestion> {
        Vec::new()
    }
    fn available(&self) -> bool {
        false
    }
}

/// The recipient check for an open store: the MSSanté whitelist it holds (the
/// shipped list on first use).
pub fn whitelist_for(store: &Store, fallback: NoWhitelist) -> Box<dyn RecipientCheck + Send> {
    match caducee::trust::Whitelist::load(store) {
        Ok(list) => Box::new(TrustCheck(list)),
        Err(e) => Box::new(NoWhitelist {
            unavailable: e.to_string(),
            ..fallback
        }),
    }
}

/// The real whitelist behind the composer.
struct TrustCheck(caducee::trust::Whitelist);

impl RecipientCheck for TrustCheck {
    fn check(&self, raw: &str) -> Verdict {
        match self.0.check(raw) {
            caducee::trust::Verdict::Allowed { address, domain } => Verdict::Allowed {
                address: address.to_string(),
                domain: domain.to_string(),
            },
            caducee::trust::Verdict::Refused { reason } => Verdict::Refused {
                reason: reason.to_string(),
            },
        }
    }
}

/// The directory completion: the offline national directory of the data
/// directory, when one has been imported.
pub fn directory_for(data_dir: &std::path::Path) -> Box<dyn DirectoryLookup + Send> {
    match caducee::directory::Directory::open(data_dir) {
        Ok(dir) if dir.is_empty().is_ok_and(|empty| !empty) => Box::new(OfflineDirectory(dir)),
        _ => Box::new(NoDirectory),
    }
}

/// The offline national directory behind the composer.
struct OfflineDirectory(caducee::directory::Directory);

impl DirectoryLookup for OfflineDirectory {
    fn autocomplete(&self, input: &str, limit: usize) -> Vec<Suggestion> {
        self.0
            .autocomplete(input, limit)
            .unwrap_or_default()
            .into_iter()
            .map(|e| Suggestion {
                detail: [&e.profession, &e.specialty, &e.organisation, &e.city]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(" · "),
                address: e.address,
                display_name: e.display_name,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_whitelist_checks_recipients() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            &dir.path().join("t.db"),
            &caducee::store::StoreKey::random(),
        )
        .unwrap();
        let fallback = NoWhitelist {
            unavailable: "no list".into(),
            invalid: "not an address".into(),
        };
        let check = whitelist_for(&store, fallback);
        assert!(check.check("dr.martin@ae.mssante.fr").is_allowed());
        assert!(matches!(
            check.check("dr.martin@gmail.com"),
            Verdict::Refused { .. }
        ));
        assert!(matches!(
            check.check("\"x@ae.mssante.fr\" <x@evil.fr>"),
            Verdict::Refused { .. }
        ));
    }

    #[test]
    fn the_offline_directory_completes_addresses() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            !directory_for(dir.path()).available(),
            "nothing imported yet"
        );
        let header = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";
        let row = "PER|jean.lefevre@medecin.mssante.fr|8|10000000002|810000000002||||DR|LEFÈVRE|JEAN|C|Civil|10|Médecin|X|Cardiologie|true|Cabinet du Parc||||3||BD|PASTEUR||69003 LYON|69003|69|France";
        let data = format!("{header}\n{row}\n");
        let mut d = caducee::directory::Directory::open(dir.path()).unwrap();
        d.import_reader(std::io::Cursor::new(data), "test", None)
            .unwrap();
        drop(d);
        let lookup = directory_for(dir.path());
        assert!(lookup.available());
        let found = lookup.autocomplete("lefev", 5);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].address, "jean.lefevre@medecin.mssante.fr");
        assert!(
            found[0].detail.contains("Cardiologie"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn without_whitelist_only_malformed_addresses_are_refused() {
        let check = NoWhitelist {
            unavailable: "no list".into(),
            invalid: "not an address".into(),
        };
        assert!(matches!(check.check("dupont"), Verdict::Refused { .. }));
        assert!(matches!(check.check("a@b"), Verdict::Refused { .. }));
        assert!(matches!(check.check("a b@c.fr"), Verdict::Refused { .. }));
        assert_eq!(
            check.check("a@chu.mssante.fr"),
            Verdict::Unverified {
                reason: "no list".into()
            }
        );
    }
}
