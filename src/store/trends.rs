//! Trend queries: which entities are mentioned in more articles in the last window than in the
//! window before it. Reads `article_entities.seen_at` through its index, so a window costs one
//! range scan however large the archive grows.

use chrono::{DateTime, Utc};

use super::{Result, Store};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TrendRow {
    pub name: String,
    #[serde(rename = "type")]
    #[sqlx(rename = "type")]
    pub kind: String,
    /// Articles mentioning the entity in the current window.
    pub articles: i64,
    /// Articles mentioning it in the window before.
    pub previous: i64,
    /// Mentions in the current window, over all its articles.
    pub mentions: i64,
}

impl TrendRow {
    pub fn change(&self) -> i64 {
        self.articles - self.previous
    }
}

impl Store {
    /// Entities of the window `[now - window, now)` against `[now - 2 window, now - window)`,
    /// biggest rise first (ties: most articles), optionally of one type.
    pub async fn trends(
        &self,
        now: DateTime<Utc>,
        window: chrono::Duration,
        kind: Option<&str>,
        limit: i64,
    ) -> Result<Vec<TrendRow>> {
        let start = now - window;
        let previous_start = start - window;
        // CAST keeps PostgreSQL's SUM over integers an integer (it would widen bigint to numeric).
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.name, e.type, \
                   CAST(SUM(CASE WHEN ae.seen_at >= $2 THEN 1 ELSE 0 END) AS BIGINT) AS articles, \
                   CAST(SUM(CASE WHEN ae.seen_at < $2 THEN 1 ELSE 0 END) AS BIGINT) AS previous, \
                   CAST(SUM(CASE WHEN ae.seen_at >= $2 THEN ae.mentions ELSE 0 END) AS BIGINT) AS mentions \
                 FROM article_entities ae JOIN entities e ON e.id = ae.entity_id \
                 WHERE ae.seen_at >= $1 AND ae.seen_at < $3 AND ($4 = '' OR e.type = $4) \
                 GROUP BY e.id, e.name, e.type \
                 HAVING SUM(CASE WHEN ae.seen_at >= $2 THEN 1 ELSE 0 END) > 0 \
                 ORDER BY SUM(CASE WHEN ae.seen_at >= $2 THEN 1 ELSE -1 END) DESC, \
                   SUM(CASE WHEN ae.seen_at >= $2 THEN 1 ELSE 0 END) DESC, e.name \
                 LIMIT $5",
            )
            .bind(previous_start)
            .bind(start)
            .bind(now)
            .bind(kind.unwrap_or(""))
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}
