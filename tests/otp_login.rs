//! The one-time-code fallback end to end: the client against a fixture of the
//! national operator's service (the assumed JSON design, see
//! `caducee::auth::otp`), then sync and send with the session token over
//! SASL XOAUTH2 against a real Dovecot whose `oauth2` passdb asks the OIDC
//! fixture's introspection endpoint about it. Wrong password, wrong code,
//! expired code, locked account, throttling and the client's own pace.

mod support;

use std::time::Duration;

use caducee::account::{self, Account, AuthMethod, Security};
use caducee::auth::otp::{Channel, OtpClient, OtpError, check_identifier};
use caducee::auth::session::{self, SessionError};
use caducee::auth::token_login::{self, TokenLoginError};
use caducee::imap::ImapError;
use caducee::send::{self, Draft};
use caducee::sync::{self, SyncError, SyncOptions};
use support::dovecot::{DOMAIN, Dovecot};
use support::oidc::Provider;
use support::otp::OtpService;
use support::sender::{Sender, settings, with_message_id};

const RPPS_ID: &str = "810003456789";
const PASSWORD: &str = "mot-de-passe-Opérateur";

struct Setup {
    _provider: Provider,
    otp: OtpService,
    d: Dovecot,
    s: Sender,
    rt: tokio::runtime::Runtime,
}

fn setup(user: &str) -> Setup {
    let provider = Provider::start("unused@example.invalid");
    let otp = OtpService::start(&provider);
    let address = format!("{user}@{DOMAIN}");
    otp.add(RPPS_ID, PASSWORD, &address);
    let d = Dovecot::start_oauth2(&[user, "bob"], &provider.introspection_url());
    let s = Sender::with_auth(
        &d,
        user,
        settings(&d, Security::Tls),
        AuthMethod::Otp {
            identifier: RPPS_ID.into(),
        },
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    Setup {
        _provider: provider,
        otp,
        d,
        s,
        rt,
    }
}

impl Setup {
    fn account(&self) -> Account {
        account::get(&self.s.store, Some(&self.s.account.address)).unwrap()
    }

    fn client(&self) -> OtpClient {
        OtpClient::new(&self.otp.url)
            .unwrap()
            .with_pause(Duration::from_millis(100))
    }

    /// Sign in, typing `codes` in turn (`None`: the code the service sent).
    fn login(
        &self,
        password: &str,
        codes: &[Option<&str>],
        refusals: &mut Vec<String>,
    ) -> Result<session::TokenSession, TokenLoginError> {
        let acc = self.account();
        let mut client = self.client();
        let mut codes = codes.iter();
        let otp = &self.otp;
        let _rt = self.rt.enter();
        token_login::otp_login(
            &acc,
            &mut client,
            password,
            Channel::Sms,
            &mut |challenge, refused| {
                assert_eq!(challenge.masked_destination, "06******12");
                if let Some(e) = refused {
                    refusals.push(e.to_string());
                }
                codes
                    .next()
                    .map(|c| c.map(str::to_owned).unwrap_or_else(|| otp.last_code()))
            },
        )
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
}

#[test]
fn otp_login_then_sync_and_send_over_xoauth2() {
    let t = setup("olga");
    let address = t.s.account.address.clone();
    t.d.deliver("olga", "INBOX", &support::mail::message(1, &address), false);

    // A wrong code first: said with the tries left, then the right one.
    let mut refusals = Vec::new();
    let session = t
        .login(PASSWORD, &[Some("000000"), None], &mut refusals)
        .unwrap();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(
        refusals[0].contains("wrong code: 2 tries left"),
        "{refusals:?}"
    );

    let report = t.sync().unwrap();
    assert_eq!(report.new_messages, 1, "{}", t.d.log());
    assert!(
        t.d.log()
            .contains(&format!("user=<{address}>, method=XOAUTH2")),
        "{}",
        t.d.log()
    );
    let bob = t.d.user("bob").address.clone();
    let draft = Draft {
        to: vec![bob],
        subject: "Envoi après code".into(),
        text: "Bonjour".into(),
        ..Draft::default()
    };
    let (id, mid) = send::queue(&t.s.store, &t.s.account, &draft).unwrap();
    let acc = t.account();
    let report = t.rt.block_on(send::flush(&t.s.store, &acc, "")).unwrap();
    assert_eq!(report.sent, vec![id], "{report:?}\n{}", t.d.log());
    assert_eq!(
        with_message_id(&t.d.folder_dir("bob", "INBOX"), &mid).len(),
        1
    );
    assert!(session.access_token().is_ok());
    session::forget(&address);
}

#[test]
fn wrong_password_expired_code_and_locked_account_are_told_apart() {
    let t = setup("oscar");
    let address = t.s.account.address.clone();

    // Checked here before anything is sent.
    let e = check_identifier("12345").unwrap_err();
    assert!(e.to_string().contains("RPPS"), "{e}");
    let mut client = t.client();
    assert!(matches!(
        client.challenge("12345", PASSWORD, Channel::Sms),
        Err(OtpError::BadIdentifier(_))
    ));
    assert_eq!(t.otp.with(|s| s.requests), 0);

    // Wrong password.
    let mut refusals = Vec::new();
    match t.login("not-it", &[None], &mut refusals) {
        Err(TokenLoginError::Otp(OtpError::WrongCredentials)) => {}
        other => panic!("{other:?}"),
    }

    // The code expires before it is typed.
    t.otp.with(|s| s.code_lifetime = Duration::from_millis(300));
    let mut client = t.client();
    let challenge = client.challenge(RPPS_ID, PASSWORD, Channel::Mail).unwrap();
    assert_eq!(challenge.masked_destination, "c****@exemple.fr");
    std::thread::sleep(Duration::from_millis(500));
    let code = t.otp.last_code();
    let e = client.verify(&challenge, &code).unwrap_err();
    assert!(matches!(e, OtpError::CodeExpired), "{e:?}");
    assert!(e.to_string().contains("expired"), "{e}");
    t.otp.with(|s| s.code_lifetime = Duration::from_secs(300));

    // Throttled by the server: Retry-After is honoured, and the client
    // itself does not ask again before then.
    t.otp.with(|s| s.throttle_next = Some(2));
    let mut client = t.client();
    match client.challenge(RPPS_ID, PASSWORD, Channel::Sms) {
        Err(OtpError::TooManyAttempts(2)) => {}
        other => panic!("{other:?}"),
    }
    let before = t.otp.with(|s| s.requests);
    match client.challenge(RPPS_ID, PASSWORD, Channel::Sms) {
        Err(OtpError::SlowDown(n)) if n <= 2 => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(t.otp.with(|s| s.requests), before, "asked again too soon");
    assert!(client.ready_in() > Duration::from_secs(1));

    // Three wrong codes lock the account; then even the right password is refused.
    let mut refusals = Vec::new();
    match t.login(
        PASSWORD,
        &[Some("111111"), Some("222222"), Some("333333")],
        &mut refusals,
    ) {
        Err(TokenLoginError::Otp(OtpError::Locked)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert!(refusals[1].contains("1 tries left"), "{refusals:?}");
    let mut refusals = Vec::new();
    match t.login(PASSWORD, &[None], &mut refusals) {
        Err(TokenLoginError::Otp(e @ OtpError::Locked)) => {
            assert!(e.to_string().contains("locked"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(session::current(&address).is_none());
}

#[test]
fn an_expired_session_token_asks_to_sign_in_again() {
    let t = setup("odile");
    let address = t.s.account.address.clone();
    t.otp.with(|s| s.token_lifetime = Duration::from_secs(2));
    let mut refusals = Vec::new();
    let session = t.login(PASSWORD, &[None], &mut refusals).unwrap();
    assert!(t.sync().is_ok(), "{}", t.d.log());
    std::thread::sleep(Duration::from_millis(2200));
    match session.access_token() {
        Err(SessionError::Ended { reason, .. }) => assert!(reason.contains("expired"), "{reason}"),
        other => panic!("{other:?}"),
    }
    match t.sync() {
        Err(SyncError::Imap(ImapError::Session(e @ SessionError::Ended { .. }))) => {
            assert!(e.to_string().contains("sign in again"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // A new sign-in and it works again.
    t.login(PASSWORD, &[None], &mut refusals).unwrap();
    assert!(t.sync().is_ok());
    session::forget(&address);
}

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_command_line_signs_in_with_a_code_for_each_command() {
    let t = setup("ophelie");
    let address = t.s.account.address.clone();
    t.d.deliver(
        "ophelie",
        "INBOX",
        &support::mail::message(1, &address),
        false,
    );
    t.otp.with(|s| s.fixed_code = Some("424242".into()));
    let cli = |code: &str, password: &str| {
        let mut cmd = t.s.command();
        cmd.env("CADUCEE_OTP_URL", &t.otp.url)
            .env("CADUCEE_OTP_PASSWORD", password)
            .env("CADUCEE_OTP_CODE", code)
            .env_remove("CADUCEE_PASSWORD");
        cmd
    };

    let out =
        t.s.command()
            .env_remove("CADUCEE_OTP_URL")
            .args(["account", "login", &address])
            .output()
            .unwrap();
    assert!(!out.status.success());
    assert!(said(&out).contains("CADUCEE_OTP_URL"), "{}", said(&out));

    let out = cli("424242", "wrong")
        .args(["account", "login", &address])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        said(&out).contains("wrong identifier or password"),
        "{}",
        said(&out)
    );

    let out = cli("999999", PASSWORD)
        .args(["sync", "--once"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        said(&out).contains("wrong code: 2 tries left"),
        "{}",
        said(&out)
    );

    let out = cli("424242", PASSWORD)
        .args(["account", "login", &address, "--channel", "mail"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("signed in with a one-time code"),
        "{}",
        said(&out)
    );

    let out = cli("424242", PASSWORD)
        .args(["sync", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", said(&out), t.d.log());
    assert!(said(&out).contains("1 new messages"), "{}", said(&out));

    let out = cli("424242", PASSWORD)
        .args([
            "send",
            "--to",
            &t.d.user("bob").address,
            "--subject",
            "Code à usage unique",
            "--body",
            "Bonjour",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", said(&out), t.d.log());
    let entry: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mid = entry["message_id"].as_str().unwrap();
    assert_eq!(
        with_message_id(&t.d.folder_dir("bob", "INBOX"), mid).len(),
        1
    );
}
