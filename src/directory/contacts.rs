//! The user's own address book: people the user wrote to, kept in the mail
//! store (table `contacts`, migration 0005), each optionally linked to its
//! directory entry, and searched together with the directory.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::normalize::{normalize, query_words};
use super::{Directory, DirectoryError, Entry};
use crate::store::Store;

/// A contact of the address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub address: String,
    pub display_name: String,
    /// The directory mailbox this contact is, when it is in the directory.
    pub directory_address: Option<String>,
    pub times_written: i64,
    pub last_written: Option<i64>,
}

/// A suggestion: a directory entry, a contact, or both.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub address: String,
    pub display_name: String,
    pub contact: Option<Contact>,
    pub entry: Option<Entry>,
}

const COLUMNS: &str = "id, address, display_name, directory_address, times_written, last_written";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        address: r.get(1)?,
        display_name: r.get(2)?,
        directory_address: r.get(3)?,
        times_written: r.get(4)?,
        last_written: r.get(5)?,
    })
}

/// Note that the user wrote to `address` (at `when`, Unix seconds); link the
/// contact to its directory entry when the directory knows the address.
pub fn record_written(
    store: &Store,
    directory: Option<&Directory>,
    address: &str,
    display_name: &str,
    when: i64,
) -> Result<Contact, DirectoryError> {
    let address = address.trim().to_lowercase();
    let entry = match directory {
        Some(d) => d.lookup(&address)?,
        None => None,
    };
    let name = if display_name.trim().is_empty() {
        entry
            .as_ref()
            .map(|e| e.display_name.clone())
            .unwrap_or_default()
    } else {
        display_name.trim().to_owned()
    };
    let search_key = normalize(&format!("{name} {address}"));
    let conn = store.conn();
    conn.execute(
        "INSERT INTO contacts (address, display_name, directory_address, search_key,
                               times_written, last_written, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)
         ON CONFLICT(address) DO UPDATE SET
            display_name = CASE WHEN excluded.display_name <> '' THEN excluded.display_name
                                ELSE contacts.display_name END,
            directory_address = coalesce(excluded.directory_address, contacts.directory_address),
            search_key = CASE WHEN excluded.display_name <> '' THEN excluded.search_key
                              ELSE contacts.search_key END,
            times_written = contacts.times_written + 1,
            last_written = max(coalesce(contacts.last_written, 0), excluded.last_written)",
        params![
            address,
            name,
            entry.as_ref().map(|e| e.address.clone()),
            search_key,
            when
        ],
    )?;
    let sql = format!("SELECT {COLUMNS} FROM contacts WHERE address = ?1");
    Ok(conn.query_row(&sql, [&address], from_row)?)
}

/// The contact of `address`, if any.
pub fn contact(store: &Store, address: &str) -> Result<Option<Contact>, DirectoryError> {
    let sql = format!("SELECT {COLUMNS} FROM contacts WHERE address = ?1");
    Ok(store
        .conn()
        .query_row(&sql, [address.trim().to_lowercase()], from_row)
        .optional()?)
}

/// Contacts whose name or address has words starting with every word of
/// `input`, most written to first.
pub fn search_contacts(
    store: &Store,
    input: &str,
    limit: usize,
) -> Result<Vec<Contact>, DirectoryError> {
    let words = query_words(input);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // Contacts are few: a scan with a word-prefix test is fast and exact.
    let sql = format!(
        "SELECT {COLUMNS}, search_key FROM contacts
         ORDER BY times_written DESC, last_written DESC"
    );
    let mut stmt = store.conn().prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let key: String = r.get(6)?;
        let ok = words.iter().all(|w| {
            let full = super::normalize::expand(w);
            key.split(' ')
                .any(|k| k.starts_with(w.as_str()) || k.starts_with(full))
        });
        if ok {
            out.push(from_row(r)?);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// Suggestions for a recipient field: the user's contacts first, then the
/// directory; a contact in the directory comes once, with both.
pub fn suggest(
    store: &Store,
    directory: &Directory,
    input: &str,
    limit: usize,
) -> Result<Vec<Suggestion>, DirectoryError> {
    let mut out: Vec<Suggestion> = Vec::new();
    for c in search_contacts(store, input, limit)? {
        let entry = match &c.directory_address {
            Some(a) => directory.lookup(a)?,
            None => directory.lookup(&c.address)?,
        };
        out.push(Suggestion {
            address: c.address.clone(),
            display_name: c.display_name.clone(),
            contact: Some(c),
            entry,
        });
    }
    if out.len() < limit {
        for e in directory.autocomplete(input, limit)? {
            if out.len() >= limit {
                break;
            }
            if out.iter().any(|s| s.address == e.address) {
                continue;
            }
            out.push(Suggestion {
                address: e.address.clone(),
                display_name: e.display_name.clone(),
                contact: None,
                entry: Some(e),
            });
        }
    }
    Ok(out)
}
