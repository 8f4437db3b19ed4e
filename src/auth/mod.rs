//! Proving who the user is with a certificate: the CPS card's authentication
//! key through PKCS#11 (the key never leaves the card), or an application
//! mailbox's PKCS#12 file; the TLS client-certificate resolver built on either;
//! the professional's identity read from the certificate. Also the PC/SC
//! readers and their events (`pcsc`), recognising a CPS card (`card`), and the
//! session lock that closes an account's network sessions when the card is
//! taken out (`lock`).

pub mod card;
pub mod card_unlock;
pub mod identity;
pub mod lock;
pub mod module;
pub mod oidc;
pub mod otp;
pub mod pcsc;
pub mod pin;
pub mod pkcs12;
pub mod resolver;
pub mod session;
pub mod sessions;
pub mod signer;
pub mod token;
pub mod token_login;

#[cfg(test)]
mod messages_tests;

use std::path::PathBuf;

use crate::i18n::{tr, tr1, tr2};

pub use card_unlock::TokenLogin;
pub use identity::Identity;
pub use pin::{CARD_PIN_ENV, PinSource};
pub use resolver::ClientCertificate;
pub use sessions::{card_login, client_auth, forget_all};
pub use token::TokenKey;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{}", tr1("auth-module-not-found", "tried", .tried))]
    ModuleNotFound { tried: String },
    #[error("{}", tr2("auth-module-load", "path", &.path.display(), "reason", .reason))]
    ModuleLoad { path: PathBuf, reason: String },
    #[error("{}", tr1("auth-no-token", "module", &.module.display()))]
    NoToken { module: PathBuf },
    #[error("{}", tr1("auth-no-auth-certificate", "token", .token))]
    NoAuthCertificate { token: String },
    #[error("{}", tr2("auth-no-auth-key", "token", .token, "id", .id))]
    NoAuthKey { token: String, id: String },
    #[error("{}", tr1("auth-unsupported-key", "kind", .0))]
    UnsupportedKey(String),
    #[error("{}", tr2("auth-wrong-pin", "token", .token, "tries", .tries))]
    WrongPin { token: String, tries: PinTries },
    #[error("{}", tr1("auth-pin-locked", "token", .token))]
    PinLocked { token: String },
    #[error("{}", tr2("auth-pin-length", "token", .token, "reason", .reason))]
    PinLength { token: String, reason: String },
    #[error("{}", tr1("auth-no-pin", "env", .env))]
    NoPin { env: &'static str },
    #[error("{}", tr("auth-pin-cancelled"))]
    PinCancelled,
    #[error("{}", tr("auth-card-removed"))]
    CardRemoved,
    #[error("{}", tr2("auth-token", "operation", &operation_text(.operation), "reason", .reason))]
    Token {
        operation: &'static str,
        reason: String,
    },
    #[error("{}", tr1("auth-certificate", "reason", .0))]
    Certificate(String),
    #[error("{}", tr2("auth-pkcs12", "path", &.path.display(), "reason", .reason))]
    Pkcs12 { path: PathBuf, reason: String },
    #[error("{}", tr2("auth-pkcs12-password", "path", &.path.display(), "env", .env))]
    Pkcs12Password { path: PathBuf, env: &'static str },
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
}

/// How many PIN tries remain, as far as the token tells: PKCS#11 exposes flags,
/// not a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinTries {
    /// CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the card.
    FinalTry,
    /// CKF_USER_PIN_COUNT_LOW: at least one wrong PIN was typed since the last
    /// correct one; the token does not say how many tries are left.
    CountLow,
    /// The token sets no flag: it does not say how many tries remain.
    Unknown,
}

impl std::fmt::Display for PinTries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            Self::FinalTry => tr("auth-pin-tries-final"),
            Self::CountLow => tr("auth-pin-tries-low"),
            Self::Unknown => tr("auth-pin-tries-unknown"),
        })
    }
}

/// A card operation of [`AuthError::Token`] in the user's language (the
/// field holds its English words).
fn operation_text(operation: &str) -> String {
    match operation {
        "list the card readers" => tr("auth-op-list-readers"),
        "open a session" => tr("auth-op-open-session"),
        "list the certificates" => tr("auth-op-list-certificates"),
        "read a certificate" => tr("auth-op-read-certificate"),
        "read the card's state" => tr("auth-op-read-state"),
        "log in" => tr("auth-op-log-in"),
        "find the authentication key" => tr("auth-op-find-key"),
        "read the authentication key" => tr("auth-op-read-key"),
        "sign" => tr("auth-op-sign"),
        "load the module" => tr("auth-op-load-module"),
        other => other.to_owned(),
    }
}
