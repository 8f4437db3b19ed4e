//! Test messages, accounts pointing at the private Dovecot, and comparisons
//! of the store with what the server holds.

use std::collections::BTreeMap;

use caducee::account::{
    self, Account, AccountSettings, AuthMethod, OfflineBodies, Security, Server,
};
use caducee::imap::{self, Credentials};
use caducee::store::{Flag, Store, StoreKey};
use caducee::tls::TlsSettings;
use futures::TryStreamExt;

use super::dovecot::Dovecot;

/// A message; every fifth one has a PDF attachment.
pub fn message(i: usize, to: &str) -> Vec<u8> {
    let date = "Mon, 23 Nov 2026 09:00:00 +0100";
    if i.is_multiple_of(5) {
        format!(
            "From: Dr Martin <martin@hopital.test.mssante.fr>\r\nTo: {to}\r\nSubject: Compte rendu {i}\r\n\
             Date: {date}\r\nMessage-ID: <cr-{i}@hopital.test>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nVeuillez trouver le compte rendu {i}.\r\n\
             --b{i}\r\nContent-Type: application/pdf; name=\"cr-{i}.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"cr-{i}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==\r\n--b{i}--\r\n"
        )
        .into_bytes()
    } else {
        format!(
            "From: Dr Martin <martin@hopital.test.mssante.fr>\r\nTo: {to}\r\nSubject: Message {i}\r\n\
             Date: {date}\r\nMessage-ID: <msg-{i}@hopital.test>\r\n\r\nBonjour, ceci est le message {i}.\r\n"
        )
        .into_bytes()
    }
}

pub fn settings(d: &Dovecot, user: &str, port: u16) -> AccountSettings {
    AccountSettings {
        imap: Server {
            host: d.host.clone(),
            port,
            security: Security::Tls,
        },
        smtp: Server {
            host: d.host.clone(),
            port: d.submission_port,
            security: Security::StartTls,
        },
        auth: AuthMethod::Password {
            username: user.into(),
        },
        extra_ca: Some(d.ca_path.clone()),
        attachment_limit: account::DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: OfflineBodies::All,
        delegations: vec![],
    }
}

/// Headless password for the test users (each user's password is
/// "secret-<name>"; the tests log in as alice).
pub fn use_password(d: &Dovecot, user: &str) {
    // SAFETY: every test sets the same value.
    unsafe { std::env::set_var("CADUCEE_PASSWORD", &d.user(user).password) };
}

/// A fresh store with one account for `user` on `d` (through `port`).
pub fn store_with_account(
    d: &Dovecot,
    user: &str,
    port: u16,
) -> (tempfile::TempDir, Store, Account) {
    use_password(d, user);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
    let address = d.user(user).address.clone();
    account::add(&store, "Test", &address, &settings(d, user, port)).unwrap();
    let acc = account::get(&store, Some(&address)).unwrap();
    (dir, store, acc)
}

/// A session on the server, for the test to look or act as another client.
pub async fn session(d: &Dovecot, user: &str) -> imap::Session {
    let u = d.user(user);
    imap::open_with(
        &Server {
            host: d.host.clone(),
            port: d.imaps_port,
            security: Security::Tls,
        },
        &TlsSettings {
            extra_ca: Some(d.ca_path.clone()),
            client_auth: None,
        },
        &Credentials::Password {
            username: u.name.clone(),
            password: u.password.clone(),
        },
    )
    .await
    .unwrap()
}

/// Message-ID → flags of a server folder.
pub async fn server_folder(s: &mut imap::Session, folder: &str) -> BTreeMap<String, Flag> {
    let mb = s.select(folder).await.unwrap();
    let mut out = BTreeMap::new();
    if mb.exists == 0 {
        return out;
    }
    let fetched: Vec<_> = s
        .fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    for f in fetched {
        let header = f.header().map(|h| h.to_vec()).unwrap_or_default();
        let text = String::from_utf8_lossy(&header).into_owned();
        let id = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("Message-ID:")
                    .or_else(|| l.strip_prefix("Message-Id:"))
            })
            .map(|v| v.trim().trim_matches(|c| c == '<' || c == '>').to_owned())
            .unwrap_or_else(|| format!("uid:{:?}", f.uid));
        let mut flags = Flag::default();
        for fl in f.flags() {
            use async_imap::types::Flag as F;
            match fl {
                F::Seen => flags.seen = true,
                F::Flagged => flags.flagged = true,
                F::Answered => flags.answered = true,
                F::Deleted => flags.deleted = true,
                F::Draft => flags.draft = true,
                _ => {}
            }
        }
        assert!(out.insert(id, flags).is_none(), "duplicate on the server");
    }
    out
}

/// Message-ID → flags of a local folder; panics on duplicates.
pub fn local_folder(store: &Store, account: &Account, folder: &str) -> BTreeMap<String, Flag> {
    let Some(fid) = store.folder_id(Some(account.id), folder).unwrap() else {
        return BTreeMap::new();
    };
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT rfc_message_id, seen, flagged, answered, deleted, draft FROM messages
             WHERE folder_id = ?1",
        )
        .unwrap();
    let rows = stmt
        .query_map([fid], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                Flag {
                    seen: r.get(1)?,
                    flagged: r.get(2)?,
                    answered: r.get(3)?,
                    deleted: r.get(4)?,
                    draft: r.get(5)?,
                },
            ))
        })
        .unwrap();
    let mut out = BTreeMap::new();
    for row in rows {
        let (id, flags) = row.unwrap();
        let id = id.trim_matches(|c| c == '<' || c == '>').to_owned();
        assert!(
            out.insert(id.clone(), flags).is_none(),
            "duplicate {id} in {folder}"
        );
    }
    out
}

/// Messages of the account without a body in the store.
pub fn missing_bodies(store: &Store, account: &Account) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id
             WHERE f.account_id = ?1 AND m.blob_hash IS NULL",
            [account.id],
            |r| r.get(0),
        )
        .unwrap()
}

/// Assert that every folder of the server matches the store: same messages
/// (no duplicate, no loss), same flags, every body present.
pub async fn assert_mirror(d: &Dovecot, user: &str, store: &Store, account: &Account) {
    let mut s = session(d, user).await;
    let names: Vec<_> = s
        .list(Some(""), Some("*"))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let mut server_names: Vec<String> = names
        .iter()
        .filter(|n| {
            !n.attributes().iter().any(|a| {
                use async_imap::imap_proto::NameAttribute as A;
                match a {
                    A::NoSelect => true,
                    A::Extension(e) => e.eq_ignore_ascii_case("\\NonExistent"),
                    _ => false,
                }
            })
        })
        .map(|n| n.name().to_owned())
        .collect();
    server_names.sort();
    for name in &server_names {
        let server = server_folder(&mut s, name).await;
        let local = local_folder(store, account, name);
        assert_eq!(local, server, "folder {name}");
    }
    let mut local_names: Vec<String> = store
        .folders()
        .unwrap()
        .into_iter()
        .filter(|f| f.account_id == Some(account.id))
        .map(|f| f.name)
        .collect();
    local_names.sort();
    assert_eq!(local_names, server_names);
    assert_eq!(missing_bodies(store, account), 0, "bodies missing");
    s.logout().await.unwrap();
}
