//! The store stage: one writer, so SQLite never sees competing write transactions. Articles
//! that are ready together are committed together (up to `STORE_BATCH`), which saves a disk
//! flush per article. A database outage is waited out. If the database refuses a batch for
//! another reason, its articles are stored one by one, so one bad article never holds back
//! or uses up the attempts of the others; an article the database refuses counts a failed
//! attempt, and ends `failed` with the reason after `articles.max_attempts`.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::context::Context;
use super::enrichers::Enriched;
use super::stats::add;
use crate::schedule;
use crate::store::{Completion, StoreError};

const STORE_BATCH: usize = 32;

pub async fn store_writer(
    ctx: Arc<Context>,
    mut rx: mpsc::Receiver<Enriched>,
) -> anyhow::Result<()> {
    let mut batch = Vec::with_capacity(STORE_BATCH);
    while rx.recv_many(&mut batch, STORE_BATCH).await > 0 {
        let clock = std::time::Instant::now();
        store_batch(&ctx, &batch).await?;
        ctx.counters.latency.store.record(clock.elapsed());
        batch.clear(); // frees the slots
    }
    Ok(())
}

async fn store_batch(ctx: &Context, batch: &[Enriched]) -> Result<(), StoreError> {
    let items: Vec<Completion> = batch
        .iter()
        .map(|e| (&e.job, &e.article, e.fetched_at))
        .collect();
    match ctx
        .db("store articles", || {
            ctx.store.complete_articles(&ctx.owner, &items)
        })
        .await
    {
        Ok(held) => {
            for (item, held) in items.iter().zip(held) {
                stored(ctx, item, held);
            }
            Ok(())
        }
        Err(e) if e.is_transient() => Err(e),
        Err(e) => {
            debug!(stage = "store", error = %e.cause(), batch = items.len(), "batch refused; storing one by one");
            for item in &items {
                store_one(ctx, item).await?;
            }
            Ok(())
        }
    }
}

async fn store_one(ctx: &Context, item: &Completion<'_>) -> Result<(), StoreError> {
    let &(job, article, at) = item;
    match ctx
        .db("store article", || {
            ctx.store.complete_article(&ctx.owner, job, article, at)
        })
        .await
    {
        Ok(held) => {
            stored(ctx, item, held);
            Ok(())
        }
        Err(e) if e.is_transient() => Err(e),
        Err(e) => refused(ctx, item, &e).await,
    }
}

fn stored(ctx: &Context, &(job, _, _): &Completion, held: bool) {
    if held {
        add(&ctx.counters.store.stored, 1);
        debug!(article_url = %job.url, stage = "store", "stored");
    } else {
        warn!(article_url = %job.url, stage = "store", "lease lost before the article was stored");
    }
}

/// The database refused the article: a failed attempt, retried later like a failed fetch.
async fn refused(
    ctx: &Context,
    &(job, _, _): &Completion<'_>,
    e: &StoreError,
) -> Result<(), StoreError> {
    let cfg = &ctx.cfg;
    let attempt = (job.attempts.max(0) as u32) + 1;
    let retry_at = (attempt < cfg.articles.max_attempts)
        .then(|| schedule::article_retry_at(Utc::now(), cfg.articles.retry_delay, attempt));
    let error = format!("cannot store the article: {}", e.cause());
    warn!(article_url = %job.url, stage = "store", error = %error, retry = retry_at.is_some(), "article not stored");
    ctx.db("record store failure", || {
        ctx.store
            .fail_article(&ctx.owner, job.id, &error, None, retry_at)
    })
    .await?;
    let counters = &ctx.counters.articles;
    add(
        if retry_at.is_some() {
            &counters.retry_later
        } else {
            &counters.failed
        },
        1,
    );
    Ok(())
}
