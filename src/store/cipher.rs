//! Opening the encrypted store file: SQLCipher keying and page layout.
//!
//! New stores use 16 KiB pages: each page is encrypted (AES-256-CBC) and
//! authenticated (HMAC-SHA256) on its own, so four times fewer pages mean four
//! times fewer per-page cipher calls and writes, which is what a bulk import
//! spends most of its storing time on. Stores created before use SQLCipher's
//! 4 KiB pages and keep them: the page size cannot be read from an encrypted
//! file, so opening tries the current layout first, then the earlier one.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::key::StoreKey;

/// Page sizes to try, the one of new stores first.
pub const PAGE_SIZES: [u32; 2] = [16384, 4096];

/// Why a keyed connection could not be made.
pub enum KeyingError {
    /// No page size decrypts the file: the key is wrong (or the file is not a
    /// Caducée store).
    WrongKey,
    Sql(rusqlite::Error),
}

/// Open `path` keyed with `key`, trying each page size in turn. Nothing is
/// written before the key is known to be right.
pub fn open_keyed(path: &Path, key: &StoreKey) -> Result<(Connection, u32), KeyingError> {
    for page_size in PAGE_SIZES {
        match open_with(path, key, page_size) {
            Ok(conn) => return Ok((conn, page_size)),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => continue,
            Err(e) => return Err(KeyingError::Sql(e)),
        }
    }
    Err(KeyingError::WrongKey)
}

/// One attempt with one page size; the first read decides whether it fits.
pub fn open_with(path: &Path, key: &StoreKey, page_size: u32) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // SQLCipher sets up its crypto provider on first keying; keying connections
    // from several threads at once has been seen to fail spuriously, so keying
    // is serialised (it is rare and fast).
    static KEYING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let conn = {
        let _guard = KEYING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let conn = Connection::open_with_flags(path, flags)?;
        // SQLCipher's own log goes to stderr: a page size that does not fit (and
        // a wrong key) would print decryption errors to the user's terminal.
        // The store's errors say what happened instead.
        conn.pragma_update(None, "cipher_log_level", "NONE")?;
        conn.pragma_update(None, "key", key.sqlcipher_literal())?;
        // Page authentication with HMAC-SHA256: as strong here as SHA-512 and
        // several times faster on processors with SHA instructions.
        conn.pragma_update(None, "cipher_hmac_algorithm", "HMAC_SHA256")?;
        conn.pragma_update(None, "cipher_page_size", page_size)?;
        conn
    };
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreError};

    /// SQLCipher answers `PRAGMA page_size` itself, as text.
    fn page_size(store: &Store) -> u32 {
        let size: String = store
            .conn()
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        size.parse().unwrap()
    }

    #[test]
    fn new_stores_use_large_pages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let key = StoreKey::random();
        let store = Store::open(&path, &key).unwrap();
        assert_eq!(page_size(&store), 16384);
        let folder = store.ensure_folder(None, "Archives", None).unwrap();
        drop(store);
        let store = Store::open(&path, &key).unwrap();
        assert_eq!(page_size(&store), 16384);
        assert_eq!(store.ensure_folder(None, "Archives", None).unwrap(), folder);
    }

    #[test]
    fn stores_with_earlier_small_pages_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let key = StoreKey::random();
        // A store as earlier versions made it: 4 KiB pages.
        let conn = open_with(&path, &key, 4096).unwrap();
        conn.execute_batch("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('avant');")
            .unwrap();
        drop(conn);
        let store = Store::open(&path, &key).unwrap();
        assert_eq!(page_size(&store), 4096);
        let kept: String = store
            .conn()
            .query_row("SELECT v FROM kept", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, "avant");
        drop(store);
        // A wrong key is still told apart from a page size that does not fit.
        match Store::open(&path, &StoreKey::random()) {
            Err(StoreError::WrongKey(p)) => assert_eq!(p, path),
            Err(e) => panic!("expected a wrong-key error, got {e}"),
            Ok(_) => panic!("a wrong key opened the store"),
        }
    }
}
