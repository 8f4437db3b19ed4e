//! `caducee outbox flush` killed with SIGKILL at random points, again and
//! again, while messages keep being queued: in the end every queued message
//! has reached the recipient exactly once.
//!
//! After each kill, a message left in doubt is settled the way a person
//! would: by asking the recipient (here, reading the recipient's Maildir by
//! Message-ID), then confirming or releasing it.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use caducee::account::Security;
use caducee::send::{self, Draft, OutboxState, outbox};
use rand::Rng;
use support::dovecot::Dovecot;
use support::sender::{Sender, with_message_id};

const KILLS: usize = 20;

fn settle_doubts(d: &Dovecot, s: &Sender) -> usize {
    let doubts: Vec<_> = outbox::list(&s.store, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.state == OutboxState::InDoubt)
        .collect();
    if doubts.is_empty() {
        return 0;
    }
    // Let the server finish any transaction the killed client had completed.
    std::thread::sleep(Duration::from_millis(800));
    for e in &doubts {
        let arrived = with_message_id(&d.folder_dir("bob", "INBOX"), &e.message_id).len();
        if arrived > 0 {
            outbox::confirm_delivered(&s.store, e.id).unwrap();
        } else {
            outbox::release(&s.store, e.id).unwrap();
        }
    }
    doubts.len()
}

fn flush_process(s: &Sender) -> std::process::Child {
    s.command()
        .args(["outbox", "flush"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn killed_flushes_never_lose_or_duplicate_a_message() {
    let d = Dovecot::start(&["claire", "bob"]);
    let s = Sender::new(&d, "claire", Security::StartTls);
    let bob = d.user("bob").address.clone();
    let mut rng = rand::rng();
    let mut queued = Vec::new();
    let mut kills = 0;
    let mut doubts = 0;
    let started = Instant::now();
    let mut round = 0;
    while kills < KILLS {
        round += 1;
        assert!(round < 200, "only {kills} kills landed in {round} rounds");
        for i in 0..2 {
            let draft = Draft {
                to: vec![bob.clone()],
                subject: format!("round {round} message {i}"),
                text: format!("Bonjour,\r\nmessage {i} of round {round}.\r\n"),
                ..Draft::default()
            };
            queued.push(send::queue(&s.store, &s.account, &draft).unwrap().1);
        }
        let mut child = flush_process(&s);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        doubts += settle_doubts(&d, &s);
    }

    // Let the last flush run to its end, settle, and flush what was released.
    for _ in 0..3 {
        let status = flush_process(&s).wait().unwrap();
        assert!(status.success());
        settle_doubts(&d, &s);
    }
    let entries = outbox::list(&s.store, None).unwrap();
    assert_eq!(entries.len(), queued.len());
    for e in &entries {
        assert_eq!(e.state, OutboxState::Sent, "{e:?}");
    }
    for id in &queued {
        let copies = with_message_id(&d.folder_dir("bob", "INBOX"), id).len();
        assert_eq!(copies, 1, "<{id}> arrived {copies} times");
    }
    eprintln!(
        "{kills} kills in {round} rounds, {} messages, {doubts} in doubt settled, {:?}",
        queued.len(),
        started.elapsed()
    );
}
