//! How the work stands, for the API's `/api/feeds` and `/metrics`: each feed's health with
//! its entries and articles, poll outcomes and durations from the fetch log, and the depths of
//! the queues the database holds (pending articles, due feeds, dirty rollup hours).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{FeedRow, Result, Store};

/// A feed's health: its row, and how many entries and stored articles it gave.
#[derive(Debug, Clone)]
pub struct FeedHealth {
    pub feed: FeedRow,
    /// Articles linked from the feed (any status).
    pub entries: i64,
    /// Of those, stored (done).
    pub articles: i64,
    /// When the newest of them was first seen.
    pub latest_entry_at: Option<DateTime<Utc>>,
}

/// Counts over the whole database for `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct DbCounts {
    pub feeds: i64,
    /// Feeds whose latest poll failed.
    pub feeds_failing: i64,
    /// Articles by status (pending, done, failed).
    pub articles: Vec<(String, i64)>,
    /// Polls in the fetch log by outcome (fetched, not_modified, error).
    pub polls: Vec<(String, i64)>,
    /// Failed polls by kind (`http_4xx`, `http_5xx`, `no_response`: network, timeout or parse).
    pub poll_errors: Vec<(String, i64)>,
    /// Sum of poll durations in milliseconds, and the number of polls.
    pub poll_ms_sum: i64,
    pub poll_count: i64,
    /// Pending articles whose next attempt is due at `now`.
    pub articles_due: i64,
    /// Feeds whose next check is due at `now`.
    pub feeds_due: i64,
    /// Hours waiting for their rollups to be recomputed.
    pub dirty_hours: i64,
}

impl Store {
    /// Every feed with its entries and articles, in URL order.
    pub async fn feed_health(&self) -> Result<Vec<FeedHealth>> {
        let feeds = self.list_feeds().await?;
        type Counts = (i64, i64, i64, Option<DateTime<Utc>>);
        let counts: Vec<Counts> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT feed_id, CAST(COUNT(*) AS BIGINT), \
                   CAST(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS BIGINT), \
                   MAX(discovered_at) \
                 FROM articles WHERE feed_id IS NOT NULL GROUP BY feed_id",
            )
            .fetch_all(pool)
            .await?
        });
        let by_feed: HashMap<i64, (i64, i64, Option<DateTime<Utc>>)> = counts
            .into_iter()
            .map(|(id, e, a, latest)| (id, (e, a, latest)))
            .collect();
        Ok(feeds
            .into_iter()
            .map(|feed| {
                let (entries, articles, latest_entry_at) =
                    by_feed.get(&feed.id).copied().unwrap_or((0, 0, None));
                FeedHealth {
                    feed,
                    entries,
                    articles,
                    latest_entry_at,
                }
            })
            .collect())
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// The database's counts for `/metrics`, with due work counted at `now`.
    pub async fn db_counts(&self, now: DateTime<Utc>) -> Result<DbCounts> {
        Ok(on_pool!(self, pool => {
            let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
            let grouped = |sql: &'static str| sqlx::query_as::<_, (String, i64)>(sql);
            let (poll_ms_sum, poll_count): (Option<i64>, i64) = sqlx::query_as(
                "SELECT CAST(SUM(duration_ms) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM fetch_log",
            )
            .fetch_one(pool)
            .await?;
            DbCounts {
                feeds: one("SELECT CAST(COUNT(*) AS BIGINT) FROM feeds").fetch_one(pool).await?,
                feeds_failing: one("SELECT CAST(COUNT(*) AS BIGINT) FROM feeds WHERE error_count > 0")
                    .fetch_one(pool)
                    .await?,
                articles: grouped(
                    "SELECT status, CAST(COUNT(*) AS BIGINT) FROM articles GROUP BY status ORDER BY status",
                )
                .fetch_all(pool)
                .await?,
                polls: grouped(
                    "SELECT outcome, CAST(COUNT(*) AS BIGINT) FROM fetch_log GROUP BY outcome ORDER BY outcome",
                )
                .fetch_all(pool)
                .await?,
                poll_errors: grouped(
                    "SELECT CASE WHEN http_status >= 500 THEN 'http_5xx' \
                       WHEN http_status >= 400 THEN 'http_4xx' \
                       WHEN http_status IS NOT NULL THEN 'http_other' ELSE 'no_response' END AS kind, \
                       CAST(COUNT(*) AS BIGINT) FROM fetch_log WHERE outcome = 'error' \
                     GROUP BY 1 ORDER BY 1",
                )
                .fetch_all(pool)
                .await?,
                poll_ms_sum: poll_ms_sum.unwrap_or(0),
                poll_count,
                articles_due: sqlx::query_scalar(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM articles \
                     WHERE status = 'pending' AND next_attempt_at <= $1",
                )
                .bind(now)
                .fetch_one(pool)
                .await?,
                feeds_due: sqlx::query_scalar(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM feeds WHERE next_check_at <= $1",
                )
                .bind(now)
                .fetch_one(pool)
                .await?,
                dirty_hours: one("SELECT CAST(COUNT(*) AS BIGINT) FROM rollup_dirty")
                    .fetch_one(pool)
                    .await?,
            }
        }))
    }
}
