//! The two source stages, the only ones that watch the stop signal: the feed source claims
//! due feeds for the pollers, the article source claims pending articles for the fetchers.
//! When they stop they drop their senders, and the close cascades down the stages.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use super::context::{Context, Mode, Slot};
use super::stats::add;
use crate::config::Config;
use crate::model::{ArticleJob, FeedJob, Validators};
use crate::store::{FeedRow, FeedSelection};

/// Claims due feeds and hands them to the pollers.
pub async fn feed_source(ctx: Arc<Context>, tx: mpsc::Sender<FeedJob>) -> anyhow::Result<()> {
    let pass_started = Utc::now();
    while !ctx.stopping() {
        let feeds = claim_feeds(&ctx, pass_started).await?;
        ctx.hold_feeds(feeds.iter().map(|f| f.id));
        add(&ctx.counters.poll.claimed, feeds.len());
        if feeds.is_empty() && ctx.mode == Mode::Daemon {
            let wait = next_feed_wait(&ctx).await?;
            tokio::select! {
                () = ctx.stop.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        for feed in feeds {
            let job = feed_job(&ctx.cfg, &feed);
            tokio::select! {
                // Claimed but unsent feeds keep their lease; it is released when the run ends.
                () = ctx.stop.cancelled() => return Ok(()),
                sent = tx.send(job) => if sent.is_err() { return Ok(()) },
            }
        }
        if ctx.mode == Mode::Once {
            break;
        }
    }
    Ok(())
}

/// `once` takes every feed not checked since the pass began, in one go, so that none is
/// polled twice even when other daemons or passes share the database; a daemon takes the
/// feeds that are due, a batch at a time.
async fn claim_feeds(
    ctx: &Context,
    pass_started: chrono::DateTime<Utc>,
) -> anyhow::Result<Vec<FeedRow>> {
    let (which, limit) = match ctx.mode {
        Mode::Daemon => (FeedSelection::Due, (ctx.cfg.poll.concurrency * 2) as i64),
        Mode::Once => (FeedSelection::NotCheckedSince(pass_started), i64::MAX),
    };
    Ok(ctx
        .db("claim feeds", || {
            let now = Utc::now();
            ctx.store
                .claim_feeds(which, now, &ctx.owner, ctx.lease_until(now), limit)
        })
        .await?)
}

/// How long to sleep before looking for due feeds again: until the next one is due, at most
/// one tick.
async fn next_feed_wait(ctx: &Context) -> anyhow::Result<Duration> {
    let next = ctx
        .db("next feed due", || ctx.store.next_feed_due())
        .await?;
    let tick = ctx.cfg.poll.tick;
    Ok(next
        .and_then(|at| (at - Utc::now()).to_std().ok())
        .unwrap_or(tick)
        .min(tick))
}

fn feed_job(cfg: &Config, feed: &FeedRow) -> FeedJob {
    FeedJob {
        feed_id: feed.id,
        url: feed.url.clone(),
        interval: feed
            .interval_secs
            .or(feed.adaptive_interval_secs)
            .map(|s| Duration::from_secs(s.max(0) as u64))
            .unwrap_or(cfg.poll.default_interval),
        own_interval: feed.interval_secs.is_some(),
        error_count: feed.error_count.max(0) as u32,
        validators: Validators {
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
        },
    }
}

/// Claims pending articles (from this run's polls, earlier runs, or a crashed one) and hands
/// them to the fetchers, never more in flight than the stages can hold.
pub async fn article_source(
    ctx: Arc<Context>,
    tx: mpsc::Sender<(ArticleJob, Slot)>,
) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    let capacity = cfg.articles.concurrency + cfg.pipeline.channel_capacity;
    while !ctx.stopping() {
        let free = capacity.saturating_sub(ctx.in_flight());
        let mut claimed = 0;
        if free > 0 {
            let jobs = claim_articles(&ctx, free).await?;
            claimed = jobs.len();
            if !send_all(&ctx, &tx, jobs).await {
                return Ok(());
            }
        }
        if claimed > 0 {
            continue;
        }
        if pass_is_over(&ctx) {
            // Nothing claimable and nothing in flight: articles left pending now wait for a
            // retry time in the future, which is the next run's work.
            let last = claim_articles(&ctx, 1).await?;
            if last.is_empty() {
                break;
            }
            if !send_all(&ctx, &tx, last).await {
                return Ok(());
            }
            continue;
        }
        // Retries become due with time, so look again at least every tick.
        let wait = match ctx.mode {
            Mode::Once => Duration::from_millis(500),
            Mode::Daemon => cfg.poll.tick.min(Duration::from_secs(30)),
        };
        tokio::select! {
            () = ctx.stop.cancelled() => break,
            () = ctx.article_wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    Ok(())
}

/// Sends claimed articles on, skipping any that is in the pipeline already; `false` when the
/// run is stopping or the fetchers are gone.
async fn send_all(
    ctx: &Arc<Context>,
    tx: &mpsc::Sender<(ArticleJob, Slot)>,
    jobs: Vec<ArticleJob>,
) -> bool {
    for job in jobs {
        let Some(slot) = ctx.take_slot(job.id) else {
            continue;
        };
        tokio::select! {
            () = ctx.stop.cancelled() => return false,
            sent = tx.send((job, slot)) => if sent.is_err() { return false },
        }
    }
    true
}

async fn claim_articles(ctx: &Context, limit: usize) -> anyhow::Result<Vec<ArticleJob>> {
    Ok(ctx
        .db("claim articles", || {
            let now = Utc::now();
            ctx.store
                .claim_articles(now, &ctx.owner, ctx.lease_until(now), limit as i64)
        })
        .await?)
}

/// `once` is over when polling has ended and no article is in flight.
fn pass_is_over(ctx: &Context) -> bool {
    ctx.mode == Mode::Once && ctx.polling_done.load(Ordering::Acquire) && ctx.in_flight() == 0
}
