//! The sending pipeline against a real Dovecot submission server: STARTTLS and
//! implicit TLS, byte-checked delivery, Sent copy, delegation, whitelist
//! refusals inside the pipeline, permanent failures, attachment limit,
//! threading, interrupted sends.

mod support;

use caducee::account::{self, Security};
use caducee::audit;
use caducee::directory;
use caducee::send::{self, Attachment, Draft, OutboxState, SendError, SendOptions, outbox};
use support::dovecot::{DOMAIN, Dovecot};
use support::sender::{Sender, message_files, set_whitelist, settings, with_message_id};

fn draft(to: &str) -> Draft {
    Draft {
        to: vec![to.to_owned()],
        subject: "Compte rendu — échographie".into(),
        text: "Bonjour,\nci-joint le compte rendu.\nCordialement".into(),
        ..Draft::default()
    }
}

/// CRLF line ends as bare LF.
fn lf(raw: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(raw)
        .replace("\r\n", "\n")
        .into_bytes()
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}: ");
    raw.split("\r\n\r\n")
        .next()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
}

#[test]
fn sends_over_starttls_and_implicit_tls_byte_for_byte() {
    let d = Dovecot::start(&["claire", "bob", "anne", "paul"]);
    for security in [Security::StartTls, Security::Tls] {
        let s = Sender::new(&d, "claire", security);
        let mut m = draft(&d.user("bob").address);
        m.cc = vec![d.user("anne").address.clone()];
        m.bcc = vec![d.user("paul").address.clone()];
        m.html = Some("<p>Bonjour,</p><p>ci-joint le compte rendu.</p>".into());
        m.attachments = vec![
            Attachment {
                filename: "écho cœur.pdf".into(),
                content_type: None,
                data: b"%PDF-1.4 test".repeat(50),
            },
            Attachment {
                filename: "notes.txt".into(),
                content_type: None,
                data: b"tension 12/8".to_vec(),
            },
        ];
        let (id, message_id) = send::queue(&s.store, &s.account, &m).unwrap();
        assert_eq!(
            outbox::get(&s.store, id).unwrap().state,
            OutboxState::Queued
        );
        let report = s.flush();
        assert_eq!(
            report.sent,
            vec![id],
            "{security:?}: {report:?}\n{}",
            d.log()
        );
        assert_eq!(report.copied_to_sent, vec![id]);

        let queued = outbox::raw(&s.store, id).unwrap();
        for rcpt in ["bob", "anne", "paul"] {
            let got = with_message_id(&d.folder_dir(rcpt, "INBOX"), &message_id);
            assert_eq!(got.len(), 1, "{rcpt} got {} copies", got.len());
            // The server only prepends its trace headers (and Dovecot's
            // Maildir keeps bare LF line ends): the message itself arrives
            // byte for byte.
            assert!(
                lf(&got[0]).ends_with(&lf(&queued)),
                "{rcpt}: content changed in transit:\n{:?}\n---\n{:?}",
                String::from_utf8_lossy(&got[0]),
                String::from_utf8_lossy(&queued)
            );
        }
        let text = String::from_utf8(queued.clone()).unwrap();
        assert_eq!(
            header(&text, "From"),
            Some(&*format!("<{}>", s.account.address))
        );
        assert_eq!(header(&text, "Sender"), None);
        assert_eq!(header(&text, "Bcc"), None, "Bcc stays in the envelope");
        assert!(!text.contains(&d.user("paul").address));
        assert!(header(&text, "X-MSS-NIL").unwrap().starts_with("Caducee/"));
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("Content-Type: application/pdf"));
        assert!(text.contains("filename*=utf-8''%C3%A9cho%20c%C5%93ur.pdf"));
        assert!(text.contains("Content-Type: text/plain"));
        // The copy in the sender's Sent folder is the same message.
        let sent = with_message_id(&d.folder_dir("claire", "Sent"), &message_id);
        assert_eq!(sent.len(), 1);
        assert_eq!(lf(&sent[0]), lf(&queued));
        // And it reads back as sent: subject, attachment names.
        let parsed = caducee::mime::parse(&queued).unwrap();
        assert_eq!(parsed.subject, "Compte rendu — échographie");
        assert!(parsed.text.contains("ci-joint le compte rendu"));
        assert!(parsed.html.is_some());
        let names: Vec<_> = parsed
            .attachments
            .iter()
            .map(|a| a.filename.as_str())
            .collect();
        assert_eq!(names, ["écho cœur.pdf", "notes.txt"]);
        assert_eq!(parsed.attachments[0].content_type, "application/pdf");
        // Journaled.
        let entries = audit::list(&s.store, 10).unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "sent" && e.subject == message_id),
            "{entries:?}"
        );
    }
}

#[test]
fn a_secretary_sends_for_a_professional() {
    let d = Dovecot::start(&["secretariat", "claire", "bob"]);
    let mut set = settings(&d, Security::StartTls);
    set.delegations = vec![d.user("claire").address.clone()];
    let s = Sender::with(&d, "secretariat", set);

    let mut m = draft(&d.user("bob").address);
    m.on_behalf_of = Some(d.user("bob").address.clone());
    assert!(matches!(
        send::queue(&s.store, &s.account, &m),
        Err(SendError::NotDelegated(_))
    ));

    m.on_behalf_of = Some(d.user("claire").address.clone());
    let (id, message_id) = send::queue(&s.store, &s.account, &m).unwrap();
    assert_eq!(s.flush().sent, vec![id]);
    let got = with_message_id(&d.folder_dir("bob", "INBOX"), &message_id);
    assert_eq!(got.len(), 1);
    let text = String::from_utf8_lossy(&got[0]).into_owned();
    assert_eq!(
        header(&text, "From"),
        Some(&*format!("<{}>", d.user("claire").address))
    );
    assert_eq!(
        header(&text, "Sender"),
        Some(&*format!("<{}>", d.user("secretariat").address))
    );
    let entry = audit::list(&s.store, 10)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "sent")
        .unwrap();
    assert_eq!(entry.actor, d.user("secretariat").address);
    assert_eq!(
        entry.on_behalf_of.as_deref(),
        Some(&*d.user("claire").address)
    );
}

#[test]
fn the_whitelist_is_enforced_inside_the_pipeline() {
    let d = Dovecot::start(&["claire", "bob"]);
    let s = Sender::new(&d, "claire", Security::StartTls);

    // Refused before queueing: every refused address is named.
    let mut m = draft(&d.user("bob").address);
    m.cc = vec!["someone@gmail.com".into()];
    m.bcc = vec!["x@mssante.fr.evil.com".into()];
    match send::queue(&s.store, &s.account, &m) {
        Err(SendError::Refused(reasons)) => {
            assert_eq!(reasons.len(), 2, "{reasons:?}");
            assert!(reasons[0].contains("gmail.com"));
            assert!(reasons[1].contains("evil.com"));
        }
        other => panic!("{other:?}"),
    }
    assert!(outbox::list(&s.store, None).unwrap().is_empty());

    // Refused again right before the transaction: the list changed after queueing.
    let (id, message_id) =
        send::queue(&s.store, &s.account, &draft(&d.user("bob").address)).unwrap();
    set_whitelist(&s.store, "2026-11-20T00:00:00Z", &["autre.mssante.fr"]);
    let report = s.flush();
    assert!(report.sent.is_empty());
    assert_eq!(report.failed.len(), 1);
    let entry = outbox::get(&s.store, id).unwrap();
    assert_eq!(entry.state, OutboxState::Failed);
    assert!(entry.last_error.unwrap().contains(DOMAIN));
    assert!(with_message_id(&d.folder_dir("bob", "INBOX"), &message_id).is_empty());
    let refusals = audit::list(&s.store, 10)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "refused")
        .count();
    assert_eq!(refusals, 2);

    // The command line has no way around it.
    let out = s
        .command()
        .args([
            "send",
            "--to",
            "patient@gmail.com",
            "--subject",
            "x",
            "--body",
            "y",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gmail.com"), "{err}");
    assert_eq!(outbox::list(&s.store, None).unwrap().len(), 1);
}

#[test]
fn a_permanent_failure_keeps_the_server_answer() {
    let d = Dovecot::start(&["claire"]);
    let s = Sender::new(&d, "claire", Security::Tls);
    let (id, _) = send::queue(&s.store, &s.account, &draft(&format!("nobody@{DOMAIN}"))).unwrap();
    let report = s.flush();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    let e = outbox::get(&s.store, id).unwrap();
    assert_eq!(e.state, OutboxState::Failed);
    let why = e.last_error.unwrap();
    assert!(why.starts_with("nobody@"), "{why}");
    assert!(why.contains("550") || why.contains("5."), "{why}");
    // Not retried.
    assert!(s.flush().failed.is_empty());
    assert_eq!(
        audit::list(&s.store, 10).unwrap()[0].action,
        "failed",
        "the failure is journaled"
    );
}

#[test]
fn attachments_over_the_limit_are_refused_before_queueing() {
    let d = Dovecot::start(&["claire", "bob"]);
    let mut set = settings(&d, Security::StartTls);
    set.attachment_limit = 1024 * 1024;
    let s = Sender::with(&d, "claire", set);
    let mut m = draft(&d.user("bob").address);
    m.attachments = vec![Attachment {
        filename: "scanner.dcm".into(),
        content_type: None,
        data: vec![7; 1536 * 1024],
    }];
    let err = send::queue(&s.store, &s.account, &m).unwrap_err();
    assert!(matches!(err, SendError::TooLarge { .. }));
    let text = err.to_string();
    assert!(text.contains("1.5 MB") && text.contains("1.0 MB"), "{text}");
    assert!(outbox::list(&s.store, None).unwrap().is_empty());
}

#[test]
fn replies_carry_the_thread() {
    let d = Dovecot::start(&["claire", "bob"]);
    let s = Sender::new(&d, "claire", Security::StartTls);
    let original = b"From: <bob@test.mssante.fr>\r\nTo: <claire@test.mssante.fr>\r\n\
Subject: Patient X\r\nMessage-ID: <second@test.mssante.fr>\r\n\
References: <first@test.mssante.fr>\r\n\r\nBonjour\r\n";
    let mut m = draft(&d.user("bob").address);
    m.thread_after(original);
    m.options = SendOptions {
        dsn: false,
        mdn: true,
    };
    let (_, message_id) = send::queue(&s.store, &s.account, &m).unwrap();
    s.flush();
    let got = with_message_id(&d.folder_dir("bob", "INBOX"), &message_id);
    let text = String::from_utf8_lossy(&got[0]).into_owned();
    assert_eq!(
        header(&text, "In-Reply-To"),
        Some("<second@test.mssante.fr>")
    );
    assert_eq!(
        header(&text, "References"),
        Some("<first@test.mssante.fr> <second@test.mssante.fr>")
    );
    assert_eq!(
        header(&text, "Disposition-Notification-To"),
        Some(&*format!("<{}>", s.account.address))
    );
}

#[test]
fn an_interrupted_send_is_never_resent_blindly() {
    let d = Dovecot::start(&["claire", "bob"]);
    let s = Sender::new(&d, "claire", Security::StartTls);
    let bob = d.user("bob").address.clone();

    // Interrupted after the journal entry, before the server got the content.
    let (a, a_id) = send::queue(&s.store, &s.account, &draft(&bob)).unwrap();
    outbox::begin_attempt(&s.store, a, 1).unwrap();
    // Interrupted after the server accepted it: the account was a recipient,
    // so its inbox holds the message.
    let mut m = draft(&bob);
    m.cc = vec![s.account.address.clone()];
    let (b, b_id) = send::queue(&s.store, &s.account, &m).unwrap();
    outbox::begin_attempt(&s.store, b, 1).unwrap();
    let raw_b = outbox::raw(&s.store, b).unwrap();
    d.deliver("claire", "INBOX", &raw_b, false);
    d.deliver("bob", "INBOX", &raw_b, false);

    let report = s.flush();
    assert_eq!(report.found_delivered, vec![b]);
    assert_eq!(report.in_doubt, vec![a]);
    assert!(report.sent.is_empty());
    assert_eq!(
        outbox::get(&s.store, a).unwrap().state,
        OutboxState::InDoubt
    );
    assert_eq!(outbox::get(&s.store, b).unwrap().state, OutboxState::Sent);
    assert!(with_message_id(&d.folder_dir("bob", "INBOX"), &a_id).is_empty());
    assert_eq!(
        with_message_id(&d.folder_dir("bob", "INBOX"), &b_id).len(),
        1
    );

    // Flushing again changes nothing until a person decides.
    let again = s.flush();
    assert_eq!(again.in_doubt, vec![a]);
    assert!(again.sent.is_empty());
    assert!(matches!(
        outbox::confirm_delivered(&s.store, b),
        Err(SendError::NotInDoubt(_))
    ));

    // Checked with bob: it never arrived. Released, it is sent once.
    support::run_ok(s.command().args(["outbox", "release", &a.to_string()]));
    assert_eq!(s.flush().sent, vec![a]);
    assert_eq!(
        with_message_id(&d.folder_dir("bob", "INBOX"), &a_id).len(),
        1
    );
    let attempts = outbox::attempts(&s.store, a).unwrap();
    assert_eq!(
        attempts,
        vec![
            (1, Some("in-doubt".to_owned())),
            (2, Some("accepted".to_owned()))
        ]
    );
    let _ = account::list(&s.store).unwrap();
}

#[test]
fn the_send_command_composes_queues_and_sends() {
    let d = Dovecot::start(&["secretariat", "claire", "bob"]);
    let mut set = settings(&d, Security::Tls);
    set.delegations = vec![d.user("claire").address.clone()];
    let s = Sender::with(&d, "secretariat", set);
    let set_nil = s
        .command()
        .args(["outbox", "product-reference", "CADUCEE-TEST-42"])
        .output()
        .unwrap();
    assert!(set_nil.status.success());
    assert_eq!(
        String::from_utf8_lossy(&set_nil.stdout).trim(),
        "CADUCEE-TEST-42"
    );
    let body = s.data_dir().join("body.txt");
    std::fs::write(&body, "Bonjour,\nvoici l'ordonnance.\n").unwrap();
    let attachment = s.data_dir().join("ordonnance.pdf");
    std::fs::write(&attachment, b"%PDF-1.4 ordonnance").unwrap();

    let out = support::run_ok(
        s.command()
            .args([
                "send",
                "--to",
                &d.user("bob").address,
                "--subject",
                "Ordonnance",
            ])
            .arg("--body-file")
            .arg(&body)
            .arg("--attach")
            .arg(&attachment)
            .args([
                "--on-behalf-of",
                &d.user("claire").address,
                "--mdn",
                "--dsn",
                "--json",
            ]),
    );
    let entry: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(entry["state"], "sent");
    let message_id = entry["message_id"].as_str().unwrap();
    let got = with_message_id(&d.folder_dir("bob", "INBOX"), message_id);
    assert_eq!(got.len(), 1);
    let text = String::from_utf8_lossy(&got[0]).into_owned();
    assert_eq!(header(&text, "X-MSS-NIL"), Some("CADUCEE-TEST-42"));
    assert_eq!(
        header(&text, "From"),
        Some(&*format!("<{}>", d.user("claire").address))
    );
    assert!(text.contains("voici l'ordonnance."));
    assert!(text.contains("filename=\"ordonnance.pdf\""));

    let list = s
        .command()
        .args(["outbox", "list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        list[0]["options"]["on_behalf_of"],
        d.user("claire").address.as_str()
    );
    assert_eq!(list[0]["options"]["dsn"], true);
}

#[test]
fn unreachable_or_untrusted_servers_mean_retry_later_with_the_reason() {
    let d = Dovecot::start(&["claire", "bob"]);

    // Nothing listens: retried with backoff, the message stays queued.
    let mut set = settings(&d, Security::Tls);
    set.smtp.port = support::free_port();
    let s = Sender::with(&d, "claire", set);
    let (id, _) = send::queue(&s.store, &s.account, &draft(&d.user("bob").address)).unwrap();
    let before = caducee::store::now();
    let report = s.flush();
    assert_eq!(report.retry_later.len(), 1, "{report:?}");
    let e = outbox::get(&s.store, id).unwrap();
    assert_eq!(e.state, OutboxState::Queued);
    assert_eq!(e.attempts, 1);
    assert!(e.next_attempt_at >= before + 60, "backoff of a minute");
    assert!(e.last_error.unwrap().contains("cannot reach"));
    // Not due yet: the next flush leaves it alone.
    let again = s.flush();
    assert!(again.retry_later.is_empty() && again.sent.is_empty());

    // A server whose certificate is not from IGC-Santé (no extra CA set).
    let mut set = settings(&d, Security::StartTls);
    set.extra_ca = None;
    let s = Sender::with(&d, "claire", set);
    let (id, message_id) =
        send::queue(&s.store, &s.account, &draft(&d.user("bob").address)).unwrap();
    let report = s.flush();
    assert_eq!(report.retry_later.len(), 1);
    let why = outbox::get(&s.store, id).unwrap().last_error.unwrap();
    assert!(why.contains("IGC-Santé"), "{why}");
    assert!(with_message_id(&d.folder_dir("bob", "INBOX"), &message_id).is_empty());
}

#[test]
fn recipients_join_the_address_book_linked_to_the_directory() {
    let d = Dovecot::start(&["claire", "bob", "anne"]);
    let s = Sender::new(&d, "claire", Security::Tls);
    let bob = d.user("bob").address.clone();
    let anne = d.user("anne").address.clone();
    // The offline directory beside the store knows Bob, not Anne.
    let header = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";
    let row = format!(
        "PER|{bob}|8|10000000005|810000000005||||DR|BERNARD|ROBERT|C|Civil|10|Médecin|SM54|Médecine générale|true|CABINET||||1||R|DE PARIS||69003 LYON|69003|69|France"
    );
    let extraction = s.data_dir().join("Extraction_Correspondance_MSSante.txt");
    std::fs::write(&extraction, format!("{header}\n{row}\n")).unwrap();
    support::run_ok(s.command().args(["directory", "import"]).arg(&extraction));
    assert!(
        directory::contacts::contact(&s.store, &bob)
            .unwrap()
            .is_none()
    );

    // The command-line send, to Bob and (in Cc, with her name) Anne.
    support::run_ok(s.command().args([
        "send",
        "--to",
        &bob,
        "--cc",
        &format!("Anne Vidal <{anne}>"),
        "--subject",
        "Avis",
        "--body",
        "Bonjour",
    ]));
    let c = directory::contacts::contact(&s.store, &bob)
        .unwrap()
        .unwrap();
    assert_eq!(c.directory_address.as_deref(), Some(bob.as_str()));
    assert_eq!(c.display_name, "Dr ROBERT BERNARD");
    assert_eq!(c.times_written, 1);
    let a = directory::contacts::contact(&s.store, &anne)
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.display_name.as_str(), a.directory_address),
        ("Anne Vidal", None)
    );
    assert_eq!(message_files(&d.folder_dir("anne", "INBOX")).len(), 1);

    // The library's queue, as the composer uses it: counted again.
    let (id, _) = send::queue(&s.store, &s.account, &draft(&bob)).unwrap();
    assert_eq!(s.flush().sent, vec![id]);
    let c = directory::contacts::contact(&s.store, &bob)
        .unwrap()
        .unwrap();
    assert_eq!(c.times_written, 2);
    // A refused recipient is not learned.
    assert!(send::queue(&s.store, &s.account, &draft("x@gmail.com")).is_err());
    assert!(
        directory::contacts::contact(&s.store, "x@gmail.com")
            .unwrap()
            .is_none()
    );
    // Contacts come first in the composer's suggestions.
    let dir = directory::Directory::open(s.data_dir()).unwrap();
    let found = directory::contacts::suggest(&s.store, &dir, "vidal", 5).unwrap();
    assert_eq!(found[0].address, anne);
}
