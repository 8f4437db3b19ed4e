//! The folder list: mirrored from LIST with special-use roles; folders
//! created, renamed (same UIDVALIDITY under a new name) or deleted on the
//! server are followed.

use async_imap::imap_proto::NameAttribute;

use super::{Phase, Result, Run, collect, state};
use crate::imap::Session;
use crate::store::FolderRole;

/// A server folder and its local mirror.
#[derive(Debug, Clone)]
pub struct RemoteFolder {
    pub id: i64,
    pub name: String,
}

fn role_of(name: &str, attrs: &[NameAttribute<'_>]) -> Option<FolderRole> {
    if name.eq_ignore_ascii_case("INBOX") {
        return Some(FolderRole::Inbox);
    }
    attrs.iter().find_map(|a| match a {
        NameAttribute::Sent => Some(FolderRole::Sent),
        NameAttribute::Drafts => Some(FolderRole::Drafts),
        NameAttribute::Trash => Some(FolderRole::Trash),
        NameAttribute::Junk => Some(FolderRole::Junk),
        NameAttribute::Archive => Some(FolderRole::Archive),
        _ => None,
    })
}

/// Mirror the folder list; returns the selectable folders, INBOX first.
pub async fn mirror(run: &mut Run<'_>, session: &mut Session) -> Result<Vec<RemoteFolder>> {
    run.emit("", Phase::Folders, 0, 0, 0);
    let names = collect(session.list(Some(""), Some("*")).await?).await?;
    let mut remote: Vec<(String, Option<FolderRole>)> = names
        .iter()
        .filter(|n| {
            !n.attributes().iter().any(|a| match a {
                NameAttribute::NoSelect => true,
                NameAttribute::Extension(e) => e.eq_ignore_ascii_case("\\NonExistent"),
                _ => false,
            })
        })
        .map(|n| {
            let name = if n.name().eq_ignore_ascii_case("INBOX") {
                "INBOX".to_owned()
            } else {
                n.name().to_owned()
            };
            let role = role_of(&name, n.attributes());
            (name, role)
        })
        .collect();
    remote.sort_by_key(|(name, role)| (*role != Some(FolderRole::Inbox), name.clone()));

    let conn = run.store.conn();
    let local = state::account_folders(conn, run.account.id)?;
    let mut gone: Vec<(i64, String, Option<u32>)> = local
        .iter()
        .filter(|(_, name, _)| !remote.iter().any(|(r, _)| r == name))
        .cloned()
        .collect();
    let created: Vec<&String> = remote
        .iter()
        .map(|(n, _)| n)
        .filter(|n| !local.iter().any(|(_, l, _)| l == *n))
        .collect();
    // A folder that vanished while one with its UIDVALIDITY appeared was renamed.
    if !gone.is_empty() && !created.is_empty() {
        for name in created {
            let status = session.status(name, "(UIDVALIDITY)").await?;
            let Some(uv) = status.uid_validity else {
                continue;
            };
            if let Some(pos) = gone.iter().position(|(_, _, v)| *v == Some(uv)) {
                let (id, old, _) = gone.remove(pos);
                tracing::info!(from = %old, to = %name, "folder renamed on the server");
                state::rename_folder(conn, id, name)?;
            }
        }
    }
    for (id, name, _) in gone {
        tracing::info!(folder = %name, "folder deleted on the server");
        let tx = conn.unchecked_transaction()?;
        let ids = run.store.message_ids_in(id)?;
        state::delete_messages(&tx, &ids)?;
        tx.execute("DELETE FROM folders WHERE id = ?1", [id])?;
        tx.commit()?;
        run.store.drop_unlinked_bodies()?;
    }
    let mut out = Vec::with_capacity(remote.len());
    for (name, role) in remote {
        let id = run.store.ensure_folder(Some(run.account.id), &name, role)?;
        state::set_role(conn, id, role)?;
        out.push(RemoteFolder { id, name });
    }
    Ok(out)
}
