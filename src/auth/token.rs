//! The card's authentication key through PKCS#11: find the authentication
//! certificate (CKA_ID ending in 0x20; the signature key, 0x10, is never
//! used), log in with the PIN (or the reader's own PIN pad when the token has
//! a protected authentication path), and sign on the card. The private key
//! never leaves the token: only digests go in and signatures come out.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use crate::i18n::tr;

use super::pin::PinSource;
use super::{AuthError, PinTries, module};

/// The last byte of the authentication objects' CKA_ID on a CPS card.
pub const AUTH_ID_SUFFIX: u8 = 0x20;
/// The last byte of the signature objects' CKA_ID (never used here).
pub const SIGNATURE_ID_SUFFIX: u8 = 0x10;

/// The authentication certificate found on a card.
#[derive(Debug, Clone)]
pub struct CardCertificate {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Its CKA_ID (ends in 0x20).
    pub id: Vec<u8>,
    /// The token's label.
    pub token: String,
    /// The module that reads it.
    pub module: PathBuf,
    slot: Slot,
}

fn token_err(operation: &'static str) -> impl Fn(CkError) -> AuthError {
    move |e| match e {
        CkError::Pkcs11(
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed,
            _,
        ) => AuthError::CardRemoved,
        other => AuthError::Token {
            operation,
            reason: other.to_string(),
        },
    }
}

fn hex_id(id: &[u8]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Find the authentication certificate of the first card that has one. No
/// PIN is needed: certificates are public objects.
pub fn authentication_certificate(module: Option<&Path>) -> Result<CardCertificate, AuthError> {
    let path = module::resolve(module)?;
    let ctx = module::context(&path)?;
    find_certificate(&ctx, &path)
}

fn find_certificate(ctx: &Pkcs11, path: &Path) -> Result<CardCertificate, AuthError> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(token_err("list the card readers"))?;
    if slots.is_empty() {
        return Err(AuthError::NoToken {
            module: path.to_path_buf(),
        });
    }
    let mut first_label = None;
    for slot in slots {
        let label = ctx
            .get_token_info(slot)
            .map(|i| i.label().trim().to_owned())
            .unwrap_or_default();
        let session = ctx
            .open_ro_session(slot)
            .map_err(token_err("open a session"))?;
        let certs = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
            .map_err(token_err("list the certificates"))?;
        for cert in certs {
            let attrs = session
                .get_attributes(cert, &[AttributeType::Id, AttributeType::Value])
                .map_err(token_err("read a certificate"))?;
            let mut id = Vec::new();
            let mut der = Vec::new();
            for a in attrs {
                match a {
                    Attribute::Id(v) => id = v,
                    Attribute::Value(v) => der = v,
                    _ => {}
                }
            }
            if id.last() == Some(&AUTH_ID_SUFFIX) && !der.is_empty() {
                return Ok(CardCertificate {
                    der,
                    id,
                    token: label,
                    module: path.to_path_buf(),
                    slot,
                });
            }
        }
        first_label.get_or_insert(label);
    }
    Err(AuthError::NoAuthCertificate {
        token: first_label.unwrap_or_default(),
    })
}

/// The user PIN's state as the token reports it, read without the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinState {
    /// Locked after too many wrong PINs.
    pub locked: bool,
    /// What the token tells of the tries left.
    pub tries: PinTries,
    /// The PIN is typed on the reader or by the middleware, not here.
    pub protected_path: bool,
}

/// The PIN state of the card holding the authentication certificate.
pub fn pin_state(module: Option<&Path>) -> Result<PinState, AuthError> {
    let path = module::resolve(module)?;
    let ctx = module::context(&path)?;
    let certificate = find_certificate(&ctx, &path)?;
    let info = ctx
        .get_token_info(certificate.slot)
        .map_err(token_err("read the card's state"))?;
    let tries = if info.user_pin_final_try() {
        PinTries::FinalTry
    } else if info.user_pin_count_low() {
        PinTries::CountLow
    } else {
        PinTries::Unknown
    };
    Ok(PinState {
        locked: info.user_pin_locked(),
        tries,
        protected_path: info.protected_authentication_path(),
    })
}

/// Whether this process is logged in to the card holding the authentication
/// certificate (a fresh read-only session tells the token's login state).
pub fn logged_in(module: Option<&Path>) -> Result<bool, AuthError> {
    let path = module::resolve(module)?;
    let ctx = module::context(&path)?;
    let certificate = find_certificate(&ctx, &path)?;
    let session = ctx
        .open_ro_session(certificate.slot)
        .map_err(token_err("open a session"))?;
    let info = session
        .get_session_info()
        .map_err(token_err("read the session's state"))?;
    Ok(matches!(
        info.session_state(),
        cryptoki::session::SessionState::RoUser | cryptoki::session::SessionState::RwUser
    ))
}

/// A logged-in card: the session (shared across threads behind a mutex),
/// the authentication key's handle and what the token can do with it.
pub struct TokenKey {
    session: Mutex<Session>,
    key: ObjectHandle,
    certificate: CardCertificate,
    pkcs1: bool,
    pss: bool,
    modulus_bits: usize,
    removed: AtomicBool,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("token", &self.certificate.token)
            .field("id", &hex_id(&self.certificate.id))
            .field("pss", &self.pss)
            .finish()
    }
}

/// What a failed C_Login means, with the tries the token reports.
fn login_error(ctx: &Pkcs11, slot: Slot, token: &str, e: CkError) -> AuthError {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect, _) => {
            let tries = match ctx.get_token_info(slot) {
                Ok(info) if info.user_pin_locked() => {
                    return AuthError::PinLocked {
                        token: token.to_owned(),
                    };
                }
                Ok(info) if info.user_pin_final_try() => PinTries::FinalTry,
                Ok(info) if info.user_pin_count_low() => PinTries::CountLow,
                _ => PinTries::Unknown,
            };
            AuthError::WrongPin {
                token: token.to_owned(),
                tries,
            }
        }
        CkError::Pkcs11(RvError::PinLocked, _) => AuthError::PinLocked {
            token: token.to_owned(),
        },
        CkError::Pkcs11(RvError::PinLenRange, _) => AuthError::PinLength {
            token: token.to_owned(),
            reason: tr("auth-reason-pin-digits"),
        },
        other => token_err("log in")(other),
    }
}

impl TokenKey {
    /// Log in to the card and find its authentication key. The PIN is asked
    /// from `pins` unless the token has its own PIN entry.
    pub fn login(module: Option<&Path>, pins: &dyn PinSource) -> Result<TokenKey, AuthError> {
        let path = module::resolve(module)?;
        let ctx = module::context(&path)?;
        let certificate = find_certificate(&ctx, &path)?;
        let slot = certificate.slot;
        let token = certificate.token.clone();
        let info = ctx
            .get_token_info(slot)
            .map_err(token_err("read the card's state"))?;
        if info.user_pin_locked() {
            return Err(AuthError::PinLocked { token });
        }
        let session = ctx
            .open_ro_session(slot)
            .map_err(token_err("open a session"))?;
        // The middleware or the reader's PIN pad asks for it on a protected path.
        let pin = if info.protected_authentication_path() {
            None
        } else {
            let pin = pins.pin(&token)?;
            if pin.is_empty() {
                return Err(AuthError::PinCancelled);
            }
            Some(AuthPin::from(pin))
        };
        let login = match session.login(UserType::User, pin.as_ref()) {
            // The token's login is shared by every session of this process: one
            // may still be held (a lock whose card stayed in, an earlier
            // connection). Log out and in again, so the PIN given now is always
            // the one the card checks.
            Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => session
                .logout()
                .and_then(|()| session.login(UserType::User, pin.as_ref())),
            other => other,
        };
        if let Err(e) = login {
            return Err(login_error(&ctx, slot, &token, e));
        }
        tracing::info!(token = %token, "card login");
        let keys = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(certificate.id.clone()),
            ])
            .map_err(token_err("find the authentication key"))?;
        let key = *keys.first().ok_or_else(|| AuthError::NoAuthKey {
            token: token.clone(),
            id: hex_id(&certificate.id),
        })?;
        let attrs = session
            .get_attributes(key, &[AttributeType::KeyType, AttributeType::Modulus])
            .map_err(token_err("read the authentication key"))?;
        let mut modulus_bits = 0;
        for a in attrs {
            match a {
                Attribute::KeyType(t) if t != KeyType::RSA => {
                    return Err(AuthError::UnsupportedKey(t.to_string()));
                }
                Attribute::Modulus(m) => {
                    let significant = m.iter().skip_while(|b| **b == 0).count();
                    modulus_bits = significant * 8;
                }
                _ => {}
            }
        }
        // Asked one by one: the whole list may hold vendor mechanisms.
        let signs = |m: MechanismType| {
            ctx.get_mechanism_info(slot, m)
                .map(|info| info.sign())
                .unwrap_or(false)
        };
        let pkcs1 = signs(MechanismType::RSA_PKCS);
        let pss = signs(MechanismType::RSA_PKCS_PSS);
        if !pkcs1 && !pss {
            return Err(AuthError::UnsupportedKey(
                "the card offers neither CKM_RSA_PKCS nor CKM_RSA_PKCS_PSS".into(),
            ));
        }
        Ok(TokenKey {
            session: Mutex::new(session),
            key,
            certificate,
            pkcs1,
            pss,
            modulus_bits,
            removed: AtomicBool::new(false),
        })
    }

    /// The authentication certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate.der
    }

    /// The certificate as found on the card (token label, CKA_ID, module).
    pub fn certificate(&self) -> &CardCertificate {
        &self.certificate
    }

    /// Whether the token offers CKM_RSA_PKCS_PSS (needed for TLS 1.3).
    pub fn offers_pss(&self) -> bool {
        self.pss
    }

    /// Whether the token offers CKM_RSA_PKCS (PKCS#1 v1.5, TLS 1.2).
    pub fn offers_pkcs1(&self) -> bool {
        self.pkcs1
    }

    /// The RSA modulus size in bits (0 if the token did not say).
    pub fn modulus_bits(&self) -> usize {
        self.modulus_bits
    }

    /// Sign out of the card (PKCS#11 `C_Logout`: the PIN is needed again for
    /// every session of this process on the token); this key is unusable
    /// from now on. A card already gone is logged out by itself.
    pub fn log_out(&self) {
        self.removed.store(true, Ordering::Relaxed);
        if let Ok(session) = self.session.lock()
            && let Err(e) = session.logout()
        {
            tracing::debug!(error = %e, "card logout");
        }
    }

    /// False once the card was seen removed: a new login is needed.
    pub fn is_usable(&self) -> bool {
        !self.removed.load(Ordering::Relaxed)
    }

    /// Sign `data` on the card with `mechanism`.
    pub fn sign(&self, mechanism: &Mechanism<'_>, data: &[u8]) -> Result<Vec<u8>, AuthError> {
        let session = self.session.lock().map_err(|_| AuthError::Token {
            operation: "sign",
            reason: tr("auth-reason-earlier-signature"),
        })?;
        session.sign(mechanism, self.key, data).map_err(|e| {
            // A card pulled out and put back is logged out: log in again.
            let logged_out = matches!(e, CkError::Pkcs11(RvError::UserNotLoggedIn, _));
            let err = token_err("sign")(e);
            if logged_out || matches!(err, AuthError::CardRemoved) {
                self.removed.store(true, Ordering::Relaxed);
            }
            err
        })
    }
}
