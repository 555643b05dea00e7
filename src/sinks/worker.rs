//! One sink's delivery loop: claim the head of its outbox, send, record; idle a moment when
//! nothing is due. Store errors are logged and waited out; they never end the worker.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::{Refusal, Sender, backoff, payload};
use crate::config::SinkConfig;
use crate::store::Store;

/// How long a worker waits before looking again when nothing is due.
const IDLE: Duration = Duration::from_millis(500);

pub async fn run(
    store: Store,
    sink: SinkConfig,
    sender: Sender,
    owner: String,
    stop: CancellationToken,
) {
    while !stop.is_cancelled() {
        // A stop does not wait for a slow sink: the row's lease is released with the run's.
        let result = tokio::select! {
            () = stop.cancelled() => return,
            r = step(&store, &sink, &sender, &owner) => r,
        };
        let busy = match result {
            Ok(busy) => busy,
            Err(e) => {
                debug!(sink = %sink.name, error = %format!("{e:#}"), "cannot deliver now");
                false
            }
        };
        if !busy {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

/// Delivers (or fails) the head row of the sink if it is due; `false` when none was.
async fn step(
    store: &Store,
    sink: &SinkConfig,
    sender: &Sender,
    owner: &str,
) -> anyhow::Result<bool> {
    let now = Utc::now();
    let lease = chrono::Duration::from_std(sink.timeout.saturating_add(Duration::from_secs(30)))?;
    let Some(item) = store
        .claim_outbox(&sink.name, owner, now, now + lease)
        .await?
    else {
        return Ok(false);
    };
    let sent = match payload::of_item(store, &item).await {
        Ok(envelope) => sender.send(&envelope).await,
        Err(e) => Err(Refusal {
            why: format!("cannot build the envelope: {e:#}"),
            permanent: e.downcast_ref::<payload::NotStored>().is_some(),
        }),
    };
    match sent {
        Ok(()) => {
            store.outbox_delivered(item.id, owner, Utc::now()).await?;
            debug!(sink = %sink.name, row = item.id, event = %item.event, "delivered");
        }
        Err(Refusal {
            why,
            permanent: true,
        }) => {
            store
                .outbox_given_up(item.id, owner, &why, Utc::now())
                .await?;
            warn!(sink = %sink.name, row = item.id, event = %item.event, error = %why, "the sink refused the event for good; not retried");
        }
        Err(Refusal { why, .. }) => {
            let next =
                backoff::retry_at(Utc::now(), item.attempts, sink.backoff_max, rand::random());
            store.outbox_failed(item.id, owner, &why, next).await?;
            let log = if item.attempts == 1 {
                warn_first
            } else {
                info_again
            };
            log(&sink.name, item.id, item.attempts, &why);
        }
    }
    Ok(true)
}

fn warn_first(sink: &str, row: i64, attempts: i32, why: &str) {
    warn!(
        sink,
        row,
        attempts,
        error = why,
        "delivery failed; retrying with backoff"
    );
}

fn info_again(sink: &str, row: i64, attempts: i32, why: &str) {
    info!(sink, row, attempts, error = why, "delivery failed again");
}
