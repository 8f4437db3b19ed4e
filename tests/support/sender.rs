//! A sending account on the private Dovecot: a store (with its key, for the
//! command-line binary), a whitelist that trusts the test domain, an account.

use std::path::{Path, PathBuf};

use caducee::account::{self, Account, AccountSettings, AuthMethod, Security};
use caducee::store::{Store, StoreKey};

use super::dovecot::{DOMAIN, Dovecot};
pub use super::settings::{set_whitelist, settings};

pub struct Sender {
    pub dir: tempfile::TempDir,
    pub key_hex: String,
    pub store: Store,
    pub account: Account,
    pub password: String,
}

impl Sender {
    /// A store with an account for Dovecot user `user`.
    pub fn new(d: &Dovecot, user: &str, security: Security) -> Sender {
        Self::with(d, user, settings(d, security))
    }

    pub fn with(d: &Dovecot, user: &str, settings: AccountSettings) -> Sender {
        let auth = AuthMethod::Password {
            username: d.user(user).name.clone(),
        };
        Self::with_auth(d, user, settings, auth)
    }

    /// A store with an account for Dovecot user `user` logging in with `auth`.
    pub fn with_auth(
        d: &Dovecot,
        user: &str,
        mut settings: AccountSettings,
        auth: AuthMethod,
    ) -> Sender {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::random();
        let key_hex = key.to_hex();
        let store = Store::open(&dir.path().join("caducee.db"), &key).unwrap();
        set_whitelist(
            &store,
            "2026-11-01T00:00:00Z",
            &[DOMAIN, "autre.mssante.fr"],
        );
        let u = d.user(user);
        settings.auth = auth;
        account::add(&store, user, &u.address, &settings).unwrap();
        let account = account::get(&store, Some(&u.address)).unwrap();
        Sender {
            dir,
            key_hex,
            store,
            account,
            password: u.password.clone(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The command-line binary, headless, on this store.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_caducee"));
        cmd.env("CADUCEE_LANG", "en");
        cmd.env("CADUCEE_DATA_DIR", self.data_dir())
            .env("CADUCEE_STORE_KEY", &self.key_hex)
            .env("CADUCEE_PASSWORD", &self.password)
            .env_remove("CADUCEE_LOG");
        cmd
    }

    pub fn flush(&self) -> caducee::send::FlushReport {
        let account = account::get(&self.store, Some(&self.account.address)).unwrap();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(caducee::send::flush(&self.store, &account, &self.password))
            .unwrap()
    }
}

/// Every message file (new and cur) of a Maildir folder directory.
pub fn message_files(folder_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(folder_dir.join(sub)) {
            out.extend(entries.flatten().map(|e| e.path()));
        }
    }
    out.sort();
    out
}

/// The files of a folder whose Message-ID header is `<id>`.
pub fn with_message_id(folder_dir: &Path, id: &str) -> Vec<Vec<u8>> {
    let needle = format!("Message-ID: <{id}>");
    message_files(folder_dir)
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|raw| {
            String::from_utf8_lossy(raw)
                .lines()
                .any(|l| l.eq_ignore_ascii_case(&needle))
        })
        .collect()
}
