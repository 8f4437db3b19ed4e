//! PC/SC: the readers, their cards, and a watcher that reports reader and card
//! events as they happen. The watcher blocks inside the PC/SC service
//! (`SCardGetStatusChange` with an infinite timeout, plus the Plug-and-Play
//! pseudo-reader for reader arrivals): no polling, no CPU while waiting.

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use ::pcsc::{Context, Error as Raw, PNP_NOTIFICATION, ReaderState, Scope, State};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::i18n::{tr, tr1};

/// What can go wrong talking to the readers, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum PcscError {
    #[error("{}", tr("auth-pcsc-no-service"))]
    NoService,
    #[error("{}", tr("auth-pcsc-no-reader"))]
    NoReader,
    #[error("{}", tr1("auth-pcsc-no-card", "reader", .0))]
    NoCard(String),
    #[error("{}", tr1("auth-pcsc-reader-gone", "reader", .0))]
    ReaderGone(String),
    #[error("{}", tr1("auth-pcsc-mute", "reader", .0))]
    Mute(String),
    #[error("{}", tr1("auth-pcsc-busy", "reader", .0))]
    Busy(String),
    #[error("{}", tr1("auth-pcsc-service", "reason", .0))]
    Service(String),
}

impl PcscError {
    /// Map a PC/SC status to what it means for the user, for `reader`.
    pub(crate) fn from_raw(e: Raw, reader: &str) -> PcscError {
        match e {
            Raw::NoService | Raw::ServiceStopped | Raw::Shutdown => PcscError::NoService,
            Raw::NoReadersAvailable => PcscError::NoReader,
            Raw::UnknownReader | Raw::ReaderUnavailable => PcscError::ReaderGone(reader.into()),
            // A transaction lost in the middle: the card was taken out.
            Raw::NoSmartcard | Raw::RemovedCard | Raw::NotTransacted => {
                PcscError::NoCard(reader.into())
            }
            // No answer, or an answer to reset no protocol can use.
            Raw::UnresponsiveCard
            | Raw::UnpoweredCard
            | Raw::UnsupportedCard
            | Raw::CommError
            | Raw::ProtoMismatch
            | Raw::InvalidAtr => PcscError::Mute(reader.into()),
            Raw::SharingViolation => PcscError::Busy(reader.into()),
            other => PcscError::Service(other.to_string()),
        }
    }
}

/// A connection to the PC/SC service.
pub fn establish() -> Result<Context, PcscError> {
    Context::establish(Scope::User).map_err(|e| PcscError::from_raw(e, ""))
}

/// The names of the connected readers (empty when there is none).
pub fn readers(ctx: &Context) -> Result<Vec<String>, PcscError> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        Err(Raw::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(PcscError::from_raw(e, "")),
    }
}

/// Something that happened to a reader or its card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ReaderEvent {
    /// A reader is there (plugged in, or found when watching started).
    ReaderAdded { reader: String },
    /// A reader was unplugged.
    ReaderRemoved { reader: String },
    /// A card is in the reader (inserted, or found when watching started).
    CardInserted {
        reader: String,
        #[serde(serialize_with = "hex_bytes")]
        atr: Vec<u8>,
    },
    /// The card was taken out.
    CardRemoved { reader: String },
    /// A card is in the reader but does not answer.
    CardMute { reader: String },
    /// The PC/SC service stopped: card presence is unknown from now on.
    ServiceStopped,
}

fn hex_bytes<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode_upper(b))
}

/// Watches the readers on a thread of its own and sends every [`ReaderEvent`]
/// on a channel. Stopped (and the thread joined) by [`Watcher::stop`] or drop.
pub struct Watcher {
    ctx: Context,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Start watching. The first events describe what is there now: each
    /// reader (`ReaderAdded`) and each card already in one (`CardInserted`).
    pub fn start() -> Result<(Watcher, mpsc::UnboundedReceiver<ReaderEvent>), PcscError> {
        let ctx = establish()?;
        let (tx, rx) = mpsc::unbounded_channel();
        let stopping = Arc::new(AtomicBool::new(false));
        let (thread_ctx, thread_stop) = (ctx.clone(), stopping.clone());
        let thread = std::thread::Builder::new()
            .name("pcsc-watch".into())
            .spawn(move || watch_loop(&thread_ctx, &tx, &thread_stop))
            .map_err(|e| PcscError::Service(format!("cannot start the reader watcher: {e}")))?;
        Ok((
            Watcher {
                ctx,
                stopping,
                thread: Some(thread),
            },
            rx,
        ))
    }

    /// Stop watching and wait for the watcher's thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // A cancel only wakes a wait in progress: repeat until the thread
            // has seen the flag.
            while !thread.is_finished() {
                let _ = self.ctx.cancel();
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = thread.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// How often the reader list is looked at again when the service has no
/// Plug-and-Play notification.
const RESCAN_WITHOUT_PNP: Duration = Duration::from_secs(5);

/// What the watcher last knew of one reader.
#[derive(Clone, Copy, Default)]
struct Seen {
    present: bool,
    count: u32,
}

fn watch_loop(ctx: &Context, tx: &mpsc::UnboundedSender<ReaderEvent>, stopping: &AtomicBool) {
    let send = |e: ReaderEvent| tx.send(e).is_ok();
    let mut states = vec![ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut unknown_in_a_row = 0;
    loop {
        // The reader list: drop readers that are gone, add new ones.
        let names = match readers(ctx) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "listing readers failed");
                send(ReaderEvent::ServiceStopped);
                return;
            }
        };
        let mut gone = Vec::new();
        states.retain(|rs| {
            let name = rs.name().to_string_lossy().into_owned();
            let keep = rs.name() == PNP_NOTIFICATION() || names.contains(&name);
            if !keep {
                gone.push(name);
            }
            keep
        });
        for name in gone {
            if seen.remove(&name).is_some_and(|s| s.present)
                && !send(ReaderEvent::CardRemoved {
                    reader: name.clone(),
                })
            {
                return;
            }
            if !send(ReaderEvent::ReaderRemoved { reader: name }) {
                return;
            }
        }
        for name in &names {
            if seen.contains_key(name) {
                continue;
            }
            let Ok(c) = CString::new(name.as_str()) else {
                continue;
            };
            states.push(ReaderState::new(c, State::UNAWARE));
            seen.insert(name.clone(), Seen::default());
            if !send(ReaderEvent::ReaderAdded {
                reader: name.clone(),
            }) {
                return;
            }
        }
        for rs in &mut states {
            rs.sync_current_state();
        }
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        // With the Plug-and-Play pseudo-reader, wait without end; a service
        // without it gets the reader list looked at again now and then.
        let pnp = states.iter().any(|rs| rs.name() == PNP_NOTIFICATION());
        let timeout = (!pnp).then_some(RESCAN_WITHOUT_PNP);
        if states.is_empty() {
            std::thread::sleep(RESCAN_WITHOUT_PNP);
            continue;
        }
        match ctx.get_status_change(timeout, &mut states) {
            Ok(()) => unknown_in_a_row = 0,
            Err(Raw::Cancelled) if stopping.load(Ordering::SeqCst) => return,
            Err(Raw::UnknownReader) => {
                // A reader left between listing and waiting, or the service
                // does not know the pseudo-reader: then do without it.
                unknown_in_a_row += 1;
                if unknown_in_a_row >= 3 {
                    states.retain(|rs| rs.name() != PNP_NOTIFICATION());
                }
                continue;
            }
            Err(Raw::Cancelled | Raw::Timeout) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "waiting for reader events failed");
                send(ReaderEvent::ServiceStopped);
                return;
            }
        }
        for rs in &states {
            if rs.name() == PNP_NOTIFICATION() {
                continue;
            }
            let state = rs.event_state();
            if state.intersects(State::UNKNOWN | State::IGNORE | State::UNAVAILABLE) {
                // The reader went away: the next listing reports it.
                continue;
            }
            let name = rs.name().to_string_lossy().into_owned();
            let before = seen.get(&name).copied().unwrap_or_default();
            let now = Seen {
                present: state.contains(State::PRESENT),
                count: rs.event_count(),
            };
            seen.insert(name.clone(), now);
            // Out and in again between two waits: both are reported.
            let swapped = before.present && now.present && before.count != now.count;
            if before.present
                && (!now.present || swapped)
                && !send(ReaderEvent::CardRemoved {
                    reader: name.clone(),
                })
            {
                return;
            }
            if now.present && (!before.present || swapped) {
                let event = if state.contains(State::MUTE) {
                    ReaderEvent::CardMute { reader: name }
                } else {
                    ReaderEvent::CardInserted {
                        reader: name,
                        atr: rs.atr().to_vec(),
                    }
                };
                if !send(event) {
                    return;
                }
            }
        }
    }
}
