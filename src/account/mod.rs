//! Mail accounts: who the user is on which servers, and how they log in.
//!
//! An account's settings are kept as JSON in the `accounts` table; its secrets
//! (password, tokens) live only in the OS keyring (see [`crate::secrets`]).

pub mod discover;

use std::path::PathBuf;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::i18n::{tr, tr1, tr2};
use crate::store::{Store, StoreError, now};

/// Default attachment limit: the national operator's 10 MB.
pub const DEFAULT_ATTACHMENT_LIMIT: u64 = 10 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{}", tr1("account-not-found", "name", .0))]
    NotFound(String),
    #[error("{}", tr1("account-exists", "address", .0))]
    Exists(String),
    #[error("{}", tr1("account-bad-address", "address", .0))]
    BadAddress(String),
    #[error("{}", tr2("account-bad-settings", "account", .0, "reason", .1))]
    BadSettings(String, String),
    #[error("{}", tr("account-plaintext"))]
    Plaintext,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for AccountError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}

/// How the connection is secured. There is no plaintext option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Implicit TLS (IMAP 993, SMTP 465).
    Tls,
    /// STARTTLS upgrade (IMAP 143, SMTP 587).
    StartTls,
}

impl std::str::FromStr for Security {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "implicit" => Ok(Self::Tls),
            "starttls" => Ok(Self::StartTls),
            _ => Err(AccountError::Plaintext),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// How the user proves who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum AuthMethod {
    /// LOGIN/PLAIN over TLS (test and non-MSSanté servers); password in the keyring.
    Password { username: String },
    /// CPS card: TLS client certificate on the card, then SASL EXTERNAL.
    Cps { pkcs11_module: Option<PathBuf> },
    /// Application mailbox: PKCS#12 certificate file, password in the keyring.
    Certificate { pkcs12: PathBuf },
    /// Pro Santé Connect (e-CPS): OIDC, then SASL XOAUTH2.
    ProSanteConnect {
        username: String,
        /// Production (default), sandbox, or an issuer URL.
        #[serde(default)]
        provider: crate::auth::oidc::PscProvider,
        /// The client id the ANS registered for this installation (its
        /// secret, if any, is in the keyring).
        #[serde(default)]
        client_id: Option<String>,
    },
    /// National operator's two-step login (password + one-time code).
    Otp { identifier: String },
}

/// How much mail is kept offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "keep", rename_all = "kebab-case")]
pub enum OfflineBodies {
    #[default]
    All,
    LastDays {
        days: u32,
    },
    OnDemand,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub imap: Server,
    pub smtp: Server,
    pub auth: AuthMethod,
    /// Extra CA (PEM) trusted besides IGC-Santé: test or private servers only.
    #[serde(default)]
    pub extra_ca: Option<PathBuf>,
    #[serde(default = "default_limit")]
    pub attachment_limit: u64,
    #[serde(default)]
    pub offline_bodies: OfflineBodies,
    /// Professionals this account may send for (a secretary's delegation).
    #[serde(default)]
    pub delegations: Vec<String>,
}

fn default_limit() -> u64 {
    DEFAULT_ATTACHMENT_LIMIT
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub settings: AccountSettings,
}

impl Account {
    /// TLS settings for this account's connections. For CPS and certificate
    /// accounts this logs in with the certificate (once per process): the
    /// card PIN is asked through [`crate::auth::pin::source`].
    pub fn tls_settings(&self) -> Result<crate::tls::TlsSettings, crate::auth::AuthError> {
        let client_auth = crate::auth::client_auth(self)?.map(|c| {
            std::sync::Arc::new(c) as std::sync::Arc<dyn rustls::client::ResolvesClientCert>
        });
        Ok(crate::tls::TlsSettings {
            extra_ca: self.settings.extra_ca.clone(),
            client_auth,
        })
    }
}

/// Add an account; returns its id.
pub fn add(
    store: &Store,
    name: &str,
    address: &str,
    settings: &AccountSettings,
) -> Result<i64, AccountError> {
    let address = address.trim();
    if address.split('@').count() != 2 || address.starts_with('@') || address.ends_with('@') {
        return Err(AccountError::BadAddress(address.to_owned()));
    }
    if find(store, address)?.is_some() {
        return Err(AccountError::Exists(address.to_owned()));
    }
    let json = serde_json::to_string(settings)
        .map_err(|e| AccountError::BadSettings(address.to_owned(), e.to_string()))?;
    store.conn().execute(
        "INSERT INTO accounts (name, address, settings, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, address, json, now()],
    )?;
    Ok(store.conn().last_insert_rowid())
}

/// Replace an account's settings.
pub fn update_settings(
    store: &Store,
    id: i64,
    settings: &AccountSettings,
) -> Result<(), AccountError> {
    let json = serde_json::to_string(settings)
        .map_err(|e| AccountError::BadSettings(id.to_string(), e.to_string()))?;
    let n = store.conn().execute(
        "UPDATE accounts SET settings = ?2 WHERE id = ?1",
        params![id, json],
    )?;
    if n == 0 {
        return Err(AccountError::NotFound(id.to_string()));
    }
    Ok(())
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn decode(
    (id, name, address, json): (i64, String, String, String),
) -> Result<Account, AccountError> {
    let settings = serde_json::from_str(&json)
        .map_err(|e| AccountError::BadSettings(address.clone(), e.to_string()))?;
    Ok(Account {
        id,
        name,
        address,
        settings,
    })
}

/// All accounts, oldest first.
pub fn list(store: &Store) -> Result<Vec<Account>, AccountError> {
    let mut stmt = store
        .conn()
        .prepare("SELECT id, name, address, settings FROM accounts ORDER BY id")?;
    let rows = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(decode).collect()
}

/// Find an account by id, address or name.
pub fn find(store: &Store, key: &str) -> Result<Option<Account>, AccountError> {
    let row = store
        .conn()
        .query_row(
            "SELECT id, name, address, settings FROM accounts
             WHERE CAST(id AS TEXT) = ?1 OR address = ?1 COLLATE NOCASE OR name = ?1
             ORDER BY id LIMIT 1",
            [key],
            from_row,
        )
        .optional()?;
    row.map(decode).transpose()
}

/// Find an account, or say it does not exist. With `None`, the only account.
pub fn get(store: &Store, key: Option<&str>) -> Result<Account, AccountError> {
    match key {
        Some(key) => find(store, key)?.ok_or_else(|| AccountError::NotFound(key.to_owned())),
        None => {
            let mut all = list(store)?;
            match all.len() {
                1 => Ok(all.remove(0)),
                0 => Err(AccountError::NotFound("(none configured)".into())),
                _ => Err(AccountError::NotFound(
                    "(several accounts: choose one with --account)".into(),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreKey;

    fn settings() -> AccountSettings {
        AccountSettings {
            imap: Server {
                host: "imap.example.mssante.fr".into(),
                port: 993,
                security: Security::Tls,
            },
            smtp: Server {
                host: "smtp.example.mssante.fr".into(),
                port: 587,
                security: Security::StartTls,
            },
            auth: AuthMethod::Password {
                username: "claire".into(),
            },
            extra_ca: None,
            attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
            offline_bodies: OfflineBodies::LastDays { days: 90 },
            delegations: vec![],
        }
    }

    #[test]
    fn add_find_and_refuse_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
        let id = add(&store, "Cabinet", "claire@medecin.mssante.fr", &settings()).unwrap();
        let found = get(&store, Some("claire@medecin.mssante.fr")).unwrap();
        assert_eq!(found.id, id);
        assert_eq!(found.settings, settings());
        assert_eq!(get(&store, None).unwrap().id, id);
        assert!(matches!(
            add(&store, "x", "CLAIRE@medecin.mssante.fr", &settings()),
            Err(AccountError::Exists(_))
        ));
        assert!(matches!(
            add(&store, "x", "not-an-address", &settings()),
            Err(AccountError::BadAddress(_))
        ));
        assert!(matches!(
            "plain".parse::<Security>(),
            Err(AccountError::Plaintext)
        ));
    }
}
