//! The CPS card in the window: the login chooser, the PIN dialog against a
//! real SoftHSM2 token (the card's PKCS#11 side) with a private Dovecot that
//! accepts only client certificates, and the lock screen following a real
//! pcscd with the vpcd virtual reader and a virtual card.
//!
//! The PKCS#11 module is loaded once per process: only one test here loads
//! SoftHSM2; the others name a module that does not exist.

use std::pin::Pin as Pinned;
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};

use caducee::account::{self, AuthMethod, Security};
use caducee::auth::lock::{LockState, SessionLock};
use caducee::send::{self, Draft, OutboxState, outbox};
use caducee::store::{STORE_FILE, Store, StoreKey};

use super::super::test_support::dovecot::{DOMAIN, Dovecot, Login};
use super::super::test_support::pcscd::Pcscd;
use super::super::test_support::settings::{set_whitelist, settings};
use super::super::test_support::token::{Holder, MODULE, PIN, SoftHsm, cps_card};
use super::super::test_support::vpcd::{Behaviour, CPS3_ATR, OTHER_ATR, VirtualCard};
use super::*;

/// A subject of the fixture messages imported into the card account's store.
const FIXTURE_SUBJECT: &str = "Résultats d'analyses — Mme Lefèvre";

type Messages = Pinned<Box<dyn Stream<Item = card::Message> + Send>>;

impl Harness {
    /// The window over a store with one CPS card account whose module is
    /// `module`, the fixture messages in its inbox, and `queued` messages
    /// waiting in its outbox (sent earlier while the card was out).
    fn card_account(
        settings: caducee::account::AccountSettings,
        login: &str,
        module: &str,
        queued: &[Draft],
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::random();
        let store = Store::open(&dir.path().join(STORE_FILE), &key).unwrap();
        set_whitelist(&store, "2026-11-01T00:00:00Z", &[DOMAIN]);
        let mut settings = settings;
        settings.auth = AuthMethod::Cps {
            pkcs11_module: Some(module.into()),
        };
        account::add(&store, "Carte", login, &settings).unwrap();
        let accounts = account::list(&store).unwrap();
        for d in queued {
            send::queue(&store, &accounts[0], d).unwrap();
        }
        let source = caducee::import::Source::detect(Path::new(FIXTURES)).unwrap();
        caducee::import::import(&store, &source, "INBOX", &mut |_| {}).unwrap();
        let (mut h, _open) = Harness::launch(dir, false);
        h.send(opened(store, key, accounts));
        h
    }

    fn lock(&self) -> std::sync::Arc<SessionLock> {
        self.app.card.as_ref().expect("a card account").lock.clone()
    }

    fn lock_state(&self) -> LockState {
        self.app.card.as_ref().unwrap().state.clone()
    }

    /// Feed the window what `stream` says until `done` holds (10 s at most).
    fn pump(
        &mut self,
        rt: &tokio::runtime::Runtime,
        stream: &mut Messages,
        what: &str,
        done: impl Fn(&Harness) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = rt
                .block_on(async { tokio::time::timeout(left, stream.next()).await })
                .unwrap_or_else(|_| panic!("{what}: not reached in time"))
                .expect("the stream ended");
            self.send(Message::Card(next));
        }
    }

    fn type_pin(&mut self, pin: &str) {
        self.act(|ui| {
            ui.click(Id::new(pin_dialog::PIN_ID)).expect("PIN field");
            ui.typewrite(pin);
            ui.tap_key(Named::Enter);
        });
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Set flags of the SoftHSM2 token's user PIN in its own store (SoftHSM2
/// counts no tries: it never sets "final try" or "locked" by itself, as a
/// CPS card does after wrong PINs). The token's file holds each attribute as
/// type, kind and value, big-endian 64-bit; its first word is a generation
/// counter that tells the loaded module to read the file again.
fn set_pin_flags(hsm: &SoftHsm, flags: u64) {
    const CKA_OS_TOKENFLAGS: [u8; 8] = [0, 0, 0, 0, 0x80, 0, 0x53, 0x4b];
    let tokens = hsm.dir.path().join("tokens");
    let dir = std::fs::read_dir(&tokens).unwrap().next().unwrap().unwrap();
    let path = dir.path().join("token.object");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(8)
        .position(|w| w == CKA_OS_TOKENFLAGS)
        .expect("the token flags attribute")
        + 16;
    let word = |b: &[u8], i: usize| u64::from_be_bytes(b[i..i + 8].try_into().unwrap());
    let value = word(&bytes, at) | flags;
    bytes[at..at + 8].copy_from_slice(&value.to_be_bytes());
    let generation = word(&bytes, 0) + 1;
    bytes[0..8].copy_from_slice(&generation.to_be_bytes());
    std::fs::write(&path, bytes).unwrap();
}

const CKF_USER_PIN_FINAL_TRY: u64 = 0x0002_0000;
const CKF_USER_PIN_LOCKED: u64 = 0x0004_0000;

#[test]
fn the_login_chooser_offers_every_method() {
    let (mut h, _work) = Harness::launch(tempfile::tempdir().unwrap(), false);
    h.send(Message::Opened(Err("no keyring".into())));
    h.click("Ajouter un compte");
    h.send(Message::Welcome(welcome::Message::Form(
        account_form::Message::Input(
            account_form::Field::Address,
            "jean.dupont@medecin.mssante.fr".into(),
        ),
    )));
    h.click("Suivant");
    h.click("Saisir à la main");
    h.click("Suivant");
    for entry in [
        "Carte CPS",
        "e-CPS (Pro Santé Connect)",
        "Code à usage unique",
        "Mot de passe",
    ] {
        assert!(h.shows(entry), "{entry}");
    }
    // e-CPS and the one-time code ask what their sign-in needs.
    h.click("Code à usage unique");
    assert!(h.shows("Identifiant national (8 + RPPS, ou 0 + ADELI)"));
    h.click("e-CPS (Pro Santé Connect)");
    assert!(h.shows("Identifiant client enregistré auprès de l'ANS"));
    h.click("Carte CPS");
    let form = h.app.welcome.form.as_ref().unwrap();
    assert_eq!(form.method, login_chooser::Method::Card);
    assert!(h.shows("Module PKCS#11 de la carte (vide : Cryptolib CPS, sinon OpenSC)"));
    assert!(
        !h.shows("Identifiant") && !h.shows("Mot de passe "),
        "no login name or password for the card"
    );
    h.click("Mot de passe");
    assert!(h.shows("Identifiant"));
    h.click("Carte CPS");
    // Saving hands a card account, without a password, to the background.
    let clicked: Vec<Message> = {
        let mut ui = h.ui();
        ui.click("Enregistrer").expect("save");
        ui.into_messages().collect()
    };
    assert_eq!(clicked.len(), 1);
    let (_, work) = h.app.step(clicked[0].clone());
    let Some(Work::AddAccount(new)) = work.first() else {
        panic!("{work:?}")
    };
    assert_eq!(
        new.settings.auth,
        AuthMethod::Cps {
            pkcs11_module: None
        }
    );
    assert!(new.password.is_empty());
    assert_eq!(new.address, "jean.dupont@medecin.mssante.fr");
}

/// Servers nothing listens on (the lock screen test never connects).
fn unreachable() -> caducee::account::AccountSettings {
    use caducee::account::{DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Server};
    let server = |port| Server {
        host: "127.0.0.1".into(),
        port,
        security: Security::Tls,
    };
    caducee::account::AccountSettings {
        imap: server(super::super::test_support::free_port()),
        smtp: server(super::super::test_support::free_port()),
        auth: AuthMethod::Cps {
            pkcs11_module: None,
        },
        extra_ca: None,
        attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: OfflineBodies::All,
        delegations: vec![],
    }
}

#[test]
fn the_pin_dialog_logs_in_on_a_real_token_and_the_lock_screen_hides_the_mail() {
    let holder = Holder::doctor();
    let d = Dovecot::start_with(&[&holder.national_id, "paul"], Login::CertificateOnly);
    let hsm = cps_card(&d.ca, &holder);
    // Before the module is first loaded in this process (no other test here
    // loads it).
    // SAFETY: only this test of the binary reads or sets the variable.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };
    let address = d.user(&holder.national_id).address.clone();
    d.deliver(
        &holder.national_id,
        "INBOX",
        b"From: <paul@mssante.test>\r\nTo: <jean@mssante.test>\r\nSubject: Avis cardiologique\r\nMessage-ID: <avis-1@mssante.test>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nBonjour.\r\n",
        false,
    );
    let queued = Draft {
        to: vec![d.user("paul").address.clone()],
        subject: "Compte rendu en attente".into(),
        text: "Bonjour Paul,\nci-joint le compte rendu.".into(),
        ..Draft::default()
    };
    let mut h = Harness::card_account(
        settings(&d, Security::StartTls),
        &address,
        MODULE,
        &[queued],
    );
    let outbox_state = |h: &Harness| {
        h.app
            .store
            .as_ref()
            .unwrap()
            .with_store(|s| outbox::list(s, None).unwrap()[0].state)
            .unwrap()
    };

    // Locked from the start: the lock screen, no message content.
    assert_eq!(h.lock_state(), LockState::NoCard);
    assert!(h.shows("Session verrouillée"));
    assert!(h.shows("Insérez votre carte CPS dans le lecteur pour continuer."));
    assert!(!h.shows(FIXTURE_SUBJECT));
    assert!(!h.shows("Nouveau message"), "no composing while locked");
    assert_eq!(outbox_state(&h), OutboxState::Queued);

    // The card goes in (the lock's own API; the readers are another test):
    // the window follows the lock's state and shows the PIN dialog with the
    // holder read from the card without the PIN.
    let lock = h.lock();
    let rt = rt();
    let mut states: Messages = Box::pin(card::follow_state(lock.clone()));
    lock.card_inserted("Lecteur de test 00 00");
    h.pump(&rt, &mut states, "PIN dialog", |h| {
        h.app.card.as_ref().unwrap().dialog.is_some()
    });
    assert!(
        h.shows("Code PIN de la carte CPS"),
        "{:?}",
        h.app.card.as_ref().unwrap().dialog
    );
    assert!(h.shows("JEAN DUPONT"));
    assert!(h.shows("Médecin — RPPS 810002813839"));
    assert!(h.shows("Lecteur : Lecteur de test 00 00"));
    assert!(!h.shows(FIXTURE_SUBJECT));

    // A wrong PIN: refused, with what the token tells of the tries left.
    h.type_pin("0000");
    let dialog = h
        .app
        .card
        .as_ref()
        .unwrap()
        .dialog
        .as_ref()
        .expect("still asked");
    assert_eq!(dialog.pin.as_str(), "", "the PIN is not kept");
    assert!(
        h.shows("Code PIN incorrect. La carte signale que les essais s'épuisent, sans dire combien il en reste ; une carte CPS se bloque après 3 codes faux de suite."),
        "{:?}",
        h.app.card.as_ref().unwrap().dialog
    );
    assert!(matches!(h.lock_state(), LockState::CardPresent { .. }));
    assert_eq!(outbox_state(&h), OutboxState::Queued);
    assert!(
        !d.log().contains("method=EXTERNAL"),
        "no login without the PIN"
    );

    // The token says one try is left: a wrong PIN says so.
    set_pin_flags(&hsm, CKF_USER_PIN_FINAL_TRY);
    h.type_pin("9999");
    assert!(
        h.shows("Code PIN incorrect. Il ne reste qu'un essai : un code faux de plus bloque la carte. Vérifiez le code avant de le retaper."),
        "{:?}",
        h.app.card.as_ref().unwrap().dialog
    );

    // The right PIN: unlocked, the mail shows, the queued message goes and
    // the sync runs, both with the card's certificate.
    h.type_pin(PIN);
    assert!(matches!(h.lock_state(), LockState::Unlocked { .. }));
    assert!(h.app.card.as_ref().unwrap().dialog.is_none());
    let status = h.app.status.clone().unwrap_or_default();
    assert_eq!(
        status,
        "Synchronisé : 1 nouveau(x) message(s), 1 message(s) envoyé(s).",
        "{}",
        d.log()
    );
    assert!(h.shows(&status));
    assert!(h.shows(FIXTURE_SUBJECT));
    assert!(h.shows("Nouveau message"));
    assert_eq!(outbox_state(&h), OutboxState::Sent);
    assert_eq!(d.count_files("paul", "INBOX"), 1);
    assert!(
        d.log().contains("user=<810002813839>, method=EXTERNAL"),
        "{}",
        d.log()
    );
    let synced = h
        .app
        .store
        .as_ref()
        .unwrap()
        .with_store(|s| s.list_messages(None, 100, 0).unwrap())
        .unwrap();
    assert!(synced.iter().any(|m| m.subject == "Avis cardiologique"));

    // Signing out from the settings with the card still in: the card is
    // logged out (PKCS#11), the mail hidden, the PIN asked again.
    let module = Some(Path::new(MODULE));
    assert!(caducee::auth::token::logged_in(module).unwrap());
    h.click("Paramètres");
    assert!(h.shows("carte CPS déverrouillée"));
    h.click("Verrouiller la carte");
    assert!(matches!(h.lock_state(), LockState::CardPresent { .. }));
    assert!(!caducee::auth::token::logged_in(module).unwrap());
    assert_eq!(
        h.app.status.as_deref(),
        Some("Carte verrouillée : tapez de nouveau le code PIN pour continuer.")
    );
    assert!(h.shows("Code PIN de la carte CPS"));
    assert!(h.shows("JEAN DUPONT"));
    assert!(!h.shows(FIXTURE_SUBJECT));
    assert_eq!(outbox_state(&h), OutboxState::Sent);
    h.type_pin(PIN);
    assert!(matches!(h.lock_state(), LockState::Unlocked { .. }));
    assert!(caducee::auth::token::logged_in(module).unwrap());
    assert!(h.shows(FIXTURE_SUBJECT));

    // The live sync under the card lock, logged in with the card's
    // certificate from its own thread: mail delivered now shows.
    h.app.live_sync = true;
    let mut live = super::live_sync::Live::start(&h);
    d.deliver(
        &holder.national_id,
        "INBOX",
        b"From: <paul@mssante.test>\r\nTo: <jean@mssante.test>\r\nSubject: Avis en direct\r\nMessage-ID: <avis-2@mssante.test>\r\nDate: Tue, 01 Dec 2026 11:00:00 +0000\r\n\r\nBonjour.\r\n",
        false,
    );
    loop {
        let (report, _) = live.until_synced(&mut h);
        if report.new_messages > 0 {
            break;
        }
    }
    assert!(h.shows("1 nouveau message — paul@mssante.test : Avis en direct"));
    let inbox = h
        .app
        .mailbox
        .folders
        .iter()
        .find(|f| f.name == "INBOX" && f.account_id.is_some())
        .map(|f| f.total);
    assert_eq!(inbox, Some(2), "the account's inbox counts follow");

    // The card comes out: the lock screen at once, the mail hidden.
    lock.card_removed("Lecteur de test 00 00");
    h.pump(&rt, &mut states, "lock screen", |h| {
        h.app.card.as_ref().unwrap().state == LockState::NoCard
    });
    assert!(h.shows("Session verrouillée"));
    assert!(h.shows("Carte retirée : la session est verrouillée."));
    assert!(!h.shows(FIXTURE_SUBJECT));
    assert!(!h.shows("Avis cardiologique"));
    assert!(h.app.syncing.is_empty(), "no sync line left");
    drop(live);

    // Back in, with a PIN the card has locked: the dialog says what to do
    // and takes no PIN.
    set_pin_flags(&hsm, CKF_USER_PIN_LOCKED);
    lock.card_inserted("Lecteur de test 00 00");
    h.pump(&rt, &mut states, "PIN dialog again", |h| {
        h.app.card.as_ref().unwrap().dialog.is_some()
    });
    assert!(h.shows("Le code PIN de cette carte est bloqué après trop de codes faux. Débloquez-le avec le code de déblocage (PUK) reçu avec la carte, dans l'outil de gestion de la carte CPS, ou demandez de l'aide à l'ANS, qui émet la carte."));
    assert!(
        h.ui().find(Id::new(pin_dialog::PIN_ID)).is_err(),
        "no PIN field"
    );
    assert!(
        h.app
            .card
            .as_ref()
            .unwrap()
            .dialog
            .as_ref()
            .unwrap()
            .blocked()
    );
    // Even through the lock, the token refuses: locked.
    let refused = lock.unlock(PIN).unwrap_err().to_string();
    assert!(
        refused.contains("est bloqué après trop d’essais erronés"),
        "{refused}"
    );
    assert!(!h.shows(FIXTURE_SUBJECT));
}

#[test]
fn the_lock_screen_follows_a_virtual_card_in_a_real_pcscd() {
    let p = Pcscd::start();
    // No PKCS#11 module here (the token is the other test's): the holder
    // cannot be read, and the dialog says so.
    let mut h = Harness::card_account(
        unreachable(),
        "jean.dupont@medecin.mssante.fr",
        "/nonexistent/libcps3_pkcs11_lux.so",
        &[],
    );
    let lock = h.lock();
    let rt = rt();
    let mut events: Messages = Box::pin(card::follow(lock.clone()));
    assert!(h.shows("Insérez votre carte CPS dans le lecteur pour continuer."));

    // A CPS card goes in: the PIN dialog, with the tries the card tells.
    let cps = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::Cps);
    h.pump(&rt, &mut events, "PIN dialog", |h| {
        h.app
            .card
            .as_ref()
            .unwrap()
            .dialog
            .as_ref()
            .is_some_and(|d| d.tries_left.is_some() && d.holder.is_some())
    });
    let reader = p.reader(0);
    assert_eq!(
        lock.state(),
        LockState::CardPresent {
            reader: reader.clone()
        }
    );
    assert!(h.shows("Code PIN de la carte CPS"));
    assert!(h.shows(&format!("Lecteur : {reader}")));
    assert!(h.shows("Il reste 3 essais."));
    let dialog = h.app.card.as_ref().unwrap().dialog.clone().unwrap();
    let Some(Err(why)) = &dialog.holder else {
        panic!("{:?}", dialog.holder)
    };
    assert!(why.contains("aucun module PKCS#11"), "{why}");
    assert!(h.shows(&i18n::t1(Lang::Fr, "pin-holder-unreadable", "reason", why)));
    assert!(!h.shows(FIXTURE_SUBJECT));

    // Out: the lock screen at once.
    cps.remove();
    h.pump(&rt, &mut events, "lock screen", |h| {
        h.app.card.as_ref().unwrap().state == LockState::NoCard
    });
    assert!(h.shows("Insérez votre carte CPS dans le lecteur pour continuer."));
    assert!(h.app.card.as_ref().unwrap().dialog.is_none());

    // A CPS whose PIN is blocked: it stays locked, and says what to do.
    let blocked = VirtualCard::insert(p.slot_port(0), CPS3_ATR, Behaviour::PinBlocked);
    h.pump(&rt, &mut events, "blocked card", |h| {
        h.app.card.as_ref().unwrap().problem.is_some()
    });
    assert_eq!(lock.state(), LockState::NoCard);
    assert!(h.shows("Le code PIN de cette carte est bloqué après trop de codes faux. Débloquez-le avec le code de déblocage (PUK) reçu avec la carte, dans l'outil de gestion de la carte CPS, ou demandez de l'aide à l'ANS, qui émet la carte."));
    blocked.remove();

    // Another kind of card: not a CPS.
    let other = VirtualCard::insert(p.slot_port(0), OTHER_ATR, Behaviour::Unknown);
    h.pump(&rt, &mut events, "other card", |h| {
        h.app
            .card
            .as_ref()
            .unwrap()
            .problem
            .as_ref()
            .is_some_and(|s| s.kind == caducee::auth::card::CardKind::Unknown)
    });
    assert!(h.shows("La carte insérée n'est pas une carte CPS."));
    assert_eq!(lock.state(), LockState::NoCard);
    drop(other);
}
