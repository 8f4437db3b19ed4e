//! The e-CPS and one-time-code sign-ins in the window: the one-time-code form
//! against the fixture of the national operator's service, the e-CPS sign-in
//! against the fixture Pro Santé Connect provider with the test playing the
//! browser; the session token then opens a real Dovecot (its `oauth2` passdb
//! asks the fixture's introspection endpoint), and a refused renewal brings
//! the sign-in back with its notice.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;

use caducee::account::{self, AuthMethod, Security};
use caducee::auth::oidc::PscProvider;
use caducee::auth::session::{self, Vault};
use caducee::secrets::SecretError;
use caducee::store::{STORE_FILE, Store, StoreKey};

use super::super::test_support::dovecot::{DOMAIN, Dovecot};
use super::super::test_support::oidc::{
    CLIENT_ID, IdTokenFault, NATIONAL_ID, Provider, play_browser,
};
use super::super::test_support::otp::OtpService;
use super::super::test_support::settings::settings;
use super::*;

pub(super) const RPPS_ID: &str = "810003456789";
pub(super) const PASSWORD: &str = "mot-de-passe-Opérateur";
/// What the browser played by the test came back with.
pub(super) type Page = std::thread::JoinHandle<Result<String, String>>;

const SUBJECT: &str = "Compte rendu de consultation";

/// The refresh token's keeping place (the OS keyring is not reachable here).
#[derive(Default)]
pub(super) struct MemoryVault(Mutex<Option<String>>);

impl Vault for MemoryVault {
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

/// The same keeping place for every account.
pub(super) fn one_vault(vault: Arc<MemoryVault>) -> token_signin::Vaults {
    Arc::new(move |_: &str| vault.clone() as Arc<dyn Vault>)
}

pub(super) fn raw_message(to: &str) -> Vec<u8> {
    format!(
        "From: Dr Paul Martin <paul.martin@{DOMAIN}>\r\nTo: {to}\r\nSubject: {SUBJECT}\r\n\
         Message-ID: <cr-1@{DOMAIN}>\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\n\r\nBonjour.\r\n"
    )
    .into_bytes()
}

impl Harness {
    /// The window over a store with one token account for `user` on `d`,
    /// with `hooks` instead of the browser and the environment.
    fn token_account(
        d: &Dovecot,
        user: &str,
        auth: AuthMethod,
        hooks: token_signin::Hooks,
    ) -> Harness {
        Harness::token_accounts(d, &[(user, auth)], hooks)
    }

    /// The window over a store with one token account for each user on `d`,
    /// in this order.
    pub(super) fn token_accounts(
        d: &Dovecot,
        users: &[(&str, AuthMethod)],
        hooks: token_signin::Hooks,
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::random();
        let store = Store::open(&dir.path().join(STORE_FILE), &key).unwrap();
        for (user, auth) in users {
            let mut settings = settings(d, Security::Tls);
            settings.auth = auth.clone();
            account::add(&store, "Jeton", &format!("{user}@{DOMAIN}"), &settings).unwrap();
        }
        let accounts = account::list(&store).unwrap();
        let (mut h, _open) = Harness::launch(dir, false);
        h.app.token_hooks = hooks;
        h.send(opened(store, key, accounts));
        h
    }

    /// The id of the first token account.
    pub(super) fn id(&self) -> i64 {
        self.app.signins[0].account.id
    }

    /// Click the field `id` and type `value` in it.
    pub(super) fn fill(&mut self, id: &'static str, value: &str) {
        self.act(|ui| {
            ui.click(Id::new(id)).expect("the field");
            ui.typewrite(value);
        });
    }
}

#[test]
fn the_one_time_code_form_says_what_is_wrong_and_signs_in() {
    let user = "gui-otp";
    let address = format!("{user}@{DOMAIN}");
    let provider = Provider::start("unused@example.invalid");
    let otp = OtpService::start(&provider);
    otp.add(RPPS_ID, PASSWORD, &address);
    let d = Dovecot::start_oauth2(&[user], &provider.introspection_url());
    d.deliver(user, "INBOX", &raw_message(&address), false);
    let mut h = Harness::token_account(
        &d,
        user,
        AuthMethod::Otp {
            identifier: RPPS_ID.into(),
        },
        token_signin::Hooks {
            otp_url: Some(otp.url.clone()),
            otp_pause: Some(Duration::from_millis(50)),
            ..Default::default()
        },
    );
    // Covered: the form, the identifier filled from the account.
    assert!(h.app.locked());
    assert!(h.shows("Connexion au compte"));
    assert!(!h.shows("Nouveau message"), "no mailbox before the sign-in");
    assert_eq!(h.app.signins[0].identifier, RPPS_ID);

    // A wrong password: its own message, no code sent.
    h.fill(token_signin::PASSWORD_ID, "pas-le-bon");
    h.click("Recevoir un code");
    assert!(h.shows("Identifiant ou mot de passe incorrect : vérifiez-les et réessayez."));
    assert!(otp.with(|s| s.sent.is_empty()));

    // A bad identifier is refused before anything is sent.
    let requests = otp.with(|s| s.requests);
    h.app.signins[0].identifier = "1234".into();
    h.click("Recevoir un code");
    assert!(h.shows("Ce n'est pas un identifiant national : tapez 8 suivi des 11 chiffres du RPPS, ou 0 suivi des 9 caractères ADELI."));
    assert_eq!(otp.with(|s| s.requests), requests);
    h.app.signins[0].identifier = RPPS_ID.into();

    // Throttled: the wait is said.
    otp.with(|s| s.throttle_next = Some(30));
    h.click("Recevoir un code");
    assert!(h.shows("Trop de tentatives : attendez 30 secondes avant de réessayer."));
    std::thread::sleep(Duration::from_millis(100));

    // The right password, by mail: the masked destination is shown.
    h.app.signins[0].password.clear();
    h.fill(token_signin::PASSWORD_ID, PASSWORD);
    h.click("Courriel");
    h.click("Recevoir un code");
    let Some(token_signin::Stage::CodeSent(dest)) = h.app.signins.first().map(|s| s.stage.clone())
    else {
        panic!("no code sent: {:?}", h.app.signins[0].refusal);
    };
    assert_eq!(
        dest, "c****@exemple.fr",
        "the mail channel's masked address"
    );
    assert!(h.shows(&format!("Code envoyé à {dest}.")));

    // A wrong code: the tries left.
    let code = otp.last_code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.fill(token_signin::CODE_ID, wrong);
    h.click("Valider");
    assert!(
        h.shows(
            "Code incorrect : encore 2 essai(s). Vérifiez le code reçu et tapez-le de nouveau."
        ),
        "{:?}",
        h.app.signins[0].refusal
    );
    assert!(session::current(&address).is_none());

    // The client's own pace after a refusal, then the right code.
    std::thread::sleep(Duration::from_millis(300));
    h.fill(token_signin::CODE_ID, &code);
    h.click("Valider");
    let signin = &h.app.signins[0];
    assert!(signin.signed_in(), "{:?}", signin.refusal);
    assert!(!h.app.locked());
    let token = session::current(&address).unwrap().access_token().unwrap();
    assert!(provider.with(|s| s.access_active(&token)));
    assert!(signin.password.is_empty(), "the password is not kept");
    // Sync ran with the token against the real Dovecot: the mailbox shows.
    assert!(
        h.app
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with("Synchronisé : 1 nouveau(x) message(s)")),
        "{:?}",
        h.app.status
    );
    assert!(h.shows("Nouveau message"));
    session::forget(&address);
}

#[test]
fn an_expired_code_offers_a_new_one() {
    let user = "gui-otp-expired";
    let address = format!("{user}@{DOMAIN}");
    let provider = Provider::start("unused@example.invalid");
    let otp = OtpService::start(&provider);
    otp.add(RPPS_ID, PASSWORD, &address);
    otp.with(|s| s.code_lifetime = Duration::from_millis(200));
    let d = Dovecot::start_oauth2(&[user], &provider.introspection_url());
    let mut h = Harness::token_account(
        &d,
        user,
        AuthMethod::Otp {
            identifier: RPPS_ID.into(),
        },
        token_signin::Hooks {
            otp_url: Some(otp.url.clone()),
            otp_pause: Some(Duration::from_millis(50)),
            ..Default::default()
        },
    );
    // A locked account: what to do.
    otp.with(|s| s.accounts.get_mut(RPPS_ID).unwrap().locked = true);
    h.fill(token_signin::PASSWORD_ID, PASSWORD);
    h.click("Recevoir un code");
    assert!(h.shows("Ce compte est bloqué après trop d'échecs : contactez le support de l'opérateur national pour le débloquer."));
    otp.with(|s| s.accounts.get_mut(RPPS_ID).unwrap().locked = false);
    h.click("Recevoir un code");
    let first = otp.last_code();
    std::thread::sleep(Duration::from_millis(400));
    h.fill(token_signin::CODE_ID, &first);
    h.click("Valider");
    assert!(h.shows("Le code a expiré : demandez-en un nouveau."));
    // The password is still there for the new code.
    otp.with(|s| s.code_lifetime = Duration::from_secs(300));
    h.click("Recevoir un nouveau code");
    assert_eq!(otp.with(|s| s.sent.len()), 2, "a second code was sent");
    h.fill(token_signin::CODE_ID, &otp.last_code());
    assert!(
        h.app.live_keys().is_empty(),
        "no live sync before the sign-in"
    );
    h.app.live_sync = true;
    h.click("Valider");
    assert!(h.app.signins[0].signed_in());
    // Signed in: the account is watched live over its session's token; mail
    // delivered now shows.
    let mut live = super::live_sync::Live::start(&h);
    d.deliver(user, "INBOX", &raw_message(&address), false);
    loop {
        let (report, _) = live.until_synced(&mut h);
        if report.new_messages > 0 {
            break;
        }
    }
    assert!(h.shows(SUBJECT), "{}", d.log());
    session::forget(&address);
}

#[test]
fn ecps_signs_in_through_the_browser_and_asks_again_when_the_session_ends() {
    let user = "gui-ecps";
    let address = format!("{user}@{DOMAIN}");
    let provider = Provider::start(&address);
    // Short access tokens: the renewal comes soon after the sign-in.
    provider.with(|s| s.access_lifetime = Duration::from_secs(4));
    let d = Dovecot::start_oauth2(&[user], &provider.introspection_url());
    d.deliver(user, "INBOX", &raw_message(&address), false);
    // The test plays the browser: the address goes to a thread that follows
    // it as the user's browser would.
    let pages: Arc<Mutex<Vec<Page>>> = Arc::default();
    let seen = pages.clone();
    let browser: token_signin::Browser = Arc::new(move |url: String| {
        seen.lock()
            .unwrap()
            .push(std::thread::spawn(move || play_browser(&url)));
    });
    let vault = Arc::new(MemoryVault::default());
    let mut h = Harness::token_account(
        &d,
        user,
        AuthMethod::ProSanteConnect {
            username: address.clone(),
            provider: PscProvider::Issuer(provider.issuer.clone()),
            client_id: Some(CLIENT_ID.into()),
        },
        token_signin::Hooks {
            browser: Some(browser),
            vault: Some(one_vault(vault.clone())),
            ..Default::default()
        },
    );
    assert!(h.app.locked());
    assert!(h.shows("Se connecter avec e-CPS"));

    // The waiting screen, with its Cancel, while the work has not run yet.
    let (_, work) = {
        let id = h.id();
        h.app
            .step(Message::SignIn(id, token_signin::Message::StartPsc))
    };
    assert!(h.shows(
        "En attente du navigateur… Validez la connexion dans l'application e-CPS, puis revenez ici."
    ));
    assert!(h.shows("Annuler"));
    h.run(work);
    let page = pages
        .lock()
        .unwrap()
        .pop()
        .expect("the browser was asked to open");
    let page = page.join().unwrap().expect("the browser came back");
    assert!(page.contains("Connexion réussie"), "{page}");
    let signin = &h.app.signins[0];
    assert!(signin.signed_in(), "{:?}", signin.refusal);
    assert_eq!(signin.national_id.as_deref(), Some(NATIONAL_ID));
    assert!(vault.load().unwrap().is_some(), "the refresh token is kept");
    // The status said who signed in, then the sync with the token ran.
    assert!(
        h.app
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with("Synchronisé : 1 nouveau(x) message(s)")),
        "{:?}",
        h.app.status
    );
    assert!(!h.app.locked());
    assert!(
        h.shows(&format!("e-CPS : {NATIONAL_ID}")),
        "the holder is shown"
    );

    // A new start of the window: the session starts again from the refresh
    // token kept, without the browser.
    let first = signin.session.clone().expect("the live session");
    first.end("the window was closed");
    session::forget(&address);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let _inside = rt.enter();
    let hooks = h.app.token_hooks.clone();
    let mut h = Harness::token_account(
        &d,
        user,
        AuthMethod::ProSanteConnect {
            username: address.clone(),
            provider: PscProvider::Issuer(provider.issuer.clone()),
            client_id: Some(CLIENT_ID.into()),
        },
        hooks,
    );
    let signin = &h.app.signins[0];
    assert!(signin.signed_in(), "{:?}", signin.refusal);
    assert!(signin.resumed);
    assert!(pages.lock().unwrap().is_empty(), "no browser this time");
    assert!(!h.app.locked());

    // The provider refuses the renewal: the session ends, the window asks to
    // sign in again.
    let session = signin.session.clone().expect("the live session");
    let generation = signin.generation;
    provider.with(|s| s.revoke_refresh_tokens());
    let ended = rt
        .block_on(async {
            let mut ended = Box::pin(token_signin::Key(session, generation).follow());
            tokio::time::timeout(Duration::from_secs(30), ended.next()).await
        })
        .expect("the end of the session is seen")
        .expect("a message");
    let id = h.id();
    h.send(Message::SignIn(id, ended));
    assert!(h.app.locked());
    assert!(h.shows("La session a pris fin : connectez-vous de nouveau. Les messages en attente restent dans la boîte d'envoi."));
    assert!(h.shows("Se connecter avec e-CPS"));
    session::forget(&address);
}

#[test]
fn a_cancelled_or_refused_ecps_sign_in_stays_signed_out() {
    let user = "gui-ecps-cancel";
    let address = format!("{user}@{DOMAIN}");
    let provider = Provider::start(&address);
    let d = Dovecot::start_oauth2(&[user], &provider.introspection_url());
    let mut h = Harness::token_account(
        &d,
        user,
        AuthMethod::ProSanteConnect {
            username: address.clone(),
            provider: PscProvider::Issuer(provider.issuer.clone()),
            client_id: Some(CLIENT_ID.into()),
        },
        token_signin::Hooks {
            vault: Some(one_vault(Arc::new(MemoryVault::default()))),
            ..Default::default()
        },
    );
    let (_, work) = {
        let id = h.id();
        h.app
            .step(Message::SignIn(id, token_signin::Message::StartPsc))
    };
    let [Work::SignIn(_, token_signin::Work::Psc { attempt })] = work.as_slice() else {
        panic!("{work:?}")
    };
    let attempt = *attempt;
    h.click("Annuler");
    assert!(h.shows("Se connecter avec e-CPS"));
    // The answer of the abandoned attempt arrives: nothing changes.
    let id = h.id();
    h.send(Message::SignIn(
        id,
        token_signin::Message::PscDone(attempt, Ok(NATIONAL_ID.into())),
    ));
    assert!(!h.app.signins[0].signed_in());
    assert!(h.app.locked());

    // An ID token that does not check out: said in French, not signed in.
    let pages: Arc<Mutex<Vec<Page>>> = Arc::default();
    let played = pages.clone();
    h.app.signins[0].hooks.browser = Some(Arc::new(move |url: String| {
        played
            .lock()
            .unwrap()
            .push(std::thread::spawn(move || play_browser(&url)));
    }));
    provider.with(|s| s.fault = IdTokenFault::WrongNonce);
    h.click("Se connecter avec e-CPS");
    let _ = pages.lock().unwrap().pop().expect("the browser").join();
    let signin = &h.app.signins[0];
    assert!(
        matches!(signin.refusal, Some(token_signin::Refusal::PscInvalid(_))),
        "{:?}",
        signin.refusal
    );
    assert!(h.shows(&signin.refusal.as_ref().unwrap().text(Lang::Fr)));
    assert!(!signin.signed_in());
    assert!(session::current(&address).is_none());
}

#[test]
fn a_new_ecps_account_goes_to_the_browser_at_once() {
    let user = "gui-ecps-new";
    let address = format!("{user}@{DOMAIN}");
    let provider = Provider::start(&address);
    let d = Dovecot::start_oauth2(&[user], &provider.introspection_url());
    let urls: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = urls.clone();
    let pages: Arc<Mutex<Vec<Page>>> = Arc::default();
    let played = pages.clone();
    let browser: token_signin::Browser = Arc::new(move |url: String| {
        seen.lock().unwrap().push(url.clone());
        played
            .lock()
            .unwrap()
            .push(std::thread::spawn(move || play_browser(&url)));
    });
    // The account as the welcome screen's form saves it.
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let store = Store::open(&dir.path().join(STORE_FILE), &key).unwrap();
    let mut settings = settings(&d, Security::Tls);
    settings.auth = AuthMethod::ProSanteConnect {
        username: address.clone(),
        provider: PscProvider::Issuer(provider.issuer.clone()),
        client_id: Some(CLIENT_ID.into()),
    };
    account::add(&store, "Nouveau", &address, &settings).unwrap();
    let accounts = account::list(&store).unwrap();
    let (mut h, _open) = Harness::launch(tempfile::tempdir().unwrap(), false);
    h.app.token_hooks = token_signin::Hooks {
        browser: Some(browser),
        vault: Some(one_vault(Arc::new(MemoryVault::default()))),
        ..Default::default()
    };
    let (_, work) = h.app.step(Message::AccountAdded(Ok((
        Box::new(jobs::Opened {
            first_page: None,
            store: jobs::StoreHandle::new(store, key),
            demo: false,
            has_mail: true,
            ui: None,
            accounts,
        }),
        None,
    ))));
    assert!(
        work.iter()
            .any(|w| matches!(w, Work::SignIn(_, token_signin::Work::Psc { .. }))),
        "the sign-in starts with no click: {work:?}"
    );
    assert!(h.shows(
        "En attente du navigateur… Validez la connexion dans l'application e-CPS, puis revenez ici."
    ));
    h.run(work);
    let url = urls.lock().unwrap().pop().expect("the browser was asked");
    assert!(url.starts_with(&provider.issuer), "{url}");
    assert_eq!(
        h.app.signins[0].url.lock().unwrap().as_deref(),
        Some(url.as_str()),
        "the address is there to open by hand"
    );
    let page = pages.lock().unwrap().pop().unwrap().join().unwrap();
    assert!(
        page.expect("the browser came back")
            .contains("Connexion réussie")
    );
    let signin = &h.app.signins[0];
    assert!(signin.signed_in(), "{:?}", signin.refusal);
    assert_eq!(signin.national_id.as_deref(), Some(NATIONAL_ID));
    drop(dir);
    session::forget(&address);
}
