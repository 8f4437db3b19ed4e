//! Delivery status notifications and read receipts, round trip: a message sent
//! through Dovecot with DSN and MDN requested; reports in the RFC 3464 and
//! RFC 8098 formats delivered to the sender's mailbox, read back from it,
//! parsed, linked to the sent message and journaled.

mod support;

use caducee::account::Security;
use caducee::audit;
use caducee::send::smtp::{Session, xtext};
use caducee::send::{self, Draft, SendOptions, outbox, reports};
use caducee::tls::TlsClient;
use support::dovecot::Dovecot;
use support::sender::{Sender, message_files, with_message_id};

fn dsn(to: &str, envid: &str, rcpt: &str, action: &str, status: &str, original: &str) -> String {
    let boundary = "dsn-boundary-1";
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@test.mssante.fr>\r\n\
To: <{to}>\r\n\
Subject: Delivery Status Notification\r\n\
Message-ID: <dsn-{action}-{envid}>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\
\r\n\
--{boundary}\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
Your message to {rcpt}: {action}.\r\n\
\r\n\
--{boundary}\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.test.mssante.fr\r\n\
Original-Envelope-Id: {}\r\n\
Arrival-Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
\r\n\
Final-Recipient: rfc822; {rcpt}\r\n\
Original-Recipient: rfc822; {rcpt}\r\n\
Action: {action}\r\n\
Status: {status}\r\n\
Diagnostic-Code: smtp; {status} done\r\n\
\r\n\
--{boundary}\r\n\
Content-Type: text/rfc822-headers\r\n\
\r\n\
{original}\
\r\n\
--{boundary}--\r\n",
        xtext(envid)
    )
}

fn mdn(to: &str, from: &str, message_id: &str, disposition: &str) -> String {
    let boundary = "mdn-boundary-1";
    format!(
        "From: <{from}>\r\n\
To: <{to}>\r\n\
Subject: Read: Compte rendu\r\n\
Message-ID: <mdn-{disposition}-{message_id}>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=disposition-notification;\r\n\tboundary=\"{boundary}\"\r\n\
\r\n\
--{boundary}\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
The message was {disposition}.\r\n\
\r\n\
--{boundary}\r\n\
Content-Type: message/disposition-notification\r\n\
\r\n\
Reporting-UA: mail.test.mssante.fr; Test Client\r\n\
Original-Recipient: rfc822;{from}\r\n\
Final-Recipient: rfc822;{from}\r\n\
Original-Message-ID: <{message_id}>\r\n\
Disposition: manual-action/MDN-sent-manually; {disposition}\r\n\
\r\n\
--{boundary}--\r\n"
    )
}

/// The header block of a raw message.
fn headers_of(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let head = text
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace('\n', "\r\n");
    format!("{head}\r\n")
}

#[test]
fn reports_are_linked_to_the_sent_message_and_journaled() {
    let d = Dovecot::start(&["claire", "bob"]);
    let s = Sender::new(&d, "claire", Security::StartTls);
    let bob = d.user("bob").address.clone();
    let claire = s.account.address.clone();

    let draft = |subject: &str| Draft {
        to: vec![bob.clone()],
        subject: subject.into(),
        text: "Bonjour".into(),
        options: SendOptions {
            dsn: true,
            mdn: true,
        },
        ..Draft::default()
    };
    let (first, first_id) = send::queue(&s.store, &s.account, &draft("un")).unwrap();
    let (second, second_id) = send::queue(&s.store, &s.account, &draft("deux")).unwrap();
    let report = s.flush();
    assert_eq!(report.sent, vec![first, second], "{}", d.log());
    let delivered = with_message_id(&d.folder_dir("bob", "INBOX"), &first_id);
    assert!(
        String::from_utf8_lossy(&delivered[0])
            .contains(&format!("Disposition-Notification-To: <{claire}>"))
    );

    // The reports arrive in claire's inbox.
    let original = headers_of(&outbox::raw(&s.store, first).unwrap());
    d.deliver(
        "claire",
        "INBOX",
        dsn(&claire, &first_id, &bob, "delivered", "2.0.0", &original).as_bytes(),
        false,
    );
    d.deliver(
        "claire",
        "INBOX",
        dsn(&claire, &second_id, &bob, "failed", "5.2.2", "").as_bytes(),
        false,
    );
    d.deliver(
        "claire",
        "INBOX",
        mdn(&claire, &bob, &first_id, "displayed").as_bytes(),
        false,
    );
    d.deliver(
        "claire",
        "INBOX",
        b"From: <bob@test.mssante.fr>\r\nSubject: hello\r\n\r\nnot a report\r\n",
        false,
    );

    // Read back from the mailbox and handed to the command line.
    let files = message_files(&d.folder_dir("claire", "INBOX"));
    assert_eq!(files.len(), 4);
    let out = support::run_ok(
        s.command()
            .args(["outbox", "reports", "--json"])
            .args(&files),
    );
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed.len(), 3, "the plain message is not a report");

    let statuses = |id| {
        let mut v: Vec<_> = reports::for_message(&s.store, id)
            .unwrap()
            .into_iter()
            .map(|r| (r.recipient, r.status))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        statuses(first),
        vec![
            (bob.clone(), "delivered".to_owned()),
            (bob.clone(), "displayed".to_owned())
        ]
    );
    assert_eq!(statuses(second), vec![(bob.clone(), "failed".to_owned())]);

    let journal = audit::list(&s.store, 50).unwrap();
    let has = |action: &str, subject: &str| {
        journal
            .iter()
            .filter(|e| e.action == action && e.subject == subject)
            .count()
    };
    assert_eq!(has("delivered", &first_id), 1);
    assert_eq!(has("read", &first_id), 1);
    assert_eq!(has("failed", &second_id), 1);

    // The same reports read again are not journaled twice.
    for f in &files {
        reports::ingest(&s.store, &s.account, &std::fs::read(f).unwrap()).unwrap();
    }
    assert_eq!(audit::list(&s.store, 50).unwrap().len(), journal.len());
    assert!(audit::verify(&s.store).is_ok());
}

#[tokio::test]
async fn dsn_parameters_follow_the_server_announcement() {
    let d = Dovecot::start(&["claire", "bob"]);
    let tls = TlsClient::new(&caducee::tls::TlsSettings {
        extra_ca: Some(d.ca_path.clone()),
        client_auth: None,
    })
    .unwrap();
    let claire = d.user("claire");
    let server = support::sender::settings(&d, Security::StartTls).smtp;
    let mut session = Session::open(&server, &tls, &claire.name, &claire.password)
        .await
        .unwrap();
    let offered = session.dsn_offered();
    // Whether or not DSN is offered, a DSN-requesting transaction goes through:
    // the parameters are sent only when the server announced them.
    let raw = b"From: <claire@test.mssante.fr>\r\nTo: <bob@test.mssante.fr>\r\n\
Message-ID: <dsn-probe@test.mssante.fr>\r\nSubject: probe\r\n\r\nprobe\r\n";
    let reply = session
        .transaction(
            &claire.address,
            &[d.user("bob").address.clone()],
            Some(&caducee::send::smtp::Dsn {
                envid: "dsn-probe@test.mssante.fr".into(),
            }),
            raw,
            || Ok(()),
        )
        .await
        .unwrap();
    assert!(reply.is_ok(), "{reply:?} (DSN offered: {offered})");
    session.quit().await;
    assert_eq!(
        with_message_id(&d.folder_dir("bob", "INBOX"), "dsn-probe@test.mssante.fr").len(),
        1
    );
    eprintln!("server announces DSN: {offered}");
}

#[test]
fn reports_synced_into_the_store_are_found_there() {
    let d = Dovecot::start(&["claire", "bob"]);
    let s = Sender::new(&d, "claire", Security::Tls);
    let bob = d.user("bob").address.clone();
    let claire = s.account.address.clone();
    let (id, message_id) = send::queue(
        &s.store,
        &s.account,
        &Draft {
            to: vec![bob.clone()],
            subject: "Résultats".into(),
            text: "Bonjour".into(),
            options: SendOptions {
                dsn: false,
                mdn: true,
            },
            ..Draft::default()
        },
    )
    .unwrap();
    assert_eq!(s.flush().sent, vec![id]);
    d.deliver(
        "claire",
        "INBOX",
        mdn(&claire, &bob, &message_id, "displayed").as_bytes(),
        false,
    );

    support::run_ok(s.command().args(["sync", "--account", &claire]));
    let out =
        support::run_ok(
            s.command()
                .args(["outbox", "reports", "--account", &claire, "--json"]),
        );
    let found: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["outbox_id"], id);
    assert_eq!(found[0]["recipients"][0]["status"], "displayed");
    let reads = audit::list(&s.store, 20)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "read" && e.subject == message_id)
        .count();
    assert_eq!(reads, 1);
    // The accepted message was also filed in the server's Sent folder.
    assert!(
        !with_message_id(&d.folder_dir("claire", "Sent"), &message_id).is_empty(),
        "copied to Sent on the server"
    );
}
