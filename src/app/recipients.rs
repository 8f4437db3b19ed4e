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
pub fn whitelist_for(store: &Store, fallback: NoWhitelist) -> Box<dyn RecipientCheck> {
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

/// The directory completion for an open store.
pub fn directory_for(_store: &Store) -> Box<dyn DirectoryLookup> {
    // WIRE: directory — replace the body with a wrapper over
    // `caducee::directory::Directory` whose `autocomplete(input, limit)` maps each
    // `Entry { address, display_name, profession, specialty, organisation, city, .. }`
    // to a `Suggestion` (detail: profession, specialty, organisation, city joined by " · ").
    Box::new(NoDirectory)
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
