//! The live sync of the window against a real Dovecot started by the test:
//! the subscription's stream (the core's watch on a thread of its own) run
//! for real, its reports fed to the window; mail delivered to the server
//! while it idles shows in the list, the folder counts and the status bar,
//! and the new-mail notification is asked for only when the setting is on.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{Stream, StreamExt};

use caducee::sync::Phase;

use super::super::test_support::dbus::PrivateBus;
use super::super::test_support::dovecot::Dovecot;
use super::*;

/// A subscription's stream, driven by the test.
pub(super) struct Live {
    rt: tokio::runtime::Runtime,
    stream: Pin<Box<dyn Stream<Item = live::Message> + Send>>,
}

impl Live {
    /// The window's one live subscription.
    pub(super) fn start(h: &Harness) -> Live {
        let keys = h.app.live_keys();
        assert_eq!(keys.len(), 1, "one watch per ready account: {keys:?}");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Live {
            rt,
            stream: Box::pin(keys[0].follow()),
        }
    }

    fn next(&mut self) -> live::Message {
        let next = self.stream.next();
        self.rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(90), next).await })
            .expect("the live sync reports in time")
            .expect("the live sync runs on")
    }

    /// Feed the window until a sync completes; the status bar lines shown
    /// meanwhile.
    pub(super) fn until_synced(
        &mut self,
        h: &mut Harness,
    ) -> (caducee::sync::SyncReport, Vec<String>) {
        let mut lines = Vec::new();
        loop {
            let m = self.next();
            let done = match &m {
                live::Message::Synced { report, .. } => Some(report.clone()),
                live::Message::Failed { reason, .. } => panic!("the sync failed: {reason}"),
                _ => None,
            };
            let folder_progress = matches!(&m, live::Message::Progress(p)
                if p.folder == "INBOX" && p.phase != Phase::Done && p.total > 0);
            h.send(Message::Live(m));
            if folder_progress {
                let line = h.app.status_line();
                assert!(h.shows(&line), "the status bar shows {line:?}");
                lines.push(line);
            }
            if let Some(report) = done {
                return (report, lines);
            }
        }
    }
}

fn mail(from: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Dr Paul Martin <{from}>\r\nTo: claire\r\nSubject: {subject}\r\n\
         Date: Tue, 01 Dec 2026 10:00:00 +0100\r\nMessage-ID: <{}@test>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes()
}

fn inbox(h: &Harness) -> (i64, i64) {
    h.app
        .mailbox
        .folders
        .iter()
        .find(|f| f.name == "INBOX")
        .map(|f| (f.total, f.unread))
        .expect("the inbox is listed")
}

#[test]
fn new_mail_shows_while_the_window_is_open_and_is_notified_when_asked() {
    let d = Dovecot::start(&["claire"]);
    // The IMAP login reads the headless password (no keyring here); the
    // sending tests set the same value.
    // SAFETY: the tests of this binary that set it set this same value.
    unsafe { std::env::set_var("CADUCEE_PASSWORD", &d.user("claire").password) };
    d.deliver(
        "claire",
        "INBOX",
        &mail(
            "paul.martin@medecin.mssante.fr",
            "Premier message",
            "Texte.",
        ),
        false,
    );
    let mut h = Harness::account(&d, "claire", vec![]);
    h.app.live_sync = true;
    let shown: Arc<Mutex<Vec<live::Notice>>> = Arc::default();
    let seen = shown.clone();
    h.app.notifier = Arc::new(move |n| {
        seen.lock().unwrap().push(n.clone());
        Ok(())
    });
    // Notifications on, from the settings panel, and kept with the others.
    h.click("Paramètres");
    h.click("Activées");
    assert!(h.app.settings.notify);
    h.click("Fermer");
    let kept = h.store(|s| s.setting("ui.notify").unwrap());
    assert_eq!(kept.as_deref(), Some("on"));

    let mut live = Live::start(&h);
    // The first sync: the message already there (not news).
    let (report, lines) = live.until_synced(&mut h);
    assert_eq!(report.new_messages, 1, "{}", d.log());
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Synchronisation de INBOX : ") && l.contains(" / 1 messages")),
        "{lines:?}"
    );
    assert_eq!(
        h.app.status_line(),
        "Ctrl+N nouveau · Ctrl+R répondre · Ctrl+L rechercher · J/K naviguer · M lu/non lu",
        "the progress is cleared when done"
    );
    assert!(
        shown.lock().unwrap().is_empty(),
        "the first download is not news"
    );
    assert_eq!(inbox(&h), (1, 1));
    h.click("Premier message");
    let selected = h.app.mailbox.selected.expect("selected");
    assert_eq!(inbox(&h), (1, 0));

    // Mail comes while the watch idles: synced at once, shown, notified.
    d.deliver(
        "claire",
        "INBOX",
        &mail(
            "paul.martin@medecin.mssante.fr",
            "Résultats de biologie",
            "Créatinine 98 µmol/L.",
        ),
        false,
    );
    let (report, lines) = loop {
        let (report, lines) = live.until_synced(&mut h);
        if report.new_messages > 0 {
            break (report, lines);
        }
    };
    assert_eq!(report.new_messages, 1);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Synchronisation de INBOX : ")),
        "{lines:?}"
    );
    assert_eq!(inbox(&h), (2, 1), "the folder counts follow");
    assert!(h.shows("Résultats de biologie"), "the list shows it");
    assert_eq!(
        h.app.mailbox.selected,
        Some(selected),
        "the selection stays"
    );
    assert_eq!(
        h.app.reader.message.as_ref().map(|m| m.row.id),
        Some(selected)
    );
    let notices = shown.lock().unwrap().clone();
    assert_eq!(
        notices,
        [live::Notice {
            summary: "1 nouveau message".into(),
            body: "Dr Paul Martin : Résultats de biologie".into(),
        }],
        "never the body"
    );
    assert!(h.shows("1 nouveau message — Dr Paul Martin : Résultats de biologie"));

    // Notifications off: the list still follows, nothing is notified.
    h.click("Paramètres");
    h.click("Désactivées");
    h.click("Fermer");
    d.deliver(
        "claire",
        "INBOX",
        &mail("paul.martin@medecin.mssante.fr", "Troisième", "Rien."),
        false,
    );
    loop {
        let (report, _) = live.until_synced(&mut h);
        if report.new_messages > 0 {
            break;
        }
    }
    assert_eq!(inbox(&h), (3, 2));
    assert!(h.shows("Troisième"));
    assert_eq!(shown.lock().unwrap().len(), 1, "not notified when off");
}

#[test]
fn a_sync_the_user_must_fix_is_a_readable_notice() {
    let d = Dovecot::start(&["claire"]);
    // SAFETY: the tests of this binary that set it set this same value.
    unsafe { std::env::set_var("CADUCEE_PASSWORD", &d.user("claire").password) };
    let mut h = Harness::account(&d, "claire", vec![]);
    h.app.live_sync = true;
    // A login the server refuses.
    h.app.accounts[0].settings.auth = caducee::account::AuthMethod::Password {
        username: "nobody".into(),
    };
    let mut live = Live::start(&h);
    let reason = loop {
        match live.next() {
            live::Message::Failed { account, reason } => {
                assert_eq!(account, d.user("claire").address);
                h.send(Message::Live(live::Message::Failed {
                    account,
                    reason: reason.clone(),
                }));
                break reason;
            }
            live::Message::Synced { .. } => panic!("synced with a wrong login"),
            other => h.send(Message::Live(other)),
        }
    };
    let line = h.app.status.clone().unwrap();
    assert_eq!(
        line,
        format!(
            "La synchronisation de {} est arrêtée : {reason}",
            d.user("claire").address
        )
    );
    assert!(!reason.is_empty() && !reason.contains("Error("), "{reason}");
    assert!(h.shows(&line));
    assert!(h.app.syncing.is_empty());
}

#[test]
fn no_live_sync_in_the_demo() {
    let mut h = Harness::demo();
    h.app.live_sync = true;
    assert!(h.app.live_keys().is_empty());
}

#[test]
fn the_window_follows_the_reports_without_a_server() {
    let mut h = Harness::demo();
    let calls: Arc<Mutex<Vec<live::Notice>>> = Arc::default();
    let seen = calls.clone();
    h.app.notifier = Arc::new(move |n| {
        seen.lock().unwrap().push(n.clone());
        Ok(())
    });
    let progress = |phase, done, bytes| caducee::sync::Progress {
        account: "claire@medecin.mssante.fr".into(),
        folder: "INBOX".into(),
        phase,
        done,
        total: 500,
        bytes,
    };
    h.send(Message::Live(live::Message::Progress(progress(
        Phase::Bodies,
        120,
        3_400_000,
    ))));
    assert!(h.shows("Synchronisation de INBOX : 120 / 500 messages, 3,4 Mo"));
    h.send(Message::Live(live::Message::Progress(progress(
        Phase::Done,
        0,
        0,
    ))));
    assert!(h.app.syncing.is_empty());
    let synced = |new| {
        Message::Live(live::Message::Synced {
            account: "claire@medecin.mssante.fr".into(),
            report: caducee::sync::SyncReport {
                new_messages: 2,
                ..Default::default()
            },
            new: Some(live::NewMail {
                count: new,
                from: "Dr Paul Martin".into(),
                subject: "Résultats".into(),
            }),
        })
    };
    // Off (the default): no notification, the list and counts reloaded.
    let (_, work) = h.app.step(synced(2));
    assert!(work.contains(&Work::Job(Job::Folders)));
    assert!(!work.iter().any(|w| matches!(w, Work::Notify(_))));
    h.run(work);
    assert!(calls.lock().unwrap().is_empty());
    // On: one notification.
    h.send(Message::Settings(settings::Message::Notify(true)));
    h.send(synced(2));
    assert_eq!(
        calls.lock().unwrap().as_slice(),
        [live::Notice {
            summary: "2 nouveaux messages".into(),
            body: "Dr Paul Martin : Résultats".into(),
        }]
    );
    // A notification that cannot be shown is only logged.
    h.app.notifier = Arc::new(|_| Err("no notification service".into()));
    h.send(synced(1));
    assert!(h.shows("1 nouveau message — Dr Paul Martin : Résultats"));
    // After the PIN or a sign-in the live sync syncs: only the outbox goes,
    // and says so when it sent something.
    h.app.live_sync = true;
    assert_eq!(
        h.app.resume(vec![]),
        Work::Job(Job::Flush(vec![])),
        "no second sync beside the live one"
    );
    h.app.status = None;
    let flushed = |sent| {
        Message::Loaded(jobs::Loaded::Flushed(Ok(outgoing::Resumed {
            new_messages: 0,
            sent,
            errors: vec![],
        })))
    };
    h.send(flushed(0));
    assert_eq!(h.app.status, None);
    h.send(flushed(2));
    assert!(h.shows("2 message(s) de la boîte d'envoi envoyé(s)."));
}

/// A card lock the test opens and closes itself (the login always works).
struct AnyPin;

impl caducee::auth::lock::CardLogin for AnyPin {
    fn unlock(&self, _pin: &str) -> Result<(), caducee::auth::lock::LoginError> {
        Ok(())
    }
}

#[test]
fn under_the_card_lock_the_watch_waits_for_the_pin() {
    use caducee::auth::lock::SessionLock;
    let d = Dovecot::start(&["claire"]);
    // SAFETY: the tests of this binary that set it set this same value.
    unsafe { std::env::set_var("CADUCEE_PASSWORD", &d.user("claire").password) };
    d.deliver(
        "claire",
        "INBOX",
        &mail("paul.martin@medecin.mssante.fr", "Sous la carte", "Texte."),
        false,
    );
    let mut h = Harness::account(&d, "claire", vec![]);
    h.app.live_sync = true;
    let lock = Arc::new(SessionLock::new(Arc::new(AnyPin)));
    let mut key = h.app.live_keys().remove(0);
    key.lock = Some(lock.clone());
    let mut live = Live {
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        stream: Box::pin(key.follow()),
    };
    // Locked: nothing is synced.
    let next = live.stream.next();
    let waited = live.rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(3), next)
            .await
            .is_err()
    });
    assert!(waited, "no sync while the card lock is closed");
    assert!(h.app.mailbox.folders.is_empty());
    // The card in and the PIN given: the sync runs, the window shows it.
    lock.card_inserted("R1");
    lock.unlock("1234").unwrap();
    let (report, _) = live.until_synced(&mut h);
    assert_eq!(report.new_messages, 1);
    assert_eq!(inbox(&h), (1, 1));
    assert!(h.shows("Sous la carte"));
}

/// What a notification server received.
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

/// The freedesktop notification server's Notify, keeping what it gets.
struct Receiver(Received);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Receiver {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut got = self.0.lock().unwrap();
        got.push((app_name, summary, body));
        got.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("test".into(), "caducee".into(), "1".into(), "1.2".into())
    }
}

#[test]
fn the_desktop_notification_reaches_a_notification_server() {
    let bus = PrivateBus::start();
    let received: Received = Arc::default();
    let _server = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", Receiver(received.clone()))
        .unwrap()
        .build()
        .unwrap();
    let notice = live::Notice::new_mail(
        &live::NewMail {
            count: 2,
            from: "Dr Paul Martin".into(),
            subject: "Résultats de biologie".into(),
        },
        Lang::Fr,
    );
    // notify-rust finds the session bus from the environment: set for this
    // call only (the other tests of this binary use no session bus).
    // SAFETY: no other test of this binary sets the variable.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };
    let sent = live::desktop(&notice);
    unsafe { std::env::remove_var("DBUS_SESSION_BUS_ADDRESS") };
    sent.unwrap();
    assert_eq!(
        received.lock().unwrap().as_slice(),
        [(
            "Caducée".to_owned(),
            "2 nouveaux messages".to_owned(),
            "Dr Paul Martin : Résultats de biologie".to_owned()
        )]
    );
    // No server on the bus: the failure is told, not hidden.
    drop(_server);
    // SAFETY: as above.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };
    let refused = live::desktop(&notice);
    unsafe { std::env::remove_var("DBUS_SESSION_BUS_ADDRESS") };
    assert!(refused.is_err());
}

#[test]
fn which_accounts_are_watched() {
    use caducee::account::{self, AccountSettings, AuthMethod, Security, Server};
    let dir = tempfile::tempdir().unwrap();
    let key = caducee::store::StoreKey::random();
    let store = caducee::store::Store::open(&dir.path().join("caducee.db"), &key).unwrap();
    let server = |port| Server {
        host: "127.0.0.1".into(),
        port,
        security: Security::Tls,
    };
    let with = |auth| AccountSettings {
        imap: server(993),
        smtp: server(465),
        auth,
        extra_ca: None,
        attachment_limit: account::DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: Default::default(),
        delegations: vec![],
    };
    let password = AuthMethod::Password {
        username: "claire".into(),
    };
    let card = AuthMethod::Cps {
        pkcs11_module: None,
    };
    let psc = AuthMethod::ProSanteConnect {
        username: "paul".into(),
        provider: Default::default(),
        client_id: None,
    };
    for (name, auth) in [("claire", password), ("jean", card), ("paul", psc)] {
        let address = format!("{name}@medecin.mssante.fr");
        account::add(&store, name, &address, &with(auth)).unwrap();
    }
    let accounts = account::list(&store).unwrap();
    let (mut h, _) = Harness::launch(dir, false);
    h.app.live_sync = true;
    // Opened, the e-CPS sign-in not run: that account is not signed in.
    let _ = h.app.step(opened(store, key, accounts));
    let keys = h.app.live_keys();
    let watched: Vec<(&str, bool)> = keys
        .iter()
        .map(|k| (k.account.address.as_str(), k.lock.is_some()))
        .collect();
    assert_eq!(
        watched,
        [
            ("claire@medecin.mssante.fr", false),
            ("jean@medecin.mssante.fr", true)
        ],
        "the password account, the card account under its lock; the e-CPS one once signed in"
    );
    let card_lock = &h.app.card.as_ref().unwrap().lock;
    assert!(Arc::ptr_eq(keys[1].lock.as_ref().unwrap(), card_lock));
    // Without the live sync (or in the demo), nothing.
    h.app.live_sync = false;
    assert!(h.app.live_keys().is_empty());
}
