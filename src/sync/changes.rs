//! Changes made in Caducée (flags, moves, deletions, messages to file in Sent
//! or Drafts): applied to the store at once and queued; the queue is replayed
//! on the server at the next sync, in order, and each entry is removed only
//! once the server has it.

use super::state::{self, NewPending, PendingKind};
use super::{Caps, Phase, Result, Run, SyncError, collect, negotiate};
use crate::account::Account;
use crate::imap::{self, Session};
use crate::mime;
use crate::store::{Flag, NewMessage, Store};

/// Set a message's flags (read, flagged, answered, deleted) here and, at the
/// next sync, on the server.
pub fn set_flags(store: &Store, account: &Account, message_id: i64, flags: Flag) -> Result<()> {
    let conn = store.conn();
    let tx = conn.unchecked_transaction()?;
    let loc = state::location_of(&tx, message_id)?;
    if !state::set_flags(&tx, message_id, flags)? && loc.is_none() {
        ensure_exists(&tx, message_id)?;
    }
    if let Some((_, folder, uv, uid)) = loc {
        state::enqueue(
            &tx,
            &NewPending {
                account_id: account.id,
                kind: PendingKind::Flags,
                message_id: Some(message_id),
                folder_name: &folder,
                uidvalidity: Some(uv),
                uid: Some(uid),
                target: None,
                flags,
                raw: None,
            },
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn ensure_exists(conn: &rusqlite::Connection, id: i64) -> Result<()> {
    let n: i64 = conn.query_row("SELECT count(*) FROM messages WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    if n == 0 {
        return Err(SyncError::NoMessage(id));
    }
    Ok(())
}

/// Move a message to another folder of its account.
pub fn move_message(store: &Store, account: &Account, message_id: i64, target: &str) -> Result<()> {
    let conn = store.conn();
    let target_id = store
        .folder_id(Some(account.id), target)?
        .ok_or_else(|| SyncError::NoFolder(target.to_owned()))?;
    let tx = conn.unchecked_transaction()?;
    ensure_exists(&tx, message_id)?;
    if let Some((_, folder, uv, uid)) = state::location_of(&tx, message_id)? {
        state::enqueue(
            &tx,
            &NewPending {
                account_id: account.id,
                kind: PendingKind::Move,
                message_id: Some(message_id),
                folder_name: &folder,
                uidvalidity: Some(uv),
                uid: Some(uid),
                target: Some(target),
                flags: Flag::default(),
                raw: None,
            },
        )?;
        tx.execute(
            "DELETE FROM imap_locations WHERE message_id = ?1",
            [message_id],
        )?;
    }
    tx.execute(
        "UPDATE messages SET folder_id = ?2 WHERE id = ?1",
        [message_id, target_id],
    )?;
    tx.commit()?;
    Ok(())
}

/// Delete a message for good (expunge), here and on the server.
pub fn delete_message(store: &Store, account: &Account, message_id: i64) -> Result<()> {
    let conn = store.conn();
    let tx = conn.unchecked_transaction()?;
    ensure_exists(&tx, message_id)?;
    if let Some((_, folder, uv, uid)) = state::location_of(&tx, message_id)? {
        state::enqueue(
            &tx,
            &NewPending {
                account_id: account.id,
                kind: PendingKind::Expunge,
                message_id: None,
                folder_name: &folder,
                uidvalidity: Some(uv),
                uid: Some(uid),
                target: None,
                flags: Flag::default(),
                raw: None,
            },
        )?;
    }
    tx.execute(
        "UPDATE sync_pending SET message_id = NULL WHERE message_id = ?1",
        [message_id],
    )?;
    state::delete_messages(&tx, &[message_id])?;
    tx.commit()?;
    store.drop_unlinked_bodies()?;
    Ok(())
}

/// The result of [`append`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct AppendOutcome {
    /// The message in the store.
    pub message_id: i64,
    /// False when the server could not be reached: the message is queued and
    /// goes up at the next sync.
    pub uploaded: bool,
}

/// File a message in a folder of the account (Sent after sending, Drafts):
/// stored here at once, uploaded now if the server is reachable, else queued.
pub async fn append(
    store: &Store,
    account: &Account,
    folder: &str,
    raw: &[u8],
    flags: Flag,
) -> Result<AppendOutcome> {
    let folder_id = match store.folder_id(Some(account.id), folder)? {
        Some(id) => id,
        None => store.ensure_folder(Some(account.id), folder, None)?,
    };
    let (parsed, parse_error) = match mime::parse(raw) {
        Ok(p) => (p, None),
        Err(e) => (Default::default(), Some(e.to_string())),
    };
    let conn = store.conn();
    let tx = conn.unchecked_transaction()?;
    let message_id = store.insert_message(&NewMessage {
        folder_id,
        raw: Some(raw),
        parsed: &parsed,
        parse_error,
        size: raw.len() as u64,
        flags,
        received_at: None,
    })?;
    state::enqueue(
        &tx,
        &NewPending {
            account_id: account.id,
            kind: PendingKind::Append,
            message_id: Some(message_id),
            folder_name: folder,
            uidvalidity: None,
            uid: None,
            target: None,
            flags,
            raw: Some(raw),
        },
    )?;
    tx.commit()?;
    let uploaded = match imap::open(account).await {
        Ok(mut session) => {
            let caps = negotiate(&mut session).await?;
            let mut progress = |_: &super::Progress| {};
            let opts = super::SyncOptions::default();
            let mut run = Run {
                store,
                account,
                caps,
                opts: &opts,
                progress: &mut progress,
                report: Default::default(),
            };
            replay(&mut run, &mut session).await?;
            let _ = session.logout().await;
            true
        }
        Err(e) if e.is_transient() => {
            tracing::info!(error = %e, "server unreachable: append queued");
            false
        }
        Err(e) => return Err(e.into()),
    };
    Ok(AppendOutcome {
        message_id,
        uploaded,
    })
}

/// Take a message that [`append`] filed on the server, and that no sync has
/// located yet, off the server again, found by its Message-ID (a draft
/// replaced by a newer version). Returns false, having removed nothing, when
/// the server cannot be reached.
pub async fn remove_appended(
    account: &Account,
    folder: &str,
    rfc_message_id: &str,
) -> Result<bool> {
    if rfc_message_id.contains(['"', '\\', '\r', '\n']) {
        return Ok(false);
    }
    let mut session = match imap::open(account).await {
        Ok(s) => s,
        Err(e) if e.is_transient() => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let caps = negotiate(&mut session).await?;
    let mut selected = None;
    select(caps, &mut session, &mut selected, folder).await?;
    let found = session
        .uid_search(format!("HEADER Message-ID \"{rfc_message_id}\""))
        .await?;
    for uid in found {
        expunge_uid(caps, &mut session, &uid.to_string()).await?;
    }
    let _ = session.logout().await;
    Ok(true)
}

fn flag_list(f: Flag) -> (String, String) {
    let all = [
        (f.seen, "\\Seen"),
        (f.flagged, "\\Flagged"),
        (f.answered, "\\Answered"),
        (f.deleted, "\\Deleted"),
        (f.draft, "\\Draft"),
    ];
    let set: Vec<&str> = all.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
    let unset: Vec<&str> = all.iter().filter(|(on, _)| !*on).map(|(_, n)| *n).collect();
    (set.join(" "), unset.join(" "))
}

/// A server answer that says the change cannot be applied (rather than a
/// lost connection): the entry is marked failed, the sync goes on.
fn refused(e: &SyncError) -> bool {
    matches!(
        e,
        SyncError::Imap(imap::ImapError::Protocol(
            async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_)
        ))
    )
}

/// Replay the queued changes of the account, oldest first.
pub async fn replay(run: &mut Run<'_>, session: &mut Session) -> Result<()> {
    let queue = state::pending(run.store.conn(), run.account.id)?;
    if queue.is_empty() {
        return Ok(());
    }
    let total = queue.len() as u64;
    let mut selected: Option<(String, u32)> = None;
    for (i, p) in queue.into_iter().enumerate() {
        run.emit(&p.folder_name, Phase::Changes, i as u64, total, 0);
        let outcome = apply(run.caps, session, &mut selected, &p).await;
        let conn = run.store.conn();
        match outcome {
            Ok(()) => {
                state::done_pending(conn, p.id)?;
                run.report.replayed += 1;
            }
            Err(e) if refused(&e) => {
                tracing::warn!(error = %e, kind = ?p.kind, "offline change refused by the server");
                state::failed_pending(conn, p.id, &e.to_string())?;
                // A refused change is not retried forever: drop it after a few tries.
                let attempts: i64 = conn
                    .query_row(
                        "SELECT attempts FROM sync_pending WHERE id = ?1",
                        [p.id],
                        |r| r.get(0),
                    )
                    .unwrap_or(0);
                if attempts >= 3 {
                    state::done_pending(conn, p.id)?;
                }
            }
            Err(e) => return Err(e),
        }
    }
    run.emit("", Phase::Changes, total, total, 0);
    Ok(())
}

/// Select `folder` unless it is already; returns its UIDVALIDITY.
async fn select(
    caps: Caps,
    session: &mut Session,
    selected: &mut Option<(String, u32)>,
    folder: &str,
) -> Result<u32> {
    if let Some((name, uv)) = selected
        && name == folder
    {
        return Ok(*uv);
    }
    let mb = if caps.condstore {
        session.select_condstore(folder).await?
    } else {
        session.select(folder).await?
    };
    let uv = mb.uid_validity.unwrap_or(0);
    *selected = Some((folder.to_owned(), uv));
    Ok(uv)
}

async fn apply(
    caps: Caps,
    session: &mut Session,
    selected: &mut Option<(String, u32)>,
    p: &state::Pending,
) -> Result<()> {
    if p.kind == PendingKind::Append {
        return append_one(caps, session, selected, p).await;
    }
    let (Some(uid), Some(want_uv)) = (p.uid, p.uidvalidity) else {
        return Ok(());
    };
    let uv = select(caps, session, selected, &p.folder_name).await?;
    if uv != want_uv {
        // The folder was recreated: the UID means nothing any more.
        tracing::warn!(folder = %p.folder_name, "offline change dropped: UIDVALIDITY changed");
        return Ok(());
    }
    let uid = uid.to_string();
    match p.kind {
        PendingKind::Flags => {
            let (set, unset) = flag_list(p.flags);
            if !set.is_empty() {
                collect(
                    session
                        .uid_store(&uid, format!("+FLAGS.SILENT ({set})"))
                        .await?,
                )
                .await?;
            }
            if !unset.is_empty() {
                collect(
                    session
                        .uid_store(&uid, format!("-FLAGS.SILENT ({unset})"))
                        .await?,
                )
                .await?;
            }
        }
        PendingKind::Move => {
            let target = p.target.as_deref().unwrap_or("INBOX");
            if caps.moves {
                session.uid_mv(&uid, target).await?;
            } else {
                session.uid_copy(&uid, target).await?;
                expunge_uid(caps, session, &uid).await?;
            }
        }
        PendingKind::Expunge => expunge_uid(caps, session, &uid).await?,
        PendingKind::Append => {}
    }
    Ok(())
}

async fn expunge_uid(caps: Caps, session: &mut Session, uid: &str) -> Result<()> {
    collect(session.uid_store(uid, "+FLAGS.SILENT (\\Deleted)").await?).await?;
    if caps.uidplus {
        let _ = collect(session.uid_expunge(uid).await?).await?;
    } else {
        // Without UIDPLUS only a full EXPUNGE exists; it also removes other
        // messages marked deleted, which the user asked for anyway.
        let _ = collect(session.expunge().await?).await?;
    }
    Ok(())
}

async fn append_one(
    caps: Caps,
    session: &mut Session,
    selected: &mut Option<(String, u32)>,
    p: &state::Pending,
) -> Result<()> {
    let Some(raw) = p.raw.as_deref() else {
        return Ok(());
    };
    // A replay after a cut may find the message already there.
    if let Ok(parsed) = mime::parse(raw)
        && let Some(id) = parsed.message_id
        && !id.contains('"')
    {
        select(caps, session, selected, &p.folder_name).await?;
        let found = session
            .uid_search(format!("HEADER Message-ID \"{id}\""))
            .await?;
        if !found.is_empty() {
            return Ok(());
        }
    }
    let (set, _) = flag_list(p.flags);
    let flags = format!("({set})");
    session
        .append(&p.folder_name, Some(&flags), None, raw)
        .await?;
    // Stay consistent with what the server now holds.
    let _ = session.noop().await;
    Ok(())
}
