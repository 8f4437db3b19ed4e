//! Headless interface tests: the real `App` driven through iced's simulator
//! (clicks, typing, keys), its store work run synchronously.

use std::collections::VecDeque;
use std::path::Path;

use iced::keyboard::key::Named;
use iced::widget::Id;
use iced_test::Simulator;

use super::composer::tests::MssanteOnly;
use super::*;

mod account_discovery;
mod card_login;
mod live_sync;
mod sending;
mod sign_out;
mod token_login;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gui");

/// Fill the demo store of `data_dir` with the fixture messages.
fn seed(data_dir: &Path) {
    let store = caducee::demo::open(data_dir).expect("demo store");
    let source = caducee::import::Source::detect(Path::new(FIXTURES)).expect("fixtures");
    caducee::import::import(&store, &source, "INBOX", &mut |_| {}).expect("import");
}

/// Messages in the demo INBOX plus the fixtures imported into it.
fn inbox_total() -> usize {
    let demo = caducee::demo::messages()
        .iter()
        .filter(|(folder, _)| *folder == "INBOX")
        .count();
    demo + std::fs::read_dir(FIXTURES).unwrap().count()
}

/// The window's settings for a store in `data_dir`.
fn config(data_dir: &Path, demo: bool) -> Config {
    Config {
        data_dir: data_dir.to_path_buf(),
        demo,
        offset: UtcOffset::UTC,
        started: std::time::Instant::now(),
        downloads: std::env::temp_dir().join("caducee-tests-unused"),
        discover: discovery::Options {
            look_for_card: false,
            ..Default::default()
        },
    }
}

/// The message of a store opened with its key (not from the keyring),
/// holding mail and these accounts.
fn opened(
    store: caducee::store::Store,
    key: caducee::store::StoreKey,
    accounts: Vec<Account>,
) -> Message {
    Message::Opened(Ok(jobs::Opened {
        store: jobs::StoreHandle::new(store, key),
        demo: false,
        has_mail: true,
        ui: None,
        accounts,
        first_page: None,
    }))
}

struct Harness {
    _dir: tempfile::TempDir,
    app: App,
    /// The account form's searches, held until [`Harness::answer`] lets them
    /// answer: the user may act while they run.
    held: Vec<discovery::Work>,
}

impl Harness {
    /// The window started with `--demo` on a seeded demo store, in French.
    fn demo() -> Self {
        let dir = tempfile::tempdir().unwrap();
        seed(dir.path());
        Self::start(dir, true)
    }

    fn start(dir: tempfile::TempDir, demo: bool) -> Self {
        let (mut h, work) = Self::launch(dir, demo);
        h.run(work);
        h
    }

    /// The window over `dir`, in French, with the start-up work it asks for
    /// not run yet (a test may answer it itself).
    fn launch(dir: tempfile::TempDir, demo: bool) -> (Self, Vec<Work>) {
        let (mut app, work) = App::new(config(dir.path(), demo));
        app.settings.language = LangChoice::Fixed(Lang::Fr);
        // No subscription runs here: the card PIN and the sign-in sync once.
        app.live_sync = false;
        let _ = app.apply_settings();
        (
            Harness {
                _dir: dir,
                app,
                held: Vec::new(),
            },
            work,
        )
    }

    /// Run store work to completion, as the background tasks would.
    fn run(&mut self, work: Vec<Work>) {
        let mut queue: VecDeque<Work> = work.into();
        while let Some(w) = queue.pop_front() {
            let message = match w {
                Work::Open { demo } => Message::Opened(jobs::open(&self.app.config.data_dir, demo)),
                Work::AddAccount(new) => {
                    Message::AccountAdded(jobs::add_account(&self.app.config.data_dir, &new))
                }
                Work::Discover(w) => {
                    self.held.push(w);
                    continue;
                }
                Work::Job(job) => {
                    let store = self.app.store.clone().expect("a store is open");
                    Message::Loaded(jobs::run(&store, job))
                }
                Work::SignIn(id, w) => {
                    let run = self.app.signin(id).expect("a token account").runner(w);
                    Message::SignIn(id, run())
                }
                Work::Notify(n) => Message::Live(live::Message::Notified((self.app.notifier)(&n))),
                Work::Card(w) => {
                    let run = self.app.card.as_ref().expect("a card account").runner(w);
                    Message::Card(run())
                }
            };
            let (_, more) = self.app.step(message);
            queue.extend(more);
        }
    }

    /// Let the searches held run to their end (for real), and their
    /// answers reach the window.
    fn answer(&mut self) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for w in std::mem::take(&mut self.held) {
            let m = rt.block_on(discovery::run(w, self.app.config.discover.clone()));
            self.send(Message::Welcome(welcome::Message::Form(m)));
        }
    }

    fn send(&mut self, message: Message) {
        let (_, work) = self.app.step(message);
        self.run(work);
    }

    fn ui(&self) -> Simulator<'_, Message> {
        Simulator::with_size(iced::Settings::default(), (1280.0, 800.0), self.app.view())
    }

    /// Act on the interface, then process what it produced.
    fn act(&mut self, f: impl FnOnce(&mut Simulator<'_, Message>)) -> Vec<Message> {
        let messages: Vec<Message> = {
            let mut ui = self.ui();
            f(&mut ui);
            ui.into_messages().collect()
        };
        for m in messages.clone() {
            self.send(m);
        }
        messages
    }

    fn click(&mut self, label: &str) -> Vec<Message> {
        self.act(|ui| {
            ui.click(label)
                .unwrap_or_else(|e| panic!("cannot click {label:?}: {e}"));
        })
    }

    fn shows(&self, text: &str) -> bool {
        self.ui().find(text).is_ok()
    }
}

#[test]
fn demo_opens_with_badge_folders_and_list() {
    let h = Harness::demo();
    assert!(h.app.demo);
    assert!(h.shows("Démo"), "the demo badge is visible");
    assert!(h.shows("Boîte de réception"));
    assert!(h.shows("Résultats d'analyses — Mme Lefèvre"));
    assert!(h.shows(&format!("{} messages", inbox_total())));
    assert_eq!(h.app.title(), "Caducée — Démo");
}

#[test]
fn selecting_a_message_shows_it_and_marks_it_read() {
    let mut h = Harness::demo();
    let unread_before = h.app.mailbox.folders[0].unread;
    h.click("Demande d'avis — insuffisance rénale");
    let m = h.app.reader.message.as_ref().expect("message open");
    assert!(m.row.flags.seen, "opening marks read");
    assert!(h.shows("Dr Paul Martin <paul.martin@medecin.mssante.fr>"));
    assert!(h.shows("Répondre"));
    assert_eq!(h.app.mailbox.folders[0].unread, unread_before - 1);
}

#[test]
fn html_is_shown_as_text_and_xdm_is_marked() {
    let mut h = Harness::demo();
    h.click("Résultats d'analyses — Mme Lefèvre");
    let body = reader::State::body(h.app.reader.message.as_ref().unwrap());
    assert!(body.contains("créatinine 98"));
    assert!(!body.contains("<b>") && !body.contains("<p>"));
    assert!(
        !body.contains("<script>"),
        "markup never reaches the screen"
    );
    assert!(!h.shows("IHE XDM"));

    // The XDM prefix is hidden, the badge shown.
    assert!(!h.shows("XDM/1.0/DDM+Compte rendu d'hospitalisation — M. Bernard"));
    h.click("Compte rendu d'hospitalisation — M. Bernard");
    assert!(h.shows("IHE XDM"));
    assert!(h.shows("IHE_XDM.ZIP"));
}

#[test]
fn typing_a_search_shows_results() {
    let mut h = Harness::demo();
    let typed = h.act(|ui| {
        ui.click(Id::new(search::SEARCH_ID)).expect("search field");
        ui.typewrite("rénale recevoir");
    });
    assert!(
        typed.iter().any(|m| matches!(m, Message::Search(_))),
        "typing goes to the search"
    );
    assert_eq!(h.app.search.input, "rénale recevoir");
    // The debounce delay runs out.
    h.send(Message::Search(search::Message::Fire(
        h.app.search.generation,
    )));
    assert!(h.shows("1 résultat"));
    assert!(h.shows("Demande d'avis — insuffisance rénale"));
    assert!(!h.shows("Rendez-vous de jeudi"));
    h.click("Effacer");
    assert!(h.shows("Rendez-vous de jeudi"));
}

#[test]
fn a_refused_recipient_disables_send() {
    let mut h = Harness::demo();
    h.app.check = Box::new(MssanteOnly);
    h.click("Nouveau message");
    assert!(h.app.composer.is_some());
    h.act(|ui| {
        ui.click(Id::new(composer::Field::To.id()))
            .expect("To field");
        ui.typewrite("x@gmail.com");
        ui.tap_key(Named::Enter);
    });
    assert!(h.shows("x@gmail.com"));
    assert!(h.shows("Refusé : gmail.com is not in the MSSanté trusted space"));
    assert!(h.shows("Envoi bloqué : un destinataire est refusé ou non vérifié."));
    // Send is disabled: clicking it produces nothing.
    let produced = h.click("Envoyer");
    assert!(produced.is_empty(), "Send must be disabled: {produced:?}");

    // Remove the refused one, add an allowed one: Send works and says the truth.
    h.click("×");
    h.act(|ui| {
        ui.click(Id::new(composer::Field::To.id()))
            .expect("To field");
        ui.typewrite("paul.martin@medecin.mssante.fr");
        ui.tap_key(Named::Enter);
    });
    assert!(h.shows("Autorisé (medecin.mssante.fr)"));
    // No account in the demo: Send says so, and queues nothing.
    assert!(!h.click("Envoyer").is_empty());
    assert!(h.shows("Aucun compte de messagerie n'est configuré : la boîte de démonstration ne peut pas envoyer. Ajoutez un compte depuis l'écran d'accueil. Rien n'a été envoyé ni mis en file d'attente."));
    assert!(!h.app.composer.as_ref().unwrap().sending);
    let queued = h
        .app
        .store
        .as_ref()
        .unwrap()
        .with_store(|s| caducee::send::outbox::list(s, None).unwrap().len());
    assert_eq!(queued, Some(0));
}

#[test]
fn the_demo_composer_checks_the_real_whitelist() {
    let mut h = Harness::demo();
    h.click("Nouveau message");
    h.act(|ui| {
        ui.click(Id::new(composer::Field::To.id()))
            .expect("To field");
        ui.typewrite("dr.martin@ae.mssante.fr");
        ui.tap_key(Named::Enter);
    });
    assert!(h.shows("Autorisé (ae.mssante.fr)"));
    assert!(!h.shows("Non vérifié : la liste blanche MSSanté n'est pas encore chargée"));
    h.act(|ui| {
        ui.click(Id::new(composer::Field::To.id()))
            .expect("To field");
        ui.typewrite("dr.martin@gmail.com");
        ui.tap_key(Named::Enter);
    });
    assert!(
        h.click("Envoyer").is_empty(),
        "Send is disabled with a refused recipient"
    );
}

#[test]
fn switching_language_translates_the_window_and_is_kept() {
    let mut h = Harness::demo();
    h.click("Paramètres");
    h.click("English");
    assert_eq!(h.app.lang, Lang::En);
    h.click("Close");
    assert!(h.shows("Inbox"));
    assert!(h.shows("New message"));
    assert!(h.shows(&format!("{} messages", inbox_total())));
    // Saved in the store: a new window starts in English.
    let dir = std::mem::replace(&mut h._dir, tempfile::tempdir().unwrap());
    drop(h);
    let (app, work) = App::new(config(dir.path(), true));
    let mut h2 = Harness {
        _dir: dir,
        app,
        held: Vec::new(),
    };
    h2.run(work);
    assert_eq!(h2.app.lang, Lang::En);
    assert!(h2.shows("Inbox"));
}

#[test]
fn welcome_offers_the_demo_and_is_honest_about_accounts() {
    let (mut h, _work) = Harness::launch(tempfile::tempdir().unwrap(), false);
    // The user's store cannot be opened (no keyring here).
    h.send(Message::Opened(Err("no keyring".into())));
    assert!(h.shows("Votre boîte aux lettres ne peut pas être ouverte : no keyring"));
    // The account form: address, then the servers (searched for; given by
    // hand here, while the search runs), then the login.
    h.click("Ajouter un compte");
    assert!(h.shows("Ajouter un compte de messagerie"));
    let form = |h: &mut Harness, m| h.send(Message::Welcome(welcome::Message::Form(m)));
    form(
        &mut h,
        account_form::Message::Input(
            account_form::Field::Address,
            "claire.moreau@medecin.mssante.fr".into(),
        ),
    );
    h.click("Suivant");
    assert!(h.shows("Recherche des réglages de medecin.mssante.fr…"));
    assert_eq!(h.held.len(), 1, "the search runs in the background");
    h.click("Saisir à la main");
    assert!(h.shows("imap.medecin.mssante.fr"));
    h.click("Suivant");
    form(
        &mut h,
        account_form::Message::Input(account_form::Field::Password, "secret".into()),
    );
    // Saving opens the user's store: here it cannot be (no keyring, no key),
    // and the form says why, keeping what was typed.
    h.click("Enregistrer");
    let f = h.app.welcome.form.as_ref().expect("the form stays");
    assert!(!f.saving);
    let error = f.error.clone().unwrap();
    assert!(
        error.starts_with("Le compte n'a pas pu être ajouté"),
        "{error}"
    );
    assert!(h.shows(&error));
    h.click("Annuler");
    assert!(h.app.welcome.form.is_none());
    h.click("Ouvrir la démo");
    assert!(h.app.demo);
    assert!(h.shows("Démo"));
    assert!(h.shows("Boîte de réception"));
}

#[test]
fn an_added_account_is_kept_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let key = caducee::store::StoreKey::random();
    let store = caducee::store::Store::open(&dir.path().join("caducee.db"), &key).unwrap();
    let handle = jobs::StoreHandle::new(store, key);
    let mut form = account_form::State::default();
    for (f, v) in [
        (
            account_form::Field::Address,
            "claire.moreau@medecin.mssante.fr",
        ),
        (account_form::Field::Password, "secret"),
    ] {
        let _ = form.update(account_form::Message::Input(f, v.into()), Lang::Fr);
        if f == account_form::Field::Address {
            let _ = form.update(account_form::Message::Next, Lang::Fr);
            let _ = form.update(account_form::Message::ByHand, Lang::Fr);
            let _ = form.update(account_form::Message::Next, Lang::Fr);
        }
    }
    let (_, event) = form.update(account_form::Message::Next, Lang::Fr);
    let Some(account_form::Event::Save(new)) = event else {
        panic!("{event:?}")
    };
    // The password goes to the keyring when there is one (none here, maybe).
    let _warning = jobs::add_to(&handle, &new).unwrap();
    let accounts = handle
        .with_store(|s| caducee::account::list(s).unwrap())
        .unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].address, "claire.moreau@medecin.mssante.fr");
    assert_eq!(accounts[0].settings.imap.host, "imap.medecin.mssante.fr");
    // The same address twice is refused, with the reason.
    // Said in the window's language (set on this thread, as a window does).
    caducee::i18n::set_for_thread(Lang::Fr);
    let again = jobs::add_to(&handle, &new).unwrap_err();
    assert!(again.contains("un compte existe déjà"), "{again}");
}

#[test]
fn the_folder_pane_shows_the_quota_the_sync_read() {
    let dir = tempfile::tempdir().unwrap();
    let key = caducee::store::StoreKey::random();
    let store = caducee::store::Store::open(&dir.path().join("caducee.db"), &key).unwrap();
    let server = |port| caducee::account::Server {
        host: "mail.example.fr".into(),
        port,
        security: caducee::account::Security::Tls,
    };
    let settings = caducee::account::AccountSettings {
        imap: server(993),
        smtp: server(465),
        auth: caducee::account::AuthMethod::Password {
            username: "claire".into(),
        },
        extra_ca: None,
        attachment_limit: caducee::account::DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: Default::default(),
        delegations: vec![],
    };
    let id =
        caducee::account::add(&store, "Claire", "claire@medecin.mssante.fr", &settings).unwrap();
    caducee::sync::state::save_quota(
        store.conn(),
        id,
        &caducee::sync::Quota {
            root: String::new(),
            used_kib: 512 * 1024,
            limit_kib: Some(2 * 1024 * 1024),
            checked_at: 0,
        },
    )
    .unwrap();
    let accounts = caducee::account::list(&store).unwrap();
    let (mut h, _open) = Harness::launch(dir, false);
    h.send(opened(store, key, accounts));
    let q = h.app.quota.clone().expect("quota read at opening");
    let (line, share) = folders::quota_line(&q, Lang::Fr).unwrap();
    assert!((share - 0.25).abs() < 1e-6);
    assert!(line.contains("25 %"), "{line}");
    assert!(h.shows(&line));
}

#[test]
fn keyboard_navigation_and_mark_read() {
    let mut h = Harness::demo();
    h.send(Message::Shortcut(Shortcut::Next));
    let first = h.app.mailbox.selected.expect("first selected");
    h.send(Message::Shortcut(Shortcut::Next));
    let second = h.app.mailbox.selected.unwrap();
    assert_ne!(first, second);
    assert_eq!(h.app.reader.message.as_ref().unwrap().row.id, second);
    assert!(h.app.reader.message.as_ref().unwrap().row.flags.seen);
    h.send(Message::Shortcut(Shortcut::ToggleRead));
    assert!(!h.app.reader.message.as_ref().unwrap().row.flags.seen);
    h.send(Message::Shortcut(Shortcut::Previous));
    assert_eq!(h.app.mailbox.selected, Some(first));
    // Reply fills the composer with the sender, checked.
    h.send(Message::Shortcut(Shortcut::Reply));
    let c = h.app.composer.as_ref().expect("composer");
    assert_eq!(c.to.entries.len(), 1);
    assert!(c.subject.starts_with("Re :"));
    // Delete works on the demo store.
    h.send(Message::Shortcut(Shortcut::Escape));
    let before = h.app.mailbox.folders.iter().map(|f| f.total).sum::<i64>();
    h.send(Message::Shortcut(Shortcut::Delete));
    let after = h.app.mailbox.folders.iter().map(|f| f.total).sum::<i64>();
    assert_eq!(after, before - 1);
}

#[test]
fn directory_lookup_writes_to_a_professional() {
    let mut h = Harness::demo();
    h.click("Annuaire");
    assert!(h.shows("Annuaire non disponible dans cette version."));
    h.send(Message::Shortcut(Shortcut::Escape));
    assert!(h.app.directory_screen.is_none());

    h.app.check = Box::new(MssanteOnly);
    h.app.directory = Box::new(super::composer::tests::TwoDoctors);
    h.click("Annuaire");
    h.act(|ui| {
        ui.click(Id::new(directory::DIRECTORY_ID))
            .expect("directory field");
        ui.typewrite("durand");
    });
    assert!(h.shows("Dr Marie Durand <marie.durand@chu-lyon.mssante.fr>"));
    h.click("Écrire");
    let c = h.app.composer.as_ref().expect("composer open");
    assert_eq!(c.to.entries[0].raw, "marie.durand@chu-lyon.mssante.fr");
    assert!(c.to.entries[0].verdict.is_allowed());
    assert!(h.shows("Autorisé (chu-lyon.mssante.fr)"));
}

#[test]
fn saving_an_attachment_writes_it_under_a_safe_name() {
    let mut h = Harness::demo();
    let downloads = tempfile::tempdir().unwrap();
    h.app.config.downloads = downloads.path().to_path_buf();
    h.click("Compte rendu d'hospitalisation — M. Bernard");
    h.click("Enregistrer");
    let saved = downloads.path().join("IHE_XDM.ZIP");
    assert!(saved.is_file(), "saved in the download folder");
    assert_eq!(&std::fs::read(&saved).unwrap()[..2], b"PK");
    let status = h.app.status.clone().unwrap_or_default();
    assert!(status.starts_with("Pièce jointe enregistrée"), "{status}");
    assert!(h.shows(&status));
}
