//! Import of existing mail: a `.eml` file, a folder of `.eml` files, an mbox
//! file or a Maildir (`cur/`, `new/`), streamed into a local folder.
//!
//! One thread reads, a pool of threads parses and hashes, the calling thread
//! writes the envelopes and the text index, and one more thread writes the raw
//! messages into the store's bodies file. A message that cannot be parsed is
//! stored raw and reported, never dropped.

use crate::i18n::{tr1, tr2};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use mail_parser::mailbox::{maildir, mbox};

use crate::mime::{self, ParsedMessage};
use crate::store::{Flag, NewMessage, Store, StoreError, blob_hash};

use bodies::BodyPipe;
use pool::{Stopped, run_ordered};

mod bodies;
mod pool;

/// Messages written per transaction (each commit waits for the bodies file to
/// commit first: fewer, larger batches keep both writers busy).
const BATCH: usize = 5000;
/// Messages waiting per parsing thread, at most (bounds the memory in flight).
const QUEUE: usize = 16;
/// Parsing threads, at most.
const MAX_PARSERS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", tr1("import-not-found", "path", &.0.display()))]
    NotFound(PathBuf),
    #[error("{}", tr1("import-unknown-format", "path", &.0.display()))]
    UnknownFormat(PathBuf),
    #[error("{}", tr2("import-read", "path", &.path.display(), "reason", .source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}", tr1("import-stopped", "step", .0))]
    Stopped(&'static str),
}

/// The kinds of source `import` understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Eml(PathBuf),
    EmlFolder(PathBuf),
    Mbox(PathBuf),
    Maildir(PathBuf),
}

impl Source {
    /// Recognise what `path` holds.
    pub fn detect(path: &Path) -> Result<Self, ImportError> {
        if !path.exists() {
            return Err(ImportError::NotFound(path.to_path_buf()));
        }
        if path.is_dir() {
            if path.join("cur").is_dir() || path.join("new").is_dir() {
                return Ok(Self::Maildir(path.to_path_buf()));
            }
            let has_eml = read_dir_sorted(path)?
                .iter()
                .any(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml")));
            return if has_eml {
                Ok(Self::EmlFolder(path.to_path_buf()))
            } else {
                Err(ImportError::UnknownFormat(path.to_path_buf()))
            };
        }
        let mut head = [0u8; 5];
        let n = File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|source| ImportError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        let is_eml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"));
        if &head[..n] == b"From " && !is_eml {
            Ok(Self::Mbox(path.to_path_buf()))
        } else if is_eml || looks_like_header(&head[..n]) {
            Ok(Self::Eml(path.to_path_buf()))
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("mbox") || e.eq_ignore_ascii_case("mbx"))
        {
            Ok(Self::Mbox(path.to_path_buf()))
        } else {
            Err(ImportError::UnknownFormat(path.to_path_buf()))
        }
    }
}

fn looks_like_header(head: &[u8]) -> bool {
    head.iter()
        .take_while(|&&b| b != b':')
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && head.contains(&b':')
}

/// Where import stands.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub done: u64,
    /// Number of messages when known in advance (Maildir, .eml folder).
    pub total: Option<u64>,
    pub bytes: u64,
}

/// A message stored raw because it could not be parsed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Malformed {
    pub message_id: i64,
    /// Where it was found: a file, or "mbox message N".
    pub origin: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub folder: String,
    pub imported: u64,
    pub bytes: u64,
    pub malformed: Vec<Malformed>,
    /// Files that could not be read at all (permissions, I/O).
    pub unreadable: Vec<String>,
}

/// One message read from the source, on its way to a parsing thread.
struct Raw {
    origin: String,
    raw: Vec<u8>,
    flags: Flag,
    received_at: Option<i64>,
}

/// What the reading thread hands on: a message, or a file it could not read.
type Job = Result<Raw, String>;

/// One message parsed and hashed, on its way to the writer.
struct Item {
    origin: String,
    raw: Vec<u8>,
    /// Content address of `raw`.
    hash: String,
    parsed: Result<ParsedMessage, String>,
    flags: Flag,
    received_at: Option<i64>,
}

/// Import everything `source` holds into the local folder `folder`.
pub fn import(
    store: &Store,
    source: &Source,
    folder: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let folder_id = store.ensure_folder(None, folder, None)?;
    let bulk = store.begin_bulk()?;
    let result = import_into(store, source, folder, folder_id, progress);
    if bulk {
        store.end_bulk()?;
    }
    result
}

fn import_into(
    store: &Store,
    source: &Source,
    folder: &str,
    folder_id: i64,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    std::thread::scope(|scope| {
        let pipe = store.bodies().map(|b| BodyPipe::start(scope, b));
        import_with(store, source, folder, folder_id, pipe.as_ref(), progress)
    })
}

/// The import proper; `pipe` takes the raw messages when the store keeps them
/// in its bodies file.
fn import_with(
    store: &Store,
    source: &Source,
    folder: &str,
    folder_id: i64,
    pipe: Option<&BodyPipe<'_>>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    // The store's batch is committed only after the bodies its messages use.
    let commit = |tx: rusqlite::Transaction<'_>| -> Result<(), ImportError> {
        if let Some(pipe) = pipe {
            pipe.commit()?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    };
    let total = match source {
        Source::Eml(_) => Some(1),
        Source::EmlFolder(p) => Some(eml_files(p)?.len() as u64),
        Source::Maildir(p) => Some(count_maildir(p)),
        Source::Mbox(_) => None,
    };
    let mut report = ImportReport {
        folder: folder.to_owned(),
        ..Default::default()
    };
    let mut state = Progress {
        total,
        ..Default::default()
    };
    let mut batch = Some(
        store
            .conn()
            .unchecked_transaction()
            .map_err(StoreError::from)?,
    );
    let mut in_batch = 0;
    let parsers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(MAX_PARSERS);
    let outcome = run_ordered(
        parsers,
        QUEUE,
        |send| read_source(source, send),
        |job: Job| job.map(prepare),
        |item: Result<Item, String>| -> Result<(), ImportError> {
            let item = match item {
                Ok(item) => item,
                Err(unreadable) => {
                    report.unreadable.push(unreadable);
                    return Ok(());
                }
            };
            let (parsed, parse_error) = match item.parsed {
                Ok(p) => (p, None),
                Err(reason) => (ParsedMessage::default(), Some(reason)),
            };
            let size = item.raw.len() as u64;
            let message = NewMessage {
                folder_id,
                raw: Some(&item.raw),
                parsed: &parsed,
                parse_error: parse_error.clone(),
                size,
                flags: item.flags,
                received_at: item.received_at,
            };
            let id = match pipe {
                Some(pipe) => {
                    let id = store.insert_message_body_apart(&message, item.hash.clone())?;
                    pipe.put(item.hash, item.raw)?;
                    id
                }
                None => store.insert_message_hashed(&message, Some(item.hash))?,
            };
            if let Some(reason) = parse_error {
                tracing::warn!(origin = %item.origin, %reason, "message imported raw");
                report.malformed.push(Malformed {
                    message_id: id,
                    origin: item.origin,
                    reason,
                });
            }
            report.imported += 1;
            report.bytes += size;
            state.done = report.imported;
            state.bytes = report.bytes;
            in_batch += 1;
            if in_batch == BATCH {
                if let Some(done) = batch.take() {
                    commit(done)?;
                }
                batch = Some(
                    store
                        .conn()
                        .unchecked_transaction()
                        .map_err(StoreError::from)?,
                );
                in_batch = 0;
                progress(state);
            }
            Ok(())
        },
    );
    match outcome {
        Ok(()) => {
            if let Some(done) = batch.take() {
                commit(done)?;
            }
            progress(state);
            Ok(report)
        }
        // Earlier batches stay committed; the one in progress is rolled back.
        Err(Stopped::Failed(e)) => Err(e),
        Err(Stopped::Panicked(what)) => Err(ImportError::Stopped(what)),
    }
}

/// Read every message of `source`, handing each on with `send` (false once
/// the import is stopping).
fn read_source(source: &Source, send: &mut dyn FnMut(Job) -> bool) -> Result<(), ImportError> {
    match source {
        Source::Eml(path) => {
            let raw = std::fs::read(path).map_err(|source| ImportError::Read {
                path: path.clone(),
                source,
            })?;
            send(Ok(job(
                path.display().to_string(),
                raw,
                Flag::default(),
                None,
            )));
        }
        Source::EmlFolder(dir) => {
            for path in eml_files(dir)? {
                let sent = match std::fs::read(&path) {
                    Ok(raw) => send(Ok(job(
                        path.display().to_string(),
                        raw,
                        Flag::default(),
                        None,
                    ))),
                    Err(e) => send(Err(format!("{}: {e}", path.display()))),
                };
                if !sent {
                    break;
                }
            }
        }
        Source::Maildir(dir) => {
            let messages =
                maildir::MessageIterator::new(dir).map_err(|source| ImportError::Read {
                    path: dir.clone(),
                    source,
                })?;
            for m in messages {
                let sent = match m {
                    Ok(m) => {
                        let flags = maildir_flags(m.flags());
                        let origin = m.path().display().to_string();
                        let date = m.internal_date() as i64;
                        send(Ok(job(origin, m.unwrap_contents(), flags, Some(date))))
                    }
                    Err(e) => send(Err(format!("{}: {e}", dir.display()))),
                };
                if !sent {
                    break;
                }
            }
        }
        Source::Mbox(path) => {
            let file = File::open(path).map_err(|source| ImportError::Read {
                path: path.clone(),
                source,
            })?;
            let mut reader = BufReader::with_capacity(1 << 20, file);
            let starts_with_from = reader
                .fill_buf()
                .map(|b| b.starts_with(b"From ") || b.is_empty())
                .unwrap_or(true);
            // Text before the first "From " line is a message too: give it a separator.
            let prefix: &[u8] = if starts_with_from {
                b""
            } else {
                b"From caducee-import Thu Jan  1 00:00:00 1970\n"
            };
            let stream = BufReader::new(Cursor::new(prefix).chain(reader));
            for (n, m) in mbox::MessageIterator::new(stream).enumerate() {
                let sent = match m {
                    Ok(m) => {
                        let date = m.internal_date() as i64;
                        let date = (date > 0).then_some(date);
                        let origin = format!("{} message {}", path.display(), n + 1);
                        send(Ok(job(origin, m.unwrap_contents(), Flag::default(), date)))
                    }
                    Err(e) => {
                        send(Err(format!("{} message {}: {e}", path.display(), n + 1)));
                        false
                    }
                };
                if !sent {
                    break;
                }
            }
        }
    }
    Ok(())
}

fn job(origin: String, raw: Vec<u8>, flags: Flag, received_at: Option<i64>) -> Raw {
    Raw {
        origin,
        raw,
        flags,
        received_at,
    }
}

/// Parse and hash one message (on a parsing thread). A parser failure, even a
/// panic on a hostile message, keeps the message raw with the reason.
fn prepare(m: Raw) -> Item {
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mime::parse(&m.raw)))
        .unwrap_or(Err(mime::MimeError::ParserFailed))
        .map_err(|e| e.to_string());
    Item {
        origin: m.origin,
        hash: blob_hash(&m.raw),
        raw: m.raw,
        parsed,
        flags: m.flags,
        received_at: m.received_at,
    }
}

fn maildir_flags(flags: &[maildir::Flag]) -> Flag {
    let mut f = Flag::default();
    for flag in flags {
        match flag {
            maildir::Flag::Seen => f.seen = true,
            maildir::Flag::Flagged => f.flagged = true,
            maildir::Flag::Replied => f.answered = true,
            maildir::Flag::Trashed => f.deleted = true,
            maildir::Flag::Draft => f.draft = true,
            maildir::Flag::Passed => {}
        }
    }
    f
}

fn count_maildir(dir: &Path) -> u64 {
    ["cur", "new"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .map(|entries| entries.filter(|e| e.is_ok()).count() as u64)
        .sum()
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut paths = std::fs::read_dir(dir)
        .and_then(|entries| {
            entries
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|source| ImportError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
    paths.sort();
    Ok(paths)
}

fn eml_files(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    Ok(read_dir_sorted(dir)?
        .into_iter()
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml")))
        .collect())
}
