//! Work on the store, run off the interface thread: every query is a [`Job`]
//! run by `spawn_blocking`, whose answer comes back as a [`Loaded`] message.
//!
//! The store is not `Sync`: it lives behind a mutex and is only touched from
//! blocking tasks (and synchronously by tests).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use caducee::account::{self, Account};
use caducee::store::{
    Flag, Folder, MessageRow, SearchQuery, Store, StoreKey, StoredMessage, ThreadHead,
};
use caducee::sync::Quota;

use super::account_form::NewAccount;
use super::outgoing::{self, DraftSaved, Outgoing, Resumed, SendOutcome};
use super::recipients::{self, DirectoryLookup, NoWhitelist, RecipientCheck};

/// Rows fetched per page of a message list.
pub const PAGE_SIZE: u32 = 200;
/// Most search results shown.
pub const SEARCH_LIMIT: u32 = 2000;

/// The open store, shared by the tasks; with its key, so that work that waits
/// on the network (sending, uploading a draft) can use a connection of its own.
#[derive(Clone)]
pub struct StoreHandle {
    store: Arc<Mutex<Store>>,
    key: StoreKey,
}

impl std::fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreHandle")
    }
}

impl StoreHandle {
    pub fn new(store: Store, key: StoreKey) -> Self {
        Self {
            store: Arc::new(Mutex::new(store)),
            key,
        }
    }

    /// Use the store on this thread (tests, and brief work in background tasks).
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> Option<T> {
        self.store.lock().ok().map(|s| f(&s))
    }

    /// A second connection to the same store file.
    pub fn reopen(&self) -> Result<Store, String> {
        let path = self
            .with_store(|s| s.path().to_path_buf())
            .ok_or_else(|| "the store is unavailable after an earlier failure".to_owned())?;
        Store::open(&path, &self.key).map_err(|e| e.to_string())
    }

    pub fn with<T>(&self, f: impl FnOnce(&Store) -> Result<T, String>) -> Result<T, String> {
        let store = self
            .store
            .lock()
            .map_err(|_| "the store is unavailable after an earlier failure".to_owned())?;
        f(&store)
    }
}

/// How the mailbox was opened.
#[derive(Debug, Clone)]
pub struct Opened {
    pub store: StoreHandle,
    pub demo: bool,
    /// Whether the user's store holds anything (else the welcome screen shows).
    pub has_mail: bool,
    /// The interface settings saved in the store.
    pub ui: Option<UiSettings>,
    /// The mail accounts set up (none in the demo).
    pub accounts: Vec<Account>,
    /// The first page of the inbox, read with the opening so that the list
    /// shows before the folder counts (which read the whole index) are done.
    pub first_page: Option<(i64, Vec<MessageRow>)>,
}

/// Interface settings kept in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiSettings {
    pub language: String,
    pub dark: bool,
    pub scale: u16,
    /// Desktop notifications for new mail.
    pub notify: bool,
}

const UI_LANGUAGE: &str = "ui.language";
const UI_THEME: &str = "ui.theme";
const UI_SCALE: &str = "ui.scale";
const UI_NOTIFY: &str = "ui.notify";

fn load_ui(store: &Store) -> Option<UiSettings> {
    let language = store.setting(UI_LANGUAGE).ok().flatten()?;
    Some(UiSettings {
        language,
        dark: store.setting(UI_THEME).ok().flatten().as_deref() == Some("dark"),
        scale: store
            .setting(UI_SCALE)
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok())
            .filter(|s| (50..=300).contains(s))
            .unwrap_or(100),
        notify: store.setting(UI_NOTIFY).ok().flatten().as_deref() == Some("on"),
    })
}

/// Something to do with the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Folders,
    /// One page of a folder (`None`: every folder), newest first.
    Page {
        folder: Option<i64>,
        page: u32,
        generation: u64,
    },
    /// Conversation mode: the number of threads, a page of threads, one thread.
    ThreadCount {
        folder: Option<i64>,
        generation: u64,
    },
    Threads {
        folder: Option<i64>,
        page: u32,
        generation: u64,
    },
    Thread {
        folder: Option<i64>,
        index: usize,
        key: String,
        generation: u64,
    },
    Message(i64),
    Search {
        query: String,
        generation: u64,
    },
    SetFlags {
        id: i64,
        flags: Flag,
    },
    Delete(i64),
    SaveAttachment {
        id: i64,
        part_index: u32,
        filename: String,
        dir: PathBuf,
    },
    SaveUi(UiSettings),
    /// Send through the core pipeline (a password given only by tests).
    Send {
        account: Box<Account>,
        outgoing: Box<Outgoing>,
        password: Option<String>,
    },
    /// Save a draft (`autosave`: saved by the timer, not by the user).
    SaveDraft {
        account: Option<Box<Account>>,
        outgoing: Box<Outgoing>,
        autosave: bool,
    },
    /// Read a saved draft back into the composer.
    OpenDraft(i64),
    /// The last quota the sync read for each account.
    Quota,
    /// The card session opened: sync the card accounts and send their outbox.
    Resume(Vec<Account>),
    /// The same, for accounts the live sync keeps up to date: only send
    /// their outbox.
    Flush(Vec<Account>),
    /// How many messages of these accounts wait in the outbox (before
    /// signing `account` out).
    Unsent {
        account: i64,
        accounts: Vec<i64>,
    },
    /// Load the whitelist check and the directory completion.
    Wire {
        fallback: (String, String),
        data_dir: PathBuf,
        directory: bool,
    },
}

/// The answer to a [`Job`].
#[derive(Debug, Clone)]
pub enum Loaded {
    Folders(Result<Vec<Folder>, String>),
    Page {
        folder: Option<i64>,
        page: u32,
        generation: u64,
        rows: Result<Vec<MessageRow>, String>,
    },
    ThreadCount {
        folder: Option<i64>,
        generation: u64,
        count: Result<u64, String>,
    },
    Threads {
        folder: Option<i64>,
        page: u32,
        generation: u64,
        heads: Result<Vec<ThreadHead>, String>,
    },
    Thread {
        index: usize,
        key: String,
        generation: u64,
        rows: Result<Vec<MessageRow>, String>,
    },
    Message(Box<Result<StoredMessage, String>>),
    Search {
        generation: u64,
        rows: Result<Vec<MessageRow>, String>,
    },
    FlagsSet(Result<(), String>),
    Deleted(Result<i64, String>),
    Saved(Result<PathBuf, String>),
    SettingSaved(Result<(), String>),
    Sent(Result<SendOutcome, String>),
    DraftSaved {
        autosave: bool,
        result: Result<DraftSaved, String>,
    },
    Draft(Box<Result<Outgoing, String>>),
    Quota(Result<Option<Quota>, String>),
    Wired(Wired),
    Resumed(Result<Resumed, String>),
    Flushed(Result<Resumed, String>),
    Unsent {
        account: i64,
        count: Result<usize, String>,
    },
}

/// The recipient check and the directory, loaded in the background and taken
/// once by the window.
#[derive(Clone)]
pub struct Wired(pub Arc<Mutex<Option<WiredParts>>>);

pub type WiredParts = (
    Box<dyn RecipientCheck + Send>,
    Option<Box<dyn DirectoryLookup + Send>>,
);

impl std::fmt::Debug for Wired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wired")
    }
}

impl Wired {
    pub fn take(&self) -> Option<WiredParts> {
        self.0.lock().ok().and_then(|mut w| w.take())
    }
}

/// Run a job now (on a blocking thread, or in a test).
pub fn run(store: &StoreHandle, job: Job) -> Loaded {
    let err = |e: caducee::store::StoreError| e.to_string();
    match job {
        Job::Folders => Loaded::Folders(store.with(|s| s.folders().map_err(err))),
        Job::Page {
            folder,
            page,
            generation,
        } => Loaded::Page {
            folder,
            page,
            generation,
            rows: store.with(|s| {
                s.list_messages(folder, PAGE_SIZE, page * PAGE_SIZE)
                    .map_err(err)
            }),
        },
        Job::ThreadCount { folder, generation } => Loaded::ThreadCount {
            folder,
            generation,
            count: store.with(|s| s.thread_count(folder).map_err(err)),
        },
        Job::Threads {
            folder,
            page,
            generation,
        } => Loaded::Threads {
            folder,
            page,
            generation,
            heads: store.with(|s| {
                s.list_threads(folder, PAGE_SIZE, page * PAGE_SIZE)
                    .map_err(err)
            }),
        },
        Job::Thread {
            folder,
            index,
            key,
            generation,
        } => Loaded::Thread {
            rows: store.with(|s| s.thread_messages(folder, &key).map_err(err)),
            index,
            key,
            generation,
        },
        Job::Message(id) => Loaded::Message(Box::new(store.with(|s| s.message(id).map_err(err)))),
        Job::Search { query, generation } => Loaded::Search {
            generation,
            rows: store.with(|s| {
                let q = SearchQuery::parse(&query).map_err(err)?;
                s.search(&q, SEARCH_LIMIT, 0).map_err(err)
            }),
        },
        Job::SetFlags { id, flags } => {
            Loaded::FlagsSet(store.with(|s| s.set_flags(id, flags).map_err(err)))
        }
        Job::Delete(id) => {
            Loaded::Deleted(store.with(|s| s.delete_message(id).map_err(err).map(|()| id)))
        }
        Job::SaveAttachment {
            id,
            part_index,
            filename,
            dir,
        } => Loaded::Saved(store.with(|s| {
            let raw = s
                .raw_message(id)
                .map_err(err)?
                .ok_or_else(|| "the message body is not downloaded".to_owned())?;
            super::attachments::save(&raw, part_index, &filename, &dir)
        })),
        Job::SaveUi(ui) => Loaded::SettingSaved(store.with(|s| {
            s.set_setting(UI_LANGUAGE, &ui.language).map_err(err)?;
            s.set_setting(UI_THEME, if ui.dark { "dark" } else { "light" })
                .map_err(err)?;
            s.set_setting(UI_SCALE, &ui.scale.to_string())
                .map_err(err)?;
            s.set_setting(UI_NOTIFY, if ui.notify { "on" } else { "off" })
                .map_err(err)
        })),
        Job::Send {
            account,
            outgoing,
            password,
        } => Loaded::Sent(outgoing::send(
            store,
            &account,
            &outgoing,
            password.as_deref(),
        )),
        Job::SaveDraft {
            account,
            outgoing,
            autosave,
        } => Loaded::DraftSaved {
            autosave,
            result: outgoing::save_draft(store, account.as_deref(), &outgoing),
        },
        Job::OpenDraft(id) => Loaded::Draft(Box::new(store.with(|s| outgoing::load_draft(s, id)))),
        Job::Wire {
            fallback: (unavailable, invalid),
            data_dir,
            directory,
        } => {
            let fallback = NoWhitelist {
                unavailable,
                invalid,
            };
            // The first use imports the shipped list: not under the lock the
            // list pages wait on.
            let check = match store.reopen() {
                Ok(second) => recipients::whitelist_for(&second, fallback),
                Err(_) => match store.with_store(|s| recipients::whitelist_for(s, fallback)) {
                    Some(c) => c,
                    None => return Loaded::Wired(Wired(Arc::new(Mutex::new(None)))),
                },
            };
            let dir = directory.then(|| recipients::directory_for(&data_dir));
            Loaded::Wired(Wired(Arc::new(Mutex::new(Some((check, dir))))))
        }
        Job::Resume(accounts) => Loaded::Resumed(outgoing::resume(store, &accounts, true)),
        Job::Flush(accounts) => Loaded::Flushed(outgoing::resume(store, &accounts, false)),
        Job::Unsent { account, accounts } => Loaded::Unsent {
            account,
            count: store.with(|s| {
                let mut n = 0;
                for id in &accounts {
                    n += caducee::send::outbox::list(s, Some(*id))
                        .map_err(|e| e.to_string())?
                        .iter()
                        .filter(|e| {
                            !matches!(
                                e.state,
                                caducee::send::OutboxState::Sent
                                    | caducee::send::OutboxState::Failed
                            )
                        })
                        .count();
                }
                Ok(n)
            }),
        },
        Job::Quota => Loaded::Quota(store.with(|s| {
            let accounts = account::list(s).map_err(|e| e.to_string())?;
            // One bar: the first account that has a quota.
            for a in &accounts {
                if let Some(q) = caducee::sync::quota(s, a).map_err(|e| e.to_string())? {
                    return Ok(Some(q));
                }
            }
            Ok(None)
        })),
    }
}

/// The first page of the folder the list shows first (the inbox).
fn first_page(store: &Store) -> Option<(i64, Vec<MessageRow>)> {
    let folder = store.find_folder("INBOX").ok()?;
    let rows = store.list_messages(Some(folder), PAGE_SIZE, 0).ok()?;
    Some((folder, rows))
}

/// Add an account to an open store and keep its password in the OS keyring;
/// returns why the password could not be kept, if it could not.
pub fn add_to(store: &StoreHandle, new: &NewAccount) -> Result<Option<String>, String> {
    store.with(|s| {
        account::add(s, &new.name, &new.address, &new.settings)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })?;
    // A card login has no password to keep.
    if new.password.is_empty() {
        return Ok(None);
    }
    let kept = caducee::secrets::Secret {
        what: "password",
        account: &new.address,
        env: caducee::imap::auth::PASSWORD_ENV,
    }
    .set(&new.password);
    Ok(kept.err().map(|e| e.to_string()))
}

/// Open (creating it if needed) the user's store and add the account there.
pub fn add_account(
    data_dir: &Path,
    new: &NewAccount,
) -> Result<(Box<Opened>, Option<String>), String> {
    let mut opened = open(data_dir, false)?;
    let warning = add_to(&opened.store, new)?;
    opened.accounts = opened
        .store
        .with(|s| account::list(s).map_err(|e| e.to_string()))?;
    opened.has_mail = true;
    Ok((Box::new(opened), warning))
}

/// Open the user's store, or the demo store.
pub fn open(data_dir: &Path, demo: bool) -> Result<Opened, String> {
    if demo {
        let store = caducee::demo::open(data_dir).map_err(|e| e.to_string())?;
        return Ok(Opened {
            first_page: first_page(&store),
            ui: load_ui(&store),
            store: StoreHandle::new(store, StoreKey::demo()),
            demo: true,
            has_mail: true,
            accounts: Vec::new(),
        });
    }
    caducee::paths::ensure_private_dir(data_dir).map_err(|e| e.to_string())?;
    let path = data_dir.join(caducee::store::STORE_FILE);
    let (key, _) =
        caducee::store::key::resolve(data_dir, path.exists()).map_err(|e| e.to_string())?;
    let store = Store::open(&path, &key).map_err(|e| e.to_string())?;
    let accounts = account::list(&store).map_err(|e| e.to_string())?;
    // Whether there is any message: the newest one, by the date index (a
    // count, or the store's summary, would read the whole store).
    let any_mail = !store
        .list_messages(None, 1, 0)
        .map_err(|e| e.to_string())?
        .is_empty();
    tracing::debug!("store opened");
    Ok(Opened {
        first_page: first_page(&store),
        ui: load_ui(&store),
        store: StoreHandle::new(store, key),
        demo: false,
        has_mail: any_mail || !accounts.is_empty(),
        accounts,
    })
}
