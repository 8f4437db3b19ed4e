//! The second pass: message bodies, newest first, in chunks committed one by
//! one, as far as the account's `offline_bodies` setting asks.

use futures::TryStreamExt;

use super::folders::RemoteFolder;
use super::{Phase, Result, Run, state};
use crate::account::OfflineBodies;
use crate::imap::Session;
use crate::store::now;

/// Most messages asked in one FETCH.
const MAX_CHUNK_MESSAGES: usize = 500;

pub async fn fetch_folder(
    run: &mut Run<'_>,
    session: &mut Session,
    f: &RemoteFolder,
) -> Result<()> {
    let since = match run.account.settings.offline_bodies {
        OfflineBodies::All => None,
        OfflineBodies::LastDays { days } => Some(now() - i64::from(days) * 86_400),
        OfflineBodies::OnDemand => return Ok(()),
    };
    let conn = run.store.conn();
    let Some(uv) = state::folder_state(conn, f.id)?.uidvalidity else {
        return Ok(());
    };
    let missing = state::missing_bodies(conn, f.id, uv, since)?;
    if missing.is_empty() {
        return Ok(());
    }
    let total_bytes: u64 = missing.iter().map(|m| m.2).sum();
    let total = missing.len() as u64;
    session.select(&f.name).await?;
    let (mut done, mut bytes) = (0u64, 0u64);
    run.emit(&f.name, Phase::Bodies, 0, total, 0);
    let mut rest = &missing[..];
    while !rest.is_empty() {
        let mut n = 0;
        let mut size = 0;
        while n < rest.len()
            && n < MAX_CHUNK_MESSAGES
            && (n == 0 || size + rest[n].2 <= run.opts.body_chunk_bytes)
        {
            size += rest[n].2;
            n += 1;
        }
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        let set = chunk
            .iter()
            .map(|m| m.1.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mut stream = session.uid_fetch(&set, "(UID BODY.PEEK[])").await?;
        let store = run.store;
        let tx = store.conn().unchecked_transaction()?;
        while let Some(fe) = stream.try_next().await? {
            let (Some(uid), Some(body)) = (fe.uid, fe.body()) else {
                continue;
            };
            let Some(&(id, _, _)) = chunk.iter().find(|m| m.1 == uid) else {
                continue;
            };
            store.set_body(id, body)?;
            bytes += body.len() as u64;
            done += 1;
            run.report.bodies += 1;
        }
        drop(stream);
        tx.commit()?;
        run.emit(&f.name, Phase::Bodies, done, total, bytes);
    }
    run.report.bytes += bytes;
    tracing::debug!(folder = %f.name, done, bytes, total_bytes, "bodies");
    Ok(())
}
