//! The thread that writes an import's raw messages into the store's bodies
//! file while the calling thread writes their envelopes and text index.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use crate::store::StoreError;
use crate::store::bodies::Bodies;

use super::ImportError;

/// Bodies waiting for the writer, at most (bounds the memory in flight).
const QUEUE: usize = 64;

enum ToWriter {
    Put(String, Vec<u8>),
    /// Commit every body sent so far, then answer.
    Commit(SyncSender<Result<(), StoreError>>),
}

/// The sending end, used by the storing thread.
pub(super) struct BodyPipe<'scope> {
    send: Option<SyncSender<ToWriter>>,
    thread: Option<ScopedJoinHandle<'scope, ()>>,
}

impl<'scope> BodyPipe<'scope> {
    /// Start the writing thread; it holds the bodies file until the pipe is dropped.
    pub(super) fn start<'env>(scope: &'scope Scope<'scope, 'env>, bodies: &'env Bodies) -> Self {
        let (send, receive) = sync_channel(QUEUE);
        let thread = scope.spawn(move || write(bodies, receive));
        BodyPipe {
            send: Some(send),
            thread: Some(thread),
        }
    }

    /// Hand a body to the writer.
    pub(super) fn put(&self, hash: String, raw: Vec<u8>) -> Result<(), ImportError> {
        self.sender()?
            .send(ToWriter::Put(hash, raw))
            .map_err(|_| stopped())
    }

    /// Wait until every body handed over so far is committed.
    pub(super) fn commit(&self) -> Result<(), ImportError> {
        let (answer, answered) = sync_channel(1);
        self.sender()?
            .send(ToWriter::Commit(answer))
            .map_err(|_| stopped())?;
        answered.recv().map_err(|_| stopped())??;
        Ok(())
    }

    fn sender(&self) -> Result<&SyncSender<ToWriter>, ImportError> {
        self.send.as_ref().ok_or_else(stopped)
    }
}

impl Drop for BodyPipe<'_> {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which rolls back what was
        // not committed.
        self.send.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn stopped() -> ImportError {
    ImportError::Stopped("the writing of message bodies")
}

fn write(bodies: &Bodies, receive: Receiver<ToWriter>) {
    let mut writer = bodies.writer();
    let mut failed: Option<StoreError> = None;
    for order in receive {
        match order {
            ToWriter::Put(hash, raw) => {
                if failed.is_none() {
                    failed = writer.put(&hash, &raw).err();
                }
            }
            ToWriter::Commit(answer) => {
                let result = match failed.take() {
                    Some(e) => Err(e),
                    None => writer.commit(),
                };
                let _ = answer.send(result);
            }
        }
    }
}
