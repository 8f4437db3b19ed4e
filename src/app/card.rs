//! The CPS card in the window: the session lock of the card accounts
//! (`auth::lock`), followed from the readers (PC/SC events) and from the
//! lock's own state; what the card tells without the PIN (the holder, the
//! PIN's state); the PIN login. While the lock is not open the window shows
//! the lock screen or the PIN dialog instead of the mailbox.
//!
//! The PIN lives in a [`Pin`] (wiped when dropped, never printed), goes to
//! the token in a background task and is not kept after the login.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use futures::{SinkExt, Stream};
use iced::widget::{column, container, text};
use iced::{Element, Fill, Task};
use zeroize::Zeroizing;

use caducee::account::{Account, AuthMethod};
use caducee::auth::card::{CardKind, Usability};
use caducee::auth::lock::{CardLogin, LockError, LockState, LoginError, SessionLock};
use caducee::auth::pcsc::{self as readers, Watcher};
use caducee::auth::token::{self, PinState};
use caducee::auth::{AuthError, Identity, PinTries, TokenLogin};

use super::i18n::{Lang, t, t1};
use super::pin_dialog;
use super::theme;

/// A PIN being typed: wiped from memory when dropped, never shown in logs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    pub fn new(typed: String) -> Pin {
        Pin(Zeroizing::new(typed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Four digits, as a CPS card PIN.
    pub fn is_complete(&self) -> bool {
        self.0.len() == 4 && self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// The holder of the card, from its authentication certificate (no PIN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub name: String,
    pub profession: Option<String>,
    /// "RPPS 810002813839"
    pub national_id: Option<String>,
}

impl Holder {
    fn from_identity(id: &Identity) -> Holder {
        Holder {
            name: id.name.clone(),
            profession: id.profession.clone(),
            national_id: id
                .national_id
                .as_ref()
                .map(|n| format!("{} {n}", id.national_id_kind().unwrap_or("id"))),
        }
    }
}

/// What was read from the card without the PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRead {
    pub holder: Result<Holder, String>,
    pub pin: Result<PinState, String>,
}

/// What a card put in a reader was found to be (PC/SC), when it cannot
/// unlock the session, or the tries left it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub reader: String,
    pub kind: CardKind,
    pub usability: Usability,
    pub tries_left: Option<u8>,
}

/// Why the PIN did not unlock the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A wrong PIN, with what the token tells of the tries left.
    Wrong(PinTries),
    /// The PIN is locked after too many wrong tries.
    Blocked,
    /// The card was taken out meanwhile.
    NoCard,
    /// Anything else, as the core words it.
    Other(String),
}

impl Refusal {
    fn from_lock(e: &LockError) -> Refusal {
        match e {
            LockError::NoCard | LockError::Locked => Refusal::NoCard,
            LockError::Login(inner) => match inner.downcast_ref::<AuthError>() {
                Some(AuthError::WrongPin { tries, .. }) => Refusal::Wrong(*tries),
                Some(AuthError::PinLocked { .. }) => Refusal::Blocked,
                Some(AuthError::CardRemoved) => Refusal::NoCard,
                _ => Refusal::Other(inner.to_string()),
            },
            other => Refusal::Other(other.to_string()),
        }
    }

    pub fn describe(&self, lang: Lang) -> String {
        match self {
            Refusal::Wrong(tries) => {
                format!("{} {}", t(lang, "pin-wrong"), tries_text(lang, *tries))
            }
            Refusal::Blocked => t(lang, "pin-blocked"),
            Refusal::NoCard => t(lang, "pin-card-gone"),
            Refusal::Other(reason) => t1(lang, "pin-failed", "reason", reason),
        }
    }
}

/// What the token tells of the tries left, as a sentence.
pub fn tries_text(lang: Lang, tries: PinTries) -> String {
    t(
        lang,
        match tries {
            PinTries::FinalTry => "pin-final-try",
            PinTries::CountLow => "pin-count-low",
            PinTries::Unknown => "pin-tries-unknown",
        },
    )
}

#[derive(Debug, Clone)]
pub enum Message {
    /// The lock's state (from the lock itself).
    Lock(LockState),
    /// A card was put in a reader and looked at.
    Seen(Result<Seen, String>),
    /// The readers cannot be followed (no PC/SC service), or can again.
    Readers(Option<String>),
    Read(Box<CardRead>),
    Unlocked(Result<(), Refusal>),
    Dialog(pin_dialog::Message),
}

/// Work on the card, run off the interface thread.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// Read the holder and the PIN's state (no PIN).
    Read,
    /// Log in with the PIN.
    Unlock(Pin),
    /// Sign out of the card with it still in: log out of the token, lock,
    /// and ask for the PIN again.
    SignOut,
}

/// What the window does about the card.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Run(Work),
    /// The PIN was right: sync and sending resume.
    Unlocked,
    /// The card was taken out of an open session (if it is already back,
    /// the window reads it).
    Locked,
    /// Signed out with the card still in: the PIN is asked again (the
    /// window reads the card).
    SignedOut,
}

/// The login of every card account of the window on the one card.
struct AccountsLogin(Vec<TokenLogin>);

impl CardLogin for AccountsLogin {
    fn unlock(&self, pin: &str) -> Result<(), LoginError> {
        for login in &self.0 {
            login.unlock(pin)?;
        }
        Ok(())
    }

    fn locked(&self) {
        for login in &self.0 {
            login.locked();
        }
    }

    fn signed_out(&self) {
        for login in &self.0 {
            login.signed_out();
        }
    }
}

/// The card side of the window.
pub struct Card {
    pub lock: Arc<SessionLock>,
    /// The card accounts.
    pub accounts: Vec<Account>,
    pub state: LockState,
    /// The PIN dialog, while a card is in and the session locked.
    pub dialog: Option<pin_dialog::State>,
    /// The last card seen that cannot open the session (blocked, not a CPS).
    pub problem: Option<Seen>,
    /// Why the readers cannot be followed.
    pub readers_error: Option<String>,
    /// The tries left the card reported through PC/SC, by reader.
    tries_left: Option<(String, u8)>,
    /// A sign-out asked for, until the lock has closed.
    pub signing_out: bool,
}

impl Card {
    /// The card side for the accounts that log in with a CPS card (`None`
    /// when there is none).
    pub fn for_accounts(accounts: &[Account]) -> Option<Card> {
        let cards: Vec<Account> = accounts
            .iter()
            .filter(|a| matches!(a.settings.auth, AuthMethod::Cps { .. }))
            .cloned()
            .collect();
        if cards.is_empty() {
            return None;
        }
        let login = AccountsLogin(cards.iter().cloned().map(TokenLogin::new).collect());
        Some(Card {
            lock: Arc::new(SessionLock::new(Arc::new(login))),
            accounts: cards,
            state: LockState::NoCard,
            dialog: None,
            problem: None,
            readers_error: None,
            tries_left: None,
            signing_out: false,
        })
    }

    pub fn is_unlocked(&self) -> bool {
        matches!(self.state, LockState::Unlocked { .. })
    }

    /// The PKCS#11 module named by the first card account, if any.
    fn module(&self) -> Option<PathBuf> {
        self.accounts.iter().find_map(|a| match &a.settings.auth {
            AuthMethod::Cps { pkcs11_module } => pkcs11_module.clone(),
            _ => None,
        })
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::Lock(state) => self.set_state(state),
            Message::Seen(Ok(seen)) => {
                if let Some(n) = seen.tries_left {
                    self.tries_left = Some((seen.reader.clone(), n));
                }
                let usable = seen.kind != CardKind::Unknown && !seen.usability.is_blocked();
                self.problem = (!usable).then_some(seen);
                self.sync_tries();
                None
            }
            Message::Seen(Err(e)) => {
                self.problem = None;
                self.readers_error = Some(e);
                None
            }
            Message::Readers(e) => {
                self.readers_error = e;
                None
            }
            Message::Read(read) => {
                if let Some(d) = &mut self.dialog {
                    d.read(*read);
                }
                None
            }
            Message::Unlocked(result) => {
                let state = self.lock.state();
                match result {
                    Ok(()) => self.set_state(state),
                    Err(refusal) => {
                        let event = self.set_state(state);
                        match &mut self.dialog {
                            Some(d) => {
                                d.refused(refusal);
                                // What the token tells of the tries now.
                                event.or(Some(Event::Run(Work::Read)))
                            }
                            None => event,
                        }
                    }
                }
            }
            Message::Dialog(m) => {
                let Some(d) = &mut self.dialog else {
                    return (Task::none(), None);
                };
                let (task, event) = d.update(m);
                let event =
                    event.map(|pin_dialog::Event::Submit(pin)| Event::Run(Work::Unlock(pin)));
                return (task.map(Message::Dialog), event);
            }
        };
        (Task::none(), event)
    }

    fn set_state(&mut self, state: LockState) -> Option<Event> {
        if state == self.state {
            return None;
        }
        let was_unlocked = self.is_unlocked();
        let signing_out = std::mem::take(&mut self.signing_out);
        self.state = state.clone();
        match state {
            LockState::CardPresent { reader } => {
                self.problem = None;
                self.readers_error = None;
                self.dialog = Some(pin_dialog::State::new(reader));
                self.sync_tries();
                // Out and in again faster than the window looked: locked all
                // the same (the window then reads the card).
                Some(if was_unlocked && signing_out {
                    Event::SignedOut
                } else if was_unlocked {
                    Event::Locked
                } else {
                    Event::Run(Work::Read)
                })
            }
            LockState::Unlocked { .. } => {
                self.dialog = None;
                Some(Event::Unlocked)
            }
            LockState::NoCard => {
                // The PIN being typed, if any, is wiped with the dialog.
                self.dialog = None;
                self.tries_left = None;
                was_unlocked.then_some(Event::Locked)
            }
        }
    }

    /// The tries left the card told through PC/SC, to the dialog.
    fn sync_tries(&mut self) {
        if let (Some(d), Some((reader, n))) = (&mut self.dialog, &self.tries_left)
            && d.reader == *reader
        {
            d.tries_left = Some(*n);
        }
    }

    /// The work to run in the background, as a closure for a blocking task
    /// (or to call directly in a test).
    pub fn runner(&self, work: Work) -> impl FnOnce() -> Message + Send + 'static {
        let lock = self.lock.clone();
        let module = self.module();
        move || match work {
            Work::Read => Message::Read(Box::new(read_card(module))),
            Work::Unlock(pin) => {
                let result = lock.unlock(pin.as_str()).map_err(|e| {
                    tracing::info!(error = %e, "card PIN refused");
                    Refusal::from_lock(&e)
                });
                drop(pin);
                Message::Unlocked(result)
            }
            Work::SignOut => {
                lock.sign_out();
                Message::Lock(lock.state())
            }
        }
    }

    /// The lock screen (no card, or one that cannot be used) or the PIN
    /// dialog.
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        if let Some(d) = &self.dialog {
            return d.view(lang).map(Message::Dialog);
        }
        let mut col = column![
            text(t(lang, "lock-title")).size(26),
            text(t(lang, "lock-insert-card")).size(16),
        ]
        .spacing(14)
        .max_width(620);
        if let Some(seen) = &self.problem {
            let why = match (seen.kind, seen.usability) {
                (_, Usability::PinBlocked) => t(lang, "pin-blocked"),
                (_, Usability::Deactivated) => t(lang, "card-deactivated"),
                (_, Usability::Mute) => t(lang, "card-mute"),
                _ => t(lang, "card-not-cps"),
            };
            col = col.push(text(why).size(14).style(text::danger));
        }
        if let Some(e) = &self.readers_error {
            col = col.push(text(t1(lang, "card-readers-unavailable", "reason", e)).size(13));
        }
        col = col.push(
            text(t(lang, "lock-queued-stay"))
                .size(13)
                .style(|th: &iced::Theme| text::Style {
                    color: Some(theme::muted(th)),
                }),
        );
        container(col).center(Fill).padding(24).into()
    }
}

/// The holder and the PIN's state, read from the token without the PIN.
fn read_card(module: Option<PathBuf>) -> CardRead {
    let module = module.as_deref();
    let holder = token::authentication_certificate(module)
        .and_then(|c| Identity::from_der(&c.der))
        .map(|id| Holder::from_identity(&id))
        .map_err(|e| e.to_string());
    let pin = token::pin_state(module).map_err(|e| e.to_string());
    CardRead { holder, pin }
}

/// The subscription's key: one per lock.
pub struct Key(pub Arc<SessionLock>);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as usize).hash(state);
    }
}

impl Key {
    pub fn follow(&self) -> impl Stream<Item = Message> + Send + use<> {
        follow(self.0.clone())
    }
}

/// Everything that moves the lock: its own state and the readers' events.
pub fn follow(lock: Arc<SessionLock>) -> impl Stream<Item = Message> + Send + 'static {
    futures::stream::select(follow_state(lock.clone()), follow_readers(lock))
}

/// The lock's state, now and at every change.
pub fn follow_state(lock: Arc<SessionLock>) -> impl Stream<Item = Message> + Send + 'static {
    iced::stream::channel(8, async move |mut out| {
        let mut watch = lock.watch();
        drop(lock);
        if out.send(Message::Lock(watch.state())).await.is_err() {
            return;
        }
        while let Some(state) = watch.changed().await {
            if out.send(Message::Lock(state)).await.is_err() {
                return;
            }
        }
    })
}

/// How long to wait before following the readers again when the PC/SC
/// service is not there.
const READERS_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// The readers through PC/SC: each event applied to the lock (a card put in
/// is looked at first), and what a card put in was found to be. Without the
/// service the lock stays closed, and the readers are looked for again.
pub fn follow_readers(lock: Arc<SessionLock>) -> impl Stream<Item = Message> + Send + 'static {
    iced::stream::channel(8, async move |mut out| {
        let mut down: Option<String> = None;
        loop {
            let started = Watcher::start().and_then(|(w, rx)| Ok((w, rx, readers::establish()?)));
            let (watcher, mut events, ctx) = match started {
                Ok(s) => s,
                Err(e) => {
                    let e = e.to_string();
                    if down.as_ref() != Some(&e) {
                        tracing::warn!(error = %e, "card readers not followed");
                        if out.send(Message::Readers(Some(e.clone()))).await.is_err() {
                            return;
                        }
                        down = Some(e);
                    }
                    tokio::time::sleep(READERS_RETRY).await;
                    continue;
                }
            };
            if down.take().is_some() && out.send(Message::Readers(None)).await.is_err() {
                return;
            }
            while let Some(event) = events.recv().await {
                let (l, c) = (lock.clone(), ctx.clone());
                let seen = tokio::task::spawn_blocking(move || l.apply_seen(&c, &event))
                    .await
                    .ok()
                    .flatten();
                let message = match seen {
                    Some(Ok(info)) => Message::Seen(Ok(Seen {
                        reader: info.reader,
                        kind: info.kind,
                        usability: info.usability,
                        tries_left: info.pin_tries_left,
                    })),
                    Some(Err(e)) => Message::Seen(Err(e.to_string())),
                    None => continue,
                };
                if out.send(message).await.is_err() {
                    return;
                }
            }
            // The watcher ended: whether a card is in is unknown from now on.
            lock.lock_all();
            watcher.stop();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use caducee::account::{DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server};

    fn card_account() -> Account {
        let server = Server {
            host: "127.0.0.1".into(),
            port: 1,
            security: Security::Tls,
        };
        Account {
            id: 1,
            name: "Carte".into(),
            address: "jean.dupont@medecin.mssante.fr".into(),
            settings: caducee::account::AccountSettings {
                imap: server.clone(),
                smtp: server,
                auth: AuthMethod::Cps {
                    pkcs11_module: None,
                },
                extra_ca: None,
                attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
                offline_bodies: OfflineBodies::All,
                delegations: vec![],
            },
        }
    }

    #[test]
    fn the_window_follows_the_lock_and_asks_for_work() {
        let mut password = card_account();
        password.settings.auth = AuthMethod::Password {
            username: "x".into(),
        };
        assert!(Card::for_accounts(&[password]).is_none(), "no card account");
        let mut c = Card::for_accounts(&[card_account()]).unwrap();
        let reader = || "R1".to_owned();
        let (_, e) = c.update(Message::Lock(LockState::NoCard));
        assert_eq!(e, None, "already locked");
        c.lock.card_inserted("R1");
        let (_, e) = c.update(Message::Lock(c.lock.state()));
        assert_eq!(e, Some(Event::Run(Work::Read)));
        assert_eq!(c.dialog.as_ref().unwrap().reader, "R1");
        let _ = c.update(Message::Dialog(pin_dialog::Message::Input(Pin::new(
            "1234".into(),
        ))));
        let (_, e) = c.update(Message::Dialog(pin_dialog::Message::Submit));
        assert_eq!(e, Some(Event::Run(Work::Unlock(Pin::new("1234".into())))));
        // A refusal while the card stays in: the card is read again.
        let (_, e) = c.update(Message::Unlocked(Err(Refusal::Wrong(PinTries::Unknown))));
        assert_eq!(e, Some(Event::Run(Work::Read)));
        assert!(c.dialog.as_ref().unwrap().refusal.is_some());
        let (_, e) = c.update(Message::Lock(LockState::Unlocked { reader: reader() }));
        assert_eq!(e, Some(Event::Unlocked));
        assert!(c.dialog.is_none() && c.is_unlocked());
        let (_, e) = c.update(Message::Lock(LockState::NoCard));
        assert_eq!(e, Some(Event::Locked));
        // Out and back in before the window saw the card out: locked too.
        let _ = c.update(Message::Lock(LockState::Unlocked { reader: reader() }));
        let (_, e) = c.update(Message::Lock(LockState::CardPresent { reader: reader() }));
        assert_eq!(e, Some(Event::Locked));
        assert!(c.dialog.is_some());
        let _ = c.update(Message::Lock(LockState::NoCard));
        // A blocked card put in: the session stays locked, and says why.
        let (_, e) = c.update(Message::Seen(Ok(Seen {
            reader: reader(),
            kind: CardKind::Cps3,
            usability: Usability::PinBlocked,
            tries_left: Some(0),
        })));
        assert_eq!(e, None);
        assert!(c.problem.is_some());
        let _ = c.update(Message::Readers(Some("no service".into())));
        assert!(c.readers_error.is_some());
        let _ = c.update(Message::Readers(None));
        assert!(c.readers_error.is_none());
    }

    #[test]
    fn refusals_from_the_token_are_told_apart() {
        let wrong = LockError::Login(Box::new(AuthError::WrongPin {
            token: "T".into(),
            tries: PinTries::FinalTry,
        }));
        assert_eq!(
            Refusal::from_lock(&wrong),
            Refusal::Wrong(PinTries::FinalTry)
        );
        let locked = LockError::Login(Box::new(AuthError::PinLocked { token: "T".into() }));
        assert_eq!(Refusal::from_lock(&locked), Refusal::Blocked);
        assert_eq!(Refusal::from_lock(&LockError::NoCard), Refusal::NoCard);
        let other = LockError::Login("the module failed".into());
        assert_eq!(
            Refusal::from_lock(&other),
            Refusal::Other("the module failed".into())
        );
        assert!(Refusal::Blocked.describe(Lang::En).contains("PUK"));
    }
}
