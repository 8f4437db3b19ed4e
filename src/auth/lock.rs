//! The session lock of a card account. The account's network sessions run
//! only while the CPS card is in its reader and the PIN was given:
//!
//! `NoCard` --card inserted--> `CardPresent` --PIN--> `Unlocked`
//!
//! and from any state, taking the card out goes back to `NoCard` at once.
//! Sessions (the IMAP watch, the outbox flush) hold a [`LockWatch`] and select
//! on [`LockWatch::locked`]: when it fires they drop their connection; queued
//! sends stay queued until the card and the PIN are back.
//!
//! The PIN login itself belongs to the token (PKCS#11) side, reached through
//! the [`CardLogin`] trait.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde::Serialize;
use tokio::sync::watch;

use super::card::{self, CardKind};
use super::pcsc::{self as reader, PcscError, ReaderEvent, Watcher};
use crate::i18n::tr;

/// An error from the PIN login, shown to the user as it is.
pub type LoginError = Box<dyn std::error::Error + Send + Sync>;

/// The PIN login on the card (PKCS#11 `C_Login` on the token side).
pub trait CardLogin: Send + Sync {
    /// Log in with `pin`. A wrong PIN is an error whose message says so (and
    /// how many tries are left).
    fn unlock(&self, pin: &str) -> Result<(), LoginError>;
    /// The card was taken out: forget the login (close token sessions).
    fn locked(&self) {}
    /// The user signed out with the card still in: log out of the card, so
    /// the PIN is needed again.
    fn signed_out(&self) {
        self.locked();
    }
}

/// Where a card account stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LockState {
    /// No CPS card in a reader: locked.
    NoCard,
    /// A CPS card is in `reader`, waiting for the PIN: locked.
    CardPresent { reader: String },
    /// Logged in with the card in `reader`: sessions may run.
    Unlocked { reader: String },
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}", tr("auth-lock-no-card"))]
    NoCard,
    #[error("{0}")]
    Login(LoginError),
    #[error("{}", tr("auth-lock-locked"))]
    Locked,
    #[error(transparent)]
    Pcsc(#[from] PcscError),
}

/// Owns the card state of one card account.
pub struct SessionLock {
    state: watch::Sender<LockState>,
    login: Arc<dyn CardLogin>,
    /// Serialises unlock with removal, so a removal during a login wins.
    gate: Mutex<()>,
}

impl SessionLock {
    /// A lock with no card yet.
    pub fn new(login: Arc<dyn CardLogin>) -> SessionLock {
        SessionLock {
            state: watch::Sender::new(LockState::NoCard),
            login,
            gate: Mutex::new(()),
        }
    }

    pub fn state(&self) -> LockState {
        self.state.borrow().clone()
    }

    /// A handle for a session to follow the lock.
    pub fn watch(&self) -> LockWatch {
        LockWatch(self.state.subscribe())
    }

    /// A CPS card was recognised in `reader`.
    pub fn card_inserted(&self, reader: &str) {
        let _g = self.gate.lock();
        self.state.send_if_modified(|s| {
            if *s == LockState::NoCard {
                *s = LockState::CardPresent {
                    reader: reader.into(),
                };
                true
            } else {
                false
            }
        });
    }

    /// The card was taken out of `reader`: lock at once if it was ours.
    pub fn card_removed(&self, reader: &str) {
        let _g = self.gate.lock();
        let ours = match &*self.state.borrow() {
            LockState::CardPresent { reader: r } | LockState::Unlocked { reader: r } => r == reader,
            LockState::NoCard => false,
        };
        if ours {
            self.lock_now();
        }
    }

    /// Card presence is unknown (the PC/SC service stopped): lock.
    pub fn lock_all(&self) {
        let _g = self.gate.lock();
        self.lock_now();
    }

    fn lock_now(&self) {
        let was_unlocked = matches!(*self.state.borrow(), LockState::Unlocked { .. });
        self.state.send_replace(LockState::NoCard);
        if was_unlocked {
            tracing::info!("CPS card taken out: session locked");
            self.login.locked();
        }
    }

    /// Sign out with the card still in: sessions stop as on removal, the
    /// card is logged out, and the PIN is asked again (`CardPresent`).
    /// Nothing happens unless unlocked.
    pub fn sign_out(&self) {
        let _g = self.gate.lock();
        let reader = match &*self.state.borrow() {
            LockState::Unlocked { reader } => reader.clone(),
            _ => return,
        };
        self.state.send_replace(LockState::CardPresent { reader });
        tracing::info!("signed out of the CPS card: session locked");
        self.login.signed_out();
    }

    /// Log in with the PIN on the card that is in.
    pub fn unlock(&self, pin: &str) -> Result<(), LockError> {
        let _g = self.gate.lock();
        let reader = match &*self.state.borrow() {
            LockState::NoCard => return Err(LockError::NoCard),
            LockState::CardPresent { reader } | LockState::Unlocked { reader } => reader.clone(),
        };
        self.login.unlock(pin).map_err(LockError::Login)?;
        self.state.send_replace(LockState::Unlocked { reader });
        Ok(())
    }

    /// Apply one reader event. A card inserted is looked at (`identify`) and
    /// counts only if it is a usable CPS card.
    pub fn apply(&self, ctx: &::pcsc::Context, event: &ReaderEvent) {
        let _ = self.apply_seen(ctx, event);
    }

    /// [`apply`](Self::apply), also giving what was found in the reader when
    /// a card was inserted (a blocked PIN, a card that is not a CPS), for a
    /// face to say why the session stays locked.
    pub fn apply_seen(
        &self,
        ctx: &::pcsc::Context,
        event: &ReaderEvent,
    ) -> Option<Result<card::CardInfo, PcscError>> {
        match event {
            ReaderEvent::CardInserted { reader, .. } => {
                let seen = card::identify(ctx, reader);
                match &seen {
                    Ok(info) if info.kind != CardKind::Unknown && !info.usability.is_blocked() => {
                        self.card_inserted(reader)
                    }
                    Ok(info) => {
                        tracing::info!(reader, kind = ?info.kind, usability = ?info.usability, "card not usable for login")
                    }
                    Err(e) => tracing::warn!(reader, error = %e, "cannot read the card"),
                }
                return Some(seen);
            }
            ReaderEvent::CardRemoved { reader }
            | ReaderEvent::CardMute { reader }
            | ReaderEvent::ReaderRemoved { reader } => self.card_removed(reader),
            ReaderEvent::ServiceStopped => self.lock_all(),
            ReaderEvent::ReaderAdded { .. } => {}
        }
        None
    }
}

impl SessionLock {
    /// Ask for the PIN each time a CPS card is in and the session is locked,
    /// until `ask` returns `None` or the lock is dropped. `ask` gets the
    /// reader and, after a refused PIN, why it was refused (the message says
    /// how many tries are left). Blocks: run it on a thread of its own (the
    /// terminal prompt, `CADUCEE_CARD_PIN`, or the lock screen).
    pub fn ask_pin(&self, mut ask: impl FnMut(&str, Option<&LockError>) -> Option<String>) {
        let mut rx = self.state.subscribe();
        let mut refused: Option<LockError> = None;
        loop {
            let reader = {
                let waited = futures::executor::block_on(
                    rx.wait_for(|s| matches!(s, LockState::CardPresent { .. })),
                );
                match waited.as_deref() {
                    Ok(LockState::CardPresent { reader }) => reader.clone(),
                    _ => return,
                }
            };
            let Some(pin) = ask(&reader, refused.as_ref()) else {
                return;
            };
            refused = self.unlock(&pin).err();
        }
    }
}

/// A session's view of the lock.
#[derive(Clone)]
pub struct LockWatch(watch::Receiver<LockState>);

impl LockWatch {
    pub fn is_unlocked(&self) -> bool {
        matches!(*self.0.borrow(), LockState::Unlocked { .. })
    }

    /// Waits for the next change of state and returns the new state; `None`
    /// once the lock's owner is gone.
    pub async fn changed(&mut self) -> Option<LockState> {
        self.0.changed().await.ok()?;
        Some(self.0.borrow_and_update().clone())
    }

    /// The state now.
    pub fn state(&self) -> LockState {
        self.0.borrow().clone()
    }

    /// Returns when the lock is (or becomes) locked, or its owner is gone.
    pub async fn locked(&mut self) {
        let _ = self
            .0
            .wait_for(|s| !matches!(s, LockState::Unlocked { .. }))
            .await;
    }

    /// Waits until the card is in and the PIN given. `Err(Locked)` if the
    /// lock's owner is gone (nothing will unlock it any more).
    pub async fn unlocked(&mut self) -> Result<(), LockError> {
        self.0
            .wait_for(|s| matches!(s, LockState::Unlocked { .. }))
            .await
            .map(|_| ())
            .map_err(|_| LockError::Locked)
    }

    /// Wait until unlocked, then run `work`; if the lock closes while it
    /// runs, `work` is dropped at once (its connections close) and the
    /// result is `Err(Locked)`.
    pub async fn run_unlocked<F: Future>(&mut self, work: F) -> Result<F::Output, LockError> {
        self.unlocked().await?;
        tokio::select! {
            out = work => Ok(out),
            _ = self.locked() => Err(LockError::Locked),
        }
    }
}

/// A card account's lock driven by the readers: a PC/SC watcher and a thread
/// applying its events. Stopped when dropped.
pub struct CardSession {
    lock: Arc<SessionLock>,
    watcher: Option<Watcher>,
    follower: Option<JoinHandle<()>>,
}

impl CardSession {
    /// Start following the readers for the account whose login is `login`.
    pub fn start(login: Arc<dyn CardLogin>) -> Result<CardSession, PcscError> {
        let lock = Arc::new(SessionLock::new(login));
        let ctx = reader::establish()?;
        let (watcher, mut events) = Watcher::start()?;
        let follow = lock.clone();
        let follower = std::thread::Builder::new()
            .name("card-lock".into())
            .spawn(move || {
                while let Some(event) = events.blocking_recv() {
                    tracing::debug!(?event, "reader event");
                    follow.apply(&ctx, &event);
                }
                // The watcher ended: presence is unknown from now on.
                follow.lock_all();
            })
            .map_err(|e| PcscError::Service(format!("cannot follow the readers: {e}")))?;
        Ok(CardSession {
            lock,
            watcher: Some(watcher),
            follower: Some(follower),
        })
    }

    pub fn lock(&self) -> &Arc<SessionLock> {
        &self.lock
    }
}

impl Drop for CardSession {
    fn drop(&mut self) {
        if let Some(w) = self.watcher.take() {
            w.stop();
        }
        if let Some(f) = self.follower.take() {
            let _ = f.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Pin {
        good: &'static str,
        logouts: AtomicUsize,
    }

    impl CardLogin for Pin {
        fn unlock(&self, pin: &str) -> Result<(), LoginError> {
            if pin == self.good {
                Ok(())
            } else {
                Err("wrong PIN".into())
            }
        }
        fn locked(&self) {
            self.logouts.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn lock() -> (Arc<Pin>, SessionLock) {
        let pin = Arc::new(Pin {
            good: "1234",
            logouts: AtomicUsize::new(0),
        });
        (pin.clone(), SessionLock::new(pin))
    }

    #[test]
    fn states_follow_card_and_pin() {
        let (pin, lock) = lock();
        assert!(matches!(lock.unlock("1234"), Err(LockError::NoCard)));
        lock.card_inserted("R1");
        assert!(matches!(lock.unlock("0000"), Err(LockError::Login(_))));
        assert!(!lock.watch().is_unlocked());
        lock.unlock("1234").unwrap();
        assert!(lock.watch().is_unlocked());
        // A removal from another reader changes nothing.
        lock.card_removed("R2");
        assert!(lock.watch().is_unlocked());
        lock.card_removed("R1");
        assert_eq!(lock.state(), LockState::NoCard);
        assert_eq!(pin.logouts.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn signing_out_locks_with_the_card_still_in() {
        let (pin, lock) = lock();
        lock.sign_out();
        assert_eq!(lock.state(), LockState::NoCard, "nothing to sign out of");
        assert_eq!(pin.logouts.load(Ordering::SeqCst), 0);
        lock.card_inserted("R1");
        lock.unlock("1234").unwrap();
        let mut w = lock.watch();
        lock.sign_out();
        assert_eq!(
            lock.state(),
            LockState::CardPresent {
                reader: "R1".into()
            }
        );
        assert!(!w.is_unlocked());
        futures::executor::block_on(w.locked());
        assert_eq!(pin.logouts.load(Ordering::SeqCst), 1);
        lock.unlock("1234").unwrap();
        assert!(lock.watch().is_unlocked());
    }

    #[test]
    fn pin_is_asked_again_after_a_wrong_one_and_after_reinsertion() {
        let (_pin, lock) = lock();
        let lock = Arc::new(lock);
        let asker = lock.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let mut answers = vec!["1234", "1234", "0000"].into_iter();
            asker.ask_pin(|reader, refused| {
                let _ = tx.send((reader.to_owned(), refused.map(|e| e.to_string())));
                answers.next().map(str::to_owned)
            });
        });
        lock.card_inserted("R1");
        assert_eq!(rx.recv().unwrap(), ("R1".to_owned(), None));
        let until_unlocked = |l: &SessionLock| {
            while !l.watch().is_unlocked() {
                std::thread::yield_now();
            }
        };
        until_unlocked(&lock);
        // Out and in again: asked again, a wrong PIN, asked again with why.
        lock.card_removed("R1");
        lock.card_inserted("R1");
        assert_eq!(rx.recv().unwrap(), ("R1".to_owned(), None));
        until_unlocked(&lock);
        lock.card_removed("R1");
        lock.card_inserted("R1");
        assert_eq!(rx.recv().unwrap().1, None);
        assert_eq!(rx.recv().unwrap().1.as_deref(), Some("wrong PIN"));
        // `ask` said stop.
        thread.join().unwrap();
        assert_eq!(
            lock.state(),
            LockState::CardPresent {
                reader: "R1".into()
            }
        );
    }

    #[tokio::test]
    async fn work_waits_for_unlock_and_stops_on_removal() {
        let (_pin, lock) = lock();
        let lock = Arc::new(lock);
        let mut w = lock.watch();
        let l2 = lock.clone();
        let task = tokio::spawn(async move {
            w.run_unlocked(async {
                std::future::pending::<()>().await;
            })
            .await
        });
        tokio::task::yield_now().await;
        assert!(!task.is_finished());
        l2.card_inserted("R1");
        l2.unlock("1234").unwrap();
        tokio::task::yield_now().await;
        assert!(!task.is_finished());
        l2.card_removed("R1");
        let out = tokio::time::timeout(std::time::Duration::from_secs(5), task)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(out, Err(LockError::Locked)));
    }
}
