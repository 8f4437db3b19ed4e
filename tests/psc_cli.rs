//! The command line with a Pro Santé Connect account, against the fixture
//! provider, a real Dovecot checking XOAUTH2 tokens, and a real Secret
//! Service (gnome-keyring on a private D-Bus): `account login` opens the
//! "browser" ($BROWSER, a script following the redirects with curl) and keeps
//! the refresh token in the keyring; `sync` and `send` start from it;
//! `account logout` drops it.

mod support;

use std::process::Output;

use caducee::account::{AuthMethod, Security};
use caducee::auth::oidc::PscProvider;
use support::dovecot::{DOMAIN, Dovecot};
use support::keyring::SessionKeyring;
use support::oidc::{CLIENT_ID, Provider};
use support::sender::{Sender, settings, with_message_id};

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn login_sync_send_and_logout_from_the_command_line() {
    let address = format!("paula@{DOMAIN}");
    let provider = Provider::start(&address);
    let d = Dovecot::start_oauth2(&["paula", "bob"], &provider.introspection_url());
    for i in 1..=2 {
        d.deliver(
            "paula",
            "INBOX",
            &support::mail::message(i, &address),
            false,
        );
    }
    let s = Sender::with_auth(
        &d,
        "paula",
        settings(&d, Security::StartTls),
        AuthMethod::ProSanteConnect {
            username: address.clone(),
            provider: PscProvider::Issuer(provider.issuer.clone()),
            client_id: Some(CLIENT_ID.into()),
        },
    );
    let keyring = SessionKeyring::start();
    let page = s.data_dir().join("browser-page.html");
    let browser = s.data_dir().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nexec curl -s -L -o '{}' \"$1\"\n",
            page.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let cli = || {
        let mut cmd = s.command();
        keyring.env(&mut cmd);
        cmd.env_remove("CADUCEE_REFRESH_TOKEN")
            .env_remove("CADUCEE_PASSWORD");
        cmd
    };

    // Not signed in yet.
    let out = cli().args(["sync", "--once"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("caducee account login"),
        "{}",
        text(&out)
    );

    let out = cli()
        .args(["account", "login", &address])
        .env("BROWSER", &browser)
        .output()
        .unwrap();
    let said = text(&out);
    assert!(out.status.success(), "{said}\n{}", d.log());
    assert!(said.contains("open this address in your browser"), "{said}");
    assert!(
        said.contains("signed in: Claire Médecin, national id 810002813839"),
        "{said}"
    );
    let shown = std::fs::read_to_string(&page).unwrap();
    assert!(shown.contains("Connexion réussie"), "{shown}");
    assert_eq!(provider.with(|p| p.code_grants), 1);

    // A one-shot sync starts from the refresh token in the keyring.
    let out = cli().args(["sync", "--once"]).output().unwrap();
    assert!(out.status.success(), "{}\n{}", text(&out), d.log());
    assert!(text(&out).contains("2 new messages"), "{}", text(&out));
    assert_eq!(provider.with(|p| p.refresh_grants), 1);

    // The provider rotated it: the send works only if the keyring holds the new one.
    let out = cli()
        .args([
            "send",
            "--to",
            &d.user("bob").address,
            "--subject",
            "Depuis la ligne de commande",
            "--body",
            "Bonjour",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", text(&out), d.log());
    let entry: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mid = entry["message_id"].as_str().unwrap();
    assert_eq!(with_message_id(&d.folder_dir("bob", "INBOX"), mid).len(), 1);
    assert_eq!(provider.with(|p| p.refresh_grants), 2);
    assert_eq!(provider.with(|p| p.refused_refreshes), 0);

    // No token of any kind in the data directory.
    let tokens: Vec<String> =
        provider.with(|p| p.introspected.iter().map(|(t, _)| t.clone()).collect());
    assert!(!tokens.is_empty());
    for entry in std::fs::read_dir(s.data_dir()).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        for t in &tokens {
            assert!(
                !bytes.windows(t.len()).any(|w| w == t.as_bytes()),
                "{} holds a token",
                entry.path().display()
            );
        }
    }

    // Signing out revokes the refresh token at the provider.
    assert!(provider.with(|p| p.any_refresh_valid()));
    let out = cli()
        .args(["account", "logout", &address])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("revoked at the provider"),
        "{}",
        text(&out)
    );
    assert_eq!(provider.with(|p| p.revocations), 1);
    assert!(!provider.with(|p| p.any_refresh_valid()));
    let out = cli().args(["sync", "--once"]).output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("not signed in"), "{}", text(&out));
}
