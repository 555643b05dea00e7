//! Hourly rollups for trends and dashboards: per hour of event time, the articles, distinct
//! sources and stories of each entity, topic, category and keyphrase, and the hour's totals;
//! per day, each entity's articles (summed from its hours, for long baselines).
//! Storing an article marks its hour dirty (in the same transaction); `refresh_rollups`
//! recomputes dirty hours from the per-article tables. Recomputing, never incrementing, keeps
//! the counts right when an article is stored twice or changes its hour; claiming dirty hours
//! with their rows locked lets several daemons share the work.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::{Backend, Result, Store};

/// Marks the hour an article had (if any) dirty: call before its row changes.
macro_rules! dirty_old_hour {
    ($tx:expr, $id:expr) => {
        sqlx::query(
            "INSERT INTO rollup_dirty (hour) SELECT event_hour FROM articles \
             WHERE id = $1 AND event_hour IS NOT NULL ON CONFLICT DO NOTHING",
        )
        .bind($id)
        .execute(&mut *$tx)
        .await?;
    };
}
pub(super) use dirty_old_hour;

/// Marks an hour dirty.
macro_rules! dirty_hour {
    ($tx:expr, $hour:expr) => {
        sqlx::query("INSERT INTO rollup_dirty (hour) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind($hour)
            .execute(&mut *$tx)
            .await?;
    };
}
pub(super) use dirty_hour;

/// The statements that recompute one hour ($1) of every rollup.
const RECOMPUTE: &[&str] = &[
    "DELETE FROM hour_totals WHERE hour = $1",
    "INSERT INTO hour_totals (hour, articles, sources, stories) \
     SELECT $1, COUNT(*), COUNT(DISTINCT source), COUNT(DISTINCT story_id) FROM articles \
     WHERE status = 'done' AND event_hour = $1 HAVING COUNT(*) > 0",
    "DELETE FROM entity_hours WHERE hour = $1",
    "INSERT INTO entity_hours (entity_id, hour, articles, sources, stories) \
     SELECT ae.entity_id, $1, COUNT(*), COUNT(DISTINCT a.source), COUNT(DISTINCT a.story_id) \
     FROM article_entities ae JOIN articles a ON a.id = ae.article_id \
     WHERE a.status = 'done' AND a.event_hour = $1 GROUP BY ae.entity_id",
    "DELETE FROM topic_hours WHERE hour = $1",
    "INSERT INTO topic_hours (topic, hour, articles, sources, stories) \
     SELECT t.topic, $1, COUNT(*), COUNT(DISTINCT a.source), COUNT(DISTINCT a.story_id) \
     FROM article_topics t JOIN articles a ON a.id = t.article_id \
     WHERE a.status = 'done' AND a.event_hour = $1 GROUP BY t.topic",
    "DELETE FROM category_hours WHERE hour = $1",
    "INSERT INTO category_hours (category, hour, articles, sources, stories) \
     SELECT category, $1, COUNT(*), COUNT(DISTINCT source), COUNT(DISTINCT story_id) \
     FROM articles WHERE status = 'done' AND event_hour = $1 AND category IS NOT NULL \
     GROUP BY category",
    "DELETE FROM keyphrase_hours WHERE hour = $1",
    "INSERT INTO keyphrase_hours (keyphrase_id, hour, articles, sources, stories) \
     SELECT ak.keyphrase_id, $1, COUNT(*), COUNT(DISTINCT a.source), COUNT(DISTINCT a.story_id) \
     FROM article_keyphrases ak JOIN articles a ON a.id = ak.article_id \
     WHERE a.status = 'done' AND a.event_hour = $1 GROUP BY ak.keyphrase_id",
];

/// The statements that sum one day ($1 to $2) of `entity_days` from its hours.
const RECOMPUTE_DAY: &[&str] = &[
    "DELETE FROM entity_days WHERE day = $1",
    "INSERT INTO entity_days (entity_id, day, articles) \
     SELECT entity_id, $1, SUM(articles) FROM entity_hours WHERE hour >= $1 AND hour < $2 \
     GROUP BY entity_id",
];

/// The UTC day an hour falls in.
pub(super) fn day_of(hour: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::DurationRound;
    hour.duration_trunc(Duration::days(1)).unwrap_or(hour)
}

impl Store {
    /// Recomputes up to `limit` dirty hours; returns how many it did (0: the rollups are
    /// current). Each batch is one transaction: the claim and the counts commit together.
    pub async fn refresh_rollups(&self, limit: i64) -> Result<usize> {
        let lock = match self.backend {
            Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite(_) => "",
        };
        let claim = format!(
            "DELETE FROM rollup_dirty WHERE hour IN \
             (SELECT hour FROM rollup_dirty ORDER BY hour LIMIT $1 {lock}) RETURNING hour"
        );
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let hours: Vec<(DateTime<Utc>,)> = sqlx::query_as(sqlx::AssertSqlSafe(claim))
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            for (hour,) in &hours {
                for sql in RECOMPUTE {
                    sqlx::query(sqlx::AssertSqlSafe(*sql)).bind(hour).execute(&mut *tx).await?;
                }
            }
            let days: BTreeSet<DateTime<Utc>> = hours.iter().map(|(h,)| day_of(*h)).collect();
            for day in days {
                for sql in RECOMPUTE_DAY {
                    sqlx::query(sqlx::AssertSqlSafe(*sql))
                        .bind(day)
                        .bind(day + Duration::days(1))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            hours.len()
        }))
    }

    /// Recomputes every dirty hour.
    pub async fn refresh_all_rollups(&self) -> Result<usize> {
        let mut total = 0;
        loop {
            let n = self.refresh_rollups(100).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }
}
