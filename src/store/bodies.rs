//! The bodies file: the raw messages, in a second SQLCipher file beside the
//! store, encrypted with the same key.
//!
//! Keeping the bulk of the bytes in a file of their own lets a large import
//! write them on one thread while the envelope index and the full-text index
//! are written on another: the two files are two writers. The store's `blobs`
//! table keeps one row per body (`apart = 1`, empty `data`), which messages
//! reference; a body is written and committed here before the store commits
//! the messages that use it, so a committed message always finds its body.
//! Deleting the `blobs` row queues the body (`bodies_to_drop`, by trigger, in
//! the same transaction), and [`Bodies::drop_unlinked`] removes it from this
//! file once that deletion is committed. A crash in between leaves at most a
//! body nothing uses, removed at the next opening.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};

use super::key::StoreKey;
use super::migrate::{self, Migration};
use super::{Result, open_private_keyed};

/// The bodies file's own schema steps. Append only.
pub const BODIES_MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "bodies",
    sql: include_str!("migrations/bodies/0001_bodies.sql"),
}];

/// Where the bodies of the store at `store` live: `caducee.db` has
/// `caducee-bodies.db`.
pub fn bodies_path(store: &Path) -> PathBuf {
    let stem = store
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "caducee".to_owned());
    store.with_file_name(format!("{stem}-bodies.db"))
}

/// The open bodies file. One connection, taken in turn by the store's calls
/// and, for the length of an import, by the import's writing thread.
pub struct Bodies {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Bodies {
    /// Open (creating if needed) the bodies file of the store at `store`.
    pub fn open(store: &Path, key: &StoreKey) -> Result<Bodies> {
        let path = bodies_path(store);
        let (mut conn, _) = open_private_keyed(&path, key)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Bodies are read one at a time, when a message is opened: a small cache.
        conn.pragma_update(None, "cache_size", -8192)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate::migrate(&mut conn, BODIES_MIGRATIONS, None)?;
        Ok(Bodies {
            conn: Mutex::new(conn),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Set the journal mode (`WAL`, or `DELETE` during a bulk import).
    pub fn set_journal_mode(&self, mode: &str) -> Result<String> {
        Ok(self
            .lock()
            .pragma_update_and_check(None, "journal_mode", mode, |r| r.get(0))?)
    }

    /// Store a body (nothing happens when it is there already).
    pub fn put(&self, hash: &str, raw: &[u8]) -> Result<()> {
        put(&self.lock(), hash, raw)
    }

    /// A body, when the file holds it.
    pub fn get(&self, hash: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .lock()
            .prepare_cached("SELECT data FROM bodies WHERE hash = ?1")?
            .query_row([hash], |r| r.get(0))
            .optional()?)
    }

    /// Remove the bodies whose `blobs` row the store has deleted (queued in
    /// `bodies_to_drop`); a body some `blobs` row points to again is kept.
    /// Returns how many were removed.
    pub fn drop_unlinked(&self, store: &Connection) -> Result<usize> {
        let queued: Vec<String> = store
            .prepare_cached("SELECT hash FROM bodies_to_drop")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if queued.is_empty() {
            return Ok(0);
        }
        let mut removed = 0;
        {
            let conn = self.lock();
            let tx = conn.unchecked_transaction()?;
            let mut linked =
                store.prepare_cached("SELECT 1 FROM blobs WHERE hash = ?1 AND apart = 1")?;
            let mut delete = tx.prepare_cached("DELETE FROM bodies WHERE hash = ?1")?;
            for hash in &queued {
                if !linked.exists([hash])? {
                    removed += delete.execute([hash])?;
                }
            }
            drop(delete);
            tx.commit()?;
        }
        let mut done = store.prepare_cached("DELETE FROM bodies_to_drop WHERE hash = ?1")?;
        for hash in &queued {
            done.execute([hash])?;
        }
        if removed > 0 {
            tracing::debug!(removed, "unused message bodies removed");
        }
        Ok(removed)
    }

    /// Take the file for writing many bodies in large transactions (an
    /// import's writing thread). Other calls wait until the writer is dropped.
    pub fn writer(&self) -> BodyWriter<'_> {
        BodyWriter {
            conn: self.lock(),
            open: false,
        }
    }
}

fn put(conn: &Connection, hash: &str, raw: &[u8]) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO bodies (hash, data) VALUES (?1, ?2) ON CONFLICT(hash) DO NOTHING",
    )?
    .execute(params![hash, raw])?;
    Ok(())
}

/// The bodies file held by one writer; bodies are added in a transaction
/// until [`BodyWriter::commit`]. Dropping it rolls back what was not committed.
pub struct BodyWriter<'a> {
    conn: MutexGuard<'a, Connection>,
    open: bool,
}

impl BodyWriter<'_> {
    pub fn put(&mut self, hash: &str, raw: &[u8]) -> Result<()> {
        if !self.open {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.open = true;
        }
        put(&self.conn, hash, raw)
    }

    /// Make every body put so far durable.
    pub fn commit(&mut self) -> Result<()> {
        if self.open {
            self.conn.execute_batch("COMMIT")?;
            self.open = false;
        }
        Ok(())
    }
}

impl Drop for BodyWriter<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn raw(i: u32, text: &str) -> Vec<u8> {
        format!(
            "Message-ID: <bodies-{i}@chu.mssante.fr>\r\nFrom: a@chu.mssante.fr\r\n\
             Subject: Courrier {i}\r\n\r\n{text}\r\n"
        )
        .into_bytes()
    }

    fn stored(store: &Store, hash: &str) -> (bool, i64) {
        store
            .conn()
            .query_row(
                "SELECT apart, length(data) FROM blobs WHERE hash = ?1",
                [hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }

    #[test]
    fn raw_messages_live_in_the_bodies_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caducee.db");
        let store = Store::open(&path, &StoreKey::random()).unwrap();
        let folder = store.ensure_folder(None, "INBOX", None).unwrap();
        let message = raw(1, "Clairance de la créatinine.");
        let id = store
            .insert_raw(folder, &message, Default::default(), None)
            .unwrap();
        let hash = crate::store::blob_hash(&message);
        // The store keeps a row without the bytes; the bodies file has them.
        assert_eq!(stored(&store, &hash), (true, 0));
        let bodies = store.bodies().unwrap();
        assert_eq!(bodies.path(), dir.path().join("caducee-bodies.db"));
        assert_eq!(bodies.get(&hash).unwrap().as_deref(), Some(&message[..]));
        assert_eq!(store.raw_message(id).unwrap().unwrap(), message);
        assert!(store.info().unwrap().size_bytes > std::fs::metadata(&path).unwrap().len());
    }

    #[test]
    fn a_body_goes_when_no_message_uses_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("caducee.db"), &StoreKey::random()).unwrap();
        let inbox = store.ensure_folder(None, "INBOX", None).unwrap();
        let archives = store.ensure_folder(None, "Archives", None).unwrap();
        let message = raw(2, "Compte rendu opératoire.");
        let hash = crate::store::blob_hash(&message);
        let first = store
            .insert_raw(inbox, &message, Default::default(), None)
            .unwrap();
        let second = store
            .insert_raw(archives, &message, Default::default(), None)
            .unwrap();
        store.delete_message(first).unwrap();
        // Still used by the copy in Archives.
        assert!(store.bodies().unwrap().get(&hash).unwrap().is_some());
        assert_eq!(store.raw_message(second).unwrap().unwrap(), message);
        store.delete_message(second).unwrap();
        assert!(store.bodies().unwrap().get(&hash).unwrap().is_none());
        let queued: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM bodies_to_drop", [], |r| r.get(0))
            .unwrap();
        assert_eq!(queued, 0);
    }

    #[test]
    fn a_deletion_cut_short_is_finished_at_the_next_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caducee.db");
        let key = StoreKey::random();
        let message = raw(3, "Résultats de biologie.");
        let hash = crate::store::blob_hash(&message);
        {
            let store = Store::open(&path, &key).unwrap();
            let folder = store.ensure_folder(None, "INBOX", None).unwrap();
            let id = store
                .insert_raw(folder, &message, Default::default(), None)
                .unwrap();
            // A deletion committed in the store, the program stopping before
            // the bodies file is cleaned (as sync deletes, through the connection).
            let tx = store.conn().unchecked_transaction().unwrap();
            crate::sync::state::delete_messages(&tx, &[id]).unwrap();
            tx.commit().unwrap();
            assert!(store.bodies().unwrap().get(&hash).unwrap().is_some());
        }
        let store = Store::open(&path, &key).unwrap();
        assert!(store.bodies().unwrap().get(&hash).unwrap().is_none());
    }

    #[test]
    fn a_body_stored_inline_before_is_not_kept_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caducee.db");
        let key = StoreKey::random();
        let message = raw(4, "Lettre de liaison.");
        let hash = crate::store::blob_hash(&message);
        {
            // A store from before the bodies file.
            let level = crate::store::BODIES_APART_LEVEL - 1;
            let store = Store::open_at_level(&path, &key, Some(level)).unwrap();
            let folder = store.ensure_folder(None, "INBOX", None).unwrap();
            store
                .insert_raw(folder, &message, Default::default(), None)
                .unwrap();
        }
        let store = Store::open(&path, &key).unwrap();
        let folder = store.ensure_folder(None, "Archives", None).unwrap();
        // The import path writes the body apart first, then links it.
        store.bodies().unwrap().put(&hash, &message).unwrap();
        let parsed = crate::mime::parse(&message).unwrap();
        let id = store
            .insert_message_body_apart(
                &crate::store::NewMessage {
                    folder_id: folder,
                    raw: Some(&message),
                    parsed: &parsed,
                    parse_error: None,
                    size: message.len() as u64,
                    flags: Default::default(),
                    received_at: None,
                },
                hash.clone(),
            )
            .unwrap();
        assert_eq!(stored(&store, &hash), (false, message.len() as i64));
        store.drop_unlinked_bodies().unwrap();
        assert!(store.bodies().unwrap().get(&hash).unwrap().is_none());
        assert_eq!(store.raw_message(id).unwrap().unwrap(), message);
    }
}
