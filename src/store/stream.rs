//! Article events in the outbox: the `article.stored` row a sink gets when an article is
//! stored (written in the completing transaction), the rows `sinks replay` queues again for
//! stored articles, and the per-sink figures of `/metrics`.

use chrono::{DateTime, Utc};

use super::{Result, Store};

/// Queues the `article.stored` event of article `$id` stored with content hash `$version`
/// for sink `$sink` in the open transaction `$tx`, due from `$at`.
macro_rules! queue_article {
    ($tx:expr, $sink:expr, $id:expr, $version:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO outbox (article_id, version, sink, event, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, 'article.stored', $4, $4)",
        )
        .bind($id)
        .bind($version)
        .bind($sink)
        .bind($at)
        .execute(&mut *$tx)
        .await?
    };
}
pub(super) use queue_article;

/// One sink's figures for `/metrics`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SinkFigures {
    pub sink: String,
    pub delivered: i64,
    pub pending: i64,
    pub given_up: i64,
    /// Attempts that failed (each is retried, or given up).
    pub failed: i64,
    /// When the oldest undelivered row was written.
    pub oldest_pending: Option<DateTime<Utc>>,
}

impl Store {
    /// Stored articles whose event time or stored time is at or after `since`, with ids above
    /// `after`, in id order, at most `limit`: `(id, content hash)`.
    pub async fn replay_page(
        &self,
        since: DateTime<Utc>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, COALESCE(content_hash, '') FROM articles \
                 WHERE status = 'done' AND id > $1 AND (event_time >= $2 OR fetched_at >= $2) \
                 ORDER BY id LIMIT $3",
            )
            .bind(after)
            .bind(since)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many stored articles `replay_page` goes through from `since`.
    pub async fn replay_count(&self, since: DateTime<Utc>) -> Result<i64> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM articles \
                 WHERE status = 'done' AND (event_time >= $1 OR fetched_at >= $1)",
            )
            .bind(since)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Queues `article.stored` rows for `sink`, one per `(article id, content hash)`, in one
    /// transaction, due from `at`.
    pub async fn queue_articles(
        &self,
        sink: &str,
        articles: &[(i64, String)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for (id, version) in articles {
                queue_article!(tx, sink, *id, version, at);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Per sink with outbox rows: delivered, pending, given up, failed attempts, oldest pending.
    pub async fn sink_figures(&self) -> Result<Vec<SinkFigures>> {
        type Row = (String, i64, i64, i64, i64, Option<DateTime<Utc>>);
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT sink, CAST(COUNT(delivered_at) AS BIGINT), \
                   CAST(COUNT(*) - COUNT(delivered_at) - COUNT(given_up_at) AS BIGINT), \
                   CAST(COUNT(given_up_at) AS BIGINT), \
                   CAST(COALESCE(SUM(attempts \
                     - CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END \
                     - CASE WHEN delivered_at IS NULL AND given_up_at IS NULL \
                       AND lease_owner IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
                   MIN(CASE WHEN delivered_at IS NULL AND given_up_at IS NULL THEN created_at END) \
                 FROM outbox GROUP BY sink ORDER BY sink",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(sink, delivered, pending, given_up, failed, oldest_pending)| SinkFigures {
                    sink,
                    delivered,
                    pending,
                    given_up,
                    failed,
                    oldest_pending,
                },
            )
            .collect())
    }
}
