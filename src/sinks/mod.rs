//! Delivery of the outbox: one worker per `[[sinks]]` entry, each a loop that claims the
//! oldest undelivered row of its sink under a lease, builds the envelope (`payload`: a fired
//! alert or a stored article), hands it to the sink (`log`, `table`, `webhook` or `file`), and
//! marks it delivered, or failed with the time
//! of the next attempt (`backoff`). Workers run beside the pipeline and nothing in ingestion
//! waits for them: a sink down for hours costs outbox rows, not speed. Delivery is at least
//! once: a row whose answer is lost (a crash, a lease run out) is sent again, with the same
//! envelope id.

mod backoff;
mod file;
mod payload;
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
pub use payload::{article_doc, article_stored, envelope};
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
}

impl Sender {
    pub fn new(cfg: &SinkConfig, user_agent: &str) -> anyhow::Result<Sender> {
        Ok(match cfg.kind {
            SinkKind::Log => Sender::Log,
            SinkKind::Table => Sender::Table,
            SinkKind::Webhook => Sender::Webhook(Arc::new(Webhook::new(cfg, user_agent)?)),
            SinkKind::File => Sender::File(Arc::new(FileSink::new(cfg)?)),
        })
    }

    /// Hands one envelope to the sink; the error says why it did not take it.
    pub async fn send(&self, envelope: &serde_json::Value) -> Result<(), Refusal> {
        match self {
            Sender::Log => {
                let event = envelope["event"].as_str().unwrap_or_default();
                if event == crate::envelope::ALERT_FIRED {
                    info!(target: "stringer::alerts", envelope = %envelope, "alert");
                } else {
                    info!(target: "stringer::alerts", envelope = %envelope, event, "event");
                }
                Ok(())
            }
            Sender::Table => Ok(()),
            Sender::Webhook(w) => w.post(envelope).await,
            Sender::File(f) => f.append(envelope).await,
        }
    }
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
