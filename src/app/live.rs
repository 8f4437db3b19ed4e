//! Live sync in the window: each ready account is watched by the core
//! ([`caducee::sync::watch`], or [`caducee::sync::watch_with_card`] under the
//! card lock): a sync, then IDLE on INBOX, again at each change, reconnecting
//! with backoff. The watch runs on a thread of its own (its own tokio runtime
//! and its own store connection) and reports here through a channel, as the
//! stream of an iced subscription: dropping the subscription stops it.
//!
//! The window shows the progress in its status bar, a failure as a notice,
//! reloads the folder counts and the list after a sync that changed
//! something, and, when the setting is on, tells of new mail through a
//! desktop notification (sender and subject, never the body).

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fluent_bundle::FluentValue;
use futures::{SinkExt, StreamExt};

use caducee::account::Account;
use caducee::auth::lock::SessionLock;
use caducee::store::{FolderRole, MessageRow, Store};
use caducee::sync::{self, Phase, Progress, SyncOptions, SyncReport};

use super::i18n::{Lang, t_args, tn};
use super::jobs::StoreHandle;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// How far a sync is.
    Progress(Progress),
    /// A sync completed, with the new unread mail of the inbox, if any.
    Synced {
        account: String,
        report: SyncReport,
        new: Option<NewMail>,
    },
    /// The watch stopped on a failure the user must fix (in their language).
    Failed { account: String, reason: String },
    /// The desktop notification was shown, or why not.
    Notified(Result<(), String>),
}

/// New unread mail in an inbox, for a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub count: usize,
    /// The newest one's sender (name, else address) and subject.
    pub from: String,
    pub subject: String,
}

/// A desktop notification, worded in the window's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

impl Notice {
    pub fn new_mail(new: &NewMail, lang: Lang) -> Notice {
        Notice {
            summary: tn(lang, "live-new-mail", new.count),
            body: t_args(
                lang,
                "live-new-mail-first",
                &[
                    ("from", new.from.clone().into()),
                    ("subject", new.subject.clone().into()),
                ],
            ),
        }
    }
}

/// What shows a notification: the desktop's, or a test's.
pub type Notifier = Arc<dyn Fn(&Notice) -> Result<(), String> + Send + Sync>;

/// The desktop notification (freedesktop notifications over D-Bus on Linux).
pub fn desktop(notice: &Notice) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("Caducée")
        .summary(&notice.summary)
        .body(&notice.body)
        .show()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The status bar's line for a sync under way.
pub fn progress_line(p: &Progress, lang: Lang) -> String {
    let mut args: Vec<(&str, FluentValue<'_>)> = vec![
        ("account", p.account.clone().into()),
        ("folder", p.folder.clone().into()),
    ];
    let key = match p.phase {
        Phase::Headers | Phase::Bodies | Phase::Flags if p.total > 0 => {
            args.push(("done", (p.done as i64).into()));
            args.push(("total", (p.total as i64).into()));
            args.push(("size", super::format::size(p.bytes, lang).into()));
            if p.bytes > 0 {
                "live-progress-bytes"
            } else {
                "live-progress"
            }
        }
        _ => "live-progress-start",
    };
    t_args(lang, key, &args)
}

/// The status bar's line for the syncs under way, by account address: the
/// one account's progress, or each account's in turn (named) when several
/// sync at once.
pub fn progress_lines(
    syncing: &std::collections::BTreeMap<String, Progress>,
    lang: Lang,
) -> Option<String> {
    if syncing.len() == 1 {
        return syncing.values().next().map(|p| progress_line(p, lang));
    }
    let lines: Vec<String> = syncing
        .values()
        .map(|p| {
            let line = progress_line(p, lang);
            if p.total == 0 {
                // "Syncing claire@…" names the account already.
                line
            } else {
                t_args(
                    lang,
                    "live-progress-of",
                    &[("account", p.account.clone().into()), ("line", line.into())],
                )
            }
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join(" · "))
}

/// The status bar's notice for a watch that stopped.
pub fn failure_line(account: &str, reason: &str, lang: Lang) -> String {
    t_args(
        lang,
        "live-failed",
        &[
            ("account", account.to_owned().into()),
            ("reason", reason.to_owned().into()),
        ],
    )
}

/// Whether a sync changed what the window shows.
pub fn changed(r: &SyncReport) -> bool {
    r.new_messages + r.flag_updates + r.expunged + r.replayed > 0
}

/// The subscription's key: one per ready account (for a token account, per
/// sign-in; for a card account, with the card lock to wait on).
#[derive(Clone)]
pub struct Key {
    pub account: Account,
    pub store: StoreHandle,
    pub lock: Option<Arc<SessionLock>>,
    pub generation: u64,
    pub lang: Lang,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("account", &self.account.address)
            .field("card", &self.lock.is_some())
            .field("generation", &self.generation)
            .finish()
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.account.id.hash(state);
        self.account.address.hash(state);
        self.generation.hash(state);
        self.lock
            .as_ref()
            .map(|l| Arc::as_ptr(l) as usize)
            .hash(state);
    }
}

impl Key {
    /// The watch's reports, until the stream is dropped (which stops it).
    pub fn follow(&self) -> impl futures::Stream<Item = Message> + Send + use<> {
        follow(self.clone())
    }
}

/// Start the watch on its own thread; its reports come out of the stream.
pub fn follow(key: Key) -> impl futures::Stream<Item = Message> + Send + 'static {
    iced::stream::channel(64, async move |mut out| {
        let (tx, mut rx) = futures::channel::mpsc::unbounded();
        // Dropped with this stream: the watch stops.
        let (_stop, stop) = futures::channel::oneshot::channel::<()>();
        let address = key.account.address.clone();
        let spawned = std::thread::Builder::new()
            .name("caducee-live-sync".into())
            .spawn(move || run(key, tx, stop));
        if let Err(e) = spawned {
            let _ = out
                .send(Message::Failed {
                    account: address,
                    reason: e.to_string(),
                })
                .await;
            return;
        }
        while let Some(m) = rx.next().await {
            if out.send(m).await.is_err() {
                return;
            }
        }
    })
}

/// How often progress goes to the window at most (a change of folder or
/// phase always does).
const PROGRESS_EVERY: Duration = Duration::from_millis(150);

/// Lets through the progress events worth redrawing for.
#[derive(Default)]
struct Throttle {
    last: Option<(String, Phase, Instant)>,
}

impl Throttle {
    fn pass(&mut self, p: &Progress) -> bool {
        let now = Instant::now();
        let pass = match &self.last {
            None => true,
            Some((folder, phase, at)) => {
                *folder != p.folder
                    || *phase != p.phase
                    || p.done >= p.total
                    || now.duration_since(*at) >= PROGRESS_EVERY
            }
        };
        if pass {
            self.last = Some((p.folder.clone(), p.phase, now));
        }
        pass
    }
}

/// The newest messages of the account's inbox looked at after a sync.
const LOOK_AT: u32 = 200;

/// Finds the inbox's new unread messages after each sync.
struct Inbox {
    account: i64,
    folder: Option<i64>,
    /// The highest message id seen in the inbox (`None` before the first
    /// look: the first download of a mailbox is not news).
    seen_up_to: Option<i64>,
}

impl Inbox {
    fn folder(&mut self, store: &Store) -> Option<i64> {
        if self.folder.is_none() {
            self.folder = store.folders().ok()?.into_iter().find_map(|f| {
                (f.account_id == Some(self.account)
                    && (f.role == Some(FolderRole::Inbox) || f.name.eq_ignore_ascii_case("INBOX")))
                .then_some(f.id)
            });
        }
        self.folder
    }

    fn rows(&mut self, store: &Store) -> Vec<MessageRow> {
        let Some(folder) = self.folder(store) else {
            return Vec::new();
        };
        store
            .list_messages(Some(folder), LOOK_AT, 0)
            .unwrap_or_default()
    }

    /// Remember what is there now.
    fn mark(&mut self, store: &Store) {
        let rows = self.rows(store);
        if !rows.is_empty() || self.folder.is_some() {
            self.seen_up_to = Some(rows.iter().map(|r| r.id).max().unwrap_or(0));
        }
    }

    /// The unread messages that came since the last look.
    fn news(&mut self, store: &Store) -> Option<NewMail> {
        let before = self.seen_up_to;
        let rows = self.rows(store);
        let newest = rows.iter().map(|r| r.id).max();
        if self.folder.is_some() {
            self.seen_up_to = before.max(newest).or(Some(0));
        }
        let before = before?;
        let new: Vec<&MessageRow> = rows
            .iter()
            .filter(|r| r.id > before && !r.flags.seen)
            .collect();
        // Newest first, as the store lists them.
        let first = new.first()?;
        Some(NewMail {
            count: new.len(),
            from: if first.from_name.is_empty() {
                first.from_addr.clone()
            } else {
                first.from_name.clone()
            },
            subject: caducee::mime::display_subject(&first.subject).to_owned(),
        })
    }
}

/// The watch thread: a store connection and a runtime of its own.
fn run(
    key: Key,
    tx: futures::channel::mpsc::UnboundedSender<Message>,
    stop: futures::channel::oneshot::Receiver<()>,
) {
    if cfg!(test) {
        caducee::i18n::set_for_thread(key.lang);
    }
    let account = key.account;
    let send = |m: Message| {
        let _ = tx.unbounded_send(m);
    };
    let fail = |reason: String| {
        send(Message::Failed {
            account: account.address.clone(),
            reason,
        })
    };
    let store = match key.store.reopen() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e.to_string()),
    };
    let mut inbox = Inbox {
        account: account.id,
        folder: None,
        seen_up_to: None,
    };
    inbox.mark(&store);
    let mut throttle = Throttle::default();
    let mut progress = |p: &Progress| {
        if throttle.pass(p) {
            send(Message::Progress(p.clone()));
        }
    };
    let mut on_sync = |r: &SyncReport| {
        let new = if r.new_messages > 0 {
            inbox.news(&store)
        } else {
            None
        };
        send(Message::Synced {
            account: account.address.clone(),
            report: r.clone(),
            new,
        });
    };
    let opts = SyncOptions::default();
    let outcome = rt.block_on(async {
        let watch = async {
            match &key.lock {
                Some(lock) => {
                    let mut w = lock.watch();
                    sync::watch_with_card(
                        &store,
                        &account,
                        &opts,
                        &mut w,
                        &mut progress,
                        &mut on_sync,
                    )
                    .await
                }
                None => sync::watch(&store, &account, &opts, &mut progress, &mut on_sync).await,
            }
        };
        tokio::select! {
            r = watch => Some(r),
            _ = stop => None,
        }
    });
    match outcome {
        Some(Err(e)) => {
            tracing::warn!(account = %account.address, error = %e, "live sync stopped");
            fail(e.to_string());
        }
        Some(Ok(())) => tracing::info!(account = %account.address, "live sync ended"),
        None => tracing::debug!(account = %account.address, "live sync stopped by the window"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(folder: &str, phase: Phase, done: u64, total: u64, bytes: u64) -> Progress {
        Progress {
            account: "claire@medecin.mssante.fr".into(),
            folder: folder.into(),
            phase,
            done,
            total,
            bytes,
        }
    }

    #[test]
    fn progress_is_worded_per_folder_with_bytes() {
        let p = progress("INBOX", Phase::Bodies, 120, 500, 3_400_000);
        assert_eq!(
            progress_line(&p, Lang::Fr),
            "Synchronisation de INBOX : 120 / 500 messages, 3,4 Mo"
        );
        assert_eq!(
            progress_line(&p, Lang::En),
            "Syncing INBOX: 120 / 500 messages, 3.4 MB"
        );
        let p = progress("Sent", Phase::Headers, 3, 10, 0);
        assert_eq!(
            progress_line(&p, Lang::Fr),
            "Synchronisation de Sent : 3 / 10 messages"
        );
        let p = progress("", Phase::Folders, 0, 0, 0);
        assert_eq!(
            progress_line(&p, Lang::Fr),
            "Synchronisation de claire@medecin.mssante.fr…"
        );
    }

    #[test]
    fn several_accounts_syncing_are_all_shown() {
        let mut syncing = std::collections::BTreeMap::new();
        assert_eq!(progress_lines(&syncing, Lang::Fr), None);
        let one = progress("INBOX", Phase::Headers, 3, 10, 0);
        syncing.insert(one.account.clone(), one);
        assert_eq!(
            progress_lines(&syncing, Lang::Fr).as_deref(),
            Some("Synchronisation de INBOX : 3 / 10 messages")
        );
        let mut other = progress("", Phase::Folders, 0, 0, 0);
        other.account = "secretariat@cabinet.mssante.fr".into();
        syncing.insert(other.account.clone(), other);
        assert_eq!(
            progress_lines(&syncing, Lang::Fr).as_deref(),
            Some(
                "claire@medecin.mssante.fr : Synchronisation de INBOX : 3 / 10 messages \
                 · Synchronisation de secretariat@cabinet.mssante.fr…"
            )
        );
        assert!(
            progress_lines(&syncing, Lang::En)
                .unwrap()
                .starts_with("claire@medecin.mssante.fr: Syncing INBOX")
        );
    }

    #[test]
    fn the_throttle_lets_changes_of_folder_and_phase_through() {
        let mut t = Throttle::default();
        assert!(t.pass(&progress("INBOX", Phase::Headers, 0, 100, 0)));
        assert!(!t.pass(&progress("INBOX", Phase::Headers, 1, 100, 0)));
        assert!(t.pass(&progress("INBOX", Phase::Headers, 100, 100, 0)));
        assert!(t.pass(&progress("Sent", Phase::Headers, 0, 5, 0)));
        assert!(t.pass(&progress("Sent", Phase::Bodies, 0, 5, 0)));
    }

    #[test]
    fn the_notice_has_the_count_sender_and_subject() {
        let new = NewMail {
            count: 3,
            from: "Dr Paul Martin".into(),
            subject: "Résultats".into(),
        };
        let n = Notice::new_mail(&new, Lang::Fr);
        assert_eq!(n.summary, "3 nouveaux messages");
        assert_eq!(n.body, "Dr Paul Martin : Résultats");
        let n = Notice::new_mail(&NewMail { count: 1, ..new }, Lang::En);
        assert_eq!(n.summary, "1 new message");
        assert_eq!(n.body, "Dr Paul Martin: Résultats");
    }
}
