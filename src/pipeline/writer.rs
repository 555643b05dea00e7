//! The store stage: one writer, so SQLite never sees competing write transactions. Articles
//! that are ready together are committed together (up to `STORE_BATCH`), which saves a disk
//! flush per article; if a batch fails, its articles are tried one by one so one bad row
//! cannot hold back the others.

use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::context::Context;
use super::enrichers::Enriched;
use super::stats::add;

const STORE_BATCH: usize = 32;

pub async fn store_writer(
    ctx: Arc<Context>,
    mut rx: mpsc::Receiver<Enriched>,
) -> anyhow::Result<()> {
    let mut batch = Vec::with_capacity(STORE_BATCH);
    while rx.recv_many(&mut batch, STORE_BATCH).await > 0 {
        let stored = store_batch(&ctx, &batch).await;
        add(&ctx.counters.store.stored, stored);
        batch.clear(); // frees the slots
    }
    Ok(())
}

/// Stores a batch in one transaction, or one by one when that fails; returns how many were
/// stored.
async fn store_batch(ctx: &Context, batch: &[Enriched]) -> usize {
    let items: Vec<_> = batch
        .iter()
        .map(|e| (&e.job, &e.article, e.fetched_at))
        .collect();
    match ctx.store.complete_articles(&items).await {
        Ok(()) => items.len(),
        Err(e) => {
            debug!(stage = "store", error = %e, batch = items.len(), "batch failed; storing one by one");
            let mut stored = 0;
            for (job, article, at) in &items {
                match ctx.store.complete_article(job, article, *at).await {
                    Ok(()) => stored += 1,
                    // The row stays pending under its lease and is retried when it ends.
                    Err(e) => {
                        warn!(article_url = %job.url, stage = "store", error = %e, "cannot store article")
                    }
                }
            }
            stored
        }
    }
}
