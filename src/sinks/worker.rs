//! One sink's delivery loop: claim the head of its outbox (up to a batch, in order), send,
//! record each row as the sink answered for it; idle a moment when nothing is due. Store
//! errors are logged and waited out; they never end the worker.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::{Refusal, Sender, backoff, payload};
use crate::config::SinkConfig;
use crate::store::{OutboxItem, Store};

/// How long a worker waits before looking again when nothing is due.
const IDLE: Duration = Duration::from_millis(500);
/// The most rows a worker claims and sends at once.
const BATCH: i64 = 100;

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

/// Delivers (or fails) the due rows at the head of the sink's outbox, up to a batch; `false`
/// when none was due.
async fn step(
    store: &Store,
    sink: &SinkConfig,
    sender: &Sender,
    owner: &str,
) -> anyhow::Result<bool> {
    let now = Utc::now();
    // A sink that sends one by one starts sends for at most `timeout`, each taking at most
    // `timeout`: the lease outlasts both.
    let lease = sink
        .timeout
        .saturating_mul(2)
        .saturating_add(Duration::from_secs(30));
    let lease = chrono::Duration::from_std(lease)?;
    let items = store
        .claim_outbox_batch(&sink.name, owner, now, now + lease, BATCH)
        .await?;
    if items.is_empty() {
        return Ok(false);
    }
    let mut outcomes: Vec<Option<Result<(), Refusal>>> = Vec::with_capacity(items.len());
    let mut envelopes = Vec::with_capacity(items.len());
    for item in &items {
        match payload::of_item(store, item).await {
            Ok(envelope) => {
                envelopes.push(envelope);
                outcomes.push(None);
            }
            Err(e) => outcomes.push(Some(Err(Refusal {
                why: format!("cannot build the envelope: {e:#}"),
                permanent: e.downcast_ref::<payload::NotStored>().is_some(),
            }))),
        }
    }
    let answers = if envelopes.is_empty() {
        Vec::new()
    } else {
        sender.send_all(&envelopes, sink.timeout).await
    };
    let mut sent = answers.into_iter();
    for slot in outcomes.iter_mut().filter(|o| o.is_none()) {
        *slot = sent.next();
    }
    record(store, sink, owner, &items, outcomes).await?;
    Ok(true)
}

/// Marks what the sink took delivered (in one write), what it refused failed or given up,
/// and what was not tried released.
async fn record(
    store: &Store,
    sink: &SinkConfig,
    owner: &str,
    items: &[OutboxItem],
    outcomes: Vec<Option<Result<(), Refusal>>>,
) -> anyhow::Result<()> {
    let mut delivered = Vec::new();
    let mut untried = Vec::new();
    for (item, outcome) in items.iter().zip(outcomes) {
        match outcome {
            Some(Ok(())) => delivered.push(item.id),
            Some(Err(refusal)) => refused(store, sink, owner, item, refusal).await?,
            None => untried.push(item.id),
        }
    }
    store
        .outbox_delivered_many(&delivered, owner, Utc::now())
        .await?;
    store.outbox_released(&untried, owner).await?;
    if !delivered.is_empty() {
        debug!(sink = %sink.name, rows = delivered.len(), "delivered");
    }
    Ok(())
}

async fn refused(
    store: &Store,
    sink: &SinkConfig,
    owner: &str,
    item: &OutboxItem,
    refusal: Refusal,
) -> anyhow::Result<()> {
    let Refusal { why, permanent } = refusal;
    if permanent {
        store
            .outbox_given_up(item.id, owner, &why, Utc::now())
            .await?;
        warn!(sink = %sink.name, row = item.id, event = %item.event, error = %why, "the sink refused the event for good; not retried");
        return Ok(());
    }
    let next = backoff::retry_at(Utc::now(), item.attempts, sink.backoff_max, rand::random());
    store.outbox_failed(item.id, owner, &why, next).await?;
    let log = if item.attempts == 1 {
        warn_first
    } else {
        info_again
    };
    log(&sink.name, item.id, item.attempts, &why);
    Ok(())
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
