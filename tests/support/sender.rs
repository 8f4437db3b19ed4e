//! A sending account on the private Dovecot: a store (with its key, for the
//! command-line binary), a whitelist that trusts the test domain, an account.

use std::path::{Path, PathBuf};

use caducee::account::{
    self, Account, AccountSettings, AuthMethod, DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security,
    Server,
};
use caducee::store::{Store, StoreKey};
use caducee::trust::{self, ImportOptions, NAMESPACE};

use super::dovecot::{DOMAIN, Dovecot};

pub struct Sender {
    pub dir: tempfile::TempDir,
    pub key_hex: String,
    pub store: Store,
    pub account: Account,
    pub password: String,
}

/// A whitelist (RFC-shaped ANS XML) holding `domains`.
pub fn whitelist_xml(date: &str, domains: &[&str]) -> String {
    let body: String = domains
        .iter()
        .map(|nom| {
            format!(
                "<Domaine><Nom>{nom}</Nom><Description>Test</Description>\
                 <DNCertificatOperateur>CN=mss.example.fr,O=Test,C=FR</DNCertificatOperateur>\
                 <ResponsableContact>r</ResponsableContact><SupportContact>s</SupportContact>\
                 <DateMAJ>2026-01-01T00:00:00Z</DateMAJ></Domaine>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListeBlancheMSSante xmlns=\"{NAMESPACE}\">\
         <DateDeGeneration>{date}</DateDeGeneration><ListeDomaines>{body}</ListeDomaines></ListeBlancheMSSante>"
    )
}

/// Replace the whitelist in use (forced: tests shrink it on purpose).
pub fn set_whitelist(store: &Store, date: &str, domains: &[&str]) {
    trust::import_bytes(
        store,
        whitelist_xml(date, domains).as_bytes(),
        "test",
        &ImportOptions {
            force: true,
            extra_ca: None,
        },
    )
    .unwrap();
}

pub fn settings(d: &Dovecot, security: Security) -> AccountSettings {
    AccountSettings {
        imap: Server {
            host: d.host.clone(),
            port: d.imaps_port,
            security: Security::Tls,
        },
        smtp: Server {
            host: d.host.clone(),
            port: match security {
                Security::Tls => d.submissions_port,
                Security::StartTls => d.submission_port,
            },
            security,
        },
        auth: AuthMethod::Password {
            username: String::new(),
        },
        extra_ca: Some(d.ca_path.clone()),
        attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: OfflineBodies::All,
        delegations: vec![],
    }
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
