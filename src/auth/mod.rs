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

use std::path::PathBuf;

pub use card_unlock::TokenLogin;
pub use identity::Identity;
pub use pin::{CARD_PIN_ENV, PinSource};
pub use resolver::ClientCertificate;
pub use sessions::{card_login, client_auth, forget_all};
pub use token::TokenKey;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "no PKCS#11 module for the CPS card was found (tried: {tried}). Install the ANS “Cryptolib CPS” middleware, or OpenSC, or give the module's path with `--pkcs11-module PATH` when adding the account"
    )]
    ModuleNotFound { tried: String },
    #[error(
        "the PKCS#11 module {path} cannot be loaded: {reason}. Reinstall the CPS middleware (Cryptolib CPS or OpenSC)"
    )]
    ModuleLoad { path: PathBuf, reason: String },
    #[error(
        "no card found: insert your CPS card in the reader (the module {module} sees no card). If the card is in, check that the reader is connected and the PC/SC service runs"
    )]
    NoToken { module: PathBuf },
    #[error(
        "the card “{token}” holds no authentication certificate (an object whose CKA_ID ends in 0x20): is it a CPS card?"
    )]
    NoAuthCertificate { token: String },
    #[error(
        "the card “{token}” holds no private key for its authentication certificate (CKA_ID {id})"
    )]
    NoAuthKey { token: String, id: String },
    #[error("the card's key is of a kind that cannot sign TLS logins ({0}); only RSA is supported")]
    UnsupportedKey(String),
    #[error("wrong PIN for the card “{token}”: {tries}")]
    WrongPin { token: String, tries: PinTries },
    #[error(
        "the PIN of the card “{token}” is locked after too many wrong tries: unblock it with its unblocking code (PUK) or ask the card's issuer (ANS) for help"
    )]
    PinLocked { token: String },
    #[error("the PIN for the card “{token}” has the wrong length ({reason})")]
    PinLength { token: String, reason: String },
    #[error("the card PIN is needed: type it when asked, or for headless use set {env}")]
    NoPin { env: &'static str },
    #[error("PIN entry was cancelled")]
    PinCancelled,
    #[error("the card was removed: insert it again and log in with the PIN")]
    CardRemoved,
    #[error("the card refused the operation ({operation}): {reason}")]
    Token {
        operation: &'static str,
        reason: String,
    },
    #[error("the certificate on the card cannot be read: {0}")]
    Certificate(String),
    #[error("the certificate file {path} cannot be read: {reason}")]
    Pkcs12 { path: PathBuf, reason: String },
    #[error(
        "the password of the certificate file {path} is wrong: save the right one with `caducee account certificate-password ADDRESS`, or for headless use set {env}"
    )]
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
        f.write_str(match self {
            Self::FinalTry => {
                "one try left: one more wrong PIN locks the card. Check the PIN before typing it again"
            }
            Self::CountLow => {
                "the card reports that tries are running low (it does not tell how many remain); a CPS card locks after 3 wrong PINs in a row"
            }
            Self::Unknown => {
                "the card does not tell how many tries remain; a CPS card locks after 3 wrong PINs in a row"
            }
        })
    }
}
