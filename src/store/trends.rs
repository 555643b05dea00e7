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

/// Entities of the window: id, name, type, articles, sources, and their articles in the
/// whole days of the baseline (from the daily rollups; 0 when the query reads none).
type WindowRow = (i64, String, String, i64, i64, i64);

/// One span of the baseline: the rollup table, its time column, and `[from, to)`.
type Part = (&'static str, &'static str, DateTime<Utc>, DateTime<Utc>);

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
fn baseline_parts(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Part> {
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
        let back = |t: DateTime<Utc>, d: Duration| {
            t.checked_sub_signed(d)
                .unwrap_or(DateTime::UNIX_EPOCH)
                .max(DateTime::UNIX_EPOCH)
        };
        let lo = back(query.now, query.window);
        let base_lo = back(lo, query.baseline);
        let narrowed = query.topic.is_some() || query.category.is_some();
        let parts = baseline_parts(base_lo, lo);
        let days = parts
            .iter()
            .find(|p| p.0 == "entity_days" && !narrowed)
            .map(|p| (p.2, p.3));
        let window = self.window_entities(query, lo, days).await?;
        if window.is_empty() {
            return Ok(Vec::new());
        }
        let window_total = self.articles_between(query, lo, query.now).await?;
        let (baseline, baseline_total) = if narrowed {
            let ids: Vec<i64> = window.iter().map(|w| w.0).collect();
            (
                self.raw_baseline(query, &ids, base_lo, lo).await?,
                self.articles_between(query, base_lo, lo).await?,
            )
        } else {
            self.rolled_baseline(&window, &parts, base_lo, lo).await?
        };
        let baseline: HashMap<i64, i64> = baseline.into_iter().collect();
        let secs = |d: Duration| d.num_milliseconds() as f64 / 1000.0;
        let mut rows: Vec<TrendRow> = window
            .into_iter()
            .map(|(id, name, kind, articles, sources, _)| {
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

    /// The window's entities, with their baseline articles of the whole `days` when given.
    async fn window_entities(
        &self,
        query: &TrendQuery,
        lo: DateTime<Utc>,
        days: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<WindowRow>> {
        Ok(on_pool!(self, pool => {
            // The mentions alone (one covering index range over the window: they carry their
            // article's source and exist only for done articles); their articles only when a
            // topic or category narrows the query, joined with CROSS JOIN so that SQLite still
            // starts at the mentions. Names and daily baselines are looked up for the groups
            // only (one primary-key range each). Planned for its own bounds every time
            // (`persistent(false)`): a generic plan cannot know how wide the window is.
            let narrowed = query.topic.is_some() || query.category.is_some();
            let mut q = sqlx::QueryBuilder::new("SELECT e.id, e.name, e.type, w.articles, w.sources, ");
            match days {
                Some((from, to)) => {
                    q.push(
                        "CAST(COALESCE((SELECT SUM(d.articles) FROM entity_days d \
                         WHERE d.entity_id = w.id AND d.day >= ",
                    )
                    .push_bind(from)
                    .push(" AND d.day < ")
                    .push_bind(to)
                    .push("), 0) AS BIGINT)");
                }
                None => {
                    q.push("CAST(0 AS BIGINT)");
                }
            }
            q.push(
                " FROM (SELECT ae.entity_id AS id, CAST(COUNT(*) AS BIGINT) AS articles, \
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
            q.build_query_as().persistent(false).fetch_all(pool).await?
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
            q.build_query_scalar().persistent(false).fetch_one(pool).await?
        }))
    }

    /// Baseline counts of the window's entities and of all articles, from the rollups: the
    /// whole days came with the window rows, the ragged ends from the hourly rollups.
    async fn rolled_baseline(
        &self,
        window: &[WindowRow],
        parts: &[Part],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<(i64, i64)>, i64)> {
        let mut counts: HashMap<i64, i64> = window.iter().map(|w| (w.0, w.5)).collect();
        for &(table, _, lo, hi) in parts {
            if table != "entity_hours" || lo >= hi {
                continue;
            }
            for (id, n) in self.hourly_counts(lo, hi).await? {
                if let Some(c) = counts.get_mut(&id) {
                    *c += n;
                }
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

    /// Articles per entity in `[lo, hi)` (at most a day) from the hourly rollups: read as
    /// one range and sifted by the caller, which costs less than a lookup per entity.
    async fn hourly_counts(&self, lo: DateTime<Utc>, hi: DateTime<Utc>) -> Result<Vec<(i64, i64)>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT entity_id, CAST(SUM(articles) AS BIGINT) FROM entity_hours \
                 WHERE hour >= $1 AND hour < $2 GROUP BY entity_id",
            )
            .bind(lo)
            .bind(hi)
            .persistent(false)
            .fetch_all(pool)
            .await?
        }))
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
            q.build_query_as().persistent(false).fetch_all(pool).await?
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
