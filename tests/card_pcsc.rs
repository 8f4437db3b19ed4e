//! The CPS card through a real pcscd with the vpcd virtual reader and a
//! virtual card driven by the test: reader and card events, the ATR, CPS
//! recognition, unknown and blocked cards, `caducee card status|watch`, and
//! the session lock closing a real Dovecot IMAP session on card removal.
//! pcscd runs one at a time (it always uses /run/pcscd): each test holds its
//! instance's lock.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use caducee::auth::card::{self, CardKind, Usability};
use caducee::auth::lock::{CardLogin, CardSession, LockState, LoginError};
use caducee::auth::pcsc::{self as pc, ReaderEvent, Watcher};
use support::pcscd::Pcscd;
use support::vpcd::{Behaviour, CPS3_ATR, OTHER_ATR, VirtualCard};

fn caducee(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .args(args)
        .env(
            "CADUCEE_DATA_DIR",
            std::env::temp_dir().join("caducee-card-tests"),
        )
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The next event matching `want`, skipping others; fails after 10 s.
fn next_event(
    rt: &tokio::runtime::Runtime,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<ReaderEvent>,
    want: impl Fn(&ReaderEvent) -> bool,
) -> ReaderEvent {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let got = rt
            .block_on(async { tokio::time::timeout(left, rx.recv()).await })
            .expect("no reader event in time")
            .expect("the watcher ended");
        if want(&got) {
            return got;
        }
    }
}

/// Wait until `cond` holds for the status of `reader` (pcscd sees a card
/// within about half a second).
fn wait_status(reader: &str, cond: impl Fn(Option<&card::CardInfo>) -> bool) -> card::Status {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = card::status().unwrap();
        let r = s.readers.iter().find(|r| r.reader == reader).unwrap();
        if cond(r.card.as_ref()) {
            return s;
        }
        assert!(Instant::now() < deadline, "reader state not reached: {s:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn no_card_then_a_cps_card_is_seen_read_recognised_and_removed() {
    let p = Pcscd::start();
    let (r0, r1) = (p.reader(0), p.reader(1));

    // No card: the readers are there, empty.
    let s = card::status().unwrap();
    let names: Vec<_> = s.readers.iter().map(|r| r.reader.clone()).collect();
    assert_eq!(names, [r0.clone(), r1.clone()]);
    assert!(s.readers.iter().all(|r| r.card.is_none()));
    let out = caducee(&["card", "status"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("Reader \"{r0}\": no card")));
    let out = caducee(&["card", "status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["service"], true);
    assert_eq!(v["readers"][0]["card"], serde_json::Value::Null);

    // Events: the readers first, then the insertion with the ATR.
    let rt = rt();
    let (watcher, mut rx) = Watcher::start().unwrap();
    next_event(&rt, &mut rx, |e| {
        *e == ReaderEvent::ReaderAdded { reader: r1.clone() }
    });
    let card = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    let inserted = next_event(&rt, &mut rx, |e| {
        matches!(e, ReaderEvent::CardInserted { .. })
    });
    assert_eq!(
        inserted,
        ReaderEvent::CardInserted {
            reader: r0.clone(),
            atr: hex::decode(CPS3_ATR).unwrap()
        }
    );

    // Recognised as a CPS3 through the ATR and SELECT of the CPx application.
    let ctx = pc::establish().unwrap();
    let info = card::identify(&ctx, &r0).unwrap();
    assert_eq!(info.kind, CardKind::Cps3);
    assert_eq!(info.usability, Usability::Ready);
    assert_eq!(info.pin_tries_left, Some(3));
    assert!(
        card.apdus
            .lock()
            .unwrap()
            .contains(&"00A404000DE828BD080F8025000001FF0010".to_owned())
    );
    let out = caducee(&["card", "status"]);
    let text = stdout(&out);
    println!("{text}");
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("Reader \"{r0}\": CPS3")), "{text}");
    assert!(text.contains("ATR:   3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"));
    assert!(text.contains("3 PIN tries left"), "{text}");
    assert!(text.contains(&format!("Reader \"{r1}\": no card")));
    let v: serde_json::Value =
        serde_json::from_slice(&caducee(&["card", "status", "--json"]).stdout).unwrap();
    assert_eq!(v["readers"][0]["card"]["kind"], "cps3");
    assert_eq!(
        v["readers"][0]["card"]["atr"],
        "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"
    );

    // Removal is an event, and the status says so.
    card.remove();
    let removed = next_event(&rt, &mut rx, |e| {
        matches!(e, ReaderEvent::CardRemoved { .. })
    });
    assert_eq!(removed, ReaderEvent::CardRemoved { reader: r0.clone() });
    wait_status(&r0, |c| c.is_none());
    watcher.stop();
}

#[test]
fn unknown_blocked_deactivated_and_mute_cards_are_reported() {
    let p = Pcscd::start();
    let r0 = p.reader(0);
    let cases = [
        (
            OTHER_ATR,
            Behaviour::Unknown,
            CardKind::Unknown,
            Usability::NotApplicable,
            "unknown card (not a CPS)",
        ),
        (
            CPS3_ATR,
            Behaviour::PinBlocked,
            CardKind::Cps3,
            Usability::PinBlocked,
            "PIN blocked",
        ),
        (
            CPS3_ATR,
            Behaviour::Deactivated,
            CardKind::Cps3,
            Usability::Deactivated,
            "deactivated",
        ),
        // The CPx application behind an ATR that is not a CPS3's.
        (
            OTHER_ATR,
            Behaviour::Cps,
            CardKind::Cps4,
            Usability::Ready,
            "CPS4",
        ),
        // An answer to reset no protocol can use: the card does not answer.
        (
            "3B",
            Behaviour::Cps,
            CardKind::Unknown,
            Usability::Mute,
            "does not answer",
        ),
    ];
    let rt = rt();
    let (_watcher, mut rx) = Watcher::start().unwrap();
    for (atr, behaviour, kind, usability, words) in cases {
        let card = VirtualCard::insert(p.slot_port(0), atr, behaviour);
        next_event(&rt, &mut rx, |e| {
            matches!(e, ReaderEvent::CardInserted { .. })
        });
        let s = wait_status(&r0, |c| c.is_some());
        let info = s.readers[0].card.clone().unwrap();
        assert_eq!(info.atr, hex::decode(atr).unwrap());
        assert_eq!(
            (info.kind, info.usability),
            (kind, usability),
            "{behaviour:?}"
        );
        let out = caducee(&["card", "status"]);
        let text = stdout(&out);
        assert!(text.contains(words), "{behaviour:?}: {text}");
        let usable = usability == Usability::Ready;
        assert_eq!(
            out.status.code(),
            Some(if usable { 0 } else { 1 }),
            "{text}"
        );
        card.remove();
        next_event(&rt, &mut rx, |e| {
            matches!(e, ReaderEvent::CardRemoved { .. })
        });
        wait_status(&r0, |c| c.is_none());
    }
}

#[test]
fn card_watch_prints_events_as_they_happen() {
    let p = Pcscd::start();
    let mut child = Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .args(["card", "watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, lines) = std_mpsc::channel();
    let out = child.stdout.take().unwrap();
    let reader_thread = std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let next = |event: &str| -> serde_json::Value {
        loop {
            let line = lines.recv_timeout(Duration::from_secs(10)).expect(event);
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if v["event"] == event {
                return v;
            }
        }
    };
    let added = next("reader_added");
    assert_eq!(added["reader"], p.reader(0));
    let card = VirtualCard::insert(p.slot_port(1), CPS3_ATR, Behaviour::Cps);
    let inserted = next("card_inserted");
    assert_eq!(inserted["reader"], p.reader(1));
    assert_eq!(inserted["atr"], CPS3_ATR);
    assert_eq!(inserted["card"]["kind"], "cps3");
    card.remove();
    assert_eq!(next("card_removed")["reader"], p.reader(1));
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    let _ = reader_thread.join();
}

#[test]
fn without_the_pcsc_service_status_says_so() {
    // Hold the pcscd lock without starting one: no service.
    let lock = std::fs::File::create(std::env::temp_dir().join("caducee-test-pcscd.lock")).unwrap();
    lock.lock().unwrap();
    assert!(matches!(card::status(), Err(pc::PcscError::NoService)));
    let out = caducee(&["card", "status"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("smart card service (PC/SC) is not running"),
        "{err}"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&caducee(&["card", "status", "--json"]).stdout).unwrap();
    assert_eq!(v["service"], false);
}

/// The PIN login, as the token side provides it.
struct Pin;

impl CardLogin for Pin {
    fn unlock(&self, pin: &str) -> Result<(), LoginError> {
        if pin == "1234" {
            Ok(())
        } else {
            Err("wrong PIN: 2 tries left".into())
        }
    }
}

/// Established TCP connections from this machine to `port` (client side).
fn connections_to(port: u16) -> usize {
    let mut n = 0;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 4 || f[3] != "01" {
                continue;
            }
            let port_of =
                |a: &str| u16::from_str_radix(a.rsplit(':').next().unwrap_or(""), 16).ok();
            if port_of(f[2]) == Some(port) && port_of(f[1]) != Some(port) {
                n += 1;
            }
        }
    }
    n
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn card_removal_closes_the_imap_session_and_reinsertion_with_pin_resumes() {
    use support::dovecot::Dovecot;
    use support::mail::{self, message};

    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    d.deliver("alice", "INBOX", &message(1, &to), false);
    let p = Pcscd::start();
    let session = CardSession::start(Arc::new(Pin)).unwrap();
    let lock = session.lock().clone();
    assert_eq!(lock.state(), LockState::NoCard);

    // Card in, PIN: the account's IMAP session opens and syncs.
    let card = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    wait_until("card seen", || {
        matches!(lock.state(), LockState::CardPresent { .. })
    });
    assert!(lock.unlock("0000").is_err());
    lock.unlock("1234").unwrap();
    assert_eq!(
        lock.state(),
        LockState::Unlocked {
            reader: p.reader(0)
        }
    );

    let (reports_tx, reports) = std_mpsc::channel();
    let mut watch = lock.watch();
    let (dir, store, acc) = mail::store_with_account(&d, "alice", d.imaps_port);
    let sync_thread = std::thread::spawn(move || {
        let _dir = dir;
        rt().block_on(caducee::sync::watch_with_card(
            &store,
            &acc,
            &caducee::sync::SyncOptions::default(),
            &mut watch,
            &mut |_| {},
            &mut |r| {
                let _ = reports_tx.send(r.new_messages);
            },
        ))
    });
    assert_eq!(reports.recv_timeout(Duration::from_secs(20)).unwrap(), 1);
    wait_until("IMAP session open", || connections_to(d.imaps_port) == 1);

    // Card out: locked at once, the IMAP connection is closed.
    let t0 = Instant::now();
    card.remove();
    wait_until("locked", || lock.state() == LockState::NoCard);
    wait_until("IMAP session closed", || connections_to(d.imaps_port) == 0);
    println!("card removal to IMAP session closed: {:?}", t0.elapsed());

    // While locked nothing connects, and mail arriving waits on the server.
    d.deliver("alice", "INBOX", &message(2, &to), false);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(connections_to(d.imaps_port), 0);
    assert!(reports.try_recv().is_err());

    // Card back and the PIN: the session resumes and fetches the new mail.
    let card = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    wait_until("card seen again", || {
        matches!(lock.state(), LockState::CardPresent { .. })
    });
    assert_eq!(connections_to(d.imaps_port), 0);
    lock.unlock("1234").unwrap();
    assert_eq!(reports.recv_timeout(Duration::from_secs(20)).unwrap(), 1);
    wait_until("IMAP session open again", || {
        connections_to(d.imaps_port) == 1
    });

    // Ending the card session ends the watch.
    drop(session);
    drop(lock);
    assert!(sync_thread.join().unwrap().is_ok());
    drop(card);
}

#[test]
fn queued_sends_wait_while_the_card_is_out_and_go_after_the_pin() {
    use caducee::account::Security;
    use caducee::send::{self, Draft, outbox};
    use caducee::store::{Store, StoreKey};
    use support::dovecot::Dovecot;
    use support::sender::{Sender, with_message_id};

    let d = Dovecot::start(&["alice", "bob"]);
    let sender = Sender::new(&d, "alice", Security::StartTls);
    let draft = Draft {
        to: vec![d.user("bob").address.clone()],
        subject: "Compte rendu".into(),
        text: "Bonjour,\nci-joint le compte rendu.".into(),
        ..Draft::default()
    };
    let (id, message_id) = send::queue(&sender.store, &sender.account, &draft).unwrap();
    let db = sender.dir.path().join("caducee.db");
    let key = StoreKey::from_hex(&sender.key_hex).unwrap();

    let p = Pcscd::start();
    let session = CardSession::start(Arc::new(Pin)).unwrap();
    let lock = session.lock().clone();
    let mut watch = lock.watch();
    let flusher = std::thread::spawn(move || {
        let s = sender;
        rt().block_on(watch.run_unlocked(send::flush(&s.store, &s.account, &s.password)))
            .map(|r| r.unwrap())
    });

    // No card: the flush does not start, the message stays queued.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!flusher.is_finished());
    let look = Store::open(&db, &key).unwrap();
    assert_eq!(outbox::get(&look, id).unwrap().state.as_str(), "queued");
    assert!(with_message_id(&d.folder_dir("bob", "INBOX"), &message_id).is_empty());

    // Card in: still waiting for the PIN.
    let card = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    wait_until("card seen", || {
        matches!(lock.state(), LockState::CardPresent { .. })
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!flusher.is_finished());

    // The PIN: the queued message goes, once.
    lock.unlock("1234").unwrap();
    let report = flusher.join().unwrap().unwrap();
    assert_eq!(report.sent, [id]);
    assert_eq!(
        with_message_id(&d.folder_dir("bob", "INBOX"), &message_id).len(),
        1
    );
    assert_eq!(outbox::get(&look, id).unwrap().state.as_str(), "sent");
    drop(card);
}

#[test]
fn the_pcsc_service_stopping_locks_the_session() {
    let p = Pcscd::start();
    let rt = rt();
    let (watcher, mut rx) = Watcher::start().unwrap();
    let session = CardSession::start(Arc::new(Pin)).unwrap();
    let lock = session.lock().clone();
    let card = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    wait_until("card seen", || {
        matches!(lock.state(), LockState::CardPresent { .. })
    });
    lock.unlock("1234").unwrap();
    drop(p);
    next_event(&rt, &mut rx, |e| *e == ReaderEvent::ServiceStopped);
    wait_until("locked", || lock.state() == LockState::NoCard);
    watcher.stop();
    drop(card);
}

#[test]
fn without_a_reader_status_says_so() {
    let _p = Pcscd::without_readers();
    assert!(card::status().unwrap().readers.is_empty());
    let out = caducee(&["card", "status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("No card reader is connected"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn status_names_the_holder_from_the_authentication_certificate() {
    let p = Pcscd::start();
    let r0 = p.reader(0);
    let _card = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    wait_status(&r0, |c| c.is_some());
    // The certificates live on a PKCS#11 token: SoftHSM2 stands for the card's
    // middleware (the virtual PC/SC card has no PKCS#11 view of its own).
    let ca = support::ca::TestCa::new("Caducee Test IGC");
    let holder = support::token::Holder::doctor();
    let hsm = support::token::cps_card(&ca, &holder);
    let status = |module: &str, json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_caducee"));
        cmd.env("CADUCEE_LANG", "en");
        cmd.args(["card", "status", "--pkcs11-module", module])
            .env(
                "CADUCEE_DATA_DIR",
                std::env::temp_dir().join("caducee-card-tests"),
            )
            .env_remove("CADUCEE_CARD_PIN");
        if json {
            cmd.arg("--json");
        }
        hsm.env(&mut cmd);
        cmd.output().unwrap()
    };

    let out = status(support::token::MODULE, false);
    let text = stdout(&out);
    println!("{text}");
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Holder: JEAN DUPONT") && text.contains("810002813839"),
        "{text}"
    );
    assert!(text.contains("Médecin"), "{text}");
    // The signature certificate (CKA_ID ending 0x10) names someone else: never shown.
    assert!(!text.contains("899999999999"), "{text}");
    let v: serde_json::Value =
        serde_json::from_slice(&status(support::token::MODULE, true).stdout).unwrap();
    assert_eq!(v["holder"]["national_id"], "810002813839");
    assert_eq!(v["readers"][0]["card"]["kind"], "cps3");

    // A module that cannot be loaded: the status stays, the reason is given.
    let out = status("/nonexistent/libcps3_pkcs11_lux.so", false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Holder: cannot be read: "), "{text}");
    assert!(
        text.contains("/nonexistent/libcps3_pkcs11_lux.so"),
        "{text}"
    );
}
