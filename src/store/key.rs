//! The store key: 256 bits, generated on first run and kept in the OS keyring.
//!
//! Headless use (servers, CI, tests) is explicit: the key comes from
//! `CADUCEE_STORE_KEY` (64 hex digits). There is never a plaintext key file.

use crate::i18n::{tr1, tr2};
use std::path::Path;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Environment variable holding the store key in headless mode.
pub const STORE_KEY_ENV: &str = "CADUCEE_STORE_KEY";
/// Keyring service name for all Caducée secrets.
pub const KEYRING_SERVICE: &str = "caducee";

/// A 256-bit SQLCipher key. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey([u8; 32]);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

/// Where a key came from, for `store info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    Environment,
    Keyring,
    Demo,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{}", tr1("store-key-bad-hex", "env", &STORE_KEY_ENV))]
    BadHex,
    #[error("{}", tr2("store-key-no-keyring", "reason", .0, "env", &STORE_KEY_ENV))]
    NoKeyring(String),
    #[error("{}", tr2("store-key-missing", "path", .0, "env", &STORE_KEY_ENV))]
    MissingForExistingStore(String),
}

impl StoreKey {
    pub fn from_hex(hex_key: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| KeyError::BadHex)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadHex)?;
        Ok(Self(arr))
    }

    pub fn random() -> Self {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        Self(k)
    }

    /// The public key of the demo store. The demo mailbox holds only fictional
    /// messages and never real accounts.
    pub fn demo() -> Self {
        let digest = Sha256::digest(b"caducee demo mailbox: fictional data only");
        Self(digest.into())
    }

    /// The key as SQLCipher's raw-key literal (`x'..'`), which skips key derivation.
    pub(crate) fn sqlcipher_literal(&self) -> String {
        format!("x'{}'", hex::encode(self.0))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// Keyring user name for the key of the store at `data_dir` (one key per data
/// directory, so several profiles can coexist).
fn keyring_user(data_dir: &Path) -> String {
    let canonical = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    format!("store-key:{}", &hex::encode(digest)[..16])
}

/// Find the key for the store in `data_dir`: from the environment when set, else
/// from the keyring, generating and saving one when no store exists yet.
pub fn resolve(data_dir: &Path, store_exists: bool) -> Result<(StoreKey, KeySource), KeyError> {
    if let Ok(hex_key) = std::env::var(STORE_KEY_ENV) {
        return Ok((StoreKey::from_hex(&hex_key)?, KeySource::Environment));
    }
    let entry = keyring::Entry::new(KEYRING_SERVICE, &keyring_user(data_dir))
        .map_err(|e| KeyError::NoKeyring(e.to_string()))?;
    match entry.get_secret() {
        Ok(secret) => {
            let arr: [u8; 32] = secret.try_into().map_err(|_| KeyError::BadHex)?;
            Ok((StoreKey(arr), KeySource::Keyring))
        }
        Err(keyring::Error::NoEntry) if store_exists => Err(KeyError::MissingForExistingStore(
            data_dir.display().to_string(),
        )),
        Err(keyring::Error::NoEntry) => {
            let key = StoreKey::random();
            entry
                .set_secret(&key.0)
                .map_err(|e| KeyError::NoKeyring(e.to_string()))?;
            tracing::info!("generated a new store key and saved it in the OS keyring");
            Ok((key, KeySource::Keyring))
        }
        Err(e) => Err(KeyError::NoKeyring(e.to_string())),
    }
}
