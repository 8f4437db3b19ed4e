//! Staying up to date: sync, then IDLE on INBOX until the server reports a
//! change (or a timeout), and again; reconnect with backoff after a failure.

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;

use super::{Progress, Result, SyncOptions, SyncReport, sync_session};
use crate::account::Account;
use crate::auth::lock::LockWatch;
use crate::imap::{self, ImapError};
use crate::store::Store;

/// How long one IDLE lasts before it is renewed (RFC 2177: under 29 minutes).
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);

/// Exponential backoff between reconnections.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    current: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(Duration::from_secs(1), Duration::from_secs(300))
    }
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max,
            current: first,
        }
    }

    /// The next delay to wait, doubling up to `max`.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.current;
        self.current = (self.current * 2).min(self.max);
        d
    }

    pub fn reset(&mut self) {
        self.current = self.first;
    }
}

/// Sync forever: after each sync, wait in IDLE on INBOX for news. Transient
/// failures (network, server restart) are retried with backoff; a failure the
/// user must fix (password, certificate) is returned. `on_sync` sees each
/// completed sync.
pub async fn watch(
    store: &Store,
    account: &Account,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&Progress),
    on_sync: &mut dyn FnMut(&SyncReport),
) -> Result<()> {
    watch_under(store, account, opts, None, progress, on_sync).await
}

/// One connection's life: sync and idle until the connection fails.
async fn watch_once(
    store: &Store,
    account: &Account,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&Progress),
    on_sync: &mut dyn FnMut(&SyncReport),
    backoff: &mut Backoff,
) -> Result<()> {
    let mut session = imap::open(account).await?;
    loop {
        let report = sync_session(store, account, &mut session, opts, progress).await?;
        backoff.reset();
        on_sync(&report);
        session.select("INBOX").await?;
        let mut idle = session.idle();
        idle.init().await?;
        let (wait, _stop) = idle.wait_with_timeout(IDLE_RENEW);
        let why = wait.await?;
        session = idle.done().await?;
        if matches!(why, IdleResponse::ManualInterrupt) {
            return Ok(());
        }
    }
}

/// [`watch`] for a card account: syncs only while `lock` is unlocked. When the
/// card is taken out, the IMAP session is dropped at once (its connection
/// closed) and syncing waits for the card and the PIN, then reconnects.
/// Returns when the lock's owner is gone.
pub async fn watch_with_card(
    store: &Store,
    account: &Account,
    opts: &SyncOptions,
    lock: &mut LockWatch,
    progress: &mut dyn FnMut(&Progress),
    on_sync: &mut dyn FnMut(&SyncReport),
) -> Result<()> {
    watch_under(store, account, opts, Some(lock), progress, on_sync).await
}

/// Returns when `lock` locks; never without a lock.
async fn until_locked(lock: &mut Option<&mut LockWatch>) {
    match lock {
        Some(l) => l.locked().await,
        None => std::future::pending().await,
    }
}

/// Returns with the error when the account's token session (Pro Santé
/// Connect, one-time code) ends; never for other accounts.
async fn until_session_ends(account: &Account) -> super::SyncError {
    loop {
        let Some(s) = crate::auth::session::current(&account.address) else {
            return std::future::pending().await;
        };
        let e = s.ended().await;
        // A new sign-in replaced the session: follow the new one.
        match crate::auth::session::current(&account.address) {
            Some(next) if next.is_live() => continue,
            _ => return ImapError::Session(e).into(),
        }
    }
}

/// The watch loop, under a card lock or not.
async fn watch_under(
    store: &Store,
    account: &Account,
    opts: &SyncOptions,
    mut lock: Option<&mut LockWatch>,
    progress: &mut dyn FnMut(&Progress),
    on_sync: &mut dyn FnMut(&SyncReport),
) -> Result<()> {
    let mut backoff = Backoff::default();
    loop {
        if let Some(l) = lock.as_deref_mut()
            && l.unlocked().await.is_err()
        {
            return Ok(());
        }
        let once = watch_once(store, account, opts, progress, on_sync, &mut backoff);
        // A token session that ends (refresh token refused, session token
        // expired) stops the watch at once, with the words asking to sign in.
        let outcome = tokio::select! {
            r = once => Some(r),
            _ = until_locked(&mut lock) => None,
            e = until_session_ends(account) => return Err(e),
        };
        match outcome {
            None => {
                tracing::info!("CPS card taken out: IMAP session closed until the card is back")
            }
            Some(Ok(())) => {}
            Some(Err(e)) if e.is_transient() => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %e, ?delay, "connection lost; reconnecting");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = until_locked(&mut lock) => {}
                }
            }
            Some(Err(e)) => return Err(e),
        }
    }
}
