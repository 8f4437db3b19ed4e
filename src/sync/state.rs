//! The sync's own records in the store: folder sync state, server locations
//! of messages, the queue of offline changes, quota. All SQL of the sync lives
//! here.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{Flag, FolderRole, now};

/// What the store remembers of a server folder from the last complete pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FolderState {
    pub id: i64,
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    pub highestmodseq: Option<u64>,
}

/// The account's folders known locally: (id, name, uidvalidity).
pub fn account_folders(
    conn: &Connection,
    account_id: i64,
) -> rusqlite::Result<Vec<(i64, String, Option<u32>)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, uidvalidity FROM folders WHERE account_id = ?1")?;
    let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

pub fn folder_state(conn: &Connection, folder_id: i64) -> rusqlite::Result<FolderState> {
    conn.query_row(
        "SELECT id, uidvalidity, uidnext, highestmodseq FROM folders WHERE id = ?1",
        [folder_id],
        |r| {
            Ok(FolderState {
                id: r.get(0)?,
                uidvalidity: r.get(1)?,
                uidnext: r.get(2)?,
                highestmodseq: r.get::<_, Option<i64>>(3)?.map(|v| v as u64),
            })
        },
    )
}

/// Record a completed pass.
pub fn save_folder_state(conn: &Connection, s: &FolderState) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4, synced_at = ?5
         WHERE id = ?1",
        params![
            s.id,
            s.uidvalidity,
            s.uidnext,
            s.highestmodseq.map(|v| v as i64),
            now()
        ],
    )?;
    Ok(())
}

pub fn set_role(
    conn: &Connection,
    folder_id: i64,
    role: Option<FolderRole>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE folders SET special_use = ?2 WHERE id = ?1",
        params![folder_id, role.map(FolderRole::as_str)],
    )?;
    Ok(())
}

pub fn rename_folder(conn: &Connection, folder_id: i64, name: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE folders SET name = ?2 WHERE id = ?1",
        params![folder_id, name],
    )?;
    Ok(())
}

/// The server changed UIDVALIDITY: every location in the folder is void.
/// Messages stay (unlocated) to be matched again by Message-ID.
pub fn forget_locations(
    conn: &Connection,
    folder_id: i64,
    uidvalidity: u32,
) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM imap_locations WHERE folder_id = ?1",
        [folder_id],
    )?;
    conn.execute(
        "UPDATE folders SET uidvalidity = ?2, uidnext = NULL, highestmodseq = NULL WHERE id = ?1",
        params![folder_id, uidvalidity],
    )?;
    Ok(())
}

/// Highest UID known locally in a folder (0 when none).
pub fn max_uid(conn: &Connection, folder_id: i64, uidvalidity: u32) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT coalesce(max(uid), 0) FROM imap_locations WHERE folder_id = ?1 AND uidvalidity = ?2",
        params![folder_id, uidvalidity],
        |r| r.get(0),
    )
}

pub fn located_count(conn: &Connection, folder_id: i64, uidvalidity: u32) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT count(*) FROM imap_locations WHERE folder_id = ?1 AND uidvalidity = ?2",
        params![folder_id, uidvalidity],
        |r| r.get(0),
    )
}

/// All located UIDs of a folder with their message ids.
pub fn located_uids(
    conn: &Connection,
    folder_id: i64,
    uidvalidity: u32,
) -> rusqlite::Result<Vec<(u32, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT uid, message_id FROM imap_locations WHERE folder_id = ?1 AND uidvalidity = ?2",
    )?;
    let rows = stmt.query_map(params![folder_id, uidvalidity], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

pub fn message_at(
    conn: &Connection,
    folder_id: i64,
    uidvalidity: u32,
    uid: u32,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT message_id FROM imap_locations WHERE folder_id = ?1 AND uidvalidity = ?2 AND uid = ?3",
    )?
    .query_row(params![folder_id, uidvalidity, uid], |r| r.get(0))
    .optional()
}

/// A message of the folder with this Message-ID and no server location yet
/// (moved or appended offline, or left by a UIDVALIDITY change).
pub fn unlocated_by_message_id(
    conn: &Connection,
    folder_id: i64,
    rfc_id: &str,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT m.id FROM messages m
         WHERE m.folder_id = ?1 AND m.rfc_message_id = ?2
           AND NOT EXISTS (SELECT 1 FROM imap_locations l WHERE l.message_id = m.id)
         ORDER BY m.id LIMIT 1",
    )?
    .query_row(params![folder_id, rfc_id], |r| r.get(0))
    .optional()
}

pub fn locate(
    conn: &Connection,
    message_id: i64,
    folder_id: i64,
    uidvalidity: u32,
    uid: u32,
    modseq: Option<u64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO imap_locations (message_id, folder_id, uidvalidity, uid, modseq)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(message_id) DO UPDATE SET folder_id = excluded.folder_id,
            uidvalidity = excluded.uidvalidity, uid = excluded.uid, modseq = excluded.modseq",
    )?
    .execute(params![
        message_id,
        folder_id,
        uidvalidity,
        uid,
        modseq.map(|v| v as i64)
    ])?;
    Ok(())
}

/// Where a message is on the server: (folder id, folder name, uidvalidity, uid).
pub fn location_of(
    conn: &Connection,
    message_id: i64,
) -> rusqlite::Result<Option<(i64, String, u32, u32)>> {
    conn.query_row(
        "SELECT l.folder_id, f.name, l.uidvalidity, l.uid FROM imap_locations l
         JOIN folders f ON f.id = l.folder_id WHERE l.message_id = ?1",
        [message_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
}

/// Set the system flags of a message; true when they changed.
pub fn set_flags(conn: &Connection, message_id: i64, f: Flag) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE messages SET seen = ?2, flagged = ?3, answered = ?4, deleted = ?5, draft = ?6
             WHERE id = ?1 AND (seen, flagged, answered, deleted, draft) != (?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            message_id, f.seen, f.flagged, f.answered, f.deleted, f.draft
        ])?;
    Ok(n > 0)
}

/// Delete messages and the blobs no other message uses. Call in a transaction.
pub fn delete_messages(conn: &Connection, ids: &[i64]) -> rusqlite::Result<()> {
    for id in ids {
        let hash: Option<String> = conn
            .prepare_cached("SELECT blob_hash FROM messages WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .flatten();
        conn.prepare_cached("DELETE FROM message_text WHERE message_id = ?1")?
            .execute([id])?;
        conn.prepare_cached("DELETE FROM messages WHERE id = ?1")?
            .execute([id])?;
        if let Some(hash) = hash {
            conn.prepare_cached(
                "DELETE FROM blobs WHERE hash = ?1
                 AND NOT EXISTS (SELECT 1 FROM messages WHERE blob_hash = ?1)",
            )?
            .execute([hash])?;
        }
    }
    Ok(())
}

/// Messages of a folder left without a server location and not waiting for
/// an offline change: they are gone from the server.
pub fn stale_unlocated(conn: &Connection, folder_id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT m.id FROM messages m
         WHERE m.folder_id = ?1
           AND NOT EXISTS (SELECT 1 FROM imap_locations l WHERE l.message_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM sync_pending p WHERE p.message_id = m.id)",
    )?;
    let rows = stmt.query_map([folder_id], |r| r.get(0))?;
    rows.collect()
}

/// Messages of a folder whose body is still to fetch, newest first:
/// (message id, uid, size).
pub fn missing_bodies(
    conn: &Connection,
    folder_id: i64,
    uidvalidity: u32,
    since: Option<i64>,
) -> rusqlite::Result<Vec<(i64, u32, u64)>> {
    let mut stmt = conn.prepare(
        "SELECT m.id, l.uid, m.size FROM messages m
         JOIN imap_locations l ON l.message_id = m.id
         WHERE l.folder_id = ?1 AND l.uidvalidity = ?2 AND m.blob_hash IS NULL
           AND (?3 IS NULL OR m.date >= ?3)
         ORDER BY m.date DESC, l.uid DESC",
    )?;
    let rows = stmt.query_map(params![folder_id, uidvalidity, since], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
    })?;
    rows.collect()
}

/// One offline change waiting to be replayed.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub kind: PendingKind,
    pub message_id: Option<i64>,
    pub folder_name: String,
    pub uidvalidity: Option<u32>,
    pub uid: Option<u32>,
    pub target: Option<String>,
    pub flags: Flag,
    pub raw: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingKind {
    Flags,
    Move,
    Expunge,
    Append,
}

impl PendingKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Flags => "flags",
            Self::Move => "move",
            Self::Expunge => "expunge",
            Self::Append => "append",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "flags" => Self::Flags,
            "move" => Self::Move,
            "expunge" => Self::Expunge,
            "append" => Self::Append,
            _ => return None,
        })
    }
}

/// A change to queue.
pub struct NewPending<'a> {
    pub account_id: i64,
    pub kind: PendingKind,
    pub message_id: Option<i64>,
    pub folder_name: &'a str,
    pub uidvalidity: Option<u32>,
    pub uid: Option<u32>,
    pub target: Option<&'a str>,
    pub flags: Flag,
    pub raw: Option<&'a [u8]>,
}

pub fn enqueue(conn: &Connection, p: &NewPending<'_>) -> rusqlite::Result<i64> {
    let flags = serde_json::to_string(&p.flags).unwrap_or_default();
    conn.execute(
        "INSERT INTO sync_pending (account_id, kind, message_id, folder_name, uidvalidity, uid,
            target, flags, raw, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            p.account_id,
            p.kind.as_str(),
            p.message_id,
            p.folder_name,
            p.uidvalidity,
            p.uid,
            p.target,
            flags,
            p.raw,
            now()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn pending(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<Pending>> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, message_id, folder_name, uidvalidity, uid, target, flags, raw
         FROM sync_pending WHERE account_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([account_id], |r| {
        let kind: String = r.get(1)?;
        let flags: Option<String> = r.get(7)?;
        Ok((
            kind,
            Pending {
                id: r.get(0)?,
                kind: PendingKind::Flags,
                message_id: r.get(2)?,
                folder_name: r.get(3)?,
                uidvalidity: r.get(4)?,
                uid: r.get(5)?,
                target: r.get(6)?,
                flags: flags
                    .and_then(|f| serde_json::from_str(&f).ok())
                    .unwrap_or_default(),
                raw: r.get(8)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, mut p) = row?;
        if let Some(k) = PendingKind::parse(&kind) {
            p.kind = k;
            out.push(p);
        }
    }
    Ok(out)
}

pub fn pending_count(conn: &Connection, account_id: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM sync_pending WHERE account_id = ?1",
        [account_id],
        |r| r.get(0),
    )
}

pub fn done_pending(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sync_pending WHERE id = ?1", [id])?;
    Ok(())
}

pub fn failed_pending(conn: &Connection, id: i64, error: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sync_pending SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
        params![id, error],
    )?;
    Ok(())
}

/// Mailbox usage on the server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Quota {
    pub root: String,
    pub used_kib: u64,
    pub limit_kib: Option<u64>,
    pub checked_at: i64,
}

pub fn save_quota(conn: &Connection, account_id: i64, q: &Quota) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sync_quota (account_id, root, used_kib, limit_kib, checked_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(account_id) DO UPDATE SET root = excluded.root, used_kib = excluded.used_kib,
            limit_kib = excluded.limit_kib, checked_at = excluded.checked_at",
        params![
            account_id,
            q.root,
            q.used_kib as i64,
            q.limit_kib.map(|v| v as i64),
            q.checked_at
        ],
    )?;
    Ok(())
}

/// The last quota read for an account.
pub fn quota(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<Quota>> {
    conn.query_row(
        "SELECT root, used_kib, limit_kib, checked_at FROM sync_quota WHERE account_id = ?1",
        [account_id],
        |r| {
            Ok(Quota {
                root: r.get(0)?,
                used_kib: r.get::<_, i64>(1)? as u64,
                limit_kib: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                checked_at: r.get(3)?,
            })
        },
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::ParsedMessage;
    use crate::store::{NewMessage, Store, StoreKey};

    #[test]
    fn queue_round_trip_and_locations() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
        let conn = store.conn();
        conn.execute(
            "INSERT INTO accounts (name, address, settings, created_at) VALUES ('a', 'a@b.fr', '{}', 0)",
            [],
        )
        .unwrap();
        let folder = store.ensure_folder(Some(1), "INBOX", None).unwrap();
        let parsed = ParsedMessage {
            message_id: Some("m1@x".into()),
            ..ParsedMessage::default()
        };
        let id = store
            .insert_message(&NewMessage {
                folder_id: folder,
                raw: None,
                parsed: &parsed,
                parse_error: None,
                size: 10,
                flags: Flag::default(),
                received_at: Some(1),
            })
            .unwrap();
        assert_eq!(
            unlocated_by_message_id(conn, folder, "m1@x").unwrap(),
            Some(id)
        );
        locate(conn, id, folder, 7, 42, Some(3)).unwrap();
        assert_eq!(unlocated_by_message_id(conn, folder, "m1@x").unwrap(), None);
        assert_eq!(message_at(conn, folder, 7, 42).unwrap(), Some(id));
        assert_eq!(max_uid(conn, folder, 7).unwrap(), 42);
        assert_eq!(max_uid(conn, folder, 8).unwrap(), 0);

        let seen = Flag {
            seen: true,
            ..Flag::default()
        };
        assert!(set_flags(conn, id, seen).unwrap());
        assert!(!set_flags(conn, id, seen).unwrap(), "no change, no update");

        let p = enqueue(
            conn,
            &NewPending {
                account_id: 1,
                kind: PendingKind::Move,
                message_id: Some(id),
                folder_name: "INBOX",
                uidvalidity: Some(7),
                uid: Some(42),
                target: Some("Trash"),
                flags: seen,
                raw: None,
            },
        )
        .unwrap();
        let queue = pending(conn, 1).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].kind, PendingKind::Move);
        assert_eq!(queue[0].target.as_deref(), Some("Trash"));
        assert_eq!(queue[0].flags, seen);
        forget_locations(conn, folder, 9).unwrap();
        // Unlocated but waiting for a change: not stale.
        assert!(stale_unlocated(conn, folder).unwrap().is_empty());
        done_pending(conn, p).unwrap();
        assert_eq!(stale_unlocated(conn, folder).unwrap(), vec![id]);
        delete_messages(conn, &[id]).unwrap();
        assert_eq!(pending_count(conn, 1).unwrap(), 0);
        assert!(store.message_ids_in(folder).unwrap().is_empty());
    }
}
