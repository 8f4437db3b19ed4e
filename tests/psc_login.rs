//! Pro Santé Connect (e-CPS) sign-in end to end: the OIDC flow against a
//! fixture provider on loopback (discovery, JWKS, PKCE, RS256 ID tokens), the
//! test playing the browser; then sync and send with SASL XOAUTH2 against a
//! real Dovecot whose `oauth2` passdb introspects every token at the fixture.
//! Token renewal while mail flows, a revoked refresh token ending the session
//! without losing what is queued, and spoiled ID tokens refused.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use caducee::account::{self, Account, AuthMethod, Security};
use caducee::auth::oidc::{OidcError, PscProvider};
use caducee::auth::session::{self, SessionError, TokenSession, Vault};
use caducee::auth::token_login::{self, TokenLoginError};
use caducee::imap::{self, Credentials, ImapError};
use caducee::secrets::SecretError;
use caducee::send::{self, Draft, OutboxState, SendError, outbox};
use caducee::sync::{self, SyncError, SyncOptions};
use support::dovecot::Dovecot;
use support::oidc::{CLIENT_ID, IdTokenFault, NATIONAL_ID, Provider, play_browser};
use support::sender::{Sender, settings, with_message_id};

/// The refresh token's keeping place for the test (the OS keyring is not
/// reachable here): memory, as a keyring entry would be.
#[derive(Default)]
struct MemoryVault(Mutex<Option<String>>);

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

struct Setup {
    provider: Provider,
    d: Dovecot,
    s: Sender,
    rt: tokio::runtime::Runtime,
    vault: Arc<MemoryVault>,
}

/// A provider, a Dovecot checking tokens with it, and a PSC account for
/// `user` (distinct per test: sessions are per address in the process).
fn setup(user: &str, others: &[&str]) -> Setup {
    let address = format!("{user}@{}", support::dovecot::DOMAIN);
    let provider = Provider::start(&address);
    let mut users = vec![user];
    users.extend_from_slice(others);
    let d = Dovecot::start_oauth2(&users, &provider.introspection_url());
    let s = Sender::with_auth(
        &d,
        user,
        settings(&d, Security::StartTls),
        AuthMethod::ProSanteConnect {
            username: address,
            provider: PscProvider::Issuer(provider.issuer.clone()),
            client_id: Some(CLIENT_ID.into()),
        },
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    Setup {
        provider,
        d,
        s,
        rt,
        vault: Arc::new(MemoryVault::default()),
    }
}

impl Setup {
    fn account(&self) -> Account {
        account::get(&self.s.store, Some(&self.s.account.address)).unwrap()
    }

    /// The whole sign-in, the test playing the browser.
    fn login(&self) -> Result<(caducee::auth::oidc::PscIdentity, TokenSession), TokenLoginError> {
        let acc = self.account();
        let (psc, pending) = token_login::psc_begin(&acc)?;
        let url = pending.url.clone();
        let browser = std::thread::spawn(move || play_browser(&url));
        let _rt = self.rt.enter();
        let result = token_login::psc_finish(&acc, psc, pending, self.vault.clone());
        let page = browser.join().unwrap();
        let page = page.expect("the browser was not sent back to the application");
        if result.is_ok() {
            assert!(page.contains("Connexion réussie"), "{page}");
        }
        result
    }

    fn sync(&self) -> Result<sync::SyncReport, SyncError> {
        let acc = self.account();
        self.rt.block_on(sync::sync_account(
            &self.s.store,
            &acc,
            &SyncOptions::default(),
            &mut |_| {},
        ))
    }

    fn flush(&self) -> Result<send::FlushReport, SendError> {
        let acc = self.account();
        self.rt.block_on(send::flush(&self.s.store, &acc, ""))
    }

    fn queue(&self, to: &str, subject: &str) -> (i64, String) {
        let draft = Draft {
            to: vec![to.to_owned()],
            subject: subject.into(),
            text: "Bonjour,\nrésultats ci-joints.".into(),
            ..Draft::default()
        };
        send::queue(&self.s.store, &self.s.account, &draft).unwrap()
    }
}

/// Every file under `dir`, read whole.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p, b));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn ecps_login_then_sync_and_send_over_xoauth2() {
    let t = setup("claire", &["bob"]);
    let address = t.s.account.address.clone();
    for i in 1..=3 {
        t.d.deliver(
            "claire",
            "INBOX",
            &support::mail::message(i, &address),
            false,
        );
    }
    // Before signing in, no token: a clear error, nothing sent to the server.
    match t.sync() {
        Err(SyncError::Imap(ImapError::Session(SessionError::NotLoggedIn { .. }))) => {}
        other => panic!("{other:?}"),
    }

    let (identity, session) = t.login().unwrap();
    assert_eq!(identity.national_id, NATIONAL_ID);
    assert_eq!(identity.given_name.as_deref(), Some("Claire"));
    // What the authorize request carried.
    let asked = t.provider.with(|s| s.last_authorize.clone());
    assert_eq!(asked["scope"], "openid scope_all");
    assert_eq!(asked["acr_values"], "eidas1");
    assert_eq!(asked["code_challenge_method"], "S256");
    assert!(asked["redirect_uri"].starts_with("http://127.0.0.1:"));
    assert!(!asked["nonce"].is_empty() && !asked["state"].is_empty());

    let report = t.sync().unwrap();
    assert_eq!(report.new_messages, 3, "{report:?}\n{}", t.d.log());
    let log = t.d.log();
    assert!(
        log.contains(&format!("user=<{address}>, method=XOAUTH2")),
        "{log}"
    );

    let bob = t.d.user("bob").address.clone();
    let (id, message_id) = t.queue(&bob, "Résultats e-CPS");
    let report = t.flush().unwrap();
    assert_eq!(report.sent, vec![id], "{report:?}\n{}", t.d.log());
    assert_eq!(report.copied_to_sent, vec![id]);
    assert_eq!(
        with_message_id(&t.d.folder_dir("bob", "INBOX"), &message_id).len(),
        1
    );
    assert_eq!(
        with_message_id(&t.d.folder_dir("claire", "Sent"), &message_id).len(),
        1
    );
    // Dovecot asked the provider about the token, for IMAP and submission.
    let token = session.access_token().unwrap();
    let asked = t.provider.with(|s| {
        s.introspected
            .iter()
            .filter(|(t, ok)| *t == token && *ok)
            .count()
    });
    assert!(asked >= 2, "token introspected {asked} times");
    // The access token is nowhere on disk; the refresh token went to the vault.
    for (path, bytes) in files_under(t.s.data_dir()) {
        assert!(
            !contains(&bytes, &token),
            "{} holds the token",
            path.display()
        );
    }
    let refresh = t.vault.load().unwrap().unwrap();
    assert!(t.provider.with(|s| s.refresh_valid(&refresh)));
    session::forget(&address);
}

#[test]
fn tokens_are_renewed_while_mail_flows() {
    let t = setup("renee", &["bob"]);
    t.provider
        .with(|s| s.access_lifetime = Duration::from_secs(3));
    let address = t.s.account.address.clone();
    let (_, session) = t.login().unwrap();
    let first_token = session.access_token().unwrap();
    let first_refresh = t.vault.load().unwrap().unwrap();
    let bob = t.d.user("bob").address.clone();

    // A first, larger sync, then mail arriving and leaving for over three
    // token lifetimes: every connection logs in with the token of the moment.
    for i in 1..=150 {
        t.d.deliver(
            "renee",
            "INBOX",
            &support::mail::message(i, &address),
            false,
        );
    }
    assert_eq!(t.sync().unwrap().new_messages, 150);
    let start = Instant::now();
    let mut round = 0;
    let mut sent = Vec::new();
    while start.elapsed() < Duration::from_secs(10) {
        round += 1;
        t.d.deliver(
            "renee",
            "INBOX",
            &support::mail::message(1000 + round, &address),
            false,
        );
        let r = t
            .sync()
            .unwrap_or_else(|e| panic!("round {round}: {e}\n{}", t.d.log()));
        // The new message, and the Sent copy of the previous round's.
        let expected = if round == 1 { 1 } else { 2 };
        assert_eq!(r.new_messages, expected, "round {round}");
        let (id, _) = t.queue(&bob, &format!("Envoi {round}"));
        let f = t.flush().unwrap();
        assert_eq!(f.sent, vec![id], "round {round}: {f:?}");
        sent.push(id);
        std::thread::sleep(Duration::from_millis(400));
    }
    assert!(session.refreshes() >= 3, "{} renewals", session.refreshes());
    let grants = t.provider.with(|s| s.refresh_grants);
    assert!(grants >= 3, "{grants} refresh grants");
    // Several different tokens were shown to Dovecot, all of them valid then.
    let seen = t.provider.with(|s| s.introspected.clone());
    assert!(seen.iter().all(|(_, ok)| *ok), "an expired token was used");
    let distinct: std::collections::HashSet<_> = seen.iter().map(|(t, _)| t).collect();
    assert!(distinct.len() >= 3, "{} tokens", distinct.len());
    // The first token is dead: Dovecot refuses it now.
    let acc = t.account();
    let refused = t.rt.block_on(imap::open_with(
        &acc.settings.imap,
        &acc.tls_settings().unwrap(),
        &Credentials::XOAuth2 {
            username: address.clone(),
            token: first_token,
        },
    ));
    assert!(
        matches!(refused, Err(ImapError::TokenRefused { .. })),
        "{refused:?}"
    );
    // The refresh token was rotated: the vault holds a new, valid one.
    let now = t.vault.load().unwrap().unwrap();
    assert_ne!(now, first_refresh);
    assert!(
        t.provider
            .with(|s| s.refresh_valid(&now) && !s.refresh_valid(&first_refresh))
    );
    assert_eq!(bob_count(&t, &sent), sent.len());
    session::forget(&address);
}

fn bob_count(t: &Setup, ids: &[i64]) -> usize {
    ids.iter()
        .filter(|id| {
            let e = outbox::get(&t.s.store, **id).unwrap();
            with_message_id(&t.d.folder_dir("bob", "INBOX"), &e.message_id).len() == 1
        })
        .count()
}

#[test]
fn a_revoked_refresh_token_ends_the_session_and_keeps_the_outbox() {
    let t = setup("rita", &["bob"]);
    t.provider
        .with(|s| s.access_lifetime = Duration::from_secs(2));
    let address = t.s.account.address.clone();
    t.d.deliver("rita", "INBOX", &support::mail::message(1, &address), false);
    let (_, session) = t.login().unwrap();
    assert_eq!(t.sync().unwrap().new_messages, 1);
    let bob = t.d.user("bob").address.clone();
    let queued = [t.queue(&bob, "Premier"), t.queue(&bob, "Second")];

    t.provider.with(|s| s.revoke_refresh_tokens());
    let ended = t
        .rt
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), session.ended()).await })
        .expect("the session did not end");
    let text = ended.to_string();
    assert!(text.contains("sign in again"), "{text}");
    assert!(text.contains("Nothing queued was lost"), "{text}");
    assert_eq!(
        t.vault.load().unwrap(),
        None,
        "the dead refresh token stays"
    );
    assert!(t.provider.with(|s| s.refused_refreshes) >= 1);

    // Sending stops before touching the outbox; syncing stops with the same words.
    match t.flush() {
        Err(SendError::Session(SessionError::Ended { .. })) => {}
        other => panic!("{other:?}"),
    }
    for (id, _) in &queued {
        let e = outbox::get(&t.s.store, *id).unwrap();
        assert_eq!(e.state, OutboxState::Queued);
        assert_eq!(e.attempts, 0, "an attempt was counted");
    }
    let count = |t: &Setup| -> i64 {
        t.s.store
            .conn()
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .unwrap()
    };
    let before = count(&t);
    match t.sync() {
        Err(SyncError::Imap(ImapError::Session(SessionError::Ended { .. }))) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&t), before, "the sync state changed");

    // Signing in again sends what waited.
    t.login().unwrap();
    let report = t.flush().unwrap();
    assert_eq!(
        report.sent,
        queued.iter().map(|(id, _)| *id).collect::<Vec<_>>()
    );
    for (_, mid) in &queued {
        assert_eq!(
            with_message_id(&t.d.folder_dir("bob", "INBOX"), mid).len(),
            1
        );
    }
    session::forget(&address);
}

#[test]
fn spoiled_id_tokens_are_refused() {
    let t = setup("ines", &[]);
    let address = t.s.account.address.clone();
    for (fault, words) in [
        (IdTokenFault::BadSignature, "signature"),
        (IdTokenFault::WrongAudience, "audience"),
        (IdTokenFault::WrongNonce, "nonce"),
        (IdTokenFault::WrongIssuer, "issuer"),
        (IdTokenFault::WrongAccessTokenHash, "at_hash"),
        (IdTokenFault::Expired, "expired"),
    ] {
        t.provider.with(|s| s.fault = fault);
        match t.login() {
            Err(TokenLoginError::Oidc(OidcError::IdToken(why))) => {
                assert!(why.to_lowercase().contains(words), "{fault:?}: {why}")
            }
            Err(other) => panic!("{fault:?}: {other}"),
            Ok(_) => panic!("{fault:?}: accepted"),
        }
        assert!(session::current(&address).is_none(), "{fault:?}");
        assert_eq!(t.vault.load().unwrap(), None, "{fault:?}");
    }
    t.provider.with(|s| s.fault = IdTokenFault::None);
    t.login().unwrap();
    assert!(session::current(&address).is_some());
    session::forget(&address);
}

#[test]
fn watching_renews_tokens_and_stops_when_the_session_ends() {
    let t = setup("wanda", &[]);
    t.provider
        .with(|s| s.access_lifetime = Duration::from_secs(1));
    let address = t.s.account.address.clone();
    t.d.deliver(
        "wanda",
        "INBOX",
        &support::mail::message(1, &address),
        false,
    );
    let (_, session) = t.login().unwrap();
    let acc = t.account();
    let syncs = Arc::new(Mutex::new(Vec::new()));
    let seen = syncs.clone();
    let d = &t.d;
    let provider = &t.provider;
    let opts = SyncOptions::default();
    let mut progress = |_: &sync::Progress| {};
    let mut on_sync = |r: &sync::SyncReport| seen.lock().unwrap().push(r.new_messages);
    let outcome = t.rt.block_on(async {
        let watch = sync::watch(&t.s.store, &acc, &opts, &mut progress, &mut on_sync);
        let feed = async {
            // New mail while tokens come and go; then the refresh token is revoked.
            for i in 2..=4 {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                d.deliver(
                    "wanda",
                    "INBOX",
                    &support::mail::message(i, &address),
                    false,
                );
            }
            tokio::time::sleep(Duration::from_millis(1500)).await;
            provider.with(|s| s.revoke_refresh_tokens());
            std::future::pending::<()>().await
        };
        tokio::time::timeout(Duration::from_secs(30), async {
            tokio::select! {
                r = watch => r,
                _ = feed => unreachable!(),
            }
        })
        .await
    });
    let err = outcome.expect("the watch did not stop").unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Imap(ImapError::Session(SessionError::Ended { .. }))
        ),
        "{err}"
    );
    assert!(err.to_string().contains("sign in again"), "{err}");
    let total: u64 = syncs.lock().unwrap().iter().sum();
    assert_eq!(total, 4, "{:?}", syncs.lock().unwrap());
    assert!(session.refreshes() >= 3, "{}", session.refreshes());
    session::forget(&address);
}

#[test]
fn an_expired_refresh_token_stops_the_next_start_cleanly() {
    let t = setup("edith", &["bob"]);
    t.provider
        .with(|s| s.refresh_lifetime = Some(Duration::from_secs(1)));
    let address = t.s.account.address.clone();
    let (_, first) = t.login().unwrap();
    let bob = t.d.user("bob").address.clone();
    let (id, _) = t.queue(&bob, "En attente");
    // The process ends (its session with it); later, a one-shot command
    // starts from the kept refresh token, which has expired meanwhile.
    session::forget(&address);
    drop(first);
    std::thread::sleep(Duration::from_millis(1200));
    let acc = t.account();
    let resumed =
        t.rt.block_on(token_login::resume_with(&acc, t.vault.clone()));
    match resumed {
        Err(TokenLoginError::Session(e @ SessionError::Ended { .. })) => {
            assert!(e.to_string().contains("sign in again"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t.vault.load().unwrap(), None);
    let e = outbox::get(&t.s.store, id).unwrap();
    assert_eq!((e.state, e.attempts), (OutboxState::Queued, 0));
    // Signed in again, the next start resumes from the new refresh token.
    t.login().unwrap();
    session::forget(&address);
    let resumed =
        t.rt.block_on(token_login::resume_with(&acc, t.vault.clone()))
            .unwrap()
            .unwrap();
    assert!(resumed.access_token().is_ok());
    assert_eq!(t.flush().unwrap().sent, vec![id]);
    session::forget(&address);
}
