//! Mirroring an account's IMAP server into the store.
//!
//! A sync run: replay the changes made offline, mirror the folder list
//! (special-use roles, created/renamed/deleted folders), then for each folder
//! list new messages by their headers (flags, size, INTERNALDATE,
//! BODYSTRUCTURE) in large UID batches, bring flags up to date (CONDSTORE /
//! QRESYNC when offered, a full flag fetch otherwise), drop expunged
//! messages, and finally fetch bodies newest first as the account's
//! `offline_bodies` setting says. Every step is committed in transactions
//! that leave the store consistent: a sync cut at any point continues where
//! it stopped, with no duplicate and no loss.

mod bodies;
mod bodystructure;
mod changes;
mod folders;
mod headers;
pub mod state;
mod watch;

use crate::i18n::tr1;
use futures::TryStreamExt;

use crate::account::{Account, AccountError};
use crate::imap::{self, ImapError, Session};
use crate::store::{Store, StoreError};

pub use changes::{
    AppendOutcome, append, delete_message, move_message, remove_appended, set_flags,
};
pub use state::Quota;
pub use watch::{Backoff, watch, watch_with_card};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("{}", tr1("sync-no-message", "id", .0))]
    NoMessage(i64),
    #[error("{}", tr1("sync-no-folder", "name", .0))]
    NoFolder(String),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}

impl From<async_imap::error::Error> for SyncError {
    fn from(e: async_imap::error::Error) -> Self {
        Self::Imap(ImapError::Protocol(e))
    }
}

impl SyncError {
    /// True when a later retry may succeed (network, server restart).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Imap(e) if e.is_transient())
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// What a sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Replaying changes made offline.
    Changes,
    /// Listing folders.
    Folders,
    /// Listing messages by their headers.
    Headers,
    /// Bringing flags and deletions up to date.
    Flags,
    /// Downloading message bodies.
    Bodies,
    /// Up to date.
    Done,
}

/// A progress event, for a progress bar (CLI) or a status line (GUI).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub account: String,
    pub folder: String,
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
    /// Bytes received in this phase of this folder.
    pub bytes: u64,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub folders: u32,
    pub new_messages: u64,
    pub flag_updates: u64,
    pub expunged: u64,
    pub bodies: u64,
    pub bytes: u64,
    pub replayed: u64,
}

/// How a sync runs.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Fetch bodies after headers (as `offline_bodies` allows).
    pub bodies: bool,
    /// Messages per header transaction.
    pub header_batch: usize,
    /// Largest body chunk fetched and committed at once, in bytes.
    pub body_chunk_bytes: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            bodies: true,
            header_batch: 2000,
            body_chunk_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The server's optional features the sync uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caps {
    pub condstore: bool,
    pub qresync: bool,
    pub moves: bool,
    pub uidplus: bool,
    pub quota: bool,
}

/// The state shared by the steps of one run.
pub(crate) struct Run<'a> {
    pub store: &'a Store,
    pub account: &'a Account,
    pub caps: Caps,
    pub opts: &'a SyncOptions,
    pub progress: &'a mut dyn FnMut(&Progress),
    pub report: SyncReport,
}

impl Run<'_> {
    pub fn emit(&mut self, folder: &str, phase: Phase, done: u64, total: u64, bytes: u64) {
        (self.progress)(&Progress {
            account: self.account.address.clone(),
            folder: folder.to_owned(),
            phase,
            done,
            total,
            bytes,
        });
    }
}

/// Read the server's capabilities and turn on QRESYNC when offered.
pub async fn negotiate(session: &mut Session) -> Result<Caps> {
    let caps = session.capabilities().await?;
    let mut c = Caps {
        condstore: caps.has_str("CONDSTORE"),
        qresync: caps.has_str("QRESYNC"),
        moves: caps.has_str("MOVE"),
        uidplus: caps.has_str("UIDPLUS"),
        quota: caps.has_str("QUOTA"),
    };
    if c.qresync {
        if session
            .run_command_and_check_ok("ENABLE QRESYNC")
            .await
            .is_err()
        {
            c.qresync = false;
        }
        c.condstore = true;
    }
    Ok(c)
}

/// Connect with the account's settings and secrets, then sync.
pub async fn sync_account(
    store: &Store,
    account: &Account,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<SyncReport> {
    let mut session = imap::open(account).await?;
    let report = sync_session(store, account, &mut session, opts, progress).await?;
    let _ = session.logout().await;
    Ok(report)
}

/// Sync over a session already logged in.
pub async fn sync_session(
    store: &Store,
    account: &Account,
    session: &mut Session,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<SyncReport> {
    let caps = negotiate(session).await?;
    let mut run = Run {
        store,
        account,
        caps,
        opts,
        progress,
        report: SyncReport::default(),
    };
    changes::replay(&mut run, session).await?;
    let folders = folders::mirror(&mut run, session).await?;
    for f in &folders {
        headers::sync_folder(&mut run, session, f).await?;
        run.report.folders += 1;
    }
    if caps.quota {
        read_quota(&mut run, session).await;
    }
    if opts.bodies {
        for f in &folders {
            bodies::fetch_folder(&mut run, session, f).await?;
        }
    }
    run.emit("", Phase::Done, 0, 0, run.report.bytes);
    tracing::info!(account = %account.address, report = ?run.report, "sync done");
    Ok(run.report)
}

/// Read the quota of INBOX's root and keep it; a failure is only logged.
async fn read_quota(run: &mut Run<'_>, session: &mut Session) {
    let quotas = match session.get_quota_root("INBOX").await {
        Ok((_, quotas)) => quotas,
        Err(e) => {
            tracing::warn!(error = %e, "quota not readable");
            return;
        }
    };
    for q in quotas {
        for r in &q.resources {
            if matches!(r.name, async_imap::types::QuotaResourceName::Storage) {
                let quota = Quota {
                    root: q.root_name.clone(),
                    used_kib: r.usage,
                    limit_kib: Some(r.limit),
                    checked_at: crate::store::now(),
                };
                if let Err(e) = state::save_quota(run.store.conn(), run.account.id, &quota) {
                    tracing::warn!(error = %e, "quota not saved");
                }
                return;
            }
        }
    }
}

/// The last quota read for an account.
pub fn quota(store: &Store, account: &Account) -> Result<Option<Quota>> {
    Ok(state::quota(store.conn(), account.id)?)
}

/// Number of offline changes waiting to be replayed.
pub fn pending_changes(store: &Store, account: &Account) -> Result<i64> {
    Ok(state::pending_count(store.conn(), account.id)?)
}

/// Collect a stream of fetch results.
pub(crate) async fn collect<S, T>(stream: S) -> Result<Vec<T>>
where
    S: futures::Stream<Item = std::result::Result<T, async_imap::error::Error>>,
{
    Ok(stream.try_collect().await?)
}
