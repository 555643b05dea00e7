//! The enrich stage: cleaning and tagging are CPU work, so they run on blocking threads,
//! `workers` at a time.

use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tracing::warn;

use super::context::{Context, Slot};
use super::stats::add;
use crate::model::{ArticleJob, EnrichedArticle, RawArticle};

/// An enriched article on its way to the store writer.
pub struct Enriched {
    pub job: ArticleJob,
    pub article: EnrichedArticle,
    pub fetched_at: chrono::DateTime<chrono::Utc>,
    /// Held until the article is stored: frees its in-flight place when dropped.
    pub _slot: Slot,
}

pub async fn enrichers(
    ctx: Arc<Context>,
    workers: usize,
    rx: mpsc::Receiver<(RawArticle, Slot)>,
    tx: mpsc::Sender<Enriched>,
) -> anyhow::Result<()> {
    ReceiverStream::new(rx)
        .map(Ok)
        .try_for_each_concurrent(workers, |(raw, slot)| {
            let ctx = ctx.clone();
            let tx = tx.clone();
            async move { enrich_one(ctx, raw, slot, tx).await }
        })
        .await
}

async fn enrich_one(
    ctx: Arc<Context>,
    raw: RawArticle,
    slot: Slot,
    tx: mpsc::Sender<Enriched>,
) -> anyhow::Result<()> {
    let enricher = ctx.enricher.clone();
    let RawArticle {
        job,
        final_url,
        http_status,
        content_type,
        body,
        fetched_at,
    } = raw;
    let tags = job.feed_tags.clone();
    let clock = std::time::Instant::now();
    let enriched = tokio::task::spawn_blocking(move || {
        enricher.read_feed_page(
            &body,
            content_type.as_deref(),
            &final_url,
            http_status,
            &tags,
        )
    })
    .await;
    ctx.counters.latency.enrich.record(clock.elapsed());
    match enriched {
        Ok(article) => {
            add(&ctx.counters.articles.enriched, 1);
            let _ = tx
                .send(Enriched {
                    job,
                    article,
                    fetched_at,
                    _slot: slot,
                })
                .await;
        }
        Err(e) => {
            // A page that crashes the cleaner would crash it again: fail it for good.
            let error = format!("cleaning failed: {e}");
            warn!(article_url = %job.url, stage = "enrich", error = %error, "enrich failed");
            ctx.db("record enrich failure", || {
                ctx.store
                    .fail_article(&ctx.owner, job.id, &error, None, None)
            })
            .await?;
            add(&ctx.counters.articles.failed, 1);
            drop(slot);
        }
    }
    Ok(())
}
