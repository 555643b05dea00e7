//! The daemon's stages, wired with bounded channels:
//!
//! ```text
//! feed source ─FeedJob→ pollers ─(pending rows in the store)→ article source ─ArticleJob→
//!   fetchers ─RawArticle→ enrichers (blocking threads) ─EnrichedArticle→ store writer
//! ```
//!
//! One file per stage; this one only wires them. The store is the hand-over between polling
//! and article work: pollers write new entries as pending rows, and the article source claims
//! pending rows under a lease. So a stop or a crash loses nothing, a restart resumes, and
//! several daemons can share one PostgreSQL database.
//!
//! Only the two sources watch the shutdown signal. When they stop, they drop their senders and
//! every later stage finishes what it holds and ends when its input closes: the close cascades
//! and the last stored article is complete. A full channel makes the stage before it wait
//! (backpressure); nothing is dropped.

mod context;
mod enrichers;
mod fetchers;
mod pollers;
mod progress;
mod sources;
mod stats;
mod writer;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};

use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use tracing::warn;

pub use context::Mode;
pub use stats::Summary;

use crate::config::Config;
use crate::enrich::Enricher;
use crate::fetch::Http;
use crate::robots::Robots;
use crate::store::Store;

/// Runs the pipeline until `shutdown` fires (daemon) or the pass is complete (once).
pub async fn run(
    cfg: Config,
    store: Store,
    http: Http,
    enricher: Arc<Enricher>,
    mode: Mode,
    shutdown: CancellationToken,
) -> anyhow::Result<Summary> {
    let owner = cfg.pipeline.daemon_id.clone();
    // Leases a killed predecessor of the same name left behind are ours to take back.
    store.release_leases(&owner).await?;
    let capacity = cfg.pipeline.channel_capacity;
    let workers = cfg.workers();
    let ctx = Arc::new(context::Context {
        mode,
        robots: Robots::new(&cfg.http.user_agent),
        cfg,
        store,
        http,
        enricher,
        counters: stats::Counters::default(),
        in_flight: AtomicUsize::new(0),
        article_wake: Notify::new(),
        polling_done: AtomicBool::new(false),
    });

    let (feed_tx, feed_rx) = mpsc::channel(capacity);
    let (article_tx, article_rx) = mpsc::channel(capacity);
    let (raw_tx, raw_rx) = mpsc::channel(capacity);
    let (done_tx, done_rx) = mpsc::channel(capacity);

    if mode == Mode::Daemon {
        tokio::spawn(progress::report_progress(ctx.clone(), shutdown.clone()));
    }
    let tasks = vec![
        tokio::spawn(sources::feed_source(ctx.clone(), feed_tx, shutdown.clone())),
        tokio::spawn(pollers::pollers(ctx.clone(), feed_rx)),
        tokio::spawn(sources::article_source(
            ctx.clone(),
            article_tx,
            shutdown.clone(),
        )),
        tokio::spawn(fetchers::fetchers(ctx.clone(), article_rx, raw_tx)),
        tokio::spawn(enrichers::enrichers(ctx.clone(), workers, raw_rx, done_tx)),
        tokio::spawn(writer::store_writer(ctx.clone(), done_rx)),
    ];
    let mut first_error = None;
    for task in tasks {
        match task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                warn!(error = %e, "pipeline stage failed");
                shutdown.cancel();
                first_error.get_or_insert(e);
            }
            Err(e) => {
                shutdown.cancel();
                first_error.get_or_insert(anyhow::anyhow!("pipeline stage panicked: {e}"));
            }
        }
    }
    ctx.store.release_leases(&owner).await?;
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(ctx.counters.summary())
}
