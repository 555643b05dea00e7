//! The outbox: one row per event (a fired alert, a stored or revised article, an article
//! joining a story) and sink until the sink has it. A sink's worker claims the oldest
//! undelivered rows of its sink under a lease, up to a batch: the rows from the head up to the
//! first one that is not due or is held by another, so rows go out in order and with several
//! daemons each row is sent by one. Then it marks each delivered, failed with the time of the
//! next attempt, released untried, or given up when the sink refused it for good (so one bad
//! row does not hold up the rows behind it). Delivered and given-up rows stay, for `sinks
//! status`.

use chrono::{DateTime, Utc};

use super::{Result, Store, sanitize};

/// A claimed outbox row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxItem {
    pub id: i64,
    /// `alert.fired`: the alert.
    pub alert_id: Option<i64>,
    /// `article.stored`, `article.revised`, `story.updated`: the article, and the content
    /// hash it was stored with.
    pub article_id: Option<i64>,
    /// `story.updated`: the story the article joined.
    pub story_id: Option<i64>,
    pub version: Option<String>,
    pub event: String,
    /// Attempts including this one.
    pub attempts: i32,
    /// When the row was written (when its event happened).
    pub created_at: DateTime<Utc>,
}

/// One sink's delivery state, for `sinks status`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SinkStatus {
    pub sink: String,
    pub delivered: i64,
    pub pending: i64,
    /// Refused for good by the sink: not retried.
    pub given_up: i64,
    /// When the oldest undelivered row was written.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// The error of the latest failed attempt, and when the next attempt is due.
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Leases the oldest undelivered row of `sink` to `owner` until `lease_until`, if its next
    /// attempt is due at `now` and nobody holds it; `None` otherwise.
    pub async fn claim_outbox(
        &self,
        sink: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxItem>> {
        let mut rows = self
            .claim_outbox_batch(sink, owner, now, lease_until, 1)
            .await?;
        Ok(rows.pop())
    }

    /// Leases to `owner` until `lease_until` the undelivered rows of `sink` from the oldest on,
    /// at most `limit`, stopping before the first that is not due at `now` or is held by
    /// someone else; in id order.
    pub async fn claim_outbox_batch(
        &self,
        sink: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>> {
        let mut rows: Vec<OutboxItem> = on_pool!(self, pool => {
            sqlx::query_as(
                "WITH head AS (SELECT id, next_attempt_at, lease_until FROM outbox \
                   WHERE sink = $3 AND delivered_at IS NULL AND given_up_at IS NULL \
                   ORDER BY id LIMIT $5), \
                 blocked AS (SELECT MIN(id) AS id FROM head \
                   WHERE next_attempt_at > $4 OR (lease_until IS NOT NULL AND lease_until >= $4)) \
                 UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM head) \
                 AND id < COALESCE((SELECT id FROM blocked), 9223372036854775807) \
                 AND delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $4 \
                 AND (lease_until IS NULL OR lease_until < $4) \
                 RETURNING id, alert_id, article_id, story_id, version, event, attempts, created_at",
            )
            .bind(owner)
            .bind(lease_until)
            .bind(sink)
            .bind(now)
            .bind(limit.max(1))
            .fetch_all(pool)
            .await?
        });
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// Marks a row delivered, if `owner` still holds it.
    pub async fn outbox_delivered(&self, id: i64, owner: &str, at: DateTime<Utc>) -> Result<bool> {
        Ok(self.outbox_delivered_many(&[id], owner, at).await? > 0)
    }

    /// Marks rows delivered, those `owner` still holds; how many it marked.
    pub async fn outbox_delivered_many(
        &self,
        ids: &[i64],
        owner: &str,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new("UPDATE outbox SET delivered_at = ");
            q.push_bind(at)
                .push(", last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE lease_owner = ")
                .push_bind(owner)
                .push(" AND id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(pool).await?.rows_affected()
        }))
    }

    /// Hands rows `owner` claimed but did not try back, as they were before the claim.
    pub async fn outbox_released(&self, ids: &[i64], owner: &str) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(
                "UPDATE outbox SET lease_owner = NULL, lease_until = NULL, attempts = attempts - 1 \
                 WHERE lease_owner = ",
            );
            q.push_bind(owner).push(" AND id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(pool).await?.rows_affected()
        }))
    }

    /// Records a failed attempt and when to try again, if `owner` still holds the row.
    pub async fn outbox_failed(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(on_pool!(self, pool => {
            sqlx::query(
                "UPDATE outbox SET last_error = $3, next_attempt_at = $4, lease_owner = NULL, \
                 lease_until = NULL WHERE id = $1 AND lease_owner = $2",
            )
            .bind(id)
            .bind(owner)
            .bind(sanitize::text(error))
            .bind(next_attempt_at)
            .execute(pool)
            .await?
            .rows_affected() > 0
        }))
    }

    /// Gives a row up for good (the sink refused it in a way retrying cannot mend), if `owner`
    /// still holds it: the rows behind it go out.
    pub async fn outbox_given_up(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(on_pool!(self, pool => {
            sqlx::query(
                "UPDATE outbox SET given_up_at = $4, last_error = $3, lease_owner = NULL, \
                 lease_until = NULL WHERE id = $1 AND lease_owner = $2",
            )
            .bind(id)
            .bind(owner)
            .bind(sanitize::text(error))
            .bind(at)
            .execute(pool)
            .await?
            .rows_affected() > 0
        }))
    }

    /// Delivery state of every sink that has outbox rows, by name.
    pub async fn sink_status(&self) -> Result<Vec<SinkStatus>> {
        type Row = (String, i64, i64, i64, Option<DateTime<Utc>>);
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT sink, CAST(COUNT(delivered_at) AS BIGINT), \
                   CAST(COUNT(*) - COUNT(delivered_at) - COUNT(given_up_at) AS BIGINT), \
                   CAST(COUNT(given_up_at) AS BIGINT), \
                   MIN(CASE WHEN delivered_at IS NULL AND given_up_at IS NULL THEN created_at END) \
                 FROM outbox GROUP BY sink ORDER BY sink",
            )
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for (sink, delivered, pending, given_up, oldest_pending) in rows {
            let (last_error, next_attempt_at) = self.last_sink_error(&sink).await?;
            out.push(SinkStatus {
                sink,
                delivered,
                pending,
                given_up,
                oldest_pending,
                last_error,
                next_attempt_at,
            });
        }
        Ok(out)
    }

    /// The error of the pending row of `sink` that failed last, and its next attempt.
    async fn last_sink_error(&self, sink: &str) -> Result<(Option<String>, Option<DateTime<Utc>>)> {
        let row: Option<(Option<String>, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT last_error, next_attempt_at FROM outbox \
                 WHERE sink = $1 AND delivered_at IS NULL AND given_up_at IS NULL \
                   AND last_error IS NOT NULL \
                 ORDER BY id LIMIT 1",
            )
            .bind(sink)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map_or((None, None), |(e, at)| (e, Some(at))))
    }
}
