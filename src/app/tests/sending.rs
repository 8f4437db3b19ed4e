//! Sending and drafts from the window, against a real Dovecot (submission with
//! STARTTLS relaying to LMTP, IMAP for the Drafts folder) started by the test.

use caducee::account::{self, AuthMethod, Security};
use caducee::send::{OutboxState, outbox};
use caducee::store::{STORE_FILE, Store, StoreKey};

use super::super::test_support::dovecot::{DOMAIN, Dovecot};
use super::super::test_support::settings::{set_whitelist, settings};
use super::*;

impl Harness {
    /// The window over a store with an account for Dovecot user `user`.
    pub(super) fn account(d: &Dovecot, user: &str, delegations: Vec<String>) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::random();
        let store = Store::open(&dir.path().join(STORE_FILE), &key).unwrap();
        set_whitelist(&store, "2026-11-01T00:00:00Z", &[DOMAIN]);
        let u = d.user(user);
        let mut settings = settings(d, Security::StartTls);
        settings.auth = AuthMethod::Password {
            username: u.name.clone(),
        };
        settings.delegations = delegations;
        account::add(&store, user, &u.address, &settings).unwrap();
        let accounts = account::list(&store).unwrap();
        // The store is opened here with its key, not from the keyring.
        let (mut h, _open) = Harness::launch(dir, false);
        h.app.password = Some(u.password.clone());
        h.send(opened(store, key, accounts));
        h
    }

    pub(super) fn store<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        self.app.store.as_ref().unwrap().with_store(f).unwrap()
    }

    fn type_into(&mut self, id: &'static str, value: &str, enter: bool) {
        self.act(|ui| {
            ui.click(Id::new(id)).expect("field");
            ui.typewrite(value);
            if enter {
                ui.tap_key(Named::Enter);
            }
        });
    }
}

/// The messages of a Maildir folder, as text.
fn maildir(d: &Dovecot, user: &str, folder: &str) -> Vec<String> {
    let dir = d.folder_dir(user, folder);
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            for e in entries.flatten() {
                out.push(String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned());
            }
        }
    }
    out
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}: ");
    raw.split("\n\n")
        .next()
        .unwrap()
        .lines()
        .find_map(|l| l.trim_end_matches('\r').strip_prefix(&prefix))
}

#[test]
fn send_goes_through_the_real_submission_server_with_receipts_and_a_draft_first() {
    let d = Dovecot::start(&["claire", "bob"]);
    // The Drafts upload logs in to IMAP with the headless password (the
    // sync module reads it from the environment when there is no keyring).
    // SAFETY: only this test of the binary reads or sets the variable.
    unsafe { std::env::set_var("CADUCEE_PASSWORD", &d.user("claire").password) };
    let mut h = Harness::account(&d, "claire", vec![]);
    let claire = d.user("claire").address.clone();
    let bob = d.user("bob").address.clone();
    h.click("Nouveau message");
    let chosen = h.app.composer.as_ref().unwrap().chosen().cloned().unwrap();
    assert_eq!(chosen.address, claire, "the account is the identity");
    assert_eq!(chosen.on_behalf_of, None);
    h.type_into(composer::Field::To.id(), &bob, true);
    assert!(h.shows(&format!("Autorisé ({DOMAIN})")));
    h.type_into("compose-subject", "Compte rendu de consultation", false);
    h.click("Accusé de lecture");
    h.click("Accusé de remise");
    let c = h.app.composer.as_ref().unwrap();
    assert!(c.dsn && c.mdn);

    // A draft first: in the store, and on the server's Drafts folder.
    h.click("Enregistrer le brouillon");
    assert!(
        h.shows("Brouillon enregistré, ici et sur le serveur."),
        "{:?}\n{}",
        h.app.composer.as_ref().unwrap().notice,
        d.log()
    );
    let drafts = maildir(&d, "claire", "Drafts");
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].contains("Compte rendu de consultation"));
    // Saved again: replaced, not added (here and, after the replay, there).
    h.send(Message::Composer(composer::Message::SaveDraft));
    assert_eq!(maildir(&d, "claire", "Drafts").len(), 1, "{}", d.log());

    h.click("Envoyer");
    assert!(h.app.composer.is_none(), "sent: the composer closes");
    assert!(h.shows("Message envoyé."), "{:?}", h.app.status);
    let got = maildir(&d, "bob", "INBOX");
    assert_eq!(got.len(), 1, "{}", d.log());
    let m = &got[0];
    assert_eq!(header(m, "From"), Some(&*format!("<{claire}>")));
    assert_eq!(
        header(m, "Disposition-Notification-To"),
        Some(&*format!("<{claire}>"))
    );
    assert!(m.contains("Compte rendu de consultation"));
    let entries = h.store(|s| outbox::list(s, None).unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].state, OutboxState::Sent);
    assert!(entries[0].options.send.dsn);
    // The draft is gone from the store; its removal from the server is queued.
    let drafts_here = h.store(|s| {
        s.folders()
            .unwrap()
            .into_iter()
            .filter(|f| f.name == "Drafts")
            .map(|f| f.total)
            .sum::<i64>()
    });
    assert_eq!(drafts_here, 0);
}

#[test]
fn a_message_that_cannot_be_sent_stays_in_the_outbox() {
    let d = Dovecot::start(&["claire", "bob"]);
    let bob = d.user("bob").address.clone();
    let mut h = Harness::account(&d, "claire", vec![]);
    // The submission server cannot be reached (nothing listens there).
    h.app.accounts[0].settings.smtp.port = super::super::test_support::free_port();
    h.click("Nouveau message");
    h.type_into(composer::Field::To.id(), &bob, true);
    h.type_into("compose-subject", "Résultats", false);
    h.click("Envoyer");
    let status = h.app.status.clone().unwrap_or_default();
    assert!(
        status.starts_with("Message gardé dans la boîte d'envoi, pas encore envoyé"),
        "{status}"
    );
    assert!(h.shows(&status));
    let entries = h.store(|s| outbox::list(s, None).unwrap());
    assert_eq!(entries.len(), 1, "never lost");
    assert_eq!(entries[0].state, OutboxState::Queued);
    assert!(
        status.contains("impossible de joindre le serveur SMTP"),
        "{status}"
    );
}

#[test]
fn a_secretary_sends_on_behalf_of_a_professional() {
    let d = Dovecot::start(&["secretariat", "claire", "bob"]);
    let claire = d.user("claire").address.clone();
    let secretariat = d.user("secretariat").address.clone();
    let bob = d.user("bob").address.clone();
    let mut h = Harness::account(&d, "secretariat", vec![claire.clone()]);
    h.click("Nouveau message");
    let c = h.app.composer.as_ref().unwrap();
    assert_eq!(c.identities.len(), 2, "own address and one delegation");
    let choice = composer::IdentityChoice {
        index: 1,
        label: String::new(),
    };
    h.send(Message::Composer(composer::Message::Identity(choice)));
    let c = h.app.composer.as_ref().unwrap();
    assert_eq!(c.chosen().unwrap().on_behalf_of.as_deref(), Some(&*claire));
    assert_eq!(
        c.identities[1].label(Lang::Fr),
        format!("{secretariat} pour le compte de {claire}")
    );
    h.type_into(composer::Field::To.id(), &bob, true);
    h.type_into("compose-subject", "Rendez-vous", false);
    h.click("Envoyer");
    assert!(h.shows("Message envoyé."), "{:?}", h.app.status);
    let got = maildir(&d, "bob", "INBOX");
    assert_eq!(got.len(), 1);
    assert_eq!(header(&got[0], "From"), Some(&*format!("<{claire}>")));
    assert_eq!(
        header(&got[0], "Sender"),
        Some(&*format!("<{secretariat}>"))
    );
}

#[test]
fn demo_drafts_are_saved_autosaved_and_reopened() {
    let mut h = Harness::demo();
    let drafts = |h: &Harness| {
        h.app
            .mailbox
            .folders
            .iter()
            .find(|f| f.name == "Drafts")
            .map_or(0, |f| f.total)
    };
    let before = drafts(&h);
    h.click("Nouveau message");
    h.type_into(composer::Field::To.id(), "dr.martin@ae.mssante.fr", true);
    h.type_into("compose-subject", "Brouillon de test", false);
    h.click("Enregistrer le brouillon");
    assert!(h.shows("Brouillon enregistré."));
    assert_eq!(drafts(&h), before + 1);
    let first = h.app.composer.as_ref().unwrap().draft_id.unwrap();

    // The timer of an older change does nothing; the last one saves.
    h.type_into("compose-subject", " (suite)", false);
    let edits = h.app.composer.as_ref().unwrap().edits;
    h.send(Message::Composer(composer::Message::Autosave(edits - 1)));
    assert_eq!(h.app.composer.as_ref().unwrap().draft_id, Some(first));
    h.send(Message::Composer(composer::Message::Autosave(edits)));
    let second = h.app.composer.as_ref().unwrap().draft_id.unwrap();
    assert_ne!(second, first, "saved again");
    assert_eq!(drafts(&h), before + 1, "replaced, not added");
    // Nothing new: the timer does not save again.
    h.send(Message::Composer(composer::Message::Autosave(edits)));
    assert_eq!(h.app.composer.as_ref().unwrap().draft_id, Some(second));

    // Closed, then opened from the Drafts folder: back in the composer.
    h.click("Fermer");
    assert!(h.app.composer.is_none());
    h.click("Brouillons");
    h.click("Brouillon de test (suite)");
    let c = h
        .app
        .composer
        .as_ref()
        .expect("the draft opens in the composer");
    assert_eq!(c.subject, "Brouillon de test (suite)");
    assert_eq!(c.to.entries[0].raw, "dr.martin@ae.mssante.fr");
    assert!(c.to.entries[0].verdict.is_allowed());
    assert_eq!(c.draft_id, Some(second));
}
