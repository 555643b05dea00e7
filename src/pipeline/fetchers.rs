//! The fetch stage: `articles.concurrency` pages at a time, at most `articles.per_host` per
//! host, robots.txt checked first. A page that cannot be fetched is recorded on its row, to be
//! retried later or failed for good. A stopping run starts no new fetch; past the stop's grace
//! period the fetches in flight are dropped (their articles are fetched on the next start).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::Utc;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::context::{Context, Slot};
use super::stats::add;
use crate::fetch::{FetchError, Fetched};
use crate::model::{ArticleJob, RawArticle};
use crate::robots::Verdict;
use crate::schedule;
use crate::store::StoreError;
use crate::urls;

type Job = (ArticleJob, Slot);

/// Per-host admission: a job for a host that is at its limit waits in that host's queue
/// instead of holding a fetch slot, so a burst of articles from one site does not stall
/// every other site behind it. The queues are bounded by the article source's in-flight limit.
#[derive(Default)]
struct Hosts {
    active: HashMap<String, usize>,
    waiting: HashMap<String, VecDeque<Job>>,
}

impl Hosts {
    /// The job back when its host has room, else queued behind the host's other jobs.
    fn admit(&mut self, host: &str, job: Job, per_host: usize) -> Option<Job> {
        let count = self.active.entry(host.to_string()).or_default();
        if *count < per_host {
            *count += 1;
            return Some(job);
        }
        self.waiting
            .entry(host.to_string())
            .or_default()
            .push_back(job);
        None
    }

    /// A fetch for `host` ended: its next waiting job, or the host gives back its place.
    fn next(&mut self, host: &str) -> Option<Job> {
        if let Some(job) = self.waiting.get_mut(host).and_then(VecDeque::pop_front) {
            return Some(job);
        }
        self.waiting.remove(host);
        if let Some(count) = self.active.get_mut(host) {
            *count -= 1;
            if *count == 0 {
                self.active.remove(host);
            }
        }
        None
    }

    /// Drops every waiting job (a stop): their leases are released when the run ends.
    fn drop_waiting(&mut self) {
        self.waiting.clear();
    }
}

pub async fn fetchers(
    ctx: Arc<Context>,
    mut rx: mpsc::Receiver<Job>,
    tx: mpsc::Sender<(RawArticle, Slot)>,
) -> anyhow::Result<()> {
    let concurrency = ctx.cfg.articles.concurrency;
    let per_host = ctx.cfg.per_host_concurrency();
    let mut hosts = Hosts::default();
    let mut running = FuturesUnordered::new();
    let mut input_open = true;
    loop {
        tokio::select! {
            received = rx.recv(), if input_open && running.len() < concurrency => {
                let Some(job) = received else {
                    input_open = false;
                    continue;
                };
                if ctx.stopping() {
                    continue; // claimed, never started: released when the run ends
                }
                let host = urls::host_of(&job.0.url);
                if let Some(job) = hosts.admit(&host, job, per_host) {
                    running.push(fetch_one(ctx.clone(), tx.clone(), host, job));
                }
            }
            Some(done) = running.next() => {
                let host = done?;
                if ctx.stopping() {
                    hosts.drop_waiting();
                }
                if let Some(job) = hosts.next(&host) {
                    running.push(fetch_one(ctx.clone(), tx.clone(), host, job));
                }
            }
            () = ctx.abort.cancelled(), if !running.is_empty() => {
                debug!(stage = "fetch", dropped = running.len(), "fetches in flight dropped");
                running.clear();
                hosts.drop_waiting();
            }
            else => break,
        }
    }
    Ok(())
}

/// Fetches one page and passes it on (or records the failure); returns the host it used, or
/// a database error that waiting could not fix.
async fn fetch_one(
    ctx: Arc<Context>,
    tx: mpsc::Sender<(RawArticle, Slot)>,
    host: String,
    (job, slot): Job,
) -> Result<String, StoreError> {
    let clock = std::time::Instant::now();
    let fetched = fetch_page(&ctx, &job.url).await;
    ctx.counters.latency.fetch.record(clock.elapsed());
    match fetched {
        Ok(page) => {
            add(&ctx.counters.articles.fetched, 1);
            let raw = RawArticle {
                job,
                final_url: page.final_url,
                http_status: page.status,
                content_type: page.content_type,
                body: page.body,
                fetched_at: Utc::now(),
            };
            // A closed channel means the run is failing; the lease is released at the end.
            let _ = tx.send((raw, slot)).await;
        }
        Err(FetchError::Offline(why)) => postpone(&ctx, &job, &why).await?,
        Err(e) => record_failure(&ctx, &job, &e).await?,
    }
    Ok(host)
}

async fn fetch_page(ctx: &Context, url: &str) -> Result<Fetched, FetchError> {
    if ctx.cfg.articles.respect_robots_txt {
        let (verdict, delay) = ctx.robots.check_with_delay(&ctx.http, url).await;
        match verdict {
            Verdict::Allowed => {
                if let Some(delay) = delay {
                    let bounded = delay.min(ctx.cfg.politeness.max_crawl_delay);
                    ctx.http.crawl_delay(url, bounded);
                }
            }
            Verdict::Disallowed => return Err(FetchError::Disallowed),
            Verdict::Unreachable(why) => return Err(FetchError::Network(why)),
            Verdict::Refused(why) => return Err(FetchError::Blocked(why)),
            Verdict::Offline(why) => return Err(FetchError::Offline(why)),
        }
    }
    ctx.http.get_page(url).await
}

/// Our own network is down: the page is put off without an attempt counted (the outage itself
/// is logged once, by the client).
async fn postpone(ctx: &Context, job: &ArticleJob, why: &str) -> Result<(), StoreError> {
    let at = schedule::after_outage(
        Utc::now(),
        ctx.cfg.articles.retry_delay,
        crate::fetch::PROBE_EVERY,
        rand::random::<f64>(),
    );
    ctx.db("put a page off", || {
        ctx.store.postpone_article(&ctx.owner, job.id, at)
    })
    .await?;
    add(&ctx.counters.articles.postponed, 1);
    debug!(article_url = %job.url, stage = "fetch", reason = why, "put off while the network is down");
    Ok(())
}

async fn record_failure(ctx: &Context, job: &ArticleJob, e: &FetchError) -> Result<(), StoreError> {
    let cfg = &ctx.cfg;
    let attempt = (job.attempts.max(0) as u32) + 1;
    let retry = e.is_transient() && attempt < cfg.articles.max_attempts;
    let retry_at = retry.then(|| {
        let at = schedule::article_retry_at(Utc::now(), cfg.articles.retry_delay, attempt);
        e.retry_after().map_or(at, |ra| ra.max(at))
    });
    let error = e.to_string();
    let held = ctx
        .db("record fetch failure", || {
            ctx.store
                .fail_article(&ctx.owner, job.id, &error, e.http_status(), retry_at)
        })
        .await?;
    if !held {
        warn!(article_url = %job.url, stage = "fetch", "lease lost before the failure was recorded");
        return Ok(());
    }
    let counters = &ctx.counters.articles;
    add(
        if retry {
            &counters.retry_later
        } else {
            &counters.failed
        },
        1,
    );
    warn!(article_url = %job.url, stage = "fetch", error = %e, retry, "article fetch failed");
    Ok(())
}
