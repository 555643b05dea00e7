//! The fetch stage: `articles.concurrency` pages at a time, at most `articles.per_host` per
//! host, robots.txt checked first. A page that cannot be fetched is recorded on its row, to be
//! retried later or failed for good.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::Utc;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tracing::warn;

use super::context::{Context, Slot};
use super::stats::add;
use crate::fetch::{FetchError, Fetched};
use crate::model::{ArticleJob, RawArticle};
use crate::robots::Verdict;
use crate::schedule;
use crate::urls;

/// A job for a host that is at its limit waits in that host's queue instead of holding a
/// fetch slot, so a burst of articles from one site does not stall every other site behind it.
/// The queues are bounded by the article source's in-flight limit.
pub async fn fetchers(
    ctx: Arc<Context>,
    mut rx: mpsc::Receiver<(ArticleJob, Slot)>,
    tx: mpsc::Sender<(RawArticle, Slot)>,
) -> anyhow::Result<()> {
    let concurrency = ctx.cfg.articles.concurrency;
    let per_host = ctx.cfg.articles.per_host;
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
                    running.push(fetch_one(ctx.clone(), tx.clone(), host, job, slot));
                } else {
                    waiting.entry(host).or_default().push_back((job, slot));
                }
            }
            Some(host) = running.next() => {
                match waiting.get_mut(&host).and_then(VecDeque::pop_front) {
                    Some((job, slot)) => running.push(fetch_one(ctx.clone(), tx.clone(), host, job, slot)),
                    None => host_done(&mut active, &mut waiting, &host),
                }
            }
            else => break,
        }
    }
    Ok(())
}

/// A host with nothing waiting gives back one of its active places.
fn host_done(
    active: &mut HashMap<String, usize>,
    waiting: &mut HashMap<String, VecDeque<(ArticleJob, Slot)>>,
    host: &str,
) {
    waiting.remove(host);
    if let Some(count) = active.get_mut(host) {
        *count -= 1;
        if *count == 0 {
            active.remove(host);
        }
    }
}

/// Fetches one page and passes it on (or records the failure); returns the host it used.
async fn fetch_one(
    ctx: Arc<Context>,
    tx: mpsc::Sender<(RawArticle, Slot)>,
    host: String,
    job: ArticleJob,
    slot: Slot,
) -> String {
    match fetch_page(&ctx, &job.url).await {
        Ok(page) => {
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
        Err(e) => {
            if let Err(store_error) = record_failure(&ctx, &job, &e).await {
                warn!(article_url = %job.url, stage = "fetch", error = %store_error, "cannot record failure");
            }
        }
    }
    host
}

async fn fetch_page(ctx: &Context, url: &str) -> Result<Fetched, FetchError> {
    if ctx.cfg.articles.respect_robots_txt {
        match ctx.robots.check(&ctx.http, url).await {
            Verdict::Allowed => {}
            Verdict::Disallowed => return Err(FetchError::Disallowed),
            Verdict::Unreachable(why) => return Err(FetchError::Network(why)),
        }
    }
    ctx.http.get_page(url).await
}

async fn record_failure(ctx: &Context, job: &ArticleJob, e: &FetchError) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    let attempt = (job.attempts.max(0) as u32) + 1;
    let retry = e.is_transient() && attempt < cfg.articles.max_attempts;
    let retry_at = retry.then(|| {
        let at = schedule::article_retry_at(Utc::now(), cfg.articles.retry_delay, attempt);
        e.retry_after().map_or(at, |ra| ra.max(at))
    });
    ctx.store
        .fail_article(job.id, &e.to_string(), e.http_status(), retry_at)
        .await?;
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
