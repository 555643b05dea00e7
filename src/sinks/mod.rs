//! Delivery of the outbox: one worker per `[[sinks]]` entry, each a loop that claims the
//! oldest undelivered rows of its sink (up to a batch, in order) under a lease, builds their
//! envelopes (`payload`: a fired alert, a stored or revised article, an updated story), hands
//! them to the sink (`log`, `table`, `webhook`, `file`, `nats` or `redis`), and marks each
//! delivered as it is acknowledged, or failed with the time of the next attempt (`backoff`).
//! Workers run beside the pipeline and nothing in ingestion waits for them: a sink down for
//! hours costs outbox rows, not speed. Delivery is at least once: a row whose answer is lost
//! (a crash, a lease run out) is sent again, with the same envelope id.

mod backoff;
mod file;
mod nats;
mod payload;
mod redis;
mod report;
mod webhook;
mod worker;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::{Config, SinkConfig, SinkKind};
use crate::store::Store;

pub use backoff::retry_at;
pub use file::FileSink;
pub use nats::NatsSink;
pub use payload::{article_doc, article_stored, envelope, of_item};
pub use redis::RedisSink;
pub use webhook::Webhook;

/// Why a sink did not take an envelope, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub why: String,
    /// The sink refused this envelope for good (a 4xx answer other than 408, 425 and 429).
    pub permanent: bool,
}

impl Refusal {
    pub fn temporary(why: impl Into<String>) -> Refusal {
        Refusal {
            why: why.into(),
            permanent: false,
        }
    }
}

/// Where one sink's envelopes go.
#[derive(Clone)]
pub enum Sender {
    /// An info line with the envelope (target `stringer::alerts`).
    Log,
    /// Nothing to send: the alert is in the `alerts` table (the article in `articles`).
    Table,
    Webhook(Arc<Webhook>),
    /// NDJSON appended to a file, rotated by size.
    File(Arc<FileSink>),
    /// NATS JetStream, acknowledged per message.
    Nats(Arc<NatsSink>),
    /// A Redis stream.
    Redis(Arc<RedisSink>),
}

impl Sender {
    pub fn new(cfg: &SinkConfig, user_agent: &str) -> anyhow::Result<Sender> {
        Ok(match cfg.kind {
            SinkKind::Log => Sender::Log,
            SinkKind::Table => Sender::Table,
            SinkKind::Webhook => Sender::Webhook(Arc::new(Webhook::new(cfg, user_agent)?)),
            SinkKind::File => Sender::File(Arc::new(FileSink::new(cfg)?)),
            SinkKind::Nats => Sender::Nats(Arc::new(NatsSink::new(cfg)?)),
            SinkKind::Redis => Sender::Redis(Arc::new(RedisSink::new(cfg)?)),
        })
    }

    /// Hands a batch of envelopes to the sink, in order. One result per envelope tried: the
    /// envelopes past the end of the answer were not tried (an earlier one failed) and wait
    /// their turn. `budget` bounds how long a sink that sends one by one keeps starting sends.
    pub async fn send_all(
        &self,
        envelopes: &[serde_json::Value],
        budget: std::time::Duration,
    ) -> Vec<Result<(), Refusal>> {
        // A sink that takes the batch whole: all delivered, or the first failed (the rest wait).
        let all = |r: Result<(), Refusal>| match r {
            Ok(()) => vec![Ok(()); envelopes.len()],
            Err(refusal) => vec![Err(refusal)],
        };
        match self {
            Sender::Log => {
                envelopes.iter().for_each(log);
                all(Ok(()))
            }
            Sender::Table => all(Ok(())),
            Sender::Webhook(w) => w.post_all(envelopes, budget).await,
            Sender::File(f) => all(f.append(envelopes).await),
            Sender::Nats(n) => n.publish(envelopes).await,
            Sender::Redis(r) => all(r.add(envelopes).await),
        }
    }
}

fn log(envelope: &serde_json::Value) {
    let event = envelope["event"].as_str().unwrap_or_default();
    if event == crate::envelope::ALERT_FIRED {
        info!(target: "stringer::alerts", envelope = %envelope, "alert");
    } else {
        info!(target: "stringer::alerts", envelope = %envelope, event, "event");
    }
}

/// `message` with the password of `url` (as written and percent-decoded) masked, for an
/// error from a client library that might quote its connection string.
pub fn scrub(message: &str, url: &str) -> String {
    let Some(password) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_string))
        .filter(|p| !p.is_empty())
    else {
        return message.to_string();
    };
    let decoded: String = url::form_urlencoded::parse(format!("p={password}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let out = message.replace(&password, "***");
    if decoded.is_empty() {
        return out;
    }
    out.replace(&decoded, "***")
}

/// Runs a delivery worker for every configured sink until `stop` fires. `owner` names this
/// process on the outbox leases.
pub async fn deliver(cfg: &Config, store: Store, owner: String, stop: CancellationToken) {
    let mut workers = tokio::task::JoinSet::new();
    for sink in &cfg.sinks {
        match Sender::new(sink, &cfg.http.user_agent) {
            Ok(sender) => {
                workers.spawn(worker::run(
                    store.clone(),
                    sink.clone(),
                    sender,
                    owner.clone(),
                    stop.clone(),
                ));
            }
            Err(e) => {
                tracing::error!(sink = %sink.name, error = %format!("{e:#}"), "cannot start the sink")
            }
        }
    }
    if !workers.is_empty() {
        info!(sinks = workers.len(), "delivering events");
        workers.spawn(report::run(
            store.clone(),
            cfg.log.progress_interval,
            stop.clone(),
        ));
    }
    while let Some(ended) = workers.join_next().await {
        if let Err(e) = ended {
            tracing::error!(error = %e, "a sink's delivery worker failed; its alerts wait for the next start");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_is_scrubbed_from_messages_as_written_and_decoded() {
        let url = "nats://user:p%40ss@127.0.0.1:4222";
        let said = super::scrub("auth p%40ss failed for p@ss", url);
        assert_eq!(said, "auth *** failed for ***");
        assert_eq!(super::scrub("no secret", "nats://h:4222"), "no secret");
    }
}
