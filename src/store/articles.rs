//! Articles: pending work claimed under a lease, failed with a retry time, and the reads
//! behind `articles export`. Completing an article is in `complete`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::keys::url_key;
use super::{Backend, Result, Store, sanitize};
use crate::model::ArticleJob;

/// A stored article as `articles export` writes it (before entities and keyphrases are added).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub url: String,
    pub canonical_url: String,
    pub page_canonical_url: Option<String>,
    pub feed_url: Option<String>,
    pub title: Option<String>,
    pub authors: Json<Vec<String>>,
    pub published_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    pub image_url: Option<String>,
    pub description: Option<String>,
    pub section: Option<String>,
    pub tags: Json<Vec<String>>,
    pub text: Option<String>,
    pub content_hash: Option<String>,
    pub category: Option<String>,
    pub category_confidence: Option<f64>,
    pub language_confidence: Option<f64>,
    pub event_time: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub story_id: Option<i64>,
    /// The URL of the article this one is a copy of.
    pub duplicate_of: Option<String>,
}

/// Which stored articles an export takes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportFilter {
    /// Stored (fetched) at or after: a cursor for incremental exports.
    pub since: Option<DateTime<Utc>>,
    /// Event time at or after.
    pub event_since: Option<DateTime<Utc>>,
    /// Event time before.
    pub event_until: Option<DateTime<Utc>>,
}

/// One article's progress: pending, done or failed, after how many attempts, why it failed
/// last, and who holds it now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ArticleState {
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusCounts {
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
}

/// The columns and joins of an `ExportRow`.
const EXPORT_SELECT: &str = "SELECT a.id, a.url, a.canonical_url, a.page_canonical_url, f.url AS feed_url, \
    a.title, a.authors, a.published_at, a.modified_at, a.fetched_at, a.site_name, a.language, \
    a.image_url, a.description, a.section, a.tags, a.text, a.content_hash, a.category, \
    a.category_confidence, a.language_confidence, a.event_time, a.source, a.story_id, \
    d.url AS duplicate_of \
    FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id \
    LEFT JOIN articles d ON d.id = a.duplicate_of";

const JOB_COLUMNS: &str =
    "id, url, canonical_url, feed_id, feed_title, published_at, discovered_at, attempts";

impl Store {
    /// Reserves up to `limit` pending articles whose next attempt is due, oldest first.
    pub async fn claim_articles(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ArticleJob>> {
        let lock = match self.backend {
            Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE articles SET lease_owner = $1, lease_until = $2 WHERE id IN ( \
               SELECT id FROM articles WHERE status = 'pending' AND next_attempt_at <= $3 \
               AND (lease_until IS NULL OR lease_until < $3) \
               ORDER BY next_attempt_at, id LIMIT $4 {lock}) \
             RETURNING {JOB_COLUMNS}"
        );
        let mut jobs: Vec<ArticleJob> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(owner)
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        // RETURNING gives rows in no promised order.
        jobs.sort_by_key(|j| j.id);
        self.attach_feed_tags(&mut jobs).await?;
        Ok(jobs)
    }

    /// Gives each job the tags of its feed (one query for all the jobs' feeds).
    async fn attach_feed_tags(&self, jobs: &mut [ArticleJob]) -> Result<()> {
        let mut ids: Vec<i64> = jobs.iter().filter_map(|j| j.feed_id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i64, Json<Vec<String>>)> = on_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new("SELECT id, tags FROM feeds WHERE id IN (");
            let mut list = query.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await?
        });
        let tags: HashMap<i64, Vec<String>> = rows.into_iter().map(|(id, t)| (id, t.0)).collect();
        for job in jobs {
            if let Some(t) = job.feed_id.and_then(|id| tags.get(&id)) {
                job.feed_tags = t.clone();
            }
        }
        Ok(())
    }

    /// Records a failed attempt. The article stays pending until `retry_at`, or is marked failed
    /// for good when `retry_at` is `None`. `false` when `owner` no longer holds the article's
    /// lease (nothing written: whoever holds it now decides).
    pub async fn fail_article(
        &self,
        owner: &str,
        id: i64,
        error: &str,
        http_status: Option<u16>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        Ok(on_pool!(self, pool => {
            sqlx::query(
                "UPDATE articles SET status = $2, attempts = attempts + 1, last_error = $3, \
                   http_status = $4, next_attempt_at = COALESCE($5, next_attempt_at), \
                   lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $6",
            )
            .bind(id)
            .bind(status)
            .bind(sanitize::text(error))
            .bind(http_status.map(i32::from))
            .bind(retry_at)
            .bind(owner)
            .execute(pool)
            .await?
            .rows_affected() > 0
        }))
    }

    /// Puts a pending article off until `at` without counting an attempt (our own network was
    /// down), releasing the lease. `false` when `owner` no longer holds the lease.
    pub async fn postpone_article(&self, owner: &str, id: i64, at: DateTime<Utc>) -> Result<bool> {
        Ok(on_pool!(self, pool => {
            sqlx::query(
                "UPDATE articles SET next_attempt_at = $2, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $3",
            )
            .bind(id)
            .bind(at)
            .bind(owner)
            .execute(pool)
            .await?
            .rows_affected() > 0
        }))
    }

    /// Where the article with this canonical URL stands, if it is known.
    pub async fn article_state(&self, canonical_url: &str) -> Result<Option<ArticleState>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT status, attempts, last_error, lease_owner FROM articles WHERE url_key = $1",
            )
            .bind(url_key(canonical_url))
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn article_counts(&self) -> Result<StatusCounts> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT status, COUNT(*) FROM articles GROUP BY status")
                .fetch_all(pool)
                .await?
        });
        let mut counts = StatusCounts::default();
        for (status, n) in rows {
            match status.as_str() {
                "pending" => counts.pending = n,
                "done" => counts.done = n,
                _ => counts.failed += n,
            }
        }
        Ok(counts)
    }

    /// Done articles with `id > after` that pass `filter`, in id order, at most `limit`.
    pub async fn export_page(
        &self,
        after: i64,
        filter: &ExportFilter,
        limit: i64,
    ) -> Result<Vec<ExportRow>> {
        let far_future = DateTime::<Utc>::MAX_UTC;
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{EXPORT_SELECT} WHERE a.status = 'done' AND a.id > $1 AND a.fetched_at >= $2 \
                 AND ($3 = 0 OR (a.event_time >= $4 AND a.event_time < $5)) \
                 ORDER BY a.id LIMIT $6",
            )))
            .bind(after)
            .bind(filter.since.unwrap_or(DateTime::UNIX_EPOCH))
            .bind(i32::from(filter.event_since.is_some() || filter.event_until.is_some()))
            .bind(filter.event_since.unwrap_or(DateTime::UNIX_EPOCH))
            .bind(filter.event_until.unwrap_or(far_future))
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One done article as `articles export` reads it.
    pub async fn export_row(&self, id: i64) -> Result<Option<ExportRow>> {
        let sql = format!("{EXPORT_SELECT} WHERE a.status = 'done' AND a.id = $1");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
        }))
    }

    /// Topics of the articles with ids in `first..=last`, by article, in name order.
    pub async fn topics_between(&self, first: i64, last: i64) -> Result<HashMap<i64, Vec<String>>> {
        let rows: Vec<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT article_id, topic FROM article_topics \
                 WHERE article_id >= $1 AND article_id <= $2 ORDER BY article_id, topic",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, topic) in rows {
            out.entry(id).or_default().push(topic);
        }
        Ok(out)
    }

    /// Entities (name, type, mentions) of the articles with ids in `first..=last`, by article,
    /// most mentioned first.
    pub async fn entities_between(
        &self,
        first: i64,
        last: i64,
    ) -> Result<HashMap<i64, Vec<(String, String, i32)>>> {
        let rows: Vec<(i64, String, String, i32)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT ae.article_id, e.name, e.type, ae.mentions FROM article_entities ae \
                 JOIN entities e ON e.id = ae.entity_id \
                 WHERE ae.article_id >= $1 AND ae.article_id <= $2 \
                 ORDER BY ae.article_id, ae.mentions DESC, ae.first_offset, e.name, e.type",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let mut out: HashMap<i64, Vec<(String, String, i32)>> = HashMap::new();
        for (id, name, kind, mentions) in rows {
            out.entry(id).or_default().push((name, kind, mentions));
        }
        Ok(out)
    }

    /// Keyphrases of the articles with ids in `first..=last`, by article, best first.
    pub async fn keyphrases_between(
        &self,
        first: i64,
        last: i64,
    ) -> Result<HashMap<i64, Vec<String>>> {
        let rows: Vec<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT ak.article_id, k.phrase FROM article_keyphrases ak \
                 JOIN keyphrases k ON k.id = ak.keyphrase_id \
                 WHERE ak.article_id >= $1 AND ak.article_id <= $2 \
                 ORDER BY ak.article_id, ak.rank",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, phrase) in rows {
            out.entry(id).or_default().push(phrase);
        }
        Ok(out)
    }
}
