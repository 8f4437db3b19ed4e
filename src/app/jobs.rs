//! Work on the store, run off the interface thread: every query is a [`Job`]
//! run by `spawn_blocking`, whose answer comes back as a [`Loaded`] message.
//!
//! The store is not `Sync`: it lives behind a mutex and is only touched from
//! blocking tasks (and synchronously by tests).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use caducee::store::{Flag, Folder, MessageRow, SearchQuery, Store, StoredMessage};

/// Rows fetched per page of a message list.
pub const PAGE_SIZE: u32 = 200;
/// Most search results shown.
pub const SEARCH_LIMIT: u32 = 2000;

/// The open store, shared by the tasks.
#[derive(Clone)]
pub struct StoreHandle(Arc<Mutex<Store>>);

impl std::fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreHandle")
    }
}

impl StoreHandle {
    pub fn new(store: Store) -> Self {
        Self(Arc::new(Mutex::new(store)))
    }

    /// Use the store on this thread (brief work only: building the recipient check).
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> Option<T> {
        self.0.lock().ok().map(|s| f(&s))
    }

    fn with<T>(&self, f: impl FnOnce(&Store) -> Result<T, String>) -> Result<T, String> {
        let store = self
            .0
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
}

/// Interface settings kept in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiSettings {
    pub language: String,
    pub dark: bool,
    pub scale: u16,
}

const UI_LANGUAGE: &str = "ui.language";
const UI_THEME: &str = "ui.theme";
const UI_SCALE: &str = "ui.scale";

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
    Message(Box<Result<StoredMessage, String>>),
    Search {
        generation: u64,
        rows: Result<Vec<MessageRow>, String>,
    },
    FlagsSet(Result<(), String>),
    Deleted(Result<i64, String>),
    Saved(Result<PathBuf, String>),
    SettingSaved(Result<(), String>),
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
            s.set_setting(UI_SCALE, &ui.scale.to_string()).map_err(err)
        })),
    }
}

/// Open the user's store, or the demo store.
pub fn open(data_dir: &Path, demo: bool) -> Result<Opened, String> {
    if demo {
        let store = caducee::demo::open(data_dir).map_err(|e| e.to_string())?;
        return Ok(Opened {
            ui: load_ui(&store),
            store: StoreHandle::new(store),
            demo: true,
            has_mail: true,
        });
    }
    let (store, _) = Store::open_in(data_dir).map_err(|e| e.to_string())?;
    let info = store.info().map_err(|e| e.to_string())?;
    Ok(Opened {
        ui: load_ui(&store),
        store: StoreHandle::new(store),
        demo: false,
        has_mail: info.messages > 0 || info.accounts > 0,
    })
}
