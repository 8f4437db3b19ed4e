//! Signing a token account in from the window: e-CPS through Pro Santé
//! Connect (the system browser, then the loopback redirect, waited for in a
//! blocking task) and the national operator's one-time code (identifier and
//! password, then the code sent by SMS or mail). Every token account has
//! its own sign-in and session: the mailbox is covered by the screen of the
//! first account still to sign in, until it is live or put off for later,
//! and again when its session ends or it is signed out.
//!
//! The core does the work ([`caducee::auth::token_login`],
//! [`caducee::auth::otp`]); this screen only asks and shows.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zeroize::Zeroizing;

use caducee::account::{Account, AuthMethod};
use caducee::auth::oidc::OidcError;
use caducee::auth::oidc::redirect::Canceller;
use caducee::auth::otp::{self, Challenge, Channel, OtpClient, OtpError};
use caducee::auth::session::{self, KeyringVault, SessionError, TokenSession, Vault};
use caducee::auth::token_login::{self, TokenLoginError};

use super::i18n::{Lang, t, t1};

/// The fields' ids.
pub const CODE_ID: &str = "otp-code";
pub const IDENTIFIER_ID: &str = "otp-identifier";
pub const PASSWORD_ID: &str = "otp-password";

/// Who opens the sign-in address: the system browser, or a test.
pub type Browser = Arc<dyn Fn(String) + Send + Sync>;

/// Where an account's refresh token goes, by address (tests).
pub type Vaults = Arc<dyn Fn(&str) -> Arc<dyn Vault> + Send + Sync>;

/// What the window may be given instead of the defaults (tests).
#[derive(Clone, Default)]
pub struct Hooks {
    /// Opens the Pro Santé Connect address instead of the system browser.
    pub browser: Option<Browser>,
    /// The one-time-code service, instead of `CADUCEE_OTP_URL`.
    pub otp_url: Option<String>,
    /// The pause after a refused code, instead of the client's own.
    pub otp_pause: Option<Duration>,
    /// Where each account's refresh token goes, instead of the OS keyring.
    pub vault: Option<Vaults>,
}

impl Hooks {
    /// The keeping place of `address`'s refresh token.
    pub fn vault_for(&self, address: &str) -> Arc<dyn Vault> {
        match &self.vault {
            Some(f) => f(address),
            None => KeyringVault::shared(address),
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hooks")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Identifier,
    Password,
    Code,
}

/// Why a step failed, as the screen says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BadIdentifier,
    WrongPassword,
    WrongCode {
        tries_left: u32,
    },
    Expired,
    Locked,
    Wait(u64),
    /// Pro Santé Connect cannot be reached.
    PscUnreachable,
    /// The provider refused the sign-in (the user declined, the card is
    /// revoked).
    PscDenied,
    /// The browser did not come back in time.
    PscTimeout,
    /// What the provider sent does not check out.
    PscInvalid(String),
    /// The refresh token kept was refused: sign in again.
    SessionEnded,
    Other(String),
}

impl Refusal {
    fn from_otp(e: &OtpError) -> Refusal {
        match e {
            OtpError::BadIdentifier(_) => Refusal::BadIdentifier,
            OtpError::WrongCredentials => Refusal::WrongPassword,
            OtpError::WrongCode { tries_left } => Refusal::WrongCode {
                tries_left: *tries_left,
            },
            OtpError::CodeExpired => Refusal::Expired,
            OtpError::Locked => Refusal::Locked,
            OtpError::TooManyAttempts(s) | OtpError::SlowDown(s) => Refusal::Wait(*s),
            other => Refusal::Other(other.to_string()),
        }
    }

    fn from_login(e: &TokenLoginError) -> Refusal {
        match e {
            TokenLoginError::Otp(e) => Refusal::from_otp(e),
            TokenLoginError::Oidc(e) => match e {
                OidcError::Unreachable(_) => Refusal::PscUnreachable,
                OidcError::Denied { .. } => Refusal::PscDenied,
                OidcError::LoginTimeout(_) => Refusal::PscTimeout,
                OidcError::StateMismatch
                | OidcError::Token(_)
                | OidcError::NoIdToken
                | OidcError::IdToken(_)
                | OidcError::NoSubjectNameId
                | OidcError::Discovery(_) => Refusal::PscInvalid(e.to_string()),
                other => Refusal::Other(other.to_string()),
            },
            TokenLoginError::Session(SessionError::Ended { .. }) => Refusal::SessionEnded,
            other => Refusal::Other(other.to_string()),
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        match self {
            Refusal::BadIdentifier => t(lang, "otp-bad-identifier"),
            Refusal::WrongPassword => t(lang, "otp-wrong-password"),
            Refusal::WrongCode { tries_left } => t1(lang, "otp-wrong-code", "tries", tries_left),
            Refusal::Expired => t(lang, "otp-expired"),
            Refusal::Locked => t(lang, "otp-locked"),
            Refusal::Wait(s) => t1(lang, "otp-wait", "seconds", s),
            Refusal::PscUnreachable => t(lang, "ecps-unreachable"),
            Refusal::PscDenied => t(lang, "ecps-denied"),
            Refusal::PscTimeout => t(lang, "ecps-timeout"),
            Refusal::PscInvalid(reason) => t1(lang, "ecps-invalid", "reason", reason),
            Refusal::SessionEnded => t(lang, "signin-ended"),
            Refusal::Other(reason) => t1(lang, "signin-failed", "reason", reason),
        }
    }
}

#[derive(Clone)]
pub enum Message {
    /// A field typed in (the password and the code wiped when dropped).
    Input(Field, Zeroizing<String>),
    Channel(Channel),
    /// Step 1: ask for a code (again, after an expired one).
    SendCode,
    /// Step 2: the code typed.
    Verify,
    /// Start the e-CPS sign-in.
    StartPsc,
    /// e-CPS: start again from the refresh token kept (at start-up).
    Resume,
    Cancel,
    /// Put this account's sign-in off: the mailbox shows for the others.
    Later,
    /// Show this account's sign-in again (from the settings).
    Show,
    /// Sign out: the session ends (e-CPS: the refresh token is revoked and
    /// forgotten); the sign-in comes back.
    SignOut,
    /// What signing out did.
    SignedOut(Result<SignedOut, String>),
    Challenged(u64, Result<Challenge, Refusal>),
    Verified(u64, Result<(), Refusal>),
    /// The e-CPS sign-in ended: the holder's national identifier.
    PscDone(u64, Result<String, Refusal>),
    /// The session started again from the refresh token kept; `Ok(false)`:
    /// none was kept.
    Resumed(u64, Result<bool, Refusal>),
    /// The session ended (renewal refused).
    Ended(String),
    /// The background work itself failed.
    Failed(String),
}

/// Without what is typed in the password and code fields.
impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Input(Field::Identifier, v) => write!(f, "Input(Identifier, {:?})", &**v),
            Message::Input(field, _) => write!(f, "Input({field:?}, …)"),
            Message::Channel(c) => write!(f, "Channel({c:?})"),
            Message::SendCode => write!(f, "SendCode"),
            Message::Verify => write!(f, "Verify"),
            Message::StartPsc => write!(f, "StartPsc"),
            Message::Resume => write!(f, "Resume"),
            Message::Cancel => write!(f, "Cancel"),
            Message::Later => write!(f, "Later"),
            Message::Show => write!(f, "Show"),
            Message::SignOut => write!(f, "SignOut"),
            Message::SignedOut(r) => write!(f, "SignedOut({r:?})"),
            Message::Challenged(a, r) => write!(f, "Challenged({a}, {:?})", r.as_ref().err()),
            Message::Verified(a, r) => write!(f, "Verified({a}, {r:?})"),
            Message::PscDone(a, r) => write!(f, "PscDone({a}, {r:?})"),
            Message::Resumed(a, r) => write!(f, "Resumed({a}, {r:?})"),
            Message::Ended(reason) => write!(f, "Ended({reason})"),
            Message::Failed(e) => write!(f, "Failed({e})"),
        }
    }
}

/// Blocking work for the background.
#[derive(Clone)]
pub enum Work {
    Challenge {
        attempt: u64,
        identifier: String,
        password: Zeroizing<String>,
        channel: Channel,
    },
    Verify {
        attempt: u64,
        challenge: Challenge,
        code: Zeroizing<String>,
    },
    Psc {
        attempt: u64,
    },
    Resume {
        attempt: u64,
    },
    /// End the session (e-CPS: revoke the refresh token, forget it).
    SignOut,
}

/// What signing out did at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedOut {
    /// e-CPS: the refresh token was revoked at Pro Santé Connect and forgotten.
    Revoked,
    /// e-CPS: the provider could not be told (or offers no revocation); the
    /// token was forgotten here all the same.
    NotRevoked(String),
    /// The session was dropped (nothing kept to revoke).
    Dropped,
}

impl SignedOut {
    pub fn text(&self, lang: Lang, address: &str) -> String {
        match self {
            SignedOut::Revoked => t1(lang, "signout-revoked", "account", address),
            SignedOut::NotRevoked(reason) => super::i18n::t_args(
                lang,
                "signout-not-revoked",
                &[
                    ("account", address.to_owned().into()),
                    ("reason", reason.clone().into()),
                ],
            ),
            SignedOut::Dropped => t1(lang, "signout-done", "account", address),
        }
    }
}

/// Without the password and the code.
impl std::fmt::Debug for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Work::Challenge {
                attempt, channel, ..
            } => {
                write!(f, "Challenge({attempt}, {channel:?})")
            }
            Work::Verify { attempt, .. } => write!(f, "Verify({attempt})"),
            Work::Psc { attempt } => write!(f, "Psc({attempt})"),
            Work::Resume { attempt } => write!(f, "Resume({attempt})"),
            Work::SignOut => write!(f, "SignOut"),
        }
    }
}

impl PartialEq for Work {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Nothing under way: the form (one-time code) or the button (e-CPS).
    Idle,
    /// The code is on its way to this masked destination.
    CodeSent(String),
    /// The browser is open; waiting for it to come back.
    Browser,
    /// Signed in.
    Done,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Run(Work),
    /// The session is live: the mailbox is shown and mail flows.
    SignedIn,
    /// Signed out, as said.
    SignedOut(Result<SignedOut, String>),
}

pub struct SignIn {
    pub account: Account,
    pub hooks: Hooks,
    pub stage: Stage,
    pub identifier: String,
    pub password: Zeroizing<String>,
    pub channel: Channel,
    pub code: Zeroizing<String>,
    challenge: Option<Challenge>,
    /// The client between the two steps (its pace after refusals).
    client: Arc<Mutex<Option<OtpClient>>>,
    /// The e-CPS sign-in address, once known (shown in case the browser
    /// does not open).
    pub url: Arc<Mutex<Option<String>>>,
    pub refusal: Option<Refusal>,
    /// The national identifier of the e-CPS holder signed in.
    pub national_id: Option<String>,
    /// Why the last session ended.
    pub ended: Option<String>,
    pub busy: bool,
    /// Answers of an abandoned attempt are ignored.
    attempt: u64,
    /// The live session (its end is followed).
    pub session: Option<TokenSession>,
    /// Counts the sessions started here (the subscription's key).
    pub generation: u64,
    /// The session started again from the refresh token kept.
    pub resumed: bool,
    /// Put off by the user: its screen does not cover the mailbox.
    pub later: bool,
    /// Stops the e-CPS redirect wait under way, once it listens.
    cancel: Arc<Mutex<Option<(u64, Canceller)>>>,
    /// The last e-CPS attempt cancelled (a wait that starts listening after
    /// it was cancelled stops at once).
    cancelled: Arc<AtomicU64>,
}

impl SignIn {
    /// One sign-in for each token account among `accounts`, in their order.
    pub fn for_accounts(accounts: &[Account], hooks: Hooks) -> Vec<SignIn> {
        accounts
            .iter()
            .filter(|a| token_login::is_token_account(a))
            .map(|a| SignIn::new(a.clone(), hooks.clone()))
            .collect()
    }

    /// The sign-in of a token account; done already when this process has
    /// its live session.
    pub fn new(account: Account, hooks: Hooks) -> SignIn {
        let identifier = match &account.settings.auth {
            AuthMethod::Otp { identifier } => identifier.clone(),
            _ => String::new(),
        };
        let live = session::current(&account.address).filter(|s| s.access_token().is_ok());
        SignIn {
            account,
            hooks,
            stage: if live.is_some() {
                Stage::Done
            } else {
                Stage::Idle
            },
            identifier,
            password: Zeroizing::default(),
            channel: Channel::Sms,
            code: Zeroizing::default(),
            challenge: None,
            client: Arc::new(Mutex::new(None)),
            url: Arc::new(Mutex::new(None)),
            refusal: None,
            national_id: None,
            ended: None,
            busy: false,
            attempt: 0,
            session: live,
            generation: 0,
            resumed: false,
            later: false,
            cancel: Arc::new(Mutex::new(None)),
            cancelled: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Whether its screen covers the mailbox now.
    pub fn pending(&self) -> bool {
        !self.signed_in() && !self.later
    }

    pub fn is_psc(&self) -> bool {
        matches!(
            self.account.settings.auth,
            AuthMethod::ProSanteConnect { .. }
        )
    }

    pub fn signed_in(&self) -> bool {
        self.stage == Stage::Done
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Input(f, v) => {
                match f {
                    Field::Identifier => self.identifier = v.to_string(),
                    Field::Password => self.password = v,
                    Field::Code => self.code = v,
                }
                None
            }
            Message::Channel(c) => {
                self.channel = c;
                None
            }
            Message::SendCode => {
                if self.busy {
                    return None;
                }
                if let Err(e) = otp::check_identifier(&self.identifier) {
                    self.refusal = Some(Refusal::from_otp(&e));
                    return None;
                }
                self.refusal = None;
                self.busy = true;
                self.attempt += 1;
                Some(Event::Run(Work::Challenge {
                    attempt: self.attempt,
                    identifier: self.identifier.trim().to_owned(),
                    password: self.password.clone(),
                    channel: self.channel,
                }))
            }
            Message::Verify => {
                let challenge = self.challenge.clone()?;
                if self.busy || self.code.trim().is_empty() {
                    return None;
                }
                self.busy = true;
                let code = std::mem::take(&mut self.code);
                Some(Event::Run(Work::Verify {
                    attempt: self.attempt,
                    challenge,
                    code,
                }))
            }
            Message::StartPsc => {
                if self.busy {
                    return None;
                }
                if let Ok(mut u) = self.url.lock() {
                    *u = None;
                }
                self.refusal = None;
                self.busy = true;
                self.attempt += 1;
                self.stage = Stage::Browser;
                Some(Event::Run(Work::Psc {
                    attempt: self.attempt,
                }))
            }
            Message::Resume => {
                if self.busy || !self.is_psc() {
                    return None;
                }
                self.busy = true;
                self.attempt += 1;
                Some(Event::Run(Work::Resume {
                    attempt: self.attempt,
                }))
            }
            Message::Resumed(a, result) if a == self.attempt => {
                self.busy = false;
                match result {
                    Ok(true) => {
                        self.resumed = true;
                        self.signed_in_now()
                    }
                    Ok(false) => None,
                    Err(Refusal::SessionEnded) => {
                        self.ended = Some("refused".into());
                        None
                    }
                    Err(r) => {
                        self.refusal = Some(r);
                        None
                    }
                }
            }
            Message::Cancel => {
                // The e-CPS redirect wait under way stops and frees its port.
                self.cancelled.store(self.attempt, Ordering::SeqCst);
                if let Some((_, c)) = self.cancel.lock().ok().and_then(|mut c| c.take()) {
                    c.cancel();
                }
                // A running step's answer is ignored from now on.
                self.attempt += 1;
                self.busy = false;
                self.stage = Stage::Idle;
                self.challenge = None;
                self.code.clear();
                self.password.clear();
                None
            }
            Message::Later => {
                self.later = true;
                None
            }
            Message::Show => {
                self.later = false;
                None
            }
            Message::SignOut => {
                if !self.signed_in() {
                    return None;
                }
                // The screen comes back at once; its end is not an "ended"
                // notice, and the work ends the session in the core.
                self.session = None;
                self.generation += 1;
                self.stage = Stage::Idle;
                self.national_id = None;
                self.resumed = false;
                self.ended = None;
                self.refusal = None;
                self.later = false;
                self.busy = false;
                self.attempt += 1;
                Some(Event::Run(Work::SignOut))
            }
            Message::SignedOut(result) => Some(Event::SignedOut(result)),
            Message::Challenged(a, result) if a == self.attempt => {
                self.busy = false;
                match result {
                    Ok(c) => {
                        self.stage = Stage::CodeSent(c.masked_destination.clone());
                        self.challenge = Some(c);
                    }
                    Err(r) => self.refusal = Some(r),
                }
                None
            }
            Message::Verified(a, result) if a == self.attempt => {
                self.busy = false;
                match result {
                    Ok(()) => self.signed_in_now(),
                    Err(r) => {
                        // Another try only while the code still holds.
                        if !matches!(r, Refusal::WrongCode { tries_left } if tries_left > 0)
                            && !matches!(r, Refusal::Wait(_))
                        {
                            self.challenge = None;
                            self.stage = Stage::Idle;
                        }
                        self.refusal = Some(r);
                        None
                    }
                }
            }
            Message::PscDone(a, result) if a == self.attempt => {
                self.busy = false;
                match result {
                    Ok(id) => {
                        self.national_id = Some(id);
                        self.signed_in_now()
                    }
                    Err(r) => {
                        self.stage = Stage::Idle;
                        self.refusal = Some(r);
                        None
                    }
                }
            }
            Message::Challenged(..)
            | Message::Verified(..)
            | Message::PscDone(..)
            | Message::Resumed(..) => None,
            Message::Failed(e) => {
                self.busy = false;
                self.refusal = Some(Refusal::Other(e));
                None
            }
            Message::Ended(_) if self.session.is_none() => None,
            Message::Ended(reason) => {
                self.session = None;
                self.stage = Stage::Idle;
                self.ended = Some(reason);
                None
            }
        }
    }

    fn signed_in_now(&mut self) -> Option<Event> {
        self.session = session::current(&self.account.address);
        self.generation += 1;
        self.password.clear();
        self.stage = Stage::Done;
        self.refusal = None;
        self.ended = None;
        self.challenge = None;
        Some(Event::SignedIn)
    }

    /// The blocking work of `work`, to run off the interface thread.
    pub fn runner(&self, work: Work) -> impl FnOnce() -> Message + Send + 'static {
        let account = self.account.clone();
        let hooks = self.hooks.clone();
        let client = self.client.clone();
        let shown_url = self.url.clone();
        let cancel = self.cancel.clone();
        let cancelled = self.cancelled.clone();
        move || match work {
            Work::Challenge {
                attempt,
                identifier,
                password,
                channel,
            } => {
                let result = (|| {
                    let mut c = match &hooks.otp_url {
                        Some(url) => OtpClient::new(url)?,
                        None => OtpClient::from_environment()?,
                    };
                    if let Some(p) = hooks.otp_pause {
                        c = c.with_pause(p);
                    }
                    let challenge = c.challenge(&identifier, &password, channel);
                    if let Ok(mut slot) = client.lock() {
                        *slot = Some(c);
                    }
                    challenge
                })();
                Message::Challenged(attempt, result.map_err(|e| Refusal::from_otp(&e)))
            }
            Work::Verify {
                attempt,
                challenge,
                code,
            } => {
                let Ok(mut slot) = client.lock() else {
                    return Message::Verified(attempt, Err(Refusal::Other("busy".into())));
                };
                let Some(c) = slot.as_mut() else {
                    return Message::Verified(attempt, Err(Refusal::Expired));
                };
                let result = c
                    .verify(&challenge, &code)
                    .map_err(TokenLoginError::from)
                    .and_then(|tokens| token_login::otp_session(&account, tokens))
                    .map(|_| ());
                if let Err(e) = &result {
                    tracing::info!(error = %e, "one-time code refused");
                }
                Message::Verified(attempt, result.map_err(|e| Refusal::from_login(&e)))
            }
            Work::SignOut => {
                let outcome = if matches!(account.settings.auth, AuthMethod::ProSanteConnect { .. })
                {
                    token_login::logout_with(&account, hooks.vault_for(&account.address))
                        .map(|l| match l {
                            token_login::Logout::Revoked => SignedOut::Revoked,
                            token_login::Logout::RevocationFailed(reason) => {
                                SignedOut::NotRevoked(reason)
                            }
                            token_login::Logout::NoRevocationEndpoint => {
                                SignedOut::NotRevoked("no revocation endpoint".into())
                            }
                            token_login::Logout::NothingToRevoke => SignedOut::Dropped,
                        })
                        .map_err(|e| e.to_string())
                } else {
                    session::forget(&account.address);
                    Ok(SignedOut::Dropped)
                };
                if let Err(e) = &outcome {
                    tracing::warn!(error = %e, "sign-out incomplete");
                }
                Message::SignedOut(outcome)
            }
            Work::Resume { attempt } => {
                let vault = hooks.vault_for(&account.address);
                if !vault.load().is_ok_and(|t| t.is_some()) {
                    return Message::Resumed(attempt, Ok(false));
                }
                // The renewal goes on on the window's runtime.
                let Ok(rt) = tokio::runtime::Handle::try_current() else {
                    return Message::Resumed(attempt, Ok(false));
                };
                let result = rt.block_on(token_login::resume_with(&account, vault));
                Message::Resumed(
                    attempt,
                    result.map(|s| s.is_some()).map_err(|e| {
                        tracing::info!(error = %e, "the e-CPS session cannot be resumed");
                        Refusal::from_login(&e)
                    }),
                )
            }
            Work::Psc { attempt } => {
                let vault = hooks.vault_for(&account.address);
                let result = token_login::psc_begin(&account).and_then(|(psc, pending)| {
                    // Cancel stops the wait below from now on (or at once, if
                    // it was pressed while the provider was looked up).
                    let canceller = pending.canceller();
                    if let Ok(mut slot) = cancel.lock()
                        && slot.as_ref().is_none_or(|(a, _)| *a < attempt)
                    {
                        *slot = Some((attempt, canceller.clone()));
                    }
                    if cancelled.load(Ordering::SeqCst) >= attempt {
                        canceller.cancel();
                    }
                    let url = pending.url.clone();
                    if let Ok(mut slot) = shown_url.lock() {
                        *slot = Some(url.clone());
                    }
                    match &hooks.browser {
                        Some(open) => open(url),
                        // A browser command that does not return must not
                        // hold up the wait for its redirect.
                        None => {
                            std::thread::spawn(move || {
                                if let Err(e) = caducee::auth::oidc::open_browser(&url) {
                                    tracing::warn!(error = %e, "the browser cannot be opened");
                                }
                            });
                        }
                    }
                    token_login::psc_finish(&account, psc, pending, vault)
                });
                Message::PscDone(
                    attempt,
                    result.map(|(who, _)| who.national_id).map_err(|e| {
                        tracing::info!(error = %e, "the e-CPS sign-in failed");
                        Refusal::from_login(&e)
                    }),
                )
            }
        }
    }
}

/// The subscription's key: one per live session.
pub struct Key(pub TokenSession, pub u64);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.account().hash(state);
        self.1.hash(state);
    }
}

impl Key {
    /// One message when the session ends.
    pub fn follow(&self) -> impl futures::Stream<Item = Message> + Send + use<> {
        let s = self.0.clone();
        futures::stream::once(async move { Message::Ended(s.ended().await.to_string()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caducee::account::{DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server};
    use caducee::auth::oidc::redirect::Redirect;

    fn account(id: i64, auth: AuthMethod) -> Account {
        let server = Server {
            host: "127.0.0.1".into(),
            port: 1,
            security: Security::Tls,
        };
        Account {
            id,
            name: "Jeton".into(),
            address: format!("unit-{id}@medecin.mssante.fr"),
            settings: caducee::account::AccountSettings {
                imap: server.clone(),
                smtp: server,
                auth,
                extra_ca: None,
                attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
                offline_bodies: OfflineBodies::All,
                delegations: vec![],
            },
        }
    }

    fn psc(id: i64) -> Account {
        account(
            id,
            AuthMethod::ProSanteConnect {
                username: "u".into(),
                provider: caducee::auth::oidc::PscProvider::Sandbox,
                client_id: Some("c".into()),
            },
        )
    }

    #[test]
    fn every_token_account_gets_its_sign_in_and_can_be_put_off() {
        let password = account(
            3,
            AuthMethod::Password {
                username: "p".into(),
            },
        );
        let otp = account(
            2,
            AuthMethod::Otp {
                identifier: "810003456789".into(),
            },
        );
        let all = SignIn::for_accounts(&[psc(1), password, otp], Hooks::default());
        assert_eq!(all.iter().map(|s| s.account.id).collect::<Vec<_>>(), [1, 2]);
        let mut s = SignIn::new(psc(1), Hooks::default());
        assert!(s.pending());
        assert_eq!(s.update(Message::Later), None);
        assert!(!s.pending() && !s.signed_in());
        assert_eq!(s.update(Message::Show), None);
        assert!(s.pending());
    }

    #[test]
    fn signing_out_brings_the_sign_in_back_without_an_ended_notice() {
        let mut s = SignIn::new(psc(4), Hooks::default());
        assert_eq!(s.update(Message::SignOut), None, "not signed in");
        s.stage = Stage::Done;
        s.national_id = Some("899700000001".into());
        s.later = true;
        assert_eq!(s.update(Message::SignOut), Some(Event::Run(Work::SignOut)));
        assert!(s.pending());
        assert_eq!(s.national_id, None);
        assert!(s.session.is_none());
        // The end of the session signed out is not "your session ended".
        assert_eq!(s.update(Message::Ended("signed out".into())), None);
        assert_eq!(s.ended, None);
        assert_eq!(
            s.update(Message::SignedOut(Ok(SignedOut::Revoked))),
            Some(Event::SignedOut(Ok(SignedOut::Revoked)))
        );
    }

    #[test]
    fn cancel_stops_the_wait_under_way() {
        let mut s = SignIn::new(psc(5), Hooks::default());
        let Some(Event::Run(Work::Psc { attempt })) = s.update(Message::StartPsc) else {
            panic!("no e-CPS work")
        };
        let redirect = Redirect::bind().unwrap();
        let canceller = redirect.canceller();
        *s.cancel.lock().unwrap() = Some((attempt, canceller.clone()));
        assert!(!canceller.is_cancelled());
        assert_eq!(s.update(Message::Cancel), None);
        assert!(canceller.is_cancelled());
        assert_eq!(s.stage, Stage::Idle);
        // A wait that starts listening only now sees it was cancelled.
        assert!(s.cancelled.load(Ordering::SeqCst) >= attempt);
    }
}
