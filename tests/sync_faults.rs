//! A sync cut at any point leaves a consistent store and the next one
//! finishes the work: the connection cut mid-FETCH by a proxy, and the
//! `caducee sync` process killed with SIGKILL at random moments.

mod support;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use caducee::store::{Store, StoreKey};
use caducee::sync::{self, SyncOptions};
use futures::TryStreamExt;
use support::dovecot::Dovecot;
use support::mail::{self, assert_mirror, message, session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A message with a body of about `kib` KiB.
fn big_message(i: usize, to: &str, kib: usize) -> Vec<u8> {
    let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n";
    let body = line.repeat(kib * 1024 / line.len() + 1);
    format!(
        "From: Labo <labo@test.mssante.fr>\r\nTo: {to}\r\nSubject: Resultats {i}\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <big-{i}@labo.test>\r\n\r\n{body}"
    )
    .into_bytes()
}

/// A TCP proxy that closes each connection once `budget` bytes went from
/// the server to the client.
async fn cutting_proxy(upstream: u16, budget: Arc<AtomicU64>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let limit = budget.load(Ordering::SeqCst);
            tokio::spawn(async move {
                let addr: SocketAddr = ([127, 0, 0, 1], upstream).into();
                let Ok(server) = TcpStream::connect(addr).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                let mut sent = 0u64;
                let mut buf = vec![0u8; 4096];
                while let Ok(n) = sr.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let n = n.min((limit - sent) as usize);
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    sent += n as u64;
                    if sent >= limit {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    port
}

#[tokio::test]
async fn connection_cut_mid_fetch_then_resumed() {
    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    for i in 0..40 {
        d.deliver("alice", "INBOX", &message(i, &to), i % 4 == 0);
    }
    for i in 40..60 {
        d.deliver("alice", "INBOX", &big_message(i, &to, 40), false);
    }
    for i in 60..70 {
        d.deliver("alice", "Sent", &message(i, &to), true);
    }
    let budget = Arc::new(AtomicU64::new(0));
    let proxy = cutting_proxy(d.imaps_port, budget.clone()).await;
    let (_dir, store, acc) = mail::store_with_account(&d, "alice", proxy);
    let mut cuts = 0;
    let mut limit = 3_000u64;
    loop {
        budget.store(limit, Ordering::SeqCst);
        match sync::sync_account(&store, &acc, &SyncOptions::default(), &mut |_| {}).await {
            Ok(_) => break,
            Err(e) => {
                assert!(e.is_transient(), "a cut is transient: {e}");
                cuts += 1;
            }
        }
        // The store stays consistent after every cut: no duplicate anywhere.
        for folder in ["INBOX", "Sent"] {
            mail::local_folder(&store, &acc, folder);
        }
        limit = limit * 3 / 2;
    }
    assert!(cuts >= 5, "only {cuts} cuts");
    assert_mirror(&d, "alice", &store, &acc).await;
}

fn caducee(data: &std::path::Path, key: &str, password: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
    c.env("CADUCEE_LANG", "en");
    c.env("CADUCEE_DATA_DIR", data)
        .env("CADUCEE_STORE_KEY", key)
        .env("CADUCEE_PASSWORD", password)
        .stdin(Stdio::null());
    c
}

#[tokio::test]
async fn killed_sync_processes_leave_a_consistent_store() {
    let d = Dovecot::start(&["alice"]);
    let alice = d.user("alice").clone();
    for i in 0..120 {
        d.deliver("alice", "INBOX", &message(i, &alice.address), i % 3 == 0);
    }
    for i in 120..140 {
        d.deliver("alice", "INBOX", &big_message(i, &alice.address, 60), false);
    }
    for i in 140..160 {
        d.deliver("alice", "Projets", &message(i, &alice.address), false);
    }
    let data = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let hex_key = key.to_hex();
    let status = caducee(data.path(), &hex_key, &alice.password)
        .args([
            "account",
            "add",
            "--name",
            "Cabinet",
            "--address",
            &alice.address,
        ])
        .args([
            "--imap-host",
            &d.host,
            "--imap-port",
            &d.imaps_port.to_string(),
        ])
        .args(["--imap-security", "tls", "--smtp-host", &d.host])
        .args([
            "--smtp-port",
            &d.submission_port.to_string(),
            "--smtp-security",
            "starttls",
        ])
        .args(["--auth", "password", "--username", "alice", "--extra-ca"])
        .arg(&d.ca_path)
        .status()
        .unwrap();
    assert!(status.success());

    let mut next = 1000;
    let mut killed_running = 0;
    let mut max_wait_ms = 250;
    let mut round = 0;
    // Rounds go on until 12 syncs were killed while running (at least 24 rounds),
    // killing sooner whenever a sync finished before its kill.
    while killed_running < 12 || round < 24 {
        assert!(
            round < 80,
            "only {killed_running} syncs killed while running"
        );
        // Some server-side change every round.
        let mut s = session(&d, "alice").await;
        s.select("INBOX").await.unwrap();
        let uid = round * 4 + 1;
        let _: Vec<_> = s
            .uid_store(format!("{uid}:{}", uid + 2), "+FLAGS (\\Flagged)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        if round % 3 == 0 {
            let _: Vec<_> = s
                .uid_store(format!("{}", uid + 3), "+FLAGS (\\Deleted)")
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            let _: Vec<_> = s.expunge().await.unwrap().try_collect().await.unwrap();
        }
        s.logout().await.unwrap();
        for k in 0..8 {
            let raw = if k < 2 {
                big_message(next, &alice.address, 60)
            } else {
                message(next, &alice.address)
            };
            d.deliver("alice", "INBOX", &raw, false);
            next += 1;
        }
        let mut child = caducee(data.path(), &hex_key, &alice.password)
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wait = rand::random_range(5..max_wait_ms);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        if child.try_wait().unwrap().is_none() {
            killed_running += 1;
        } else {
            max_wait_ms = (max_wait_ms * 2 / 3).max(10);
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        round += 1;
    }
    assert!(
        killed_running >= 12,
        "only {killed_running} syncs killed while running"
    );
    support::run_ok(caducee(data.path(), &hex_key, &alice.password).args(["sync", "--json"]));
    let store = Store::open(&data.path().join(caducee::store::STORE_FILE), &key).unwrap();
    let acc = caducee::account::get(&store, None).unwrap();
    assert_mirror(&d, "alice", &store, &acc).await;
}
