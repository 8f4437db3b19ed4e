//! Several token accounts in one window, each with its own sign-in and
//! session; signing out from the settings (e-CPS: the refresh token revoked
//! at the fixture Pro Santé Connect provider, asked to confirm while mail
//! waits in the outbox); Cancel on the e-CPS wait freeing its loopback port.
//! Against a real Dovecot whose `oauth2` passdb asks the fixture provider.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use caducee::account::AuthMethod;
use caducee::auth::oidc::PscProvider;
use caducee::auth::session::{self, Vault};
use caducee::send::{self, Draft, OutboxState, outbox};

use super::super::test_support::dovecot::{DOMAIN, Dovecot};
use super::super::test_support::oidc::{CLIENT_ID, Provider, play_browser};
use super::super::test_support::otp::OtpService;
use super::super::test_support::settings::set_whitelist;
use super::token_login::{MemoryVault, PASSWORD, Page, RPPS_ID, one_vault, raw_message};
use super::*;

fn psc(address: &str, provider: &Provider) -> AuthMethod {
    AuthMethod::ProSanteConnect {
        username: address.to_owned(),
        provider: PscProvider::Issuer(provider.issuer.clone()),
        client_id: Some(CLIENT_ID.into()),
    }
}

/// A browser played by the test: each address opened is followed on a
/// thread of its own.
fn browser(pages: &Arc<Mutex<Vec<Page>>>) -> token_signin::Browser {
    let pages = pages.clone();
    Arc::new(move |url: String| {
        pages
            .lock()
            .unwrap()
            .push(std::thread::spawn(move || play_browser(&url)));
    })
}

/// Sign in with e-CPS from the screen shown, the browser approving at the
/// fixture provider: the first token account is then signed in.
fn sign_in_through_the_browser(h: &mut Harness, pages: &Mutex<Vec<Page>>) {
    h.click("Se connecter avec e-CPS");
    let page = pages.lock().unwrap().pop().expect("the browser").join();
    assert!(page.unwrap().unwrap().contains("Connexion réussie"));
    assert!(
        h.app.signins[0].signed_in(),
        "{:?}",
        h.app.signins[0].refusal
    );
}

type Vaults = Arc<Mutex<HashMap<String, Arc<MemoryVault>>>>;

#[test]
fn each_token_account_signs_in_and_out_on_its_own() {
    let (ecps_user, otp_user) = ("gui-multi-ecps", "gui-multi-otp");
    let ecps = format!("{ecps_user}@{DOMAIN}");
    let otp_address = format!("{otp_user}@{DOMAIN}");
    let provider = Provider::start(&ecps);
    let otp = OtpService::start(&provider);
    otp.add(RPPS_ID, PASSWORD, &otp_address);
    let d = Dovecot::start_oauth2(&[ecps_user, otp_user], &provider.introspection_url());
    d.deliver(ecps_user, "INBOX", &raw_message(&ecps), false);
    d.deliver(otp_user, "INBOX", &raw_message(&otp_address), false);
    let pages: Arc<Mutex<Vec<Page>>> = Arc::default();
    // One keeping place per account.
    let vaults: Vaults = Arc::default();
    let kept = vaults.clone();
    let mut h = Harness::token_accounts(
        &d,
        &[
            (ecps_user, psc(&ecps, &provider)),
            (
                otp_user,
                AuthMethod::Otp {
                    identifier: RPPS_ID.into(),
                },
            ),
        ],
        token_signin::Hooks {
            browser: Some(browser(&pages)),
            otp_url: Some(otp.url.clone()),
            otp_pause: Some(Duration::from_millis(50)),
            vault: Some(Arc::new(move |address: &str| {
                kept.lock()
                    .unwrap()
                    .entry(address.to_owned())
                    .or_default()
                    .clone() as Arc<dyn Vault>
            })),
        },
    );
    let vault = |address: &str| vaults.lock().unwrap().get(address).cloned().unwrap();
    assert_eq!(h.app.signins.len(), 2, "one sign-in per token account");
    let ecps_id = h.app.signins[0].account.id;

    // The e-CPS account first; put off, the one-time-code account's turn.
    assert!(h.shows("Se connecter avec e-CPS"));
    assert!(h.shows(&ecps));
    h.click("Plus tard : ouvrir la messagerie sans ce compte");
    assert!(h.app.locked(), "the other account is still to sign in");
    assert!(h.shows(&otp_address));
    assert!(h.shows("Recevoir un code"));
    h.fill(token_signin::PASSWORD_ID, PASSWORD);
    h.click("Recevoir un code");
    h.fill(token_signin::CODE_ID, &otp.last_code());
    h.click("Valider");
    assert!(
        h.app.signins[1].signed_in(),
        "{:?}",
        h.app.signins[1].refusal
    );
    // The e-CPS account signed out does not hold the mailbox back; only the
    // signed-in account synced, with its own token.
    assert!(!h.app.locked());
    assert!(h.shows("Nouveau message"));
    assert!(
        h.app
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with("Synchronisé : 1 nouveau(x) message(s)")),
        "{:?}",
        h.app.status
    );
    assert!(session::current(&ecps).is_none());

    // The settings list both; the e-CPS one signs in from there.
    h.click("Paramètres");
    assert!(h.shows("Comptes"));
    assert!(h.shows("non connecté"));
    h.click("Se connecter");
    assert!(h.shows("Se connecter avec e-CPS"));
    sign_in_through_the_browser(&mut h, &pages);
    assert!(
        h.app
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with("Synchronisé : 1 nouveau(x) message(s)")),
        "the e-CPS account synced with its own session: {:?}",
        h.app.status
    );
    let ecps_token = session::current(&ecps).unwrap().access_token().unwrap();
    let otp_token = session::current(&otp_address)
        .unwrap()
        .access_token()
        .unwrap();
    assert_ne!(ecps_token, otp_token, "two sessions");
    assert!(vault(&ecps).load().unwrap().is_some());
    let refresh = vault(&ecps).load().unwrap().unwrap();
    assert!(provider.with(|s| s.refresh_valid(&refresh)));

    // A message waits in the e-CPS account's outbox: signing out asks first.
    let store = h.app.store.clone().unwrap();
    let ecps_account = h.app.signins[0].account.clone();
    let queued = store
        .with_store(|s| {
            set_whitelist(s, "2026-11-01T00:00:00Z", &[DOMAIN]);
            send::queue(
                s,
                &ecps_account,
                &Draft {
                    to: vec![otp_address.clone()],
                    subject: "Compte rendu à envoyer".into(),
                    text: "Bonjour.".into(),
                    ..Draft::default()
                },
            )
            .unwrap()
        })
        .unwrap();
    let stored = |h: &Harness| {
        h.app
            .store
            .as_ref()
            .unwrap()
            .with_store(|s| s.list_messages(None, 100, 0).unwrap().len())
            .unwrap()
    };
    let messages = stored(&h);
    assert_eq!(messages, 2);
    h.click("Paramètres");
    // The first "Se déconnecter" of the list: the e-CPS account's.
    h.click("Se déconnecter");
    assert!(h.shows("1 message attend encore dans la boîte d'envoi : il partira après la prochaine connexion. Se déconnecter quand même ?"));
    assert!(h.app.signins[0].signed_in(), "not before it is confirmed");
    h.click("Rester connecté");
    assert!(h.app.signins[0].signed_in());
    h.click("Se déconnecter");
    h.click("Se déconnecter quand même");

    // Revoked at the provider, forgotten here, the session gone; its
    // sign-in is back. The outbox and the store are untouched, and the
    // other account is still signed in.
    assert_eq!(provider.with(|s| s.revocations), 1);
    assert!(!provider.with(|s| s.refresh_valid(&refresh)));
    assert_eq!(vault(&ecps).load().unwrap(), None);
    assert!(session::current(&ecps).is_none());
    assert_eq!(
        h.app.status.as_deref(),
        Some(format!("{ecps} est déconnecté : le jeton de renouvellement a été révoqué auprès de Pro Santé Connect et oublié ici.").as_str())
    );
    assert!(h.app.locked());
    assert!(h.shows("Se connecter avec e-CPS"));
    assert!(!h.shows("La session a pris fin : connectez-vous de nouveau. Les messages en attente restent dans la boîte d'envoi."), "a sign-out is not an ended session");
    let entries = store
        .with_store(|s| outbox::list(s, Some(ecps_id)).unwrap())
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].message_id, queued.1);
    assert_eq!(entries[0].state, OutboxState::Queued);
    assert_eq!(stored(&h), messages);
    assert!(
        session::current(&otp_address)
            .unwrap()
            .access_token()
            .is_ok()
    );
    assert!(h.app.signins[1].signed_in());

    // The one-time-code account, with nothing waiting: signed out at once.
    h.click("Plus tard : ouvrir la messagerie sans ce compte");
    assert!(!h.app.locked());
    h.click("Paramètres");
    h.click("Se déconnecter");
    assert!(session::current(&otp_address).is_none());
    assert!(!h.app.signins[1].signed_in());
    assert_eq!(
        h.app.status.as_deref(),
        Some(format!("{otp_address} est déconnecté.").as_str())
    );
    assert!(h.shows("Recevoir un code"));
    assert!(h.shows(&otp_address));
    assert_eq!(stored(&h), messages);
}

/// The loopback port an authorization address sends the browser back to.
fn redirect_port(url: &str) -> u16 {
    let url = openidconnect::url::Url::parse(url).unwrap();
    let (_, back) = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .expect("a redirect address");
    openidconnect::url::Url::parse(&back)
        .unwrap()
        .port()
        .expect("a port")
}

#[test]
fn cancel_stops_the_browser_wait_and_frees_its_port() {
    let user = "gui-ecps-cancel-port";
    let address = format!("{user}@{DOMAIN}");
    let provider = Provider::start(&address);
    let d = Dovecot::start_oauth2(&[user], &provider.introspection_url());
    // A browser that only notes the address (the user never approves).
    let urls: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = urls.clone();
    let mut h = Harness::token_accounts(
        &d,
        &[(user, psc(&address, &provider))],
        token_signin::Hooks {
            browser: Some(Arc::new(move |url: String| seen.lock().unwrap().push(url))),
            vault: Some(one_vault(Arc::new(MemoryVault::default()))),
            ..Default::default()
        },
    );
    let id = h.id();
    let (_, work) = h
        .app
        .step(Message::SignIn(id, token_signin::Message::StartPsc));
    let [Work::SignIn(_, w)] = work.as_slice() else {
        panic!("{work:?}")
    };
    // The wait runs in the background, as in the window.
    let run = h.app.signins[0].runner(w.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run());
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let url = loop {
        if let Some(u) = urls.lock().unwrap().pop() {
            break u;
        }
        assert!(Instant::now() < deadline, "the browser was not asked");
        std::thread::sleep(Duration::from_millis(20));
    };
    let port = redirect_port(&url);
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_err(),
        "the wait listens on {port}"
    );

    let cancelled = Instant::now();
    h.click("Annuler");
    // The wait ends now, not at the login timeout (300 s).
    let answer = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the wait stopped at Cancel");
    assert!(cancelled.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(answer, token_signin::Message::PscDone(_, Err(_))),
        "{answer:?}"
    );
    h.send(Message::SignIn(id, answer));
    assert!(!h.app.signins[0].signed_in());
    assert!(h.shows("Se connecter avec e-CPS"));
    assert!(
        h.app.signins[0].refusal.is_none(),
        "a cancel is not a failure"
    );
    // The port is free again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "port {port} still taken");
        std::thread::sleep(Duration::from_millis(20));
    }

    // A new sign-in starts at once and goes through.
    let pages: Arc<Mutex<Vec<Page>>> = Arc::default();
    h.app.signins[0].hooks.browser = Some(browser(&pages));
    sign_in_through_the_browser(&mut h, &pages);
    session::forget(&address);
}

#[test]
fn taking_the_card_out_leaves_token_accounts_signed_in() {
    use caducee::account::{DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server};
    use caducee::auth::lock::LockState;
    use caducee::auth::session::{TokenSession, Tokens};
    use caducee::store::{STORE_FILE, Store, StoreKey};
    // Servers nothing listens on: only the window's state is looked at.
    let server = || Server {
        host: "127.0.0.1".into(),
        port: super::super::test_support::free_port(),
        security: Security::Tls,
    };
    let with = |auth| caducee::account::AccountSettings {
        imap: server(),
        smtp: server(),
        auth,
        extra_ca: None,
        attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: OfflineBodies::All,
        delegations: vec![],
    };
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let store = Store::open(&dir.path().join(STORE_FILE), &key).unwrap();
    let card_address = "jean.dupont@medecin.mssante.fr";
    let token_address = "secretariat-carte@medecin.mssante.fr";
    caducee::account::add(
        &store,
        "Carte",
        card_address,
        &with(AuthMethod::Cps {
            pkcs11_module: Some("/nonexistent/libcps3_pkcs11_lux.so".into()),
        }),
    )
    .unwrap();
    caducee::account::add(
        &store,
        "Code",
        token_address,
        &with(AuthMethod::Otp {
            identifier: RPPS_ID.into(),
        }),
    )
    .unwrap();
    let accounts = caducee::account::list(&store).unwrap();
    // The token account's session is live in this process.
    let live = TokenSession::start(
        token_address,
        "test",
        Tokens {
            access: "jeton".into(),
            expires_in: Duration::from_secs(600),
            refresh: None,
        },
        None,
        None,
    )
    .unwrap();
    session::register(&live);
    let (mut h, _open) = Harness::launch(dir, false);
    h.send(opened(store, key, accounts));
    // One lock, for the card account only.
    let card = h.app.card.as_ref().unwrap();
    assert_eq!(
        card.accounts
            .iter()
            .map(|a| a.address.as_str())
            .collect::<Vec<_>>(),
        [card_address]
    );
    assert!(h.app.signins[0].signed_in());

    // The card in and the PIN given, then the card out.
    let reader = "Lecteur 0".to_owned();
    let (_, work) = h
        .app
        .step(Message::Card(card::Message::Lock(LockState::Unlocked {
            reader: reader.clone(),
        })));
    // Only the card accounts resume with the card.
    let resumed: Vec<&Work> = work
        .iter()
        .filter(|w| matches!(w, Work::Job(Job::Resume(_))))
        .collect();
    let [Work::Job(Job::Resume(resumed))] = resumed.as_slice() else {
        panic!("{work:?}")
    };
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].address, card_address);
    let (_, work) = h
        .app
        .step(Message::Card(card::Message::Lock(LockState::NoCard)));
    assert!(h.shows("Carte retirée : la session est verrouillée."));
    // The token account is untouched: still signed in, its session live,
    // nothing asked of it.
    assert!(
        work.iter().all(|w| !matches!(w, Work::SignIn(..))),
        "{work:?}"
    );
    assert!(h.app.signins[0].signed_in());
    assert!(h.app.signins[0].session.as_ref().unwrap().is_live());
    assert_eq!(
        session::current(token_address)
            .unwrap()
            .access_token()
            .unwrap(),
        "jeton"
    );
    let rows = h.app.account_rows();
    assert_eq!(rows[0].status, settings::AccountStatus::CardLocked);
    assert_eq!(rows[1].status, settings::AccountStatus::SignedIn);
    session::forget(token_address);
}
