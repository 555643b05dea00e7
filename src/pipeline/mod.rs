//! The daemon's stages, wired with bounded channels:
//!
//! ```text
//! feed source ─FeedJob→ pollers ─(pending rows in the store)→ article source ─ArticleJob→
//!   fetchers ─RawArticle→ enrichers (blocking threads) ─EnrichedArticle→ store writer
//! pollers ─PollRecord→ poll recorder
//! ```
//!
//! One file per stage; this one wires and supervises them. The store is the hand-over between
//! polling and article work: pollers write new entries as pending rows, and the article source
//! claims pending rows under a lease. So a stop or a crash loses nothing, a restart resumes,
//! and several daemons can share one database.
//!
//! Only the two sources watch the stop signal. When they stop, they drop their senders and
//! every later stage finishes what it holds and ends when its input closes: the close cascades
//! and the last stored article is complete. A full channel makes the stage before it wait
//! (backpressure); nothing is dropped. The stages are supervised together: one that fails for
//! good stops them all and the run returns its error, so the process exits and a supervisor
//! can restart it; none lives on alone.

mod alerting;
mod context;
mod enrichers;
mod fetchers;
mod housekeeping;
mod leases;
mod owner;
mod periodic;
mod pollers;
mod progress;
mod recorder;
mod retry;
mod rollups;
mod sources;
mod stats;
mod writer;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::Future;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

pub use context::Mode;
pub use progress::Progress;
pub use stats::{Counters, Snapshot, Summary};

use context::Context;
use progress::{Queue, Queues};

use crate::config::Config;
use crate::enrich::Enricher;
use crate::fetch::Http;
use crate::store::{Store, StoreError};

/// Runs the pipeline until `shutdown` fires (daemon) or the pass is complete (once), without
/// progress reports.
pub async fn run(
    cfg: Config,
    store: Store,
    http: Http,
    enricher: Arc<Enricher>,
    mode: Mode,
    shutdown: CancellationToken,
) -> anyhow::Result<Summary> {
    run_with(cfg, store, http, enricher, mode, shutdown, Progress::Quiet).await
}

/// Runs the pipeline, reporting progress as `progress` says.
///
/// When `shutdown` fires the sources stop, no new fetch starts, and work in flight has
/// `pipeline.stop_grace` to finish; after that it is dropped. Finished work is stored and
/// everything this process still holds is released for the next start.
pub async fn run_with(
    cfg: Config,
    store: Store,
    http: Http,
    enricher: Arc<Enricher>,
    mode: Mode,
    shutdown: CancellationToken,
    progress: Progress,
) -> anyhow::Result<Summary> {
    let counters = Arc::new(Counters::default());
    run_counted(
        cfg, store, http, enricher, mode, shutdown, progress, counters,
    )
    .await
}

/// Runs the pipeline as [`run_with`] does, counting into `counters` (which a server reads
/// for `/metrics` while the run goes on).
#[allow(clippy::too_many_arguments)]
pub async fn run_counted(
    cfg: Config,
    store: Store,
    http: Http,
    enricher: Arc<Enricher>,
    mode: Mode,
    shutdown: CancellationToken,
    progress: Progress,
    counters: Arc<Counters>,
) -> anyhow::Result<Summary> {
    leases::reclaim_dead(&store).await?;
    let owner = owner::this_run(&cfg.pipeline.daemon_id);
    let capacity = cfg.pipeline.channel_capacity;
    let workers = cfg.workers();
    let ctx = Arc::new(Context::new(
        mode,
        cfg,
        store,
        http,
        enricher,
        owner,
        shutdown.child_token(),
        CancellationToken::new(),
        counters,
    ));
    let finished = CancellationToken::new();
    let (feed_tx, feed_rx) = mpsc::channel(capacity);
    let (article_tx, article_rx) = mpsc::channel(capacity);
    let (raw_tx, raw_rx) = mpsc::channel(capacity);
    let (done_tx, done_rx) = mpsc::channel(capacity);
    let queues = Queues {
        poll: Queue::of(feed_tx.downgrade()),
        fetch: Queue::of(article_tx.downgrade()),
        enrich: Queue::of(raw_tx.downgrade()),
        store: Queue::of(done_tx.downgrade()),
    };
    let mut helpers = vec![
        tokio::spawn(leases::keep(ctx.clone(), finished.clone())),
        tokio::spawn(progress::report(
            ctx.clone(),
            queues,
            progress,
            finished.clone(),
        )),
        tokio::spawn(stop_after_grace(ctx.clone(), finished.clone())),
        tokio::spawn(rollups::keep(ctx.clone(), finished.clone())),
    ];
    if mode == Mode::Daemon {
        helpers.push(tokio::spawn(housekeeping::keep(
            ctx.clone(),
            finished.clone(),
        )));
        helpers.push(tokio::spawn(alerting::keep_spikes(
            ctx.clone(),
            finished.clone(),
        )));
        helpers.push(tokio::spawn(alerting::deliver(
            ctx.clone(),
            finished.clone(),
        )));
    }
    let mut stages = Stages::default();
    stages.spawn("feed source", sources::feed_source(ctx.clone(), feed_tx));
    let (recorder, recordings) = recorder::Recorder::new(capacity);
    stages.spawn("poll", pollers::pollers(ctx.clone(), feed_rx, recorder));
    stages.spawn(
        "record polls",
        recorder::poll_recorder(ctx.clone(), recordings),
    );
    stages.spawn(
        "article source",
        sources::article_source(ctx.clone(), article_tx),
    );
    stages.spawn("fetch", fetchers::fetchers(ctx.clone(), article_rx, raw_tx));
    stages.spawn(
        "enrich",
        enrichers::enrichers(ctx.clone(), workers, raw_rx, done_tx),
    );
    stages.spawn("store", writer::store_writer(ctx.clone(), done_rx));
    let failure = stages.supervise(&ctx).await;
    finished.cancel();
    for helper in helpers {
        if let Err(e) = helper.await
            && e.is_panic()
        {
            tracing::error!(error = %e, "a helper task (leases, rollups, alerts) failed");
        }
    }
    release(&ctx).await;
    if failure.is_none() {
        rollups::refresh(&ctx).await;
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(ctx.counters.summary()),
    }
}

/// The stage tasks of one run, by name.
#[derive(Default)]
struct Stages {
    set: JoinSet<anyhow::Result<()>>,
    names: HashMap<tokio::task::Id, &'static str>,
}

impl Stages {
    fn spawn<F>(&mut self, name: &'static str, stage: F)
    where
        F: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let handle = self.set.spawn(stage);
        self.names.insert(handle.id(), name);
    }

    /// Waits for every stage. The first that fails for good (an error, a panic) stops the
    /// others at once; its error is returned.
    async fn supervise(mut self, ctx: &Context) -> Option<anyhow::Error> {
        let mut failure = None;
        while let Some(joined) = self.set.join_next_with_id().await {
            let (name, result) = match joined {
                Ok((id, result)) => (self.names.get(&id).copied().unwrap_or("stage"), result),
                Err(e) => (
                    self.names.get(&e.id()).copied().unwrap_or("stage"),
                    Err(anyhow::anyhow!("the stage crashed: {e}")),
                ),
            };
            let Err(e) = result else { continue };
            if failure.is_none() && !stopped_during_outage(ctx, &e) {
                error!(stage = name, error = %format!("{e:#}"), "stage failed; stopping the daemon");
                ctx.stop.cancel();
                ctx.abort.cancel();
                failure = Some(e.context(format!("the {name} stage failed")));
            } else if failure.is_none() {
                warn!(stage = name, error = %format!("{e:#}"), "stopped while the database was unreachable");
            }
        }
        failure
    }
}

/// A stop whose grace ran out while the database was away ends waits with the last
/// transient error: that is the stop doing its job, not a failure.
fn stopped_during_outage(ctx: &Context, e: &anyhow::Error) -> bool {
    ctx.abort.is_cancelled()
        && e.chain().any(|c| {
            c.downcast_ref::<StoreError>()
                .is_some_and(StoreError::is_transient)
        })
}

/// After a stop, work in flight has the grace period to finish; then it is dropped.
async fn stop_after_grace(ctx: Arc<Context>, finished: CancellationToken) {
    tokio::select! {
        () = finished.cancelled() => return,
        () = ctx.stop.cancelled() => {}
    }
    let grace = ctx.cfg.pipeline.stop_grace;
    if !ctx.abort.is_cancelled() {
        info!(
            in_flight = ctx.in_flight(),
            grace = %humantime::format_duration(grace),
            "stopping: no new work; storing what is in flight (signal again to stop at once)"
        );
    }
    tokio::select! {
        () = finished.cancelled() => return,
        () = tokio::time::sleep(grace) => {}
    }
    if !ctx.abort.is_cancelled() {
        info!(
            in_flight = ctx.in_flight(),
            "stop grace over: dropping work in flight; it resumes on the next start"
        );
        ctx.abort.cancel();
    }
}

/// Gives back every lease this process still holds (claimed work it did not finish). If the
/// database does not answer within a few seconds the leases run out on their own.
async fn release(ctx: &Context) {
    let deadline = CancellationToken::new();
    let timer = {
        let deadline = deadline.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            deadline.cancel();
        })
    };
    let released = ctx
        .db
        .retry("release leases", &deadline, || {
            ctx.store.release_leases(&ctx.owner)
        })
        .await;
    timer.abort();
    match released {
        Ok(n) if n > 0 => info!(leases = n, "released unfinished work for the next start"),
        Ok(_) => {}
        Err(e) => warn!(
            error = %e.cause(),
            "cannot release leases; they run out on their own after pipeline.lease"
        ),
    }
}
