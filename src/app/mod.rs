//! The desktop client: an iced window over the core library, three panes
//! (folders, message list, reader or composer), search, settings; French by
//! default, English available.
//!
//! Each screen owns its state, its `Message` and an `update` returning a task
//! and an optional event for this parent. Store work runs in blocking tasks
//! (see [`jobs`]); `update` itself never touches the disk.

mod account_form;
mod account_form_view;
mod attachments;
mod card;
mod composer;
mod directory;
mod discovery;
mod folders;
mod format;
mod frame_stats;
mod i18n;
mod jobs;
mod live;
mod login_chooser;
mod mailbox;
mod outgoing;
mod pin_dialog;
mod reader;
mod recipients;
mod search;
mod settings;
mod shortcuts;
mod theme;
mod token_signin;
mod token_signin_view;
mod welcome;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use iced::widget::{button, column, container, row, rule, text};
use iced::{Element, Fill, FillPortion, Subscription, Task, Theme};
use time::UtcOffset;

use caducee::account::Account;
use caducee::send::OutboxState;
use caducee::store::FolderRole;

use i18n::{Lang, t, t_args, t1};
use jobs::{Job, Loaded, Opened, StoreHandle};
use recipients::{DirectoryLookup, NoDirectory, NoWhitelist, RecipientCheck};
use settings::LangChoice;
use shortcuts::Shortcut;

/// How the window is started (from the command line).
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Open the demo mailbox directly.
    pub demo: bool,
    /// The local time zone (read before any thread starts).
    pub offset: UtcOffset,
    /// When the program started (for the start-up time in the log).
    pub started: std::time::Instant,
    /// Where saved attachments go.
    pub downloads: PathBuf,
    /// Where the account form looks for servers.
    pub discover: discovery::Options,
}

impl Config {
    pub fn new(data_dir: PathBuf, demo: bool) -> Self {
        Self {
            data_dir,
            demo,
            offset: UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC),
            started: std::time::Instant::now(),
            downloads: attachments::download_dir(),
            discover: discovery::Options::default(),
        }
    }
}

/// Why the window could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{}", caducee::i18n::tr("cli-no-display"))]
    NoDisplay,
    #[error(transparent)]
    Window(#[from] iced::Error),
}

/// The core's messages follow the window's language: for the process, or in
/// the interface tests for the test's thread only (tests run side by side in
/// different languages, and run the window's work on their own thread).
fn set_core_lang(lang: Lang) {
    if cfg!(test) {
        caducee::i18n::set_for_thread(lang);
    } else {
        caducee::i18n::set(lang);
    }
}

/// Whether a window can be opened here (the windowing library panics otherwise).
fn display_available() -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Open the window; returns when it is closed.
pub fn run(config: Config) -> Result<(), RunError> {
    if !display_available() {
        return Err(RunError::NoDisplay);
    }
    iced::application(move || App::boot(config.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .scale_factor(App::scale)
        .window_size((1280.0, 800.0))
        .run()?;
    Ok(())
}

#[derive(Debug, Clone)]
pub enum Message {
    Opened(Result<Opened, String>),
    Welcome(welcome::Message),
    Mailbox(mailbox::Message),
    Reader(reader::Message),
    Search(search::Message),
    Composer(composer::Message),
    Settings(settings::Message),
    Directory(directory::Message),
    /// The CPS card: lock state, reader events, the PIN dialog.
    Card(card::Message),
    /// The sign-in of an e-CPS or one-time-code account (by account id).
    SignIn(i64, token_signin::Message),
    OpenSettings,
    OpenDirectory,
    Compose,
    Shortcut(Shortcut),
    Resized(f32),
    WindowOpened,
    FirstFrame,
    /// A frame drawn, when frame times are measured (benchmarks).
    Frame(std::time::Instant),
    Loaded(Loaded),
    /// The live sync of an account (progress, completed syncs, failures).
    Live(live::Message),
    /// An account was added from the welcome screen (and the store opened),
    /// with a warning when its password could not be kept.
    AccountAdded(Result<(Box<Opened>, Option<String>), String>),
}

/// Work for the background: open a store, or a job on the open one.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    Open {
        demo: bool,
    },
    AddAccount(Box<account_form::NewAccount>),
    /// A search of the account form (servers, login methods).
    Discover(discovery::Work),
    Job(Job),
    /// Work on the CPS card (reading it, the PIN login).
    Card(card::Work),
    /// A step of the e-CPS or one-time-code sign-in of an account (by id).
    SignIn(i64, token_signin::Work),
    /// Show a desktop notification (new mail).
    Notify(live::Notice),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Starting,
    Welcome,
    Mail,
}

pub struct App {
    config: Config,
    screen: Screen,
    settings: settings::State,
    settings_open: bool,
    lang: Lang,
    offset: UtcOffset,
    store: Option<StoreHandle>,
    demo: bool,
    welcome: welcome::State,
    mailbox: mailbox::State,
    reader: reader::State,
    search: search::State,
    composer: Option<composer::State>,
    directory_screen: Option<directory::State>,
    status: Option<String>,
    check: Box<dyn RecipientCheck>,
    directory: Box<dyn DirectoryLookup>,
    first_page_logged: bool,
    /// Whether the first view was built (for the start-up time in the log).
    first_view: std::cell::Cell<bool>,
    first_drawn: bool,
    /// Frame times, measured for the benchmarks only.
    frame_stats: Option<frame_stats::FrameStats>,
    /// The mail accounts (none in the demo).
    accounts: Vec<Account>,
    /// The account password, when given instead of the keyring (tests).
    password: Option<String>,
    /// The last quota read by the sync.
    quota: Option<caducee::sync::Quota>,
    /// The CPS card session, when an account logs in with the card.
    card: Option<card::Card>,
    /// The sign-in of each token account (e-CPS, one-time code), each with
    /// its own session.
    signins: Vec<token_signin::SignIn>,
    /// What the sign-in uses instead of the browser and the environment (tests).
    token_hooks: token_signin::Hooks,
    /// Whether each ready account is watched live (the subscription); else
    /// the card PIN and the token sign-in sync once (interface tests, which
    /// run no subscription unless they drive one).
    live_sync: bool,
    /// The sync under way of each account, for the status bar.
    syncing: std::collections::BTreeMap<String, caducee::sync::Progress>,
    /// What shows new-mail notifications.
    notifier: live::Notifier,
}

impl App {
    pub fn new(config: Config) -> (Self, Vec<Work>) {
        let lang = Lang::from_system();
        set_core_lang(lang);
        let demo = config.demo;
        let offset = config.offset;
        let app = App {
            config,
            screen: Screen::Starting,
            settings: settings::State::default(),
            settings_open: false,
            lang,
            offset,
            store: None,
            demo: false,
            welcome: welcome::State::default(),
            mailbox: mailbox::State::default(),
            reader: reader::State::default(),
            search: search::State::default(),
            composer: None,
            directory_screen: None,
            status: None,
            check: Box::new(no_whitelist(lang)),
            directory: Box::new(NoDirectory),
            first_page_logged: false,
            first_view: std::cell::Cell::new(false),
            first_drawn: false,
            frame_stats: frame_stats::FrameStats::from_env(),
            accounts: Vec::new(),
            password: None,
            quota: None,
            card: None,
            signins: Vec::new(),
            token_hooks: token_signin::Hooks::default(),
            live_sync: true,
            syncing: Default::default(),
            notifier: std::sync::Arc::new(live::desktop),
        };
        (app, vec![Work::Open { demo }])
    }

    fn boot(config: Config) -> (Self, Task<Message>) {
        let (app, work) = Self::new(config);
        let task = app.spawn(work);
        (app, task)
    }

    fn spawn(&self, work: Vec<Work>) -> Task<Message> {
        Task::batch(work.into_iter().map(|w| match w {
            Work::Open { demo } => {
                let dir = self.config.data_dir.clone();
                Task::perform(
                    blocking(move || jobs::open(&dir, demo)),
                    |r: Result<Result<Opened, String>, String>| Message::Opened(r.and_then(|x| x)),
                )
            }
            Work::AddAccount(new) => {
                let dir = self.config.data_dir.clone();
                Task::perform(blocking(move || jobs::add_account(&dir, &new)), |r| {
                    Message::AccountAdded(r.and_then(|x| x))
                })
            }
            Work::Discover(w) => {
                Task::perform(discovery::run(w, self.config.discover.clone()), |m| {
                    Message::Welcome(welcome::Message::Form(m))
                })
            }
            Work::Card(w) => match &self.card {
                Some(card) => Task::perform(blocking(card.runner(w)), |r| {
                    Message::Card(
                        r.unwrap_or_else(|e| card::Message::Unlocked(Err(card::Refusal::Other(e)))),
                    )
                }),
                None => Task::none(),
            },
            Work::SignIn(id, w) => match self.signin(id) {
                Some(s) => Task::perform(blocking(s.runner(w)), move |r| {
                    Message::SignIn(id, r.unwrap_or_else(token_signin::Message::Failed))
                }),
                None => Task::none(),
            },
            Work::Notify(notice) => {
                let notifier = self.notifier.clone();
                Task::perform(blocking(move || notifier(&notice)), |r| {
                    Message::Live(live::Message::Notified(r.and_then(|x| x)))
                })
            }
            Work::Job(job) => match &self.store {
                Some(store) => {
                    let store = store.clone();
                    Task::perform(blocking(move || jobs::run(&store, job)), |r| match r {
                        Ok(loaded) => Message::Loaded(loaded),
                        Err(e) => Message::Opened(Err(e)),
                    })
                }
                None => Task::none(),
            },
        }))
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let (task, work) = self.step(message);
        Task::batch([task, self.spawn(work)])
    }

    /// The state change of a message: a task for the interface, and the store
    /// work to run in the background.
    pub fn step(&mut self, message: Message) -> (Task<Message>, Vec<Work>) {
        let lang = self.lang;
        let mut work = Vec::new();
        let task = match message {
            Message::Opened(result) => {
                self.opened(result, &mut work);
                Task::none()
            }
            Message::Welcome(m) => {
                let (task, event) = self.welcome.update(m, lang);
                match event {
                    Some(welcome::Event::OpenDemo) => work.push(Work::Open { demo: true }),
                    Some(welcome::Event::AddAccount(mut a)) => {
                        // The CA the servers were searched with, kept to reach them.
                        if a.settings.extra_ca.is_none() {
                            a.settings.extra_ca = self.config.discover.extra_ca.clone();
                        }
                        work.push(Work::AddAccount(a))
                    }
                    Some(welcome::Event::Discover(w)) => work.push(Work::Discover(w)),
                    None => {}
                }
                task.map(Message::Welcome)
            }
            Message::AccountAdded(result) => {
                match result {
                    Ok((opened, warning)) => {
                        self.welcome.form = None;
                        self.opened(Ok(*opened), &mut work);
                        self.status =
                            warning.map(|w| t1(lang, "account-password-not-kept", "reason", w));
                        // An e-CPS account just added (the newest): its
                        // sign-in starts now.
                        if let Some(s) = self
                            .signins
                            .iter_mut()
                            .max_by_key(|s| s.account.id)
                            .filter(|s| s.is_psc() && !s.signed_in())
                        {
                            // Not from a refresh token: this account has none yet.
                            let id = s.account.id;
                            work.retain(|w| !matches!(w, Work::SignIn(i, _) if *i == id));
                            let _ = s.update(token_signin::Message::Cancel);
                            if let Some(token_signin::Event::Run(w)) =
                                s.update(token_signin::Message::StartPsc)
                            {
                                work.push(Work::SignIn(id, w));
                            }
                        }
                    }
                    Err(e) => {
                        let (task, _) = self.welcome.update(welcome::Message::Failed(e), lang);
                        return (task.map(Message::Welcome), work);
                    }
                }
                Task::none()
            }
            Message::Mailbox(m) => {
                let (task, event) = self.mailbox.update(m);
                match event {
                    Some(mailbox::Event::Jobs(jobs)) => {
                        work.extend(jobs.into_iter().map(Work::Job))
                    }
                    Some(mailbox::Event::Open(id)) => self.open_message(id, &mut work),
                    None => {}
                }
                task.map(Message::Mailbox)
            }
            Message::Reader(m) => {
                let (task, event) = self.reader.update(m);
                match event {
                    Some(reader::Event::Save {
                        id,
                        part_index,
                        filename,
                    }) => work.push(Work::Job(Job::SaveAttachment {
                        id,
                        part_index,
                        filename,
                        dir: self.config.downloads.clone(),
                    })),
                    Some(reader::Event::Reply { all }) => return (self.reply(all), work),
                    Some(reader::Event::ToggleRead) => self.toggle_read(&mut work),
                    Some(reader::Event::Delete(id)) => self.delete(id, &mut work),
                    None => {}
                }
                task.map(Message::Reader)
            }
            Message::Search(m) => {
                let (task, event) = self.search.update(m);
                match event {
                    Some(search::Event::Run { query, generation }) => {
                        work.push(Work::Job(Job::Search { query, generation }))
                    }
                    Some(search::Event::Cleared) => {
                        let jobs = self.mailbox.set_search(None);
                        work.extend(jobs.into_iter().map(Work::Job));
                    }
                    None => {}
                }
                task.map(Message::Search)
            }
            Message::Composer(m) => {
                let Some(composer) = &mut self.composer else {
                    return (Task::none(), work);
                };
                let (task, event) =
                    composer.update(m, self.check.as_ref(), self.directory.as_ref());
                if let Some(event) = event {
                    self.composer_event(event, &mut work);
                }
                task.map(Message::Composer)
            }
            Message::Settings(m) => {
                let (task, event) = self.settings.update(m);
                match event {
                    Some(settings::Event::Changed) => {
                        work.extend(self.apply_settings());
                        work.extend(self.save_settings());
                    }
                    Some(settings::Event::Closed) => self.settings_open = false,
                    Some(settings::Event::SignOut(id)) => self.ask_sign_out(id, &mut work),
                    Some(settings::Event::SignOutConfirmed(id)) => self.sign_out(id, &mut work),
                    Some(settings::Event::SignIn(id)) => {
                        if let Some(s) = self.signins.iter_mut().find(|s| s.account.id == id) {
                            let _ = s.update(token_signin::Message::Show);
                            self.settings_open = false;
                        }
                    }
                    None => {}
                }
                task.map(Message::Settings)
            }
            Message::Directory(m) => {
                let Some(screen) = &mut self.directory_screen else {
                    return (Task::none(), work);
                };
                let (task, event) = screen.update(m, self.directory.as_ref());
                match event {
                    Some(directory::Event::Write(address)) => {
                        self.directory_screen = None;
                        let mut c = self.new_composer();
                        c.to.input = address;
                        let _ = c.update(
                            composer::Message::Commit(composer::Field::To),
                            self.check.as_ref(),
                            self.directory.as_ref(),
                        );
                        self.composer = Some(c);
                        return (iced::widget::operation::focus("compose-subject"), work);
                    }
                    Some(directory::Event::Closed) => self.directory_screen = None,
                    None => {}
                }
                task.map(Message::Directory)
            }
            Message::Card(m) => {
                let Some(card) = &mut self.card else {
                    return (Task::none(), work);
                };
                let read = matches!(m, card::Message::Read(_));
                let (task, event) = card.update(m);
                // A new dialog, a PIN refused, the card read: the PIN field
                // is ready to type in.
                let focus = if card.dialog.is_some()
                    && (read
                        || event == Some(card::Event::Run(card::Work::Read))
                        || event == Some(card::Event::Locked)
                        || event == Some(card::Event::SignedOut))
                {
                    iced::widget::operation::focus(pin_dialog::PIN_ID)
                } else {
                    Task::none()
                };
                match event {
                    Some(card::Event::Run(w)) => work.push(Work::Card(w)),
                    Some(card::Event::Unlocked) => {
                        self.status = Some(t(lang, "card-unlocked"));
                        let accounts = card.accounts.clone();
                        work.push(self.resume(accounts));
                    }
                    Some(card::Event::Locked) => {
                        self.status = Some(t(lang, "card-locked"));
                        // The card accounts' syncs under way were cut.
                        for a in &card.accounts {
                            self.syncing.remove(&a.address);
                        }
                        if card.dialog.is_some() {
                            work.push(Work::Card(card::Work::Read));
                        }
                    }
                    Some(card::Event::SignedOut) => {
                        self.status = Some(t(lang, "card-signed-out"));
                        work.push(Work::Card(card::Work::Read));
                    }
                    None => {}
                }
                return (Task::batch([task.map(Message::Card), focus]), work);
            }
            Message::SignIn(id, m) => {
                let Some(signin) = self.signins.iter_mut().find(|s| s.account.id == id) else {
                    return (Task::none(), work);
                };
                let code_sent = matches!(m, token_signin::Message::Challenged(_, Ok(_)));
                match signin.update(m) {
                    Some(token_signin::Event::Run(w)) => work.push(Work::SignIn(id, w)),
                    Some(token_signin::Event::SignedOut(result)) => {
                        self.status = Some(match result {
                            Ok(done) => done.text(lang, &signin.account.address),
                            Err(e) => t1(lang, "signout-failed", "reason", e),
                        });
                    }
                    Some(token_signin::Event::SignedIn) => {
                        self.status = Some(match &signin.national_id {
                            Some(id) => t1(lang, "ecps-signed-in", "id", id),
                            None if signin.resumed => t(lang, "ecps-resumed"),
                            None => t(lang, "otp-signed-in"),
                        });
                        let account = signin.account.clone();
                        work.push(self.resume(vec![account]));
                    }
                    None => {}
                }
                if code_sent {
                    return (iced::widget::operation::focus(token_signin::CODE_ID), work);
                }
                Task::none()
            }
            Message::OpenDirectory => {
                if self.locked() {
                    return (Task::none(), work);
                }
                self.settings_open = false;
                self.directory_screen = Some(directory::State::default());
                iced::widget::operation::focus(directory::DIRECTORY_ID)
            }
            Message::OpenSettings => {
                self.settings_open = !self.settings_open;
                Task::none()
            }
            Message::Compose => self.compose(),
            Message::Shortcut(s) => return self.shortcut(s),
            Message::Resized(height) => {
                // The list gets the window minus the bars (an estimate until it scrolls).
                let jobs = self
                    .mailbox
                    .set_viewport_height((height - 120.0).max(100.0));
                work.extend(jobs.into_iter().map(Work::Job));
                Task::none()
            }
            Message::Loaded(loaded) => {
                self.loaded(loaded, &mut work);
                Task::none()
            }
            Message::Live(m) => {
                self.live(m, &mut work);
                Task::none()
            }
            Message::FirstFrame => {
                if !self.first_drawn {
                    self.first_drawn = true;
                    tracing::info!(
                        elapsed_ms = self.config.started.elapsed().as_millis() as u64,
                        "first frame drawn"
                    );
                }
                Task::none()
            }
            Message::Frame(at) => {
                if let Some(summary) = self.frame_stats.as_mut().and_then(|f| f.frame(at)) {
                    frame_stats::log(&summary);
                }
                Task::none()
            }
            Message::WindowOpened => {
                tracing::info!(
                    elapsed_ms = self.config.started.elapsed().as_millis() as u64,
                    "window open"
                );
                Task::none()
            }
        };
        let _ = lang;
        (task, work)
    }

    fn opened(&mut self, result: Result<Opened, String>, work: &mut Vec<Work>) {
        match result {
            Ok(o) if o.has_mail || o.demo => {
                self.accounts = o.accounts.clone();
                // A card account: locked until the card is in and the PIN given.
                self.card = card::Card::for_accounts(&self.accounts);
                // Each token account: covered until it is signed in (or
                // put off for later).
                self.signins =
                    token_signin::SignIn::for_accounts(&self.accounts, self.token_hooks.clone());
                // e-CPS: first from the refresh token kept, if any.
                for s in &mut self.signins {
                    if !s.signed_in()
                        && let Some(token_signin::Event::Run(w)) =
                            s.update(token_signin::Message::Resume)
                    {
                        work.push(Work::SignIn(s.account.id, w));
                    }
                }
                if let Some(ui) = &o.ui {
                    self.settings = settings::State {
                        language: LangChoice::parse(&ui.language),
                        dark: ui.dark,
                        scale: ui.scale,
                        notify: ui.notify,
                        confirm: None,
                    };
                    self.lang = self.settings.language.resolve();
                    set_core_lang(self.lang);
                }
                self.store = Some(o.store);
                // The folder counts first; the whitelist and the directory
                // load in the background (on a connection of their own).
                work.push(Work::Job(Job::Folders));
                work.push(self.wire(true));
                if !o.demo {
                    work.push(Work::Job(Job::Quota));
                }
                self.demo = o.demo;
                self.screen = Screen::Mail;
                self.mailbox = mailbox::State::default();
                self.reader = reader::State::default();
                if let Some((folder, rows)) = o.first_page {
                    self.log_first_page(rows.len());
                    self.mailbox.preload(folder, rows);
                }
            }
            Ok(_) => {
                self.welcome.reason = None;
                self.screen = Screen::Welcome;
            }
            Err(e) => {
                if self.store.is_some() {
                    self.status = Some(t1(self.lang, "error-generic", "reason", e));
                } else {
                    tracing::warn!(error = %e, "the mailbox cannot be opened");
                    self.welcome.reason = Some(e);
                    self.screen = Screen::Welcome;
                }
            }
        }
    }

    fn loaded(&mut self, loaded: Loaded, work: &mut Vec<Work>) {
        let lang = self.lang;
        let fail = |e: String| Some(t1(lang, "error-generic", "reason", e));
        match loaded {
            Loaded::Folders(Ok(folders)) => {
                let jobs = self.mailbox.set_folders(folders);
                work.extend(jobs.into_iter().map(Work::Job));
            }
            Loaded::Page {
                folder,
                page,
                generation,
                rows: Ok(rows),
            } => {
                self.log_first_page(rows.len());
                let jobs = self.mailbox.page_loaded(folder, page, generation, rows);
                work.extend(jobs.into_iter().map(Work::Job));
                if let Some(id) = self.mailbox.take_reached() {
                    self.open_message(id, work);
                }
            }
            Loaded::ThreadCount {
                folder,
                generation,
                count: Ok(count),
            } => {
                let jobs = self
                    .mailbox
                    .thread_count(folder, generation, count as usize);
                work.extend(jobs.into_iter().map(Work::Job));
            }
            Loaded::Threads {
                folder,
                page,
                generation,
                heads: Ok(heads),
            } => {
                let jobs = self.mailbox.threads_loaded(folder, page, generation, heads);
                work.extend(jobs.into_iter().map(Work::Job));
                if let Some(id) = self.mailbox.take_reached() {
                    self.open_message(id, work);
                }
            }
            Loaded::Thread {
                index,
                key,
                generation,
                rows: Ok(rows),
            } => self.mailbox.thread_loaded(index, &key, generation, rows),
            Loaded::ThreadCount { count: Err(e), .. }
            | Loaded::Threads { heads: Err(e), .. }
            | Loaded::Thread { rows: Err(e), .. } => self.status = fail(e),
            Loaded::Message(result) => {
                self.reader.loading = false;
                match *result {
                    Ok(m) => {
                        let unseen = !m.row.flags.seen;
                        let draft = m.row.flags.draft
                            || self.mailbox.folders.iter().any(|f| {
                                f.id == m.row.folder_id && f.role == Some(FolderRole::Drafts)
                            });
                        if draft && self.mailbox.selected == Some(m.row.id) {
                            work.push(Work::Job(Job::OpenDraft(m.row.id)));
                        }
                        if self.mailbox.selected == Some(m.row.id) {
                            self.reader.message = Some(m);
                            if unseen {
                                self.toggle_read(work);
                            }
                        }
                    }
                    Err(e) => self.status = fail(e),
                }
            }
            Loaded::Search { generation, rows } => {
                if self.search.is_current(generation) {
                    match rows {
                        Ok(rows) => {
                            let jobs = self.mailbox.set_search(Some(rows));
                            work.extend(jobs.into_iter().map(Work::Job));
                        }
                        Err(e) => self.search.error = Some(e),
                    }
                }
            }
            Loaded::FlagsSet(Ok(())) => work.push(Work::Job(Job::Folders)),
            Loaded::Deleted(Ok(id)) => {
                self.mailbox.removed(id);
                if self.reader.message.as_ref().is_some_and(|m| m.row.id == id) {
                    self.reader.message = None;
                }
                self.status = Some(t(lang, "reader-deleted"));
                work.push(Work::Job(Job::Folders));
            }
            Loaded::Saved(Ok(path)) => {
                self.status = Some(t1(lang, "reader-saved", "path", path.display()));
            }
            Loaded::Saved(Err(e)) => {
                self.status = Some(t1(lang, "reader-save-failed", "reason", e));
            }
            Loaded::SettingSaved(result) => {
                if let Err(e) = result {
                    self.status = fail(e);
                }
            }
            Loaded::Sent(result) => self.sent(result, work),
            Loaded::DraftSaved { autosave, result } => {
                if let Some(c) = &mut self.composer {
                    c.saved(lang, result.map(|d| (d.id, d.uploaded)));
                } else if let Err(e) = result {
                    self.status = Some(t1(lang, "compose-draft-failed", "reason", e));
                }
                if !autosave || self.mailbox.current.is_some() {
                    work.push(Work::Job(Job::Folders));
                }
            }
            Loaded::Draft(result) => match *result {
                Ok(out) => {
                    self.composer = Some(composer::State::from_draft(
                        out,
                        composer::Identity::all(&self.accounts),
                        self.check.as_ref(),
                    ));
                }
                Err(e) => self.status = fail(e),
            },
            Loaded::Wired(wired) => {
                if let Some((check, directory)) = wired.take() {
                    self.check = check;
                    if let Some(d) = directory {
                        self.directory = d;
                    }
                    // Recipients typed before the list was there are checked now.
                    if let Some(c) = &mut self.composer {
                        c.recheck(self.check.as_ref());
                    }
                }
            }
            Loaded::Resumed(result) => {
                self.status = Some(match result {
                    Ok(r) if r.errors.is_empty() => t_args(
                        lang,
                        "card-resumed",
                        &[
                            ("received", (r.new_messages as i64).into()),
                            ("sent", (r.sent as i64).into()),
                        ],
                    ),
                    Ok(r) => t1(lang, "card-resume-failed", "reason", r.errors.join("; ")),
                    Err(e) => t1(lang, "card-resume-failed", "reason", e),
                });
                work.push(Work::Job(Job::Folders));
            }
            Loaded::Flushed(result) => match result {
                Ok(r) if r.errors.is_empty() && r.sent == 0 => {}
                Ok(r) if r.errors.is_empty() => {
                    self.status = Some(t_args(
                        lang,
                        "outbox-flushed",
                        &[("sent", (r.sent as i64).into())],
                    ));
                    work.push(Work::Job(Job::Folders));
                }
                Ok(r) => {
                    self.status = Some(t1(
                        lang,
                        "card-resume-failed",
                        "reason",
                        r.errors.join("; "),
                    ))
                }
                Err(e) => self.status = Some(t1(lang, "card-resume-failed", "reason", e)),
            },
            Loaded::Unsent { account, count } => match count {
                Ok(0) => self.sign_out(account, work),
                Ok(unsent) => {
                    self.settings.confirm = Some(settings::Confirm { account, unsent });
                }
                Err(e) => self.status = fail(e),
            },
            Loaded::Quota(Ok(q)) => self.quota = q,
            Loaded::Quota(Err(e)) => tracing::warn!(error = %e, "quota not read"),
            Loaded::Folders(Err(e))
            | Loaded::Page { rows: Err(e), .. }
            | Loaded::FlagsSet(Err(e))
            | Loaded::Deleted(Err(e)) => self.status = fail(e),
        }
    }

    fn log_first_page(&mut self, rows: usize) {
        if !self.first_page_logged {
            self.first_page_logged = true;
            tracing::info!(
                elapsed_ms = self.config.started.elapsed().as_millis() as u64,
                rows,
                "first page of the message list ready"
            );
        }
    }

    fn open_message(&mut self, id: i64, work: &mut Vec<Work>) {
        self.mailbox.selected = Some(id);
        self.reader.loading = true;
        self.composer = None;
        work.push(Work::Job(Job::Message(id)));
    }

    fn toggle_read(&mut self, work: &mut Vec<Work>) {
        let Some(m) = &mut self.reader.message else {
            return;
        };
        m.row.flags.seen = !m.row.flags.seen;
        let (id, flags) = (m.row.id, m.row.flags);
        if let Some(row) = self.mailbox.row_mut(id) {
            row.flags = flags;
        }
        work.push(Work::Job(Job::SetFlags { id, flags }));
    }

    fn delete(&mut self, id: i64, work: &mut Vec<Work>) {
        if self.demo {
            work.push(Work::Job(Job::Delete(id)));
        } else {
            self.status = Some(t(self.lang, "reader-delete-unavailable"));
        }
    }

    /// After the card PIN or a token sign-in: send the outbox, and sync
    /// once unless the live sync does.
    fn resume(&self, accounts: Vec<Account>) -> Work {
        Work::Job(if self.live_sync {
            Job::Flush(accounts)
        } else {
            Job::Resume(accounts)
        })
    }

    /// The accounts to watch live, each with what it waits on: password and
    /// certificate-file accounts always, card accounts under the card lock
    /// (the watch waits while it is locked), token accounts while their
    /// session is live. None in the demo, nor before the store is open.
    fn live_keys(&self) -> Vec<live::Key> {
        let Some(store) = self.store.as_ref().filter(|_| self.live_sync && !self.demo) else {
            return Vec::new();
        };
        if self.screen != Screen::Mail {
            return Vec::new();
        }
        self.accounts
            .iter()
            .filter_map(|a| {
                let key = |lock, generation| live::Key {
                    account: a.clone(),
                    store: store.clone(),
                    lock,
                    generation,
                    lang: self.lang,
                };
                if let Some(card) = self
                    .card
                    .as_ref()
                    .filter(|c| c.accounts.iter().any(|x| x.id == a.id))
                {
                    return Some(key(Some(card.lock.clone()), 0));
                }
                match self.signin(a.id) {
                    Some(s) if s.signed_in() && s.session.is_some() => {
                        Some(key(None, s.generation))
                    }
                    Some(_) => None,
                    None => Some(key(None, 0)),
                }
            })
            .collect()
    }

    /// What the live sync reports.
    fn live(&mut self, m: live::Message, work: &mut Vec<Work>) {
        let lang = self.lang;
        match m {
            live::Message::Progress(p) => {
                if p.phase == caducee::sync::Phase::Done {
                    self.syncing.remove(&p.account);
                } else {
                    self.syncing.insert(p.account.clone(), p);
                }
            }
            live::Message::Synced {
                account,
                report,
                new,
            } => {
                self.syncing.remove(&account);
                // Back after a failure: the notice is old news.
                if self
                    .status
                    .as_ref()
                    .is_some_and(|s| s.starts_with(&live::failure_line(&account, "", lang)))
                {
                    self.status = None;
                }
                if live::changed(&report) {
                    work.push(Work::Job(Job::Folders));
                    work.push(Work::Job(Job::Quota));
                    work.extend(self.mailbox.refresh().into_iter().map(Work::Job));
                }
                if let Some(new) = new {
                    let notice = live::Notice::new_mail(&new, lang);
                    self.status = Some(format!("{} — {}", notice.summary, notice.body));
                    if self.settings.notify {
                        work.push(Work::Notify(notice));
                    }
                }
            }
            live::Message::Failed { account, reason } => {
                self.syncing.remove(&account);
                self.status = Some(live::failure_line(&account, &reason, lang));
            }
            live::Message::Notified(Ok(())) => {}
            live::Message::Notified(Err(e)) => {
                tracing::warn!(error = %e, "the desktop notification was not shown")
            }
        }
    }

    /// The status bar: the sync under way, else the last notice, else the
    /// keyboard hint.
    fn status_line(&self) -> String {
        if let Some(line) = live::progress_lines(&self.syncing, self.lang) {
            return line;
        }
        self.status
            .clone()
            .unwrap_or_else(|| t(self.lang, "shortcuts-hint"))
    }

    /// Whether the card session is locked: the mailbox is not shown.
    fn locked(&self) -> bool {
        self.screen == Screen::Mail
            && (self.card.as_ref().is_some_and(|c| !c.is_unlocked())
                || self.pending_signin().is_some())
    }

    /// The sign-in of a token account, by id.
    fn signin(&self, id: i64) -> Option<&token_signin::SignIn> {
        self.signins.iter().find(|s| s.account.id == id)
    }

    /// The first token account still to sign in (and not put off): its
    /// screen covers the mailbox.
    fn pending_signin(&self) -> Option<&token_signin::SignIn> {
        self.signins.iter().find(|s| s.pending())
    }

    /// The accounts as the settings list them.
    fn account_rows(&self) -> Vec<settings::AccountRow> {
        use settings::AccountStatus;
        self.accounts
            .iter()
            .map(|a| {
                let card = self
                    .card
                    .as_ref()
                    .filter(|c| c.accounts.iter().any(|x| x.id == a.id));
                let status = match (card, self.signin(a.id)) {
                    (Some(c), _) if c.is_unlocked() => AccountStatus::CardUnlocked,
                    (Some(_), _) => AccountStatus::CardLocked,
                    (None, Some(s)) if s.signed_in() => AccountStatus::SignedIn,
                    (None, Some(_)) => AccountStatus::SignedOut,
                    (None, None) => AccountStatus::Other,
                };
                settings::AccountRow {
                    id: a.id,
                    address: a.address.clone(),
                    status,
                }
            })
            .collect()
    }

    /// Sign an account out: first look whether mail waits in its outbox (the
    /// card's: in the outbox of every card account).
    fn ask_sign_out(&mut self, id: i64, work: &mut Vec<Work>) {
        let accounts = match &self.card {
            Some(c) if c.accounts.iter().any(|a| a.id == id) => {
                c.accounts.iter().map(|a| a.id).collect()
            }
            _ => vec![id],
        };
        work.push(Work::Job(Job::Unsent {
            account: id,
            accounts,
        }));
    }

    /// Sign an account out now: a token account's session ends and its
    /// sign-in comes back; a card account locks (every card account: one
    /// card) and the PIN is asked again. The outbox and the store stay.
    fn sign_out(&mut self, id: i64, work: &mut Vec<Work>) {
        self.settings.confirm = None;
        self.settings_open = false;
        if let Some(card) = self
            .card
            .as_mut()
            .filter(|c| c.accounts.iter().any(|a| a.id == id))
        {
            card.signing_out = true;
            work.push(Work::Card(card::Work::SignOut));
            return;
        }
        if let Some(s) = self.signins.iter_mut().find(|s| s.account.id == id)
            && let Some(token_signin::Event::Run(w)) = s.update(token_signin::Message::SignOut)
        {
            work.push(Work::SignIn(id, w));
        }
    }

    fn compose(&mut self) -> Task<Message> {
        if self.screen != Screen::Mail || self.locked() {
            return Task::none();
        }
        self.composer = Some(self.new_composer());
        self.settings_open = false;
        iced::widget::operation::focus(composer::Field::To.id())
    }

    fn reply(&mut self, all: bool) -> Task<Message> {
        let Some(m) = &self.reader.message else {
            return Task::none();
        };
        let mut to = vec![m.row.from_addr.clone()];
        let mut cc = Vec::new();
        if all {
            let split = |s: &str| -> Vec<String> {
                s.split(',')
                    .map(|a| {
                        let a = a.trim();
                        match (a.rfind('<'), a.rfind('>')) {
                            (Some(i), Some(j)) if i < j => a[i + 1..j].to_owned(),
                            _ => a.to_owned(),
                        }
                    })
                    .filter(|a| !a.is_empty())
                    .collect()
            };
            to.extend(split(&m.to));
            cc = split(&m.cc);
        }
        let subject = caducee::mime::display_subject(&m.row.subject).to_owned();
        let body = reader::State::body(m);
        let mut c =
            composer::State::reply(&to, &cc, &subject, &body, self.lang, self.check.as_ref())
                .with_identities(composer::Identity::all(&self.accounts));
        c.in_reply_to = m.message_id.clone();
        self.composer = Some(c);
        self.settings_open = false;
        iced::widget::operation::focus("compose-subject")
    }

    fn new_composer(&self) -> composer::State {
        composer::State::default().with_identities(composer::Identity::all(&self.accounts))
    }

    /// What the composer asks for: sending and saving run in the background.
    fn composer_event(&mut self, event: composer::Event, work: &mut Vec<Work>) {
        let lang = self.lang;
        match event {
            composer::Event::Closed => self.composer = None,
            composer::Event::Send(outgoing) => {
                let account = outgoing
                    .account_id
                    .and_then(|id| self.accounts.iter().find(|a| a.id == id));
                match account {
                    Some(a) => {
                        self.status = Some(t(lang, "compose-sending"));
                        work.push(Work::Job(Job::Send {
                            account: Box::new(a.clone()),
                            outgoing,
                            password: self.password.clone(),
                        }));
                    }
                    None => {
                        // The demo, or no account yet: say so, queue nothing.
                        if let Some(c) = &mut self.composer {
                            c.sending = false;
                            c.notice = Some(composer::Notice {
                                text: t(lang, "compose-send-no-account"),
                                error: true,
                            });
                        }
                    }
                }
            }
            composer::Event::SaveDraft { outgoing, autosave } => {
                let account = outgoing
                    .account_id
                    .and_then(|id| self.accounts.iter().find(|a| a.id == id))
                    .map(|a| Box::new(a.clone()));
                work.push(Work::Job(Job::SaveDraft {
                    account,
                    outgoing,
                    autosave,
                }));
            }
        }
    }

    /// The answer to a send.
    fn sent(&mut self, result: Result<outgoing::SendOutcome, String>, work: &mut Vec<Work>) {
        let lang = self.lang;
        match result {
            Err(e) => {
                // Nothing was queued: the message stays in the composer.
                if let Some(c) = &mut self.composer {
                    c.sent(lang, Err(e.clone()));
                }
                self.status = Some(t1(lang, "compose-send-failed", "reason", e));
            }
            Ok(o) => {
                // In the outbox now: the composer's work is done.
                self.composer = None;
                let reason = o.reason.unwrap_or_default();
                self.status = Some(match o.state {
                    OutboxState::Sent => t(lang, "compose-sent"),
                    OutboxState::Failed => t1(lang, "compose-send-refused", "reason", reason),
                    _ => t1(lang, "compose-queued", "reason", reason),
                });
                work.push(Work::Job(Job::Folders));
            }
        }
    }

    fn shortcut(&mut self, s: Shortcut) -> (Task<Message>, Vec<Work>) {
        let mut work = Vec::new();
        if self.screen != Screen::Mail || self.locked() {
            return (Task::none(), work);
        }
        let task = match s {
            Shortcut::Compose => self.compose(),
            Shortcut::Reply => self.reply(false),
            Shortcut::ReplyAll => self.reply(true),
            Shortcut::FocusSearch => iced::widget::operation::focus(search::SEARCH_ID),
            Shortcut::Send => {
                if let Some(c) = &mut self.composer {
                    let (_, event) = c.update(
                        composer::Message::Send,
                        self.check.as_ref(),
                        self.directory.as_ref(),
                    );
                    if let Some(event) = event {
                        self.composer_event(event, &mut work);
                    }
                }
                Task::none()
            }
            Shortcut::Delete => {
                if self.composer.is_none()
                    && let Some(id) = self.reader.message.as_ref().map(|m| m.row.id)
                {
                    self.delete(id, &mut work);
                }
                Task::none()
            }
            Shortcut::Next
            | Shortcut::Previous
            | Shortcut::PageDown
            | Shortcut::PageUp
            | Shortcut::First
            | Shortcut::Last => {
                let delta = match s {
                    Shortcut::Next => 1,
                    Shortcut::Previous => -1,
                    Shortcut::PageDown => self.mailbox.page_rows(),
                    Shortcut::PageUp => -self.mailbox.page_rows(),
                    Shortcut::First => isize::MIN,
                    _ => isize::MAX,
                };
                let Some(moved) = self.mailbox.step(delta) else {
                    return (Task::none(), work);
                };
                work.extend(moved.jobs.into_iter().map(Work::Job));
                if let Some(id) = moved.open {
                    self.open_message(id, &mut work);
                }
                match moved.scroll {
                    Some(y) => iced::widget::operation::scroll_to(
                        mailbox::LIST_ID,
                        iced::widget::scrollable::AbsoluteOffset { x: 0.0, y },
                    ),
                    None => Task::none(),
                }
            }
            Shortcut::ToggleRead => {
                self.toggle_read(&mut work);
                Task::none()
            }
            Shortcut::Escape => {
                if self.settings_open {
                    self.settings_open = false;
                } else if self.directory_screen.is_some() {
                    self.directory_screen = None;
                } else {
                    self.composer = None;
                }
                Task::none()
            }
        };
        (task, work)
    }

    /// Apply the settings; the recipient check is reloaded in the background
    /// (its messages are in the interface language).
    fn apply_settings(&mut self) -> Option<Work> {
        self.lang = self.settings.language.resolve();
        set_core_lang(self.lang);
        self.store.as_ref()?;
        Some(self.wire(false))
    }

    fn wire(&self, directory: bool) -> Work {
        let fallback = no_whitelist(self.lang);
        Work::Job(Job::Wire {
            fallback: (fallback.unavailable, fallback.invalid),
            data_dir: self.config.data_dir.clone(),
            directory,
        })
    }

    fn save_settings(&self) -> Vec<Work> {
        if self.store.is_none() {
            return Vec::new();
        }
        vec![Work::Job(Job::SaveUi(jobs::UiSettings {
            language: self.settings.language.code().to_owned(),
            dark: self.settings.dark,
            scale: self.settings.scale,
            notify: self.settings.notify,
        }))]
    }

    pub fn title(&self) -> String {
        let base = t(self.lang, "app-title");
        if self.demo {
            format!("{base} — {}", t(self.lang, "demo-badge"))
        } else {
            base
        }
    }

    pub fn theme(&self) -> Theme {
        theme::theme(self.settings.dark)
    }

    pub fn scale(&self) -> f32 {
        f32::from(self.settings.scale) / 100.0
    }

    fn subscription(&self) -> Subscription<Message> {
        // The first redraw, for the start-up time in the log; then no more.
        let first = if self.first_drawn {
            Subscription::none()
        } else {
            iced::window::frames().map(|_| Message::FirstFrame)
        };
        // Every frame, when frame times are measured.
        let frames = match self.frame_stats {
            Some(_) => iced::window::frames().map(Message::Frame),
            None => Subscription::none(),
        };
        let events = iced::event::listen_with(|event, status, _window| match event {
            iced::Event::Keyboard(iced::keyboard::Event::KeyPressed { key, modifiers, .. }) => {
                shortcuts::map(&key, modifiers, status == iced::event::Status::Captured)
                    .map(Message::Shortcut)
            }
            iced::Event::Window(iced::window::Event::Resized(size)) => {
                Some(Message::Resized(size.height))
            }
            iced::Event::Window(iced::window::Event::Opened { .. }) => Some(Message::WindowOpened),
            _ => None,
        });
        // The card accounts' lock, followed from the readers.
        let card = match &self.card {
            Some(c) => Subscription::run_with(card::Key(c.lock.clone()), card::Key::follow)
                .map(Message::Card),
            None => Subscription::none(),
        };
        // The end of each token session (renewal refused).
        let tokens = self.signins.iter().filter_map(|s| {
            let id = s.account.id;
            let key = token_signin::Key(s.session.clone()?, s.generation);
            Some(
                Subscription::run_with(key, token_signin::Key::follow)
                    .with(id)
                    .map(|(id, m)| Message::SignIn(id, m)),
            )
        });
        // The live sync of each ready account.
        let live = self
            .live_keys()
            .into_iter()
            .map(|key| Subscription::run_with(key, live::Key::follow).map(Message::Live));
        Subscription::batch(
            [first, frames, events, card]
                .into_iter()
                .chain(tokens)
                .chain(live),
        )
    }

    pub fn view(&self) -> Element<'_, Message> {
        if !self.first_view.replace(true) {
            tracing::info!(
                elapsed_ms = self.config.started.elapsed().as_millis() as u64,
                "first view built"
            );
        }
        let lang = self.lang;
        let body: Element<'_, Message> = if self.settings_open {
            self.settings
                .view(lang, self.account_rows())
                .map(Message::Settings)
        } else if let Some(s) = self
            .pending_signin()
            .filter(|_| self.screen == Screen::Mail)
        {
            // Over the mailbox, which is not drawn until signed in.
            let id = s.account.id;
            s.view(lang).map(move |m| Message::SignIn(id, m))
        } else if let Some(c) = self.card.as_ref().filter(|_| self.locked()) {
            // Over the mailbox, which is not drawn at all while locked.
            c.view(lang).map(Message::Card)
        } else if let Some(d) = &self.directory_screen {
            d.view(lang, self.directory.as_ref())
                .map(Message::Directory)
        } else {
            match self.screen {
                Screen::Starting => container(text(t(lang, "loading"))).center(Fill).into(),
                Screen::Welcome => self.welcome.view(lang).map(Message::Welcome),
                Screen::Mail => self.panes(),
            }
        };
        let status = text(self.status_line()).size(12);
        column![
            self.top_bar(),
            rule::horizontal(1),
            container(body).height(Fill).style(theme::page),
            rule::horizontal(1),
            container(status)
                .padding([4, 12])
                .width(Fill)
                .style(theme::pane),
        ]
        .into()
    }

    fn top_bar(&self) -> Element<'_, Message> {
        let lang = self.lang;
        let mut bar = row![text(t(lang, "app-title")).size(20)]
            .spacing(12)
            .padding([8, 12])
            .align_y(iced::Center);
        if self.demo {
            bar = bar.push(
                container(text(t(lang, "demo-badge")).size(13))
                    .padding([2, 8])
                    .style(theme::badge(|p| p.warning.base)),
            );
        }
        for id in self
            .signins
            .iter()
            .filter(|s| s.signed_in())
            .filter_map(|s| s.national_id.as_ref())
        {
            bar = bar.push(
                container(text(t1(lang, "ecps-badge", "id", id)).size(13))
                    .padding([2, 8])
                    .style(theme::badge(|p| p.success.base)),
            );
        }
        if self.screen == Screen::Mail && !self.locked() {
            bar = bar.push(self.search.view(lang).map(Message::Search));
            bar =
                bar.push(button(text(t(lang, "compose-new")).size(14)).on_press(Message::Compose));
            bar = bar.push(
                button(text(t(lang, "directory-open")).size(14))
                    .style(button::secondary)
                    .on_press(Message::OpenDirectory),
            );
        } else {
            bar = bar.push(iced::widget::space::horizontal());
        }
        bar = bar.push(
            button(text(t(lang, "settings-open")).size(14))
                .style(button::secondary)
                .on_press(Message::OpenSettings),
        );
        container(bar).style(theme::pane).into()
    }

    fn panes(&self) -> Element<'_, Message> {
        let lang = self.lang;
        let folders = folders::view(
            &self.mailbox.folders,
            if self.mailbox.search.is_some() {
                Some(-1)
            } else {
                self.mailbox.current
            },
            self.quota.as_ref(),
            lang,
            |f| Message::Mailbox(mailbox::Message::SelectFolder(f)),
        );
        let list = container(
            self.mailbox
                .view(lang, self.offset, caducee::store::now())
                .map(Message::Mailbox),
        )
        .width(FillPortion(2));
        let right: Element<'_, Message> = match &self.composer {
            Some(c) => c.view(lang, self.directory.as_ref()).map(Message::Composer),
            None => self.reader.view(lang, self.offset).map(Message::Reader),
        };
        row![
            folders,
            rule::vertical(1),
            list,
            rule::vertical(1),
            container(right).width(FillPortion(3)),
        ]
        .height(Fill)
        .into()
    }
}

fn no_whitelist(lang: Lang) -> NoWhitelist {
    NoWhitelist {
        unavailable: t(lang, "trust-unavailable"),
        invalid: t(lang, "trust-invalid-address"),
    }
}

/// Run blocking work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("background work failed: {e}"))
}
