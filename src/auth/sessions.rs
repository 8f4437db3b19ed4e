//! Certificate logins of this process, one per account: the card is logged in
//! once (one PIN entry) and its session shared by every connection until the
//! card is removed or [`forget_all`] is called (session lock).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::account::{Account, AuthMethod};
use crate::i18n::tr;
use crate::secrets::Secret;

use super::identity::Identity;
use super::pkcs12::{self, PKCS12_PASSWORD_ENV, PKCS12_SECRET};
use super::resolver::ClientCertificate;
use super::signer::TokenSigningKey;
use super::token::TokenKey;
use super::{AuthError, pin};

struct Login {
    certificate: ClientCertificate,
    /// The card, for certificate logins on a token.
    token: Option<Arc<TokenKey>>,
}

fn logins() -> &'static Mutex<HashMap<String, Login>> {
    static LOGINS: OnceLock<Mutex<HashMap<String, Login>>> = OnceLock::new();
    LOGINS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The TLS client certificate of `account`: none for password or token
/// logins; the card's (asking for the PIN through [`pin::source`] on first
/// use) for CPS accounts; the PKCS#12 file's for application mailboxes.
pub fn client_auth(account: &Account) -> Result<Option<ClientCertificate>, AuthError> {
    client_auth_with(account, &*pin::source())
}

/// [`client_auth`] with the PIN, if one is needed, asked from `pins`.
fn client_auth_with(
    account: &Account,
    pins: &dyn pin::PinSource,
) -> Result<Option<ClientCertificate>, AuthError> {
    if !matches!(
        account.settings.auth,
        AuthMethod::Cps { .. } | AuthMethod::Certificate { .. }
    ) {
        return Ok(None);
    }
    let mut logins = logins().lock().map_err(|_| AuthError::Token {
        operation: "log in",
        reason: tr("auth-reason-earlier-login"),
    })?;
    if let Some(login) = logins.get(&account.address) {
        if login.token.as_ref().is_none_or(|t| t.is_usable()) {
            return Ok(Some(login.certificate.clone()));
        }
        logins.remove(&account.address);
    }
    let login = match &account.settings.auth {
        AuthMethod::Cps { pkcs11_module } => {
            let token = Arc::new(TokenKey::login(pkcs11_module.as_deref(), pins)?);
            let chain = vec![token.certificate_der().to_vec().into()];
            let key = Arc::new(TokenSigningKey::new(token.clone()));
            Login {
                certificate: ClientCertificate::new(chain, key),
                token: Some(token),
            }
        }
        AuthMethod::Certificate { pkcs12: path } => {
            let password = pkcs12_password(account)?;
            Login {
                certificate: pkcs12::load(path, &password)?,
                token: None,
            }
        }
        _ => return Ok(None),
    };
    let certificate = login.certificate.clone();
    logins.insert(account.address.clone(), login);
    Ok(Some(certificate))
}

/// The PKCS#12 password of an application mailbox: the environment
/// (headless), else the OS keyring.
pub fn pkcs12_password(account: &Account) -> Result<String, AuthError> {
    Ok(Secret {
        what: PKCS12_SECRET,
        account: &account.address,
        env: PKCS12_PASSWORD_ENV,
    }
    .get()?)
}

/// Log in with the account's certificate now (the PIN is asked here) and say
/// who it names. `None` for accounts that do not log in with a certificate.
pub fn card_login(account: &Account) -> Result<Option<Identity>, AuthError> {
    card_login_with(account, &*pin::source())
}

/// [`card_login`] with the PIN asked from `pins` (the PIN the session lock
/// was given).
pub fn card_login_with(
    account: &Account,
    pins: &dyn pin::PinSource,
) -> Result<Option<Identity>, AuthError> {
    match client_auth_with(account, pins)? {
        Some(cert) => Ok(Some(Identity::from_der(cert.certificate_der())?)),
        None => Ok(None),
    }
}

/// End every certificate login of this process (the card was removed, the
/// session is locked): the next connection logs in again.
pub fn forget_all() {
    if let Ok(mut logins) = logins().lock() {
        logins.clear();
    }
}

/// End the certificate login of one account (its card was taken out): its
/// next connection logs in again.
pub fn forget(address: &str) {
    if let Ok(mut logins) = logins().lock() {
        logins.remove(address);
    }
}

/// Sign one account out of its card: log out of the token (the PIN is asked
/// again) and end its certificate login.
pub fn sign_out(address: &str) {
    let login = logins().lock().ok().and_then(|mut l| l.remove(address));
    if let Some(token) = login.and_then(|l| l.token) {
        token.log_out();
    }
}
