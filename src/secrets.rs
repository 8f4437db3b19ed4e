//! Secrets (passwords, refresh tokens, certificate passwords) live in the OS
//! keyring only. Headless use (servers, CI, tests) is explicit: a secret may come
//! from an environment variable named by the caller. Never from a file.

use crate::i18n::{tr1, tr3};
use crate::store::key::KEYRING_SERVICE;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{}", tr3("secrets-missing", "what", .what, "account", .account, "env", .env))]
    Missing {
        what: &'static str,
        account: String,
        env: String,
    },
    #[error("{}", tr1("secrets-keyring", "reason", .0))]
    Keyring(String),
}

/// A named secret of an account, e.g. ("password", "claire@medecin.mssante.fr").
pub struct Secret<'a> {
    pub what: &'static str,
    pub account: &'a str,
    /// The environment variable that supplies it in headless mode.
    pub env: &'a str,
}

impl Secret<'_> {
    fn entry(&self) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(KEYRING_SERVICE, &format!("{}:{}", self.what, self.account))
            .map_err(|e| SecretError::Keyring(e.to_string()))
    }

    /// Read it: the environment variable first, then the keyring.
    pub fn get(&self) -> Result<String, SecretError> {
        if let Ok(value) = std::env::var(self.env) {
            return Ok(value);
        }
        match self.entry()?.get_password() {
            Ok(v) => Ok(v),
            Err(keyring::Error::NoEntry) => Err(SecretError::Missing {
                what: self.what,
                account: self.account.to_owned(),
                env: self.env.to_owned(),
            }),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        }
    }

    /// Save it in the keyring.
    pub fn set(&self, value: &str) -> Result<(), SecretError> {
        self.entry()?
            .set_password(value)
            .map_err(|e| SecretError::Keyring(e.to_string()))
    }

    /// Remove it from the keyring (no error when absent).
    pub fn delete(&self) -> Result<(), SecretError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        }
    }
}
