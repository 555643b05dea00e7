//! The poll recorder: writes what each poll did on its feed's row. Polls that end together
//! are written in one transaction (up to `RECORD_BATCH`), so a sweep of unchanged feeds costs
//! one commit per batch, not one per feed. A poll waits for its record to be written (the
//! feed's lease is released by it), so nothing is lost on a stop; alone, a record is written
//! at once.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::context::Context;
use crate::store::PollRecord;

const RECORD_BATCH: usize = 64;

/// A poll's record on its way to the database, and where to say whether it was written
/// (`false`: the feed's lease had been lost, nothing written).
pub struct Recording {
    feed_id: i64,
    record: PollRecord,
    written: oneshot::Sender<bool>,
}

/// The pollers' end of the recorder.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Recording>,
}

impl Recorder {
    pub fn new(capacity: usize) -> (Recorder, mpsc::Receiver<Recording>) {
        let (tx, rx) = mpsc::channel(capacity.max(RECORD_BATCH));
        (Recorder { tx }, rx)
    }

    /// Writes `record` for `feed_id` with the polls that end about now; whether this run
    /// still held the feed's lease.
    pub async fn record(&self, feed_id: i64, record: PollRecord) -> anyhow::Result<bool> {
        let (written, answer) = oneshot::channel();
        let recording = Recording {
            feed_id,
            record,
            written,
        };
        let stopped = || anyhow::anyhow!("the poll recorder has stopped");
        self.tx.send(recording).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

/// The recorder stage: ends when every poller has dropped its [`Recorder`].
pub async fn poll_recorder(
    ctx: Arc<Context>,
    mut rx: mpsc::Receiver<Recording>,
) -> anyhow::Result<()> {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while rx.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let polls: Vec<(i64, &PollRecord)> = batch.iter().map(|r| (r.feed_id, &r.record)).collect();
        let held = ctx
            .db("record polls", || {
                ctx.store.record_polls(&ctx.owner, &polls)
            })
            .await?;
        for (recording, held) in batch.drain(..).zip(held) {
            // A poll dropped at the stop's deadline no longer waits for its answer.
            let _ = recording.written.send(held);
        }
    }
    Ok(())
}
