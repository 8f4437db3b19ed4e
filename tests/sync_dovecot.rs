//! Sync against a real Dovecot: first sync, incremental changes both ways,
//! UIDVALIDITY change, folders renamed and deleted, connection cut mid-FETCH.

mod support;

use caducee::store::Flag;
use caducee::sync::{self, SyncOptions};
use futures::TryStreamExt;
use support::dovecot::Dovecot;
use support::mail::{self, assert_mirror, local_folder, message, session};

async fn run(store: &caducee::store::Store, acc: &caducee::account::Account) -> sync::SyncReport {
    let mut events = Vec::new();
    let report = sync::sync_account(store, acc, &SyncOptions::default(), &mut |p| {
        events.push(p.clone())
    })
    .await
    .unwrap();
    assert!(events.iter().any(|e| e.phase == sync::Phase::Done));
    report
}

#[tokio::test]
async fn first_sync_then_changes_on_the_server() {
    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    for i in 0..60 {
        d.deliver("alice", "INBOX", &message(i, &to), i.is_multiple_of(3));
    }
    for i in 100..105 {
        d.deliver("alice", "Sent", &message(i, &to), true);
    }
    d.deliver("alice", "Projets/2026", &message(200, &to), false);
    let (_dir, store, acc) = mail::store_with_account(&d, "alice", d.imaps_port);

    let r = run(&store, &acc).await;
    assert_eq!(r.new_messages, 66);
    assert_eq!(r.bodies, 66);
    assert_mirror(&d, "alice", &store, &acc).await;
    let inbox = store.folder_id(Some(acc.id), "INBOX").unwrap().unwrap();
    let with_pdf = store
        .list_messages(Some(inbox), 1000, 0)
        .unwrap()
        .iter()
        .filter(|m| m.has_attachments)
        .count();
    assert_eq!(with_pdf, 12);
    let roles: Vec<_> = store
        .folders()
        .unwrap()
        .into_iter()
        .filter_map(|f| f.role.map(|r| (f.name, r.as_str())))
        .collect();
    assert!(roles.contains(&("Sent".into(), "sent")), "{roles:?}");
    assert!(roles.contains(&("Trash".into(), "trash")), "{roles:?}");
    assert!(
        sync::quota(&store, &acc)
            .unwrap()
            .is_some_and(|q| q.used_kib > 0)
    );

    // Nothing changed: nothing fetched.
    let r = run(&store, &acc).await;
    assert_eq!(
        (r.new_messages, r.flag_updates, r.expunged, r.bodies),
        (0, 0, 0, 0)
    );

    // Another client flags, deletes and new mail arrives.
    let mut s = session(&d, "alice").await;
    s.select("INBOX").await.unwrap();
    let _: Vec<_> = s
        .uid_store("1:5", "+FLAGS (\\Flagged \\Seen)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let _: Vec<_> = s
        .uid_store("6:8", "+FLAGS (\\Deleted)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let _: Vec<_> = s.expunge().await.unwrap().try_collect().await.unwrap();
    s.logout().await.unwrap();
    for i in 300..303 {
        d.deliver("alice", "INBOX", &message(i, &to), false);
    }
    let r = run(&store, &acc).await;
    assert_eq!(r.new_messages, 3);
    assert_eq!(r.expunged, 3);
    assert!(r.flag_updates >= 3, "{r:?}");
    assert_mirror(&d, "alice", &store, &acc).await;
}

#[tokio::test]
async fn local_changes_reach_the_server() {
    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    for i in 1..=10 {
        d.deliver("alice", "INBOX", &message(i, &to), false);
    }
    let (_dir, store, acc) = mail::store_with_account(&d, "alice", d.imaps_port);
    run(&store, &acc).await;
    let inbox = store.folder_id(Some(acc.id), "INBOX").unwrap().unwrap();
    let ids = store.message_ids_in(inbox).unwrap();
    let read = Flag {
        seen: true,
        flagged: true,
        ..Flag::default()
    };
    sync::set_flags(&store, &acc, ids[0], read).unwrap();
    sync::move_message(&store, &acc, ids[1], "Trash").unwrap();
    sync::delete_message(&store, &acc, ids[2]).unwrap();
    assert_eq!(sync::pending_changes(&store, &acc).unwrap(), 3);

    let out = sync::append(
        &store,
        &acc,
        "Sent",
        &message(500, "bob@test.mssante.fr"),
        Flag {
            seen: true,
            ..Flag::default()
        },
    )
    .await
    .unwrap();
    assert!(out.uploaded);
    assert_eq!(sync::pending_changes(&store, &acc).unwrap(), 0);
    let r = run(&store, &acc).await;
    assert_eq!(
        r.new_messages, 0,
        "moved and appended messages are matched, not duplicated"
    );
    assert_mirror(&d, "alice", &store, &acc).await;
    let mut s = session(&d, "alice").await;
    assert_eq!(mail::server_folder(&mut s, "INBOX").await.len(), 8);
    assert_eq!(mail::server_folder(&mut s, "Trash").await.len(), 1);
    assert_eq!(mail::server_folder(&mut s, "Sent").await.len(), 1);
    // The moved message kept its body: it was not fetched again.
    assert_eq!(r.bodies, 0);
}

#[tokio::test]
async fn uidvalidity_change_and_folder_rename_keep_the_store_right() {
    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    for i in 1..=12 {
        d.deliver("alice", "INBOX", &message(i, &to), i.is_multiple_of(2));
    }
    for i in 20..24 {
        d.deliver("alice", "Projets", &message(i, &to), false);
    }
    d.deliver("alice", "Ancien", &message(30, &to), false);
    let (_dir, store, acc) = mail::store_with_account(&d, "alice", d.imaps_port);
    run(&store, &acc).await;
    let projets = store.folder_id(Some(acc.id), "Projets").unwrap().unwrap();
    let before: Vec<i64> = store.message_ids_in(projets).unwrap();
    let uidvalidity = |store: &caducee::store::Store| -> i64 {
        store
            .conn()
            .query_row(
                "SELECT uidvalidity FROM folders WHERE name = 'INBOX'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let uv_before = uidvalidity(&store);
    let inbox = store.folder_id(Some(acc.id), "INBOX").unwrap().unwrap();
    let inbox_ids = store.message_ids_in(inbox).unwrap();

    // INBOX recreated by the server: new UIDVALIDITY, same messages.
    let inbox_dir = d.folder_dir("alice", "INBOX");
    for entry in std::fs::read_dir(&inbox_dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("dovecot-uidlist") || name.starts_with("dovecot.index") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let mut s = session(&d, "alice").await;
    s.rename("Projets", "Dossiers").await.unwrap();
    s.delete("Ancien").await.unwrap();
    s.logout().await.unwrap();

    let r = run(&store, &acc).await;
    assert_eq!(r.new_messages, 0, "{r:?}");
    assert_mirror(&d, "alice", &store, &acc).await;
    assert_ne!(
        uidvalidity(&store),
        uv_before,
        "the server changed UIDVALIDITY"
    );
    // Matched again by Message-ID: the same local messages, bodies kept.
    assert_eq!(store.message_ids_in(inbox).unwrap(), inbox_ids);
    assert_eq!(r.bodies, 0);
    // The renamed folder is the same local folder with the same messages.
    assert_eq!(
        store.folder_id(Some(acc.id), "Dossiers").unwrap(),
        Some(projets)
    );
    assert_eq!(store.message_ids_in(projets).unwrap(), before);
    assert_eq!(local_folder(&store, &acc, "Ancien").len(), 0);
}

#[tokio::test]
async fn watch_picks_up_new_mail_through_idle() {
    use std::cell::Cell;
    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    d.deliver("alice", "INBOX", &message(1, &to), false);
    let (_dir, store, acc) = mail::store_with_account(&d, "alice", d.imaps_port);
    let syncs = Cell::new(0u32);
    let arrived = Cell::new(0u64);
    let mut on_sync = |r: &sync::SyncReport| {
        syncs.set(syncs.get() + 1);
        arrived.set(arrived.get() + r.new_messages);
    };
    let opts = SyncOptions::default();
    let mut quiet = |_: &sync::Progress| {};
    let started = std::time::Instant::now();
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        tokio::select! {
            r = sync::watch(&store, &acc, &opts, &mut quiet, &mut on_sync) => panic!("watch ended: {r:?}"),
            _ = async {
                while syncs.get() == 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                // Leave time for IDLE to start, then new mail arrives.
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                d.deliver("alice", "INBOX", &message(2, &to), false);
                while syncs.get() < 2 {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            } => {}
        }
    })
    .await;
    assert!(outcome.is_ok(), "no sync after new mail");
    assert_eq!(arrived.get(), 2);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(local_folder(&store, &acc, "INBOX").len(), 2);
}

#[tokio::test]
async fn headers_first_then_bodies_as_the_account_allows() {
    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    for i in 0..20 {
        d.deliver("alice", "INBOX", &message(i, &to), false);
    }
    let (_dir, store, mut acc) = mail::store_with_account(&d, "alice", d.imaps_port);
    let headers_only = SyncOptions {
        bodies: false,
        ..SyncOptions::default()
    };
    let r = sync::sync_account(&store, &acc, &headers_only, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((r.new_messages, r.bodies), (20, 0));
    assert_eq!(mail::missing_bodies(&store, &acc), 20);
    // Attachments are known from BODYSTRUCTURE before any body is fetched.
    let inbox = store.folder_id(Some(acc.id), "INBOX").unwrap().unwrap();
    let rows = store.list_messages(Some(inbox), 100, 0).unwrap();
    assert_eq!(rows.iter().filter(|m| m.has_attachments).count(), 4);
    assert!(rows.iter().all(|m| !m.has_body && !m.subject.is_empty()));

    // On demand: bodies stay on the server.
    acc.settings.offline_bodies = caducee::account::OfflineBodies::OnDemand;
    let r = run(&store, &acc).await;
    assert_eq!(r.bodies, 0);
    acc.settings.offline_bodies = caducee::account::OfflineBodies::All;
    let r = run(&store, &acc).await;
    assert_eq!(r.bodies, 20);
    assert_mirror(&d, "alice", &store, &acc).await;
}

#[tokio::test]
async fn changes_made_offline_are_replayed_at_the_next_sync() {
    let d = Dovecot::start(&["alice"]);
    let to = d.user("alice").address.clone();
    for i in 1..=4 {
        d.deliver("alice", "INBOX", &message(i, &to), false);
    }
    let (_dir, store, mut acc) = mail::store_with_account(&d, "alice", d.imaps_port);
    run(&store, &acc).await;

    // The server is unreachable: changes are kept locally and queued.
    acc.settings.imap.port = support::free_port();
    let inbox = store.folder_id(Some(acc.id), "INBOX").unwrap().unwrap();
    let ids = store.message_ids_in(inbox).unwrap();
    let flagged = Flag {
        flagged: true,
        ..Flag::default()
    };
    sync::set_flags(&store, &acc, ids[0], flagged).unwrap();
    sync::move_message(&store, &acc, ids[1], "Junk").unwrap();
    let out = sync::append(&store, &acc, "Drafts", &message(900, &to), Flag::default())
        .await
        .unwrap();
    assert!(!out.uploaded);
    let err = sync::sync_account(&store, &acc, &SyncOptions::default(), &mut |_| {})
        .await
        .err()
        .unwrap();
    assert!(err.is_transient(), "{err}");
    assert_eq!(sync::pending_changes(&store, &acc).unwrap(), 3);

    // Back online.
    acc.settings.imap.port = d.imaps_port;
    let r = run(&store, &acc).await;
    assert_eq!(r.replayed, 3);
    assert_eq!(sync::pending_changes(&store, &acc).unwrap(), 0);
    assert_mirror(&d, "alice", &store, &acc).await;
    let mut s = session(&d, "alice").await;
    assert_eq!(mail::server_folder(&mut s, "Drafts").await.len(), 1);
    assert_eq!(mail::server_folder(&mut s, "Junk").await.len(), 1);
    let inbox_flags = mail::server_folder(&mut s, "INBOX").await;
    assert_eq!(inbox_flags.values().filter(|f| f.flagged).count(), 1);
}
