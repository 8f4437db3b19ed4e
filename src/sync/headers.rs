//! One folder's pass: new messages by their headers, flag changes,
//! expunges, and UIDVALIDITY changes.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use async_imap::types::{Fetch, Flag as ImapFlag, UnsolicitedResponse};
use futures::TryStreamExt;

use super::folders::RemoteFolder;
use super::{Phase, Result, Run, bodystructure, collect, state};
use crate::imap::Session;
use crate::mime::{self, ParsedMessage};
use crate::store::{Flag, NewMessage, Store};

/// The system flags of a fetch result.
pub fn flags_of(f: &Fetch) -> Flag {
    let mut out = Flag::default();
    for flag in f.flags() {
        match flag {
            ImapFlag::Seen => out.seen = true,
            ImapFlag::Flagged => out.flagged = true,
            ImapFlag::Answered => out.answered = true,
            ImapFlag::Deleted => out.deleted = true,
            ImapFlag::Draft => out.draft = true,
            _ => {}
        }
    }
    out
}

/// What the server said besides the answers: new EXISTS counts, VANISHED
/// UIDs, and whether plain EXPUNGEs (sequence numbers) came.
#[derive(Default)]
struct Unsolicited {
    exists: Option<u32>,
    vanished: Vec<RangeInclusive<u32>>,
    expunged: bool,
}

fn drain(session: &mut Session, into: &mut Unsolicited) {
    use async_imap::imap_proto::Response;
    while let Ok(u) = session.unsolicited_responses.try_recv() {
        match u {
            UnsolicitedResponse::Exists(n) => into.exists = Some(n),
            UnsolicitedResponse::Expunge(_) => into.expunged = true,
            UnsolicitedResponse::Other(data) => {
                if let Response::Vanished { uids, .. } = data.parsed() {
                    into.vanished.extend(uids.iter().cloned());
                }
            }
            _ => {}
        }
    }
}

/// Sync one folder's message list and flags.
pub async fn sync_folder(run: &mut Run<'_>, session: &mut Session, f: &RemoteFolder) -> Result<()> {
    let mut unsolicited = Unsolicited::default();
    drain(session, &mut unsolicited);
    unsolicited = Unsolicited::default();
    let mb = if run.caps.condstore {
        session.select_condstore(&f.name).await?
    } else {
        session.select(&f.name).await?
    };
    let conn = run.store.conn();
    let uv = mb.uid_validity.unwrap_or(0);
    let mut local = state::folder_state(conn, f.id)?;
    if local.uidvalidity.is_some_and(|v| v != uv) {
        tracing::warn!(folder = %f.name, "UIDVALIDITY changed: matching messages again");
        let tx = conn.unchecked_transaction()?;
        state::forget_locations(&tx, f.id, uv)?;
        tx.commit()?;
        local = state::folder_state(conn, f.id)?;
    }
    let server = state::FolderState {
        id: f.id,
        uidvalidity: Some(uv),
        uidnext: mb.uid_next,
        highestmodseq: mb.highest_modseq,
    };
    if server.highestmodseq.is_some() && local == server {
        return Ok(());
    }
    let known_max = state::max_uid(conn, f.id, uv)?;
    let known_count = state::located_count(conn, f.id, uv)?;

    // New messages, by their headers.
    if mb.exists > 0 && mb.uid_next.is_none_or(|next| next > known_max + 1) {
        let total = mb.exists.saturating_sub(known_count) as u64;
        fetch_headers(run, session, f, uv, known_max + 1, total).await?;
    }

    // Flags (and VANISHED) of the messages known before this pass.
    if known_max > 0 {
        let since = local.highestmodseq.filter(|_| run.caps.condstore);
        let query = match since {
            Some(m) if run.caps.qresync => format!("(UID FLAGS) (CHANGEDSINCE {m} VANISHED)"),
            Some(m) => format!("(UID FLAGS) (CHANGEDSINCE {m})"),
            None => "(UID FLAGS)".to_owned(),
        };
        run.emit(&f.name, Phase::Flags, 0, 0, 0);
        let fetched = collect(session.uid_fetch(format!("1:{known_max}"), &query).await?).await?;
        drain(session, &mut unsolicited);
        let tx = conn.unchecked_transaction()?;
        for fe in &fetched {
            let Some(uid) = fe.uid else { continue };
            if let Some(id) = state::message_at(&tx, f.id, uv, uid)?
                && state::set_flags(&tx, id, flags_of(fe))?
            {
                run.report.flag_updates += 1;
            }
        }
        tx.commit()?;
    }

    // Expunges: VANISHED when QRESYNC told us, else a UID list when counts differ.
    drain(session, &mut unsolicited);
    let mut gone: Vec<i64> = Vec::new();
    if !unsolicited.vanished.is_empty() {
        for (uid, id) in state::located_uids(conn, f.id, uv)? {
            if unsolicited.vanished.iter().any(|r| r.contains(&uid)) {
                gone.push(id);
            }
        }
        remove(run.store, &gone)?;
        run.report.expunged += gone.len() as u64;
    }
    let exists = unsolicited.exists.unwrap_or(mb.exists);
    if unsolicited.expunged || state::located_count(conn, f.id, uv)? != exists {
        let on_server: HashSet<u32> = session.uid_search("ALL").await?;
        let gone: Vec<i64> = state::located_uids(conn, f.id, uv)?
            .into_iter()
            .filter(|(uid, _)| !on_server.contains(uid))
            .map(|(_, id)| id)
            .collect();
        remove(run.store, &gone)?;
        run.report.expunged += gone.len() as u64;
    }
    // Messages left unlocated (UIDVALIDITY change, failed offline change
    // dropped) and not matched again are gone from the server.
    let stale = state::stale_unlocated(conn, f.id)?;
    remove(run.store, &stale)?;
    state::save_folder_state(conn, &server)?;
    Ok(())
}

fn remove(store: &Store, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let tx = store.conn().unchecked_transaction()?;
    state::delete_messages(&tx, ids)?;
    tx.commit()?;
    store.drop_unlinked_bodies()?;
    Ok(())
}

async fn fetch_headers(
    run: &mut Run<'_>,
    session: &mut Session,
    f: &RemoteFolder,
    uv: u32,
    from: u32,
    total: u64,
) -> Result<()> {
    let query = if run.caps.condstore {
        "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE MODSEQ BODY.PEEK[HEADER])"
    } else {
        "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER])"
    };
    let batch_size = run.opts.header_batch.max(1);
    let mut stream = session.uid_fetch(format!("{from}:*"), query).await?;
    let mut batch: Vec<Fetch> = Vec::with_capacity(batch_size);
    let (mut done, mut bytes) = (0u64, 0u64);
    run.emit(&f.name, Phase::Headers, 0, total, 0);
    while let Some(fe) = stream.try_next().await? {
        // `n:*` also returns the last message when n is past the end.
        if fe.uid.is_some_and(|u| u >= from) {
            bytes += fe.header().map_or(0, |h| h.len() as u64);
            batch.push(fe);
        }
        if batch.len() >= batch_size {
            done += write_headers(run, f.id, uv, &batch)?;
            batch.clear();
            run.emit(&f.name, Phase::Headers, done, total.max(done), bytes);
        }
    }
    drop(stream);
    done += write_headers(run, f.id, uv, &batch)?;
    run.report.bytes += bytes;
    run.emit(&f.name, Phase::Headers, done, total.max(done), bytes);
    Ok(())
}

/// Store a batch of header fetches in one transaction; returns how many.
fn write_headers(run: &mut Run<'_>, folder_id: i64, uv: u32, batch: &[Fetch]) -> Result<u64> {
    if batch.is_empty() {
        return Ok(0);
    }
    let store = run.store;
    let tx = store.conn().unchecked_transaction()?;
    for fe in batch {
        let Some(uid) = fe.uid else { continue };
        let flags = flags_of(fe);
        if let Some(id) = state::message_at(&tx, folder_id, uv, uid)? {
            state::set_flags(&tx, id, flags)?;
            continue;
        }
        let header = fe.header().unwrap_or(b"");
        let (mut parsed, parse_error) = match mime::parse(header) {
            Ok(p) => (p, None),
            Err(e) => (ParsedMessage::default(), Some(e.to_string())),
        };
        if let Some(bs) = fe.bodystructure() {
            parsed.attachments = bodystructure::attachments(bs);
        }
        if let Some(rid) = parsed.message_id.as_deref()
            && let Some(id) = state::unlocated_by_message_id(&tx, folder_id, rid)?
        {
            state::locate(&tx, id, folder_id, uv, uid, fe.modseq)?;
            state::set_flags(&tx, id, flags)?;
            continue;
        }
        let id = store.insert_message(&NewMessage {
            folder_id,
            raw: None,
            parsed: &parsed,
            parse_error,
            size: fe.size.map_or(header.len() as u64, u64::from),
            flags,
            received_at: fe.internal_date().map(|d| d.timestamp()),
        })?;
        state::locate(&tx, id, folder_id, uv, uid, fe.modseq)?;
        run.report.new_messages += 1;
    }
    tx.commit()?;
    Ok(batch.len() as u64)
}
