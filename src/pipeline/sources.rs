//! The two source stages, the only ones that watch the shutdown signal: the feed source
//! claims due feeds for the pollers, the article source claims pending articles for the
//! fetchers. When they stop they drop their senders, and the close cascades down the stages.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::context::{Context, Mode, Slot};
use crate::config::Config;
use crate::model::{ArticleJob, FeedJob, Validators};
use crate::store::{FeedRow, FeedSelection};

/// Claims due feeds and hands them to the pollers.
pub async fn feed_source(
    ctx: Arc<Context>,
    tx: mpsc::Sender<FeedJob>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    let mode = ctx.mode;
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
        let feeds = ctx
            .store
            .claim_feeds(which, now, ctx.owner(), ctx.lease_until(now), limit)
            .await?;
        let claimed_all = mode == Mode::Once;
        if feeds.is_empty() && !claimed_all {
            let next = ctx.store.next_feed_due().await?;
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

/// Claims pending articles (from this run's polls, earlier runs, or a crashed one) and hands
/// them to the fetchers, never more in flight than the stages can hold.
pub async fn article_source(
    ctx: Arc<Context>,
    tx: mpsc::Sender<(ArticleJob, Slot)>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    let capacity = cfg.articles.concurrency + cfg.pipeline.channel_capacity;
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let free = capacity.saturating_sub(ctx.in_flight());
        let mut claimed = 0;
        if free > 0 {
            let jobs = claim(&ctx, free).await?;
            claimed = jobs.len();
            for job in jobs {
                let slot = ctx.take_slot();
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    sent = tx.send((job, slot)) => if sent.is_err() { return Ok(()) },
                }
            }
        }
        if claimed > 0 {
            continue;
        }
        if pass_is_over(&ctx) {
            // Nothing claimable and nothing in flight: articles left pending now wait for a
            // retry time in the future, which is the next run's work.
            let last = claim(&ctx, 1).await?;
            if last.is_empty() {
                break;
            }
            for job in last {
                let slot = ctx.take_slot();
                if tx.send((job, slot)).await.is_err() {
                    return Ok(());
                }
            }
            continue;
        }
        // Retries become due with time, so look again at least every tick.
        let wait = match ctx.mode {
            Mode::Once => Duration::from_millis(500),
            Mode::Daemon => cfg.poll.tick.min(Duration::from_secs(30)),
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = ctx.article_wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    Ok(())
}

async fn claim(ctx: &Context, limit: usize) -> anyhow::Result<Vec<ArticleJob>> {
    let now = Utc::now();
    Ok(ctx
        .store
        .claim_articles(now, ctx.owner(), ctx.lease_until(now), limit as i64)
        .await?)
}

/// `once` is over when polling has ended and no article is in flight.
fn pass_is_over(ctx: &Context) -> bool {
    ctx.mode == Mode::Once
        && ctx.polling_done.load(std::sync::atomic::Ordering::Acquire)
        && ctx.in_flight() == 0
}
