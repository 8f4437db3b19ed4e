//! The demo mailbox: a dozen fictional French medical messages embedded in the
//! binary, so the client shows something real on a fresh machine with no server.
//!
//! The demo store lives in its own directory and is encrypted with a public key
//! (it holds fictional data only); it never holds a real account.

use std::path::{Path, PathBuf};

use crate::mime;
use crate::store::{Flag, FolderRole, NewMessage, STORE_FILE, Store, StoreError, StoreKey};

include!(concat!(env!("OUT_DIR"), "/demo_messages.rs"));

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the demo store of a data directory lives.
pub fn demo_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("demo")
}

/// The embedded messages: (folder, raw bytes).
pub fn messages() -> &'static [(&'static str, &'static [u8])] {
    DEMO_MESSAGES
}

/// Open the demo store, seeding it on first use.
pub fn open(data_dir: &Path) -> Result<Store, DemoError> {
    let dir = demo_dir(data_dir);
    crate::paths::ensure_private_dir(&dir)?;
    let store = Store::open(&dir.join(STORE_FILE), &StoreKey::demo())?;
    if store.info()?.messages == 0 {
        seed(&store)?;
    }
    Ok(store)
}

/// Fill an empty store with the demo mailbox.
pub fn seed(store: &Store) -> Result<usize, StoreError> {
    let tx = store.conn().unchecked_transaction()?;
    let mut count = 0;
    for (folder, raw) in DEMO_MESSAGES {
        let role = match *folder {
            "INBOX" => Some(FolderRole::Inbox),
            "Sent" => Some(FolderRole::Sent),
            "Drafts" => Some(FolderRole::Drafts),
            _ => None,
        };
        let folder_id = store.ensure_folder(None, folder, role)?;
        let (parsed, parse_error) = match mime::parse(raw) {
            Ok(p) => (p, None),
            Err(e) => (Default::default(), Some(e.to_string())),
        };
        // Older demo messages read, the newest ones unread.
        let seen = role != Some(FolderRole::Inbox) || count % 3 == 2;
        store.insert_message(&NewMessage {
            folder_id,
            raw: Some(raw),
            parsed: &parsed,
            parse_error,
            size: raw.len() as u64,
            flags: Flag {
                seen,
                ..Flag::default()
            },
            received_at: parsed.date,
        })?;
        count += 1;
    }
    tx.commit()?;
    Ok(count)
}
