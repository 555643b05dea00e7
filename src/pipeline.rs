//! The daemon's stages, wired with bounded channels:
//!
//! ```text
//! feed source ─FeedJob→ pollers ─(pending rows in the store)→ article source ─ArticleJob→
//!   fetchers ─RawArticle→ enrichers (blocking threads) ─EnrichedArticle→ store writer
//! ```
//!
//! The store is the hand-over between polling and article work: pollers write new entries as
//! pending rows, and the article source claims pending rows under a lease. So a stop or a crash
//! loses nothing, a restart resumes, and several daemons can share one PostgreSQL database.
//!
//! Only the two sources watch the shutdown signal. When they stop, they drop their senders and
//! every later stage finishes what it holds and ends when its input closes: the close cascades
//! and the last stored article is complete. A full channel makes the stage before it wait
//! (backpressure); nothing is dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::{Notify, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::config::Config;
use crate::enrich::{EnrichedArticle, Enricher};
use crate::fetch::{FetchError, Fetched, Http, Validators};
use crate::poll::{self, FeedJob, PollError, Polled};
use crate::robots::{Robots, Verdict};
use crate::schedule::{self, Bounds};
use crate::store::{ArticleJob, FeedRow, FeedSelection, PollRecord, Store};
use crate::urls;

/// Whether the pipeline runs until stopped or makes one pass over every feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Poll feeds when due, forever (`stringer run`).
    Daemon,
    /// Poll every feed once, finish every article that can be finished now, then return
    /// (`stringer once`).
    Once,
}

/// What a run did; `once` prints it.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    pub feeds_polled: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    pub new_entries: usize,
    pub articles_stored: usize,
    pub articles_failed: usize,
    pub articles_retry_later: usize,
    /// `(feed URL, error)` of every feed that failed in this run.
    pub feed_errors: Vec<(String, String)>,
}

/// A fetched page on its way to the enrichers.
pub struct RawArticle {
    pub job: ArticleJob,
    pub page: Fetched,
    pub fetched_at: DateTime<Utc>,
    _slot: Slot,
}

/// Shared by the stages of one run.
struct Shared {
    mode: Mode,
    cfg: Config,
    store: Store,
    http: Http,
    robots: Robots,
    enricher: Arc<Enricher>,
    stats: Mutex<Summary>,
    /// Articles claimed and not yet stored or failed; bounded so leases never outlive the work.
    in_flight: AtomicUsize,
    /// Wakes the article source: new pending rows, or a slot freed.
    article_wake: Notify,
    /// Set when the poll stage has ended: `once` finishes only after it.
    polling_done: AtomicBool,
}

/// One claimed article's place in the in-flight count; freed when dropped, whichever way the
/// article leaves the pipeline.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.article_wake.notify_one();
    }
}

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
    let shared = Arc::new(Shared {
        mode,
        robots: Robots::new(&cfg.http.user_agent),
        cfg,
        store,
        http,
        enricher,
        stats: Mutex::new(Summary::default()),
        in_flight: AtomicUsize::new(0),
        article_wake: Notify::new(),
        polling_done: AtomicBool::new(false),
    });

    let (feed_tx, feed_rx) = mpsc::channel::<FeedJob>(capacity);
    let (article_tx, article_rx) = mpsc::channel::<(ArticleJob, Slot)>(capacity);
    let (raw_tx, raw_rx) = mpsc::channel::<RawArticle>(capacity);
    let (done_tx, done_rx) =
        mpsc::channel::<(ArticleJob, EnrichedArticle, DateTime<Utc>, Slot)>(capacity);

    if mode == Mode::Daemon {
        tokio::spawn(report_progress(shared.clone(), shutdown.clone()));
    }
    let tasks = vec![
        tokio::spawn(feed_source(shared.clone(), mode, feed_tx, shutdown.clone())),
        tokio::spawn(pollers(shared.clone(), feed_rx)),
        tokio::spawn(article_source(
            shared.clone(),
            mode,
            article_tx,
            shutdown.clone(),
        )),
        tokio::spawn(fetchers(shared.clone(), article_rx, raw_tx)),
        tokio::spawn(enrichers(shared.clone(), workers, raw_rx, done_tx)),
        tokio::spawn(store_writer(shared.clone(), done_rx)),
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
    shared.store.release_leases(&owner).await?;
    if let Some(e) = first_error {
        return Err(e);
    }
    let summary = shared.stats.lock().expect("stats lock").clone();
    Ok(summary)
}

/// A daemon says what it has done every few minutes, so a quiet log still shows it is alive.
async fn report_progress(shared: Arc<Shared>, shutdown: CancellationToken) {
    let mut every = tokio::time::interval(Duration::from_secs(300));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    every.tick().await;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        let s = shared.stats.lock().expect("stats lock").clone();
        info!(
            feeds_polled = s.feeds_polled,
            feeds_not_modified = s.feeds_not_modified,
            feeds_failed = s.feeds_failed,
            new_entries = s.new_entries,
            articles_stored = s.articles_stored,
            articles_failed = s.articles_failed,
            articles_retry_later = s.articles_retry_later,
            in_flight = shared.in_flight.load(Ordering::Relaxed),
            "progress since start"
        );
    }
}

fn bounds(cfg: &Config) -> Bounds {
    Bounds {
        min: cfg.poll.min_interval,
        max: cfg.poll.max_interval,
    }
}

fn lease_until(cfg: &Config, now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(cfg.pipeline.lease).unwrap_or(chrono::Duration::minutes(10))
}

/// Source stage: claims due feeds and hands them to the pollers.
async fn feed_source(
    shared: Arc<Shared>,
    mode: Mode,
    tx: mpsc::Sender<FeedJob>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let cfg = &shared.cfg;
    let owner = &cfg.pipeline.daemon_id;
    let batch = (cfg.poll.concurrency * 2) as i64;
    let pass_started = Utc::now();
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let now = Utc::now();
        // `once` takes every feed not checked since the pass began, in one go, so that none
        // is polled twice even when other daemons or passes share the database.
        let which = match mode {
            Mode::Daemon => FeedSelection::Due,
            Mode::Once => FeedSelection::NotCheckedSince(pass_started),
        };
        let limit = if mode == Mode::Once { i64::MAX } else { batch };
        let feeds = shared
            .store
            .claim_feeds(which, now, owner, lease_until(cfg, now), limit)
            .await?;
        let claimed_all = mode == Mode::Once;
        if feeds.is_empty() && !claimed_all {
            let next = shared.store.next_feed_due().await?;
            let wait = next
                .and_then(|at| (at - Utc::now()).to_std().ok())
                .unwrap_or(cfg.poll.tick)
                .min(cfg.poll.tick);
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        for feed in feeds {
            let job = feed_job(cfg, &feed);
            tokio::select! {
                // Claimed but unsent feeds keep their lease; it is released when the run ends.
                () = shutdown.cancelled() => return Ok(()),
                sent = tx.send(job) => if sent.is_err() { return Ok(()) },
            }
        }
        if claimed_all {
            break;
        }
    }
    Ok(())
}

fn feed_job(cfg: &Config, feed: &FeedRow) -> FeedJob {
    FeedJob {
        feed_id: feed.id,
        url: feed.url.clone(),
        interval: feed
            .interval_secs
            .map(|s| Duration::from_secs(s.max(0) as u64))
            .unwrap_or(cfg.poll.default_interval),
        error_count: feed.error_count.max(0) as u32,
        validators: Validators {
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
        },
    }
}

/// Poll stage: fetches and parses feeds, `poll.concurrency` at a time, and writes new entries
/// as pending articles. A failing feed is recorded on its row; the others go on.
async fn pollers(shared: Arc<Shared>, rx: mpsc::Receiver<FeedJob>) -> anyhow::Result<()> {
    let concurrency = shared.cfg.poll.concurrency;
    ReceiverStream::new(rx)
        .for_each_concurrent(concurrency, |job| {
            let shared = shared.clone();
            async move {
                if let Err(e) = poll_one(&shared, &job).await {
                    // Only a store error gets here; the feed keeps its lease until it expires.
                    warn!(feed_url = %job.url, stage = "poll", error = %e, "cannot record poll");
                }
                shared.article_wake.notify_one();
            }
        })
        .await;
    shared.polling_done.store(true, Ordering::Release);
    shared.article_wake.notify_one();
    Ok(())
}

async fn poll_one(shared: &Shared, job: &FeedJob) -> anyhow::Result<()> {
    let cfg = &shared.cfg;
    let started = Utc::now();
    let clock = Instant::now();
    let result = poll::poll(&shared.http, job).await;
    let duration_ms = i32::try_from(clock.elapsed().as_millis()).unwrap_or(i32::MAX);
    let now = Utc::now();
    let mut record = PollRecord {
        started_at: started,
        duration_ms,
        http_status: None,
        outcome: "fetched",
        entries: 0,
        new_entries: 0,
        error: None,
        next_check_at: now,
        etag: None,
        last_modified: None,
        title: None,
        site_url: None,
    };
    match result {
        Ok(polled) => {
            let hints = match polled {
                Polled::NotModified { hints } => {
                    record.outcome = "not_modified";
                    record.http_status = Some(304);
                    debug!(feed_url = %job.url, stage = "poll", "not modified");
                    hints
                }
                Polled::Fresh {
                    feed,
                    validators,
                    hints,
                    status,
                } => {
                    let new = shared
                        .store
                        .insert_entries(job.feed_id, &feed.entries)
                        .await?;
                    record.http_status = Some(i32::from(status));
                    record.entries = feed.entries.len() as i32;
                    record.new_entries = new as i32;
                    record.etag = Some(validators.etag);
                    record.last_modified = Some(validators.last_modified);
                    record.title = feed.title;
                    record.site_url = feed.site_url;
                    info!(feed_url = %job.url, stage = "poll", entries = feed.entries.len(), new, "polled");
                    hints
                }
            };
            record.next_check_at =
                schedule::next_after_success(now, job.interval, &hints, bounds(cfg));
            shared
                .store
                .record_poll_success(job.feed_id, &record)
                .await?;
            let mut stats = shared.stats.lock().expect("stats lock");
            if record.outcome == "not_modified" {
                stats.feeds_not_modified += 1;
            } else {
                stats.feeds_polled += 1;
                stats.new_entries += record.new_entries as usize;
            }
        }
        Err(e) => {
            let retry_after = match &e {
                PollError::Fetch(f) => f.retry_after(),
                PollError::Parse(_) => None,
            };
            record.outcome = "error";
            record.http_status = match &e {
                PollError::Fetch(f) => f.http_status().map(i32::from),
                PollError::Parse(_) => None,
            };
            record.error = Some(e.to_string());
            record.next_check_at = schedule::next_after_error(
                now,
                job.interval,
                job.error_count + 1,
                retry_after,
                bounds(cfg),
                rand::random::<f64>(),
            );
            shared.store.record_poll_error(job.feed_id, &record).await?;
            let mut stats = shared.stats.lock().expect("stats lock");
            stats.feeds_failed += 1;
            // The list is for the summary of `once`; a daemon has the errors on the feed rows.
            if shared.mode == Mode::Once {
                stats.feed_errors.push((job.url.clone(), e.to_string()));
            }
            warn!(feed_url = %job.url, stage = "poll", error = %e, "feed failed");
        }
    }
    Ok(())
}

/// Source stage: claims pending articles (from this run's polls, earlier runs, or a crashed
/// one) and hands them to the fetchers, never more in flight than the stages can hold.
async fn article_source(
    shared: Arc<Shared>,
    mode: Mode,
    tx: mpsc::Sender<(ArticleJob, Slot)>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let cfg = &shared.cfg;
    let owner = cfg.pipeline.daemon_id.clone();
    let capacity = cfg.articles.concurrency + cfg.pipeline.channel_capacity;
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let free = capacity.saturating_sub(shared.in_flight.load(Ordering::Acquire));
        let mut claimed = 0;
        if free > 0 {
            let now = Utc::now();
            let jobs = shared
                .store
                .claim_articles(now, &owner, lease_until(cfg, now), free as i64)
                .await?;
            claimed = jobs.len();
            for job in jobs {
                shared.in_flight.fetch_add(1, Ordering::AcqRel);
                let slot = Slot(shared.clone());
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    sent = tx.send((job, slot)) => if sent.is_err() { return Ok(()) },
                }
            }
        }
        if claimed > 0 {
            continue;
        }
        if mode == Mode::Once
            && shared.polling_done.load(Ordering::Acquire)
            && shared.in_flight.load(Ordering::Acquire) == 0
        {
            // Nothing claimable and nothing in flight: articles left pending now wait for a
            // retry time in the future, which is the next run's work.
            let now = Utc::now();
            let last = shared
                .store
                .claim_articles(now, &owner, lease_until(cfg, now), 1)
                .await?;
            if last.is_empty() {
                break;
            }
            for job in last {
                shared.in_flight.fetch_add(1, Ordering::AcqRel);
                let slot = Slot(shared.clone());
                if tx.send((job, slot)).await.is_err() {
                    return Ok(());
                }
            }
            continue;
        }
        // Retries become due with time, so look again at least every tick.
        let wait = match mode {
            Mode::Once => Duration::from_millis(500),
            Mode::Daemon => cfg.poll.tick.min(Duration::from_secs(30)),
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = shared.article_wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    Ok(())
}

/// Fetch stage: `articles.concurrency` pages at a time, at most `articles.per_host` per host.
///
/// A job for a host that is at its limit waits in that host's queue instead of holding a
/// fetch slot, so a burst of articles from one site does not stall every other site behind it.
/// The queues are bounded by the article source's in-flight limit.
async fn fetchers(
    shared: Arc<Shared>,
    mut rx: mpsc::Receiver<(ArticleJob, Slot)>,
    tx: mpsc::Sender<RawArticle>,
) -> anyhow::Result<()> {
    let concurrency = shared.cfg.articles.concurrency;
    let per_host = shared.cfg.articles.per_host;
    let mut active: HashMap<String, usize> = HashMap::new();
    let mut waiting: HashMap<String, VecDeque<(ArticleJob, Slot)>> = HashMap::new();
    let mut running = FuturesUnordered::new();
    let mut input_open = true;
    loop {
        tokio::select! {
            received = rx.recv(), if input_open && running.len() < concurrency => {
                let Some((job, slot)) = received else {
                    input_open = false;
                    continue;
                };
                let host = urls::host_of(&job.url);
                let count = active.entry(host.clone()).or_default();
                if *count < per_host {
                    *count += 1;
                    running.push(fetch_one(shared.clone(), tx.clone(), host, job, slot));
                } else {
                    waiting.entry(host).or_default().push_back((job, slot));
                }
            }
            Some(host) = running.next() => {
                let next = waiting.get_mut(&host).and_then(VecDeque::pop_front);
                match next {
                    Some((job, slot)) => running.push(fetch_one(shared.clone(), tx.clone(), host, job, slot)),
                    None => {
                        waiting.remove(&host);
                        if let Some(count) = active.get_mut(&host) {
                            *count -= 1;
                            if *count == 0 {
                                active.remove(&host);
                            }
                        }
                    }
                }
            }
            else => break,
        }
    }
    Ok(())
}

/// Fetches one page and passes it on (or records the failure); returns the host it used.
async fn fetch_one(
    shared: Arc<Shared>,
    tx: mpsc::Sender<RawArticle>,
    host: String,
    job: ArticleJob,
    slot: Slot,
) -> String {
    match fetch_page(&shared, &job.url).await {
        Ok(page) => {
            let raw = RawArticle {
                job,
                page,
                fetched_at: Utc::now(),
                _slot: slot,
            };
            // A closed channel means the run is failing; the lease is released at the end.
            let _ = tx.send(raw).await;
        }
        Err(e) => {
            if let Err(store_error) = record_fetch_failure(&shared, &job, &e).await {
                warn!(article_url = %job.url, stage = "fetch", error = %store_error, "cannot record failure");
            }
        }
    }
    host
}

async fn fetch_page(shared: &Shared, url: &str) -> Result<Fetched, FetchError> {
    if shared.cfg.articles.respect_robots_txt {
        match shared.robots.check(&shared.http, url).await {
            Verdict::Allowed => {}
            Verdict::Disallowed => return Err(FetchError::Disallowed),
            Verdict::Unreachable(why) => return Err(FetchError::Network(why)),
        }
    }
    shared.http.get_page(url).await
}

async fn record_fetch_failure(
    shared: &Shared,
    job: &ArticleJob,
    e: &FetchError,
) -> anyhow::Result<()> {
    let cfg = &shared.cfg;
    let attempt = (job.attempts.max(0) as u32) + 1;
    let retry = e.is_transient() && attempt < cfg.articles.max_attempts;
    let retry_at = retry.then(|| {
        let at = schedule::article_retry_at(Utc::now(), cfg.articles.retry_delay, attempt);
        e.retry_after().map_or(at, |ra| ra.max(at))
    });
    shared
        .store
        .fail_article(job.id, &e.to_string(), e.http_status(), retry_at)
        .await?;
    let mut stats = shared.stats.lock().expect("stats lock");
    if retry {
        stats.articles_retry_later += 1;
    } else {
        stats.articles_failed += 1;
    }
    warn!(article_url = %job.url, stage = "fetch", error = %e, retry, "article fetch failed");
    Ok(())
}

/// Enrich stage: cleaning and tagging are CPU work, so they run on blocking threads,
/// `workers` at a time.
async fn enrichers(
    shared: Arc<Shared>,
    workers: usize,
    rx: mpsc::Receiver<RawArticle>,
    tx: mpsc::Sender<(ArticleJob, EnrichedArticle, DateTime<Utc>, Slot)>,
) -> anyhow::Result<()> {
    ReceiverStream::new(rx)
        .for_each_concurrent(workers, |raw| {
            let shared = shared.clone();
            let enricher = shared.enricher.clone();
            let tx = tx.clone();
            async move {
                let RawArticle {
                    job,
                    page,
                    fetched_at,
                    _slot: slot,
                } = raw;
                let enriched = tokio::task::spawn_blocking(move || {
                    enricher.read_page(
                        &page.body,
                        page.content_type.as_deref(),
                        &page.final_url,
                        page.status,
                    )
                })
                .await;
                match enriched {
                    Ok(article) => {
                        let _ = tx.send((job, article, fetched_at, slot)).await;
                    }
                    Err(e) => {
                        // A page that crashes the cleaner would crash it again: fail it for good.
                        let error = format!("cleaning failed: {e}");
                        warn!(article_url = %job.url, stage = "enrich", error = %error, "enrich failed");
                        if let Err(e) = shared.store.fail_article(job.id, &error, None, None).await {
                            warn!(article_url = %job.url, stage = "enrich", error = %e, "cannot record failure");
                        }
                        shared.stats.lock().expect("stats lock").articles_failed += 1;
                        drop(slot);
                    }
                }
            }
        })
        .await;
    Ok(())
}

/// Store stage: one writer, so SQLite never sees competing write transactions. Articles that
/// are ready together are committed together (up to `STORE_BATCH`), which saves a disk flush
/// per article; if a batch fails, its articles are tried one by one so one bad row cannot hold
/// back the others.
async fn store_writer(
    shared: Arc<Shared>,
    mut rx: mpsc::Receiver<(ArticleJob, EnrichedArticle, DateTime<Utc>, Slot)>,
) -> anyhow::Result<()> {
    const STORE_BATCH: usize = 32;
    let mut batch = Vec::with_capacity(STORE_BATCH);
    while rx.recv_many(&mut batch, STORE_BATCH).await > 0 {
        let items: Vec<_> = batch
            .iter()
            .map(|(job, article, at, _)| (job, article, *at))
            .collect();
        let stored = match shared.store.complete_articles(&items).await {
            Ok(()) => items.len(),
            Err(e) => {
                debug!(stage = "store", error = %e, batch = items.len(), "batch failed; storing one by one");
                let mut stored = 0;
                for (job, article, at) in &items {
                    match shared.store.complete_article(job, article, *at).await {
                        Ok(()) => stored += 1,
                        // The row stays pending under its lease and is retried when it ends.
                        Err(e) => {
                            warn!(article_url = %job.url, stage = "store", error = %e, "cannot store article")
                        }
                    }
                }
                stored
            }
        };
        shared.stats.lock().expect("stats lock").articles_stored += stored;
        batch.clear(); // frees the slots
    }
    Ok(())
}
