//! Token sessions (Pro Santé Connect, one-time-code logins): the access token
//! lives in this process's memory only, never on disk nor in the keyring. With
//! a refresh token, a background task renews the access token before it
//! expires and keeps the refresh token in the OS keyring only (rotated when the
//! provider sends a new one). When the provider refuses the refresh token
//! (expired, revoked), the session ends with a clear error asking to sign in
//! again; nothing queued is touched, so the outbox and the sync state wait.
//!
//! One session per account in this process ([`register`], [`current`]): IMAP
//! and SMTP logins take the token of the moment from it, so a reconnection
//! after a refresh uses the new token.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::i18n::{tr, tr2, tr3};
use crate::secrets::{Secret, SecretError};

/// The keyring entry of an account's refresh token.
pub const REFRESH_TOKEN: &str = "refresh-token";
/// Environment variable holding the refresh token in headless mode (read
/// only: a rotated token is then kept in memory for the process).
pub const REFRESH_TOKEN_ENV: &str = "CADUCEE_REFRESH_TOKEN";

/// Fresh tokens from the provider.
#[derive(Clone)]
pub struct Tokens {
    pub access: String,
    pub expires_in: Duration,
    pub refresh: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tokens(expires in {:?}, refresh token: {})",
            self.expires_in,
            self.refresh.is_some()
        )
    }
}

/// Why a refresh failed.
#[derive(Debug, Clone)]
pub enum RefreshError {
    /// The provider refused the refresh token (expired, revoked): final.
    Refused(String),
    /// Network or server trouble: try again.
    Transient(String),
}

/// Who renews the tokens (the OIDC provider).
pub trait Refresher: Send + Sync {
    /// Trade a refresh token for new tokens (blocking; run off the runtime).
    fn refresh(&self, refresh_token: &str) -> Result<Tokens, RefreshError>;
}

/// Where the refresh token is kept.
pub trait Vault: Send + Sync {
    fn load(&self) -> Result<Option<String>, SecretError>;
    fn save(&self, token: &str) -> Result<(), SecretError>;
    fn delete(&self) -> Result<(), SecretError>;
}

/// The OS keyring (or, headless, [`REFRESH_TOKEN_ENV`], read only).
pub struct KeyringVault {
    account: String,
}

impl KeyringVault {
    pub fn shared(account: &str) -> Arc<dyn Vault> {
        Arc::new(KeyringVault {
            account: account.to_owned(),
        })
    }

    fn secret(&self) -> Secret<'_> {
        Secret {
            what: REFRESH_TOKEN,
            account: &self.account,
            env: REFRESH_TOKEN_ENV,
        }
    }

    fn headless() -> bool {
        std::env::var_os(REFRESH_TOKEN_ENV).is_some()
    }
}

impl Vault for KeyringVault {
    fn load(&self) -> Result<Option<String>, SecretError> {
        match self.secret().get() {
            Ok(t) => Ok(Some(t)),
            Err(SecretError::Missing { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save(&self, token: &str) -> Result<(), SecretError> {
        if Self::headless() {
            return Ok(());
        }
        self.secret().set(token)
    }

    fn delete(&self) -> Result<(), SecretError> {
        if Self::headless() {
            return Ok(());
        }
        self.secret().delete()
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SessionError {
    #[error("{}", tr2("auth-session-not-logged-in", "kind", &kind_text(.kind), "account", .account))]
    NotLoggedIn { account: String, kind: &'static str },
    #[error(
        "{}",
        tr3("auth-session-ended", "kind", &kind_text(.kind), "account", .account, "reason", .reason)
    )]
    Ended {
        account: String,
        kind: &'static str,
        reason: String,
    },
    #[error("{}", tr2("auth-session-stale", "account", .account, "reason", .reason))]
    Stale { account: String, reason: String },
    #[error("{}", tr2("auth-session-keyring", "account", .account, "reason", .reason))]
    Keyring { account: String, reason: String },
}

/// A session's kind (a provider's name, or the one-time code) in the user's
/// language.
fn kind_text(kind: &str) -> String {
    if kind == super::otp::KIND {
        tr("auth-session-kind-otp")
    } else {
        kind.to_owned()
    }
}

impl SessionError {
    /// True when waiting may help (the provider was unreachable).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Stale { .. })
    }
}

#[derive(Clone)]
enum State {
    Live {
        token: String,
        expires_at: Instant,
        /// The last refresh attempt failed for this reason (transient).
        trouble: Option<String>,
    },
    Ended(String),
}

struct Inner {
    account: String,
    kind: &'static str,
    state: watch::Sender<State>,
    refreshes: AtomicU64,
    task: Mutex<Option<tokio::task::AbortHandle>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(mut t) = self.task.lock()
            && let Some(t) = t.take()
        {
            t.abort();
        }
    }
}

/// The token session of one account.
#[derive(Clone)]
pub struct TokenSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TokenSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TokenSession({}, {})",
            self.inner.account, self.inner.kind
        )
    }
}

/// When to renew a token that lives `lifetime`: at three quarters of it.
pub fn refresh_after(lifetime: Duration) -> Duration {
    (lifetime * 3 / 4).max(Duration::from_millis(200))
}

impl TokenSession {
    /// Start a session on fresh tokens. With a refresher and a refresh
    /// token, the refresh token is saved in `vault` and the access token
    /// renewed in the background (on the current tokio runtime, else on a
    /// thread of its own).
    pub fn start(
        account: &str,
        kind: &'static str,
        tokens: Tokens,
        refresher: Option<Arc<dyn Refresher>>,
        vault: Option<Arc<dyn Vault>>,
    ) -> Result<TokenSession, SessionError> {
        let expires_at = Instant::now() + tokens.expires_in;
        let inner = Arc::new(Inner {
            account: account.to_owned(),
            kind,
            state: watch::Sender::new(State::Live {
                token: tokens.access,
                expires_at,
                trouble: None,
            }),
            refreshes: AtomicU64::new(0),
            task: Mutex::new(None),
        });
        if let (Some(refresher), Some(refresh), Some(vault)) = (refresher, tokens.refresh, vault) {
            vault.save(&refresh).map_err(|e| SessionError::Keyring {
                account: account.to_owned(),
                reason: e.to_string(),
            })?;
            let task = spawn(renew(
                Arc::downgrade(&inner),
                refresher,
                vault,
                refresh,
                tokens.expires_in,
            ));
            if let Ok(mut t) = inner.task.lock() {
                *t = task;
            }
        }
        Ok(TokenSession { inner })
    }

    /// Start a session from the refresh token kept in `vault` (the one-shot
    /// commands, a restart): one refresh now, then in the background.
    pub async fn resume(
        account: &str,
        kind: &'static str,
        refresher: Arc<dyn Refresher>,
        vault: Arc<dyn Vault>,
    ) -> Result<TokenSession, SessionError> {
        let keyring = |e: SecretError| SessionError::Keyring {
            account: account.to_owned(),
            reason: e.to_string(),
        };
        let Some(refresh) = vault.load().map_err(keyring)? else {
            return Err(SessionError::NotLoggedIn {
                account: account.to_owned(),
                kind,
            });
        };
        let r = refresher.clone();
        let outcome = tokio::task::spawn_blocking(move || r.refresh(&refresh))
            .await
            .unwrap_or_else(|e| Err(RefreshError::Transient(e.to_string())));
        match outcome {
            Ok(mut tokens) => {
                if tokens.refresh.is_none() {
                    // The provider kept the refresh token as it was.
                    tokens.refresh = vault.load().map_err(keyring)?;
                }
                Self::start(account, kind, tokens, Some(refresher), Some(vault))
            }
            Err(RefreshError::Refused(reason)) => {
                let _ = vault.delete();
                Err(SessionError::Ended {
                    account: account.to_owned(),
                    kind,
                    reason: refused(&reason),
                })
            }
            Err(RefreshError::Transient(reason)) => Err(SessionError::Stale {
                account: account.to_owned(),
                reason,
            }),
        }
    }

    pub fn account(&self) -> &str {
        &self.inner.account
    }

    /// The access token of the moment.
    pub fn access_token(&self) -> Result<String, SessionError> {
        match &*self.inner.state.borrow() {
            State::Ended(reason) => Err(SessionError::Ended {
                account: self.inner.account.clone(),
                kind: self.inner.kind,
                reason: reason.clone(),
            }),
            State::Live {
                token,
                expires_at,
                trouble,
            } => {
                if Instant::now() < *expires_at {
                    Ok(token.clone())
                } else if let Some(reason) = trouble {
                    Err(SessionError::Stale {
                        account: self.inner.account.clone(),
                        reason: reason.clone(),
                    })
                } else if self.has_renewal() {
                    Err(SessionError::Stale {
                        account: self.inner.account.clone(),
                        reason: tr("auth-session-renewing"),
                    })
                } else {
                    Err(SessionError::Ended {
                        account: self.inner.account.clone(),
                        kind: self.inner.kind,
                        reason: tr("auth-session-expired"),
                    })
                }
            }
        }
    }

    fn has_renewal(&self) -> bool {
        self.inner
            .task
            .lock()
            .map(|t| t.as_ref().is_some_and(|t| !t.is_finished()))
            .unwrap_or(false)
    }

    /// Whether the session still yields tokens (or will, once renewed).
    pub fn is_live(&self) -> bool {
        !matches!(*self.inner.state.borrow(), State::Ended(_))
    }

    /// How many times the access token was renewed.
    pub fn refreshes(&self) -> u64 {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    /// End the session (sign-out).
    pub fn end(&self, reason: &str) {
        end(&self.inner, reason);
    }

    /// Wait until the session ends; returns why.
    pub async fn ended(&self) -> SessionError {
        let mut rx = self.inner.state.subscribe();
        loop {
            if let State::Ended(reason) = &*rx.borrow_and_update() {
                return SessionError::Ended {
                    account: self.inner.account.clone(),
                    kind: self.inner.kind,
                    reason: reason.clone(),
                };
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Run the renewal task on the caller's tokio runtime, or, outside one, on a
/// small runtime of its own in a thread that ends with the task.
fn spawn(
    task: impl std::future::Future<Output = ()> + Send + 'static,
) -> Option<tokio::task::AbortHandle> {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        return Some(handle.spawn(task).abort_handle());
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let started = std::thread::Builder::new()
        .name("token-renewal".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let running = tokio::spawn(task);
                let _ = tx.send(running.abort_handle());
                let _ = running.await;
            });
        });
    match started {
        Ok(_) => rx.recv().ok(),
        Err(e) => {
            tracing::warn!(error = %e, "no thread for token renewal");
            None
        }
    }
}

fn end(inner: &Inner, reason: &str) {
    inner.state.send_replace(State::Ended(reason.to_owned()));
    if let Ok(mut t) = inner.task.lock()
        && let Some(t) = t.take()
    {
        t.abort();
    }
}

fn refused(reason: &str) -> String {
    format!("the provider refused the refresh token: {reason}")
}

/// The renewal task: refresh at three quarters of each token's life; retry
/// transient failures; end the session when the refresh token is refused.
async fn renew(
    inner: Weak<Inner>,
    refresher: Arc<dyn Refresher>,
    vault: Arc<dyn Vault>,
    mut refresh: String,
    mut lifetime: Duration,
) {
    let mut issued = Instant::now();
    loop {
        tokio::time::sleep_until(issued + refresh_after(lifetime)).await;
        let mut retry = Duration::from_millis(500);
        loop {
            let (r, token) = (refresher.clone(), refresh.clone());
            let outcome = tokio::task::spawn_blocking(move || r.refresh(&token))
                .await
                .unwrap_or_else(|e| Err(RefreshError::Transient(e.to_string())));
            let Some(inner) = inner.upgrade() else {
                return;
            };
            match outcome {
                Ok(tokens) => {
                    if let Some(new) = tokens.refresh.filter(|n| *n != refresh) {
                        if let Err(e) = vault.save(&new) {
                            tracing::warn!(account = %inner.account, error = %e, "the rotated refresh token is kept in memory only");
                        }
                        refresh = new;
                    }
                    issued = Instant::now();
                    lifetime = tokens.expires_in;
                    inner.state.send_replace(State::Live {
                        token: tokens.access,
                        expires_at: issued + lifetime,
                        trouble: None,
                    });
                    inner.refreshes.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(account = %inner.account, ?lifetime, "access token renewed");
                    break;
                }
                Err(RefreshError::Refused(reason)) => {
                    tracing::warn!(account = %inner.account, %reason, "refresh token refused: the session ends");
                    let _ = vault.delete();
                    inner.state.send_replace(State::Ended(refused(&reason)));
                    return;
                }
                Err(RefreshError::Transient(reason)) => {
                    tracing::warn!(account = %inner.account, %reason, "token renewal failed; retrying");
                    inner.state.send_modify(|s| {
                        if let State::Live { trouble, .. } = s {
                            *trouble = Some(reason.clone());
                        }
                    });
                    drop(inner);
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(Duration::from_secs(30));
                }
            }
        }
    }
}

fn sessions() -> &'static Mutex<HashMap<String, TokenSession>> {
    static SESSIONS: OnceLock<Mutex<HashMap<String, TokenSession>>> = OnceLock::new();
    SESSIONS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Make `session` the one its account's connections use (replacing any).
pub fn register(session: &TokenSession) {
    if let Ok(mut all) = sessions().lock()
        && let Some(old) = all.insert(session.account().to_owned(), session.clone())
        && !Arc::ptr_eq(&old.inner, &session.inner)
    {
        old.end("replaced by a new sign-in");
    }
}

/// The session of an account, if one was started in this process.
pub fn current(account: &str) -> Option<TokenSession> {
    sessions().lock().ok()?.get(account).cloned()
}

/// End and drop an account's session.
pub fn forget(account: &str) {
    if let Ok(mut all) = sessions().lock()
        && let Some(s) = all.remove(account)
    {
        s.end("signed out");
    }
}

/// The access token an account logs in with now.
pub fn token_for(account: &str, kind: &'static str) -> Result<String, SessionError> {
    match current(account) {
        Some(s) => s.access_token(),
        None => Err(SessionError::NotLoggedIn {
            account: account.to_owned(),
            kind,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counting {
        calls: AtomicU64,
        refuse_after: u64,
    }

    impl Refresher for Counting {
        fn refresh(&self, refresh_token: &str) -> Result<Tokens, RefreshError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if n > self.refuse_after {
                return Err(RefreshError::Refused("invalid_grant".into()));
            }
            Ok(Tokens {
                access: format!("access-{n}"),
                expires_in: Duration::from_millis(400),
                refresh: Some(format!("{refresh_token}+")),
            })
        }
    }

    #[derive(Default)]
    struct Memory(Mutex<Option<String>>);

    impl Vault for Memory {
        fn load(&self) -> Result<Option<String>, SecretError> {
            Ok(self.0.lock().unwrap().clone())
        }
        fn save(&self, token: &str) -> Result<(), SecretError> {
            *self.0.lock().unwrap() = Some(token.to_owned());
            Ok(())
        }
        fn delete(&self) -> Result<(), SecretError> {
            *self.0.lock().unwrap() = None;
            Ok(())
        }
    }

    #[tokio::test]
    async fn renews_rotates_then_ends_when_refused() {
        let vault = Arc::new(Memory::default());
        let refresher = Arc::new(Counting {
            calls: AtomicU64::new(0),
            refuse_after: 2,
        });
        let s = TokenSession::start(
            "claire@test.mssante.fr",
            "test",
            Tokens {
                access: "access-0".into(),
                expires_in: Duration::from_millis(400),
                refresh: Some("r".into()),
            },
            Some(refresher.clone()),
            Some(vault.clone()),
        )
        .unwrap();
        assert_eq!(s.access_token().unwrap(), "access-0");
        assert_eq!(vault.load().unwrap().as_deref(), Some("r"));
        let ended = tokio::time::timeout(Duration::from_secs(5), s.ended())
            .await
            .unwrap();
        assert!(matches!(ended, SessionError::Ended { .. }), "{ended}");
        assert_eq!(s.refreshes(), 2);
        assert!(s.access_token().is_err());
        // Rotated twice, then dropped when refused.
        assert_eq!(vault.load().unwrap(), None);
        assert_eq!(refresher.calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn renewal_runs_outside_a_runtime_too() {
        let refresher = Arc::new(Counting {
            calls: AtomicU64::new(0),
            refuse_after: 10,
        });
        let s = TokenSession::start(
            "plain@test.mssante.fr",
            "test",
            Tokens {
                access: "access-0".into(),
                expires_in: Duration::from_millis(300),
                refresh: Some("r".into()),
            },
            Some(refresher),
            Some(Arc::new(Memory::default())),
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(700));
        assert!(s.refreshes() >= 1);
        assert_ne!(s.access_token().unwrap(), "access-0");
        s.end("done");
        assert!(s.access_token().is_err());
    }

    #[tokio::test]
    async fn a_token_without_renewal_ends_at_expiry() {
        let s = TokenSession::start(
            "otp@test.mssante.fr",
            "test",
            Tokens {
                access: "t".into(),
                expires_in: Duration::from_millis(100),
                refresh: None,
            },
            None,
            None,
        )
        .unwrap();
        assert_eq!(s.access_token().unwrap(), "t");
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(matches!(s.access_token(), Err(SessionError::Ended { .. })));
    }
}
