//! Trend queries: which entities are mentioned in more articles in a window than their
//! trailing baseline predicts (`trends::expected`, `trends::surprise`). The window is counted
//! exactly from the mentions (`article_entities` by `seen_at`, with their article's source:
//! one covering index range); the baseline of the
//! candidates from the daily and hourly rollups, or from the per-article rows when the query is narrowed
//! to a topic or category (the rollups are per entity, not per entity and topic).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::rollups::day_of;
use super::{Result, Store};
use crate::trends::{Counts, expected, surprise};

/// What `stringer trends` asks.
#[derive(Debug, Clone, Default)]
pub struct TrendQuery {
    /// The end of the window.
    pub now: DateTime<Utc>,
    pub window: Duration,
    /// The trailing period before the window that gives the expectation.
    pub baseline: Duration,
    /// Only entities of this type (PER, ORG, LOC, MISC).
    pub kind: Option<String>,
    /// Only articles of this user topic, or of this category.
    pub topic: Option<String>,
    pub category: Option<String>,
    /// Fewest articles and distinct sources in the window for an entity to be listed.
    pub min_count: i64,
    pub min_sources: i64,
    pub limit: usize,
}

/// One rising entity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrendRow {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Articles mentioning it in the window.
    pub articles: i64,
    /// Distinct sources of those articles.
    pub sources: i64,
    /// The articles expected in a window of this length from the baseline.
    pub baseline: f64,
    /// The Poisson surprise of `articles` against `baseline` (−log10 of its tail probability).
    pub score: f64,
}

/// Entities of the window: id, name, type, articles, sources.
type WindowRow = (i64, String, String, i64, i64);

/// The filter clauses shared by the queries, as SQL pieces with their binds pushed.
fn filters<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, query: &TrendQuery)
where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(topic) = &query.topic {
        q.push(
            " AND EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = ",
        )
        .push_bind(topic.clone())
        .push(")");
    }
    if let Some(category) = &query.category {
        q.push(" AND a.category = ").push_bind(category.clone());
    }
}

/// Splits `[from, to)` into the rollups that cover it: the hours before the first whole day,
/// the whole days, the hours after the last (all hours when no whole day fits).
fn baseline_parts(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(&'static str, &'static str, DateTime<Utc>, DateTime<Utc>)> {
    let first_day = day_of(from)
        + if day_of(from) < from {
            Duration::days(1)
        } else {
            Duration::zero()
        };
    let last_day = day_of(to);
    if first_day >= last_day {
        return vec![("entity_hours", "hour", from, to)];
    }
    vec![
        ("entity_hours", "hour", from, first_day),
        ("entity_days", "day", first_day, last_day),
        ("entity_hours", "hour", last_day, to),
    ]
}

impl Store {
    /// Rising entities of `query.window` ending at `query.now`, most surprising first.
    pub async fn trends(&self, query: &TrendQuery) -> Result<Vec<TrendRow>> {
        let lo = (query.now - query.window).max(DateTime::UNIX_EPOCH);
        let base_lo = (lo - query.baseline).max(DateTime::UNIX_EPOCH);
        let window = self.window_entities(query, lo).await?;
        if window.is_empty() {
            return Ok(Vec::new());
        }
        let window_total = self.articles_between(query, lo, query.now).await?;
        let ids: Vec<i64> = window.iter().map(|w| w.0).collect();
        let (baseline, baseline_total) = if query.topic.is_some() || query.category.is_some() {
            (
                self.raw_baseline(query, &ids, base_lo, lo).await?,
                self.articles_between(query, base_lo, lo).await?,
            )
        } else {
            self.rolled_baseline(&ids, base_lo, lo).await?
        };
        let baseline: HashMap<i64, i64> = baseline.into_iter().collect();
        let secs = |d: Duration| d.num_milliseconds() as f64 / 1000.0;
        let mut rows: Vec<TrendRow> = window
            .into_iter()
            .map(|(id, name, kind, articles, sources)| {
                let counts = Counts {
                    window: articles,
                    baseline: baseline.get(&id).copied().unwrap_or(0),
                    window_total,
                    baseline_total,
                    window_secs: secs(query.now - lo),
                    baseline_secs: secs(lo - base_lo),
                };
                let e = expected(&counts);
                TrendRow {
                    name,
                    kind,
                    articles,
                    sources,
                    baseline: e,
                    score: surprise(articles, e),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.articles.cmp(&a.articles))
                .then(a.name.cmp(&b.name))
        });
        rows.truncate(query.limit);
        Ok(rows)
    }

    async fn window_entities(
        &self,
        query: &TrendQuery,
        lo: DateTime<Utc>,
    ) -> Result<Vec<WindowRow>> {
        Ok(on_pool!(self, pool => {
            // The mentions alone (one covering index range over the window: they carry their
            // article's source and exist only for done articles); their articles only when a
            // topic or category narrows the query, joined with CROSS JOIN so that SQLite still
            // starts at the mentions. Names are looked up for the groups only.
            let narrowed = query.topic.is_some() || query.category.is_some();
            let mut q = sqlx::QueryBuilder::new(
                "SELECT e.id, e.name, e.type, w.articles, w.sources FROM \
                 (SELECT ae.entity_id AS id, CAST(COUNT(*) AS BIGINT) AS articles, \
                   CAST(COUNT(DISTINCT ae.source) AS BIGINT) AS sources \
                  FROM article_entities ae",
            );
            if narrowed {
                q.push(" CROSS JOIN articles a WHERE a.id = ae.article_id AND");
            } else {
                q.push(" WHERE");
            }
            q.push(" ae.seen_at >= ").push_bind(lo).push(" AND ae.seen_at < ").push_bind(query.now);
            filters(&mut q, query);
            q.push(" GROUP BY ae.entity_id HAVING COUNT(*) >= ")
                .push_bind(query.min_count)
                .push(" AND COUNT(DISTINCT ae.source) >= ")
                .push_bind(query.min_sources)
                .push(") w JOIN entities e ON e.id = w.id");
            if let Some(kind) = &query.kind {
                q.push(" WHERE e.type = ").push_bind(kind.clone());
            }
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Articles (of the query's topic or category) with an event time in `[from, to)`.
    async fn articles_between(
        &self,
        query: &TrendQuery,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(
                // The status in a FILTER, not the WHERE: the event time index is the way in.
                "SELECT CAST(COUNT(*) FILTER (WHERE a.status = 'done') AS BIGINT) FROM articles a \
                 WHERE a.event_time >= ",
            );
            q.push_bind(from).push(" AND a.event_time < ").push_bind(to);
            filters(&mut q, query);
            q.build_query_scalar().fetch_one(pool).await?
        }))
    }

    /// Baseline counts of `ids` and all articles, from the rollups: whole days from the
    /// daily ones, the ragged ends from the hourly ones.
    async fn rolled_baseline(
        &self,
        ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<(i64, i64)>, i64)> {
        let mut counts: HashMap<i64, i64> = HashMap::new();
        for (table, column, lo, hi) in baseline_parts(from, to) {
            for (id, n) in self.rolled_counts(table, column, ids, lo, hi).await? {
                *counts.entry(id).or_default() += n;
            }
        }
        let total: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT CAST(SUM(articles) AS BIGINT) FROM hour_totals WHERE hour >= $1 AND hour < $2",
            )
            .bind(from)
            .bind(to)
            .fetch_one(pool)
            .await?
        });
        Ok((counts.into_iter().collect(), total.unwrap_or(0)))
    }

    /// Articles of `ids` in `[lo, hi)` from one rollup table. Days are looked up per entity
    /// (few rows each); hours, at most a day's worth, are read as one range and sifted here,
    /// which costs less than a lookup per entity.
    async fn rolled_counts(
        &self,
        table: &str,
        column: &str,
        ids: &[i64],
        lo: DateTime<Utc>,
        hi: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64)>> {
        let per_entity = table == "entity_days";
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT entity_id, CAST(SUM(articles) AS BIGINT) FROM {table} WHERE {column} >= "
            ));
            q.push_bind(lo).push(format!(" AND {column} < ")).push_bind(hi);
            if per_entity {
                q.push(" AND entity_id IN (");
                let mut list = q.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                q.push(")");
            }
            q.push(" GROUP BY entity_id");
            q.build_query_as().fetch_all(pool).await?
        });
        if per_entity {
            return Ok(rows);
        }
        let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
        Ok(rows
            .into_iter()
            .filter(|(id, _)| wanted.contains(id))
            .collect())
    }

    /// Baseline counts of `ids` from the per-article rows (for a topic or category).
    async fn raw_baseline(
        &self,
        query: &TrendQuery,
        ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64)>> {
        Ok(on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT ae.entity_id, CAST(COUNT(*) AS BIGINT) FROM article_entities ae \
                 JOIN articles a ON a.id = ae.article_id WHERE a.status = 'done' AND ae.seen_at >= ",
            );
            q.push_bind(from).push(" AND ae.seen_at < ").push_bind(to);
            filters(&mut q, query);
            q.push(" AND ae.entity_id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(") GROUP BY ae.entity_id");
            q.build_query_as().fetch_all(pool).await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_baseline_is_whole_days_between_ragged_hours() {
        let parts = baseline_parts(t("2026-10-03T05:00:00Z"), t("2026-10-31T05:00:00Z"));
        let spans: Vec<_> = parts.iter().map(|p| (p.0, p.2, p.3)).collect();
        assert_eq!(
            spans,
            vec![
                (
                    "entity_hours",
                    t("2026-10-03T05:00:00Z"),
                    t("2026-10-04T00:00:00Z")
                ),
                (
                    "entity_days",
                    t("2026-10-04T00:00:00Z"),
                    t("2026-10-31T00:00:00Z")
                ),
                (
                    "entity_hours",
                    t("2026-10-31T00:00:00Z"),
                    t("2026-10-31T05:00:00Z")
                ),
            ]
        );
        // Day-aligned ends leave the hourly parts empty; a short span is hours only.
        let aligned = baseline_parts(t("2026-10-03T00:00:00Z"), t("2026-10-05T00:00:00Z"));
        assert_eq!(aligned[1].2, t("2026-10-03T00:00:00Z"));
        assert_eq!(aligned[0].2, aligned[0].3);
        let short = baseline_parts(t("2026-10-03T05:00:00Z"), t("2026-10-04T03:00:00Z"));
        assert_eq!(short.len(), 1);
    }
}
