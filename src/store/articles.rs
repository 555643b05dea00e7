//! Articles: pending work claimed under a lease, completed with everything the enrich stage
//! found (entities, category, keyphrases) in one transaction, or failed with a retry time;
//! and the reads behind `articles export`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::{Backend, Result, Store};
use crate::model::{ArticleJob, EnrichedArticle, Entity};

/// A stored article as `articles export` writes it (before entities and keyphrases are added).
#[derive(Debug, Clone, sqlx::FromRow)]
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
}

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusCounts {
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
}

/// One row per entity of an article, as `article_entities` keys them.
struct EntityRow {
    key: String,
    kind: String,
    name: String,
    name_rank: i64,
    mentions: i32,
    first_offset: i32,
}

/// Entities with the same key and type (different surface forms that normalise alike) become
/// one row: a multi-row upsert must not touch the same row twice (PostgreSQL refuses).
fn merge_entities(entities: &[Entity]) -> Vec<EntityRow> {
    let mut rows: Vec<EntityRow> = Vec::with_capacity(entities.len());
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for e in entities {
        let kind = e.kind.to_string();
        let rank = name_rank(&e.name);
        let mentions = i32::try_from(e.mentions).unwrap_or(i32::MAX);
        let offset = i32::try_from(e.first_offset).unwrap_or(i32::MAX);
        match index.get(&(e.key.clone(), kind.clone())) {
            Some(&i) => {
                let row = &mut rows[i];
                row.mentions = row.mentions.saturating_add(mentions);
                row.first_offset = row.first_offset.min(offset);
                if rank > row.name_rank {
                    row.name = e.name.clone();
                    row.name_rank = rank;
                }
            }
            None => {
                index.insert((e.key.clone(), kind.clone()), rows.len());
                rows.push(EntityRow {
                    key: e.key.clone(),
                    kind,
                    name: e.name.clone(),
                    name_rank: rank,
                    mentions,
                    first_offset: offset,
                });
            }
        }
    }
    rows
}

fn distinct_keyphrases(phrases: &[String]) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    phrases
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty() && seen.insert(*p))
        .collect()
}

/// Orders the surface forms of one entity ("China", "CHINA", "the Pentagon" / "Pentagon"):
/// without a leading article, then mixed case before all capitals, with diacritics kept, then a hash
/// of the text as a tie-break. A number, so that both back ends compare it the same way.
pub fn name_rank(name: &str) -> i64 {
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    let upper = name.chars().filter(|c| c.is_uppercase()).count();
    let mut quality = 0i64;
    let lower = name.to_lowercase();
    if !(lower.starts_with("the ") || lower.starts_with("a ")) {
        quality += 4;
    }
    if letters == 0 || upper * 2 <= letters + 1 {
        quality += 2;
    }
    if !name.is_ascii() {
        quality += 1;
    }
    let tie = i64::from(xxhash_rust::xxh3::xxh3_64(name.as_bytes()) as u32 >> 1);
    (quality << 32) | tie
}

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
        Ok(jobs)
    }

    /// Stores a fetched, cleaned and enriched article and marks it done. Idempotent: running it
    /// twice for the same article leaves the same rows.
    pub async fn complete_article(
        &self,
        job: &ArticleJob,
        article: &EnrichedArticle,
        fetched_at: DateTime<Utc>,
    ) -> Result<()> {
        self.complete_articles(&[(job, article, fetched_at)]).await
    }

    /// Stores several articles in one transaction: one commit (one disk flush) for the batch
    /// instead of one per article. All or none are stored.
    pub async fn complete_articles(
        &self,
        batch: &[(&ArticleJob, &EnrichedArticle, DateTime<Utc>)],
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for &(job, article, fetched_at) in batch {
                let page = &article.page;
                let published = page
                    .published_at
                    .map(|d| d.with_timezone(&Utc))
                    .or(job.published_at);
                // An article counts for trends at its publication time, but never later than we saw
                // it: a wrong time zone or a future date must not push it out of "now".
                let seen_at = published.map_or(job.discovered_at, |p| p.min(job.discovered_at));
                let title = page.title.clone().or_else(|| job.feed_title.clone());
                let category = article.category.map(|(c, _)| c.to_string());
                let confidence = article.category.map(|(_, p)| f64::from(p));
                let entities = merge_entities(&article.entities);
                let keyphrases = distinct_keyphrases(&article.keyphrases);
                sqlx::query(
                    "UPDATE articles SET status = 'done', attempts = attempts + 1, fetched_at = $2, \
                       final_url = $3, http_status = $4, page_canonical_url = $5, title = $6, authors = $7, \
                       published_at = $8, modified_at = $9, site_name = $10, language = $11, image_url = $12, \
                       description = $13, section = $14, tags = $15, text = $16, content_hash = $17, \
                       category = $18, category_confidence = $19, last_error = NULL, \
                       lease_owner = NULL, lease_until = NULL \
                     WHERE id = $1",
                )
                .bind(job.id)
                .bind(fetched_at)
                .bind(&article.final_url)
                .bind(i32::from(article.http_status))
                .bind(&page.canonical_url)
                .bind(&title)
                .bind(Json(&page.authors))
                .bind(published)
                .bind(page.modified_at.map(|d| d.with_timezone(&Utc)))
                .bind(&page.site_name)
                .bind(&page.language)
                .bind(&page.image)
                .bind(&page.description)
                .bind(&page.section)
                .bind(Json(&page.tags))
                .bind(&page.text)
                .bind(&article.content_hash)
                .bind(&category)
                .bind(confidence)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM article_entities WHERE article_id = $1")
                    .bind(job.id)
                    .execute(&mut *tx)
                    .await?;
                // Few statements per article whatever its size: one multi-row upsert of the
                // entities, one insert of the links; the same for keyphrases.
                if !entities.is_empty() {
                    let mut upsert = sqlx::QueryBuilder::new("INSERT INTO entities (key, type, name, name_rank) ");
                    upsert.push_values(&entities, |mut row, e| {
                        row.push_bind(e.key.clone())
                            .push_bind(e.kind.clone())
                            .push_bind(e.name.clone())
                            .push_bind(e.name_rank);
                    });
                    upsert.push(
                        " ON CONFLICT (key, type) DO UPDATE SET \
                           name = CASE WHEN excluded.name_rank > entities.name_rank THEN excluded.name ELSE entities.name END, \
                           name_rank = CASE WHEN excluded.name_rank > entities.name_rank THEN excluded.name_rank ELSE entities.name_rank END \
                         RETURNING id, key, type",
                    );
                    let ids: Vec<(i64, String, String)> = upsert.build_query_as().fetch_all(&mut *tx).await?;
                    let ids: HashMap<(String, String), i64> =
                        ids.into_iter().map(|(id, key, kind)| ((key, kind), id)).collect();
                    let mut links = sqlx::QueryBuilder::new(
                        "INSERT INTO article_entities (article_id, entity_id, mentions, first_offset, seen_at) ",
                    );
                    links.push_values(&entities, |mut row, e| {
                        row.push_bind(job.id)
                            .push_bind(ids.get(&(e.key.clone(), e.kind.clone())).copied().unwrap_or_default())
                            .push_bind(e.mentions)
                            .push_bind(e.first_offset)
                            .push_bind(seen_at);
                    });
                    links.build().execute(&mut *tx).await?;
                }
                sqlx::query("DELETE FROM article_keyphrases WHERE article_id = $1")
                    .bind(job.id)
                    .execute(&mut *tx)
                    .await?;
                if !keyphrases.is_empty() {
                    let mut upsert = sqlx::QueryBuilder::new("INSERT INTO keyphrases (phrase) ");
                    upsert.push_values(&keyphrases, |mut row, p| {
                        row.push_bind(p.to_string());
                    });
                    upsert.push(" ON CONFLICT (phrase) DO UPDATE SET phrase = excluded.phrase RETURNING id, phrase");
                    let ids: Vec<(i64, String)> = upsert.build_query_as().fetch_all(&mut *tx).await?;
                    let ids: HashMap<String, i64> = ids.into_iter().map(|(id, p)| (p, id)).collect();
                    let mut links = sqlx::QueryBuilder::new("INSERT INTO article_keyphrases (article_id, keyphrase_id, rank) ");
                    links.push_values(keyphrases.iter().enumerate(), |mut row, (rank, p)| {
                        row.push_bind(job.id)
                            .push_bind(ids.get(*p).copied().unwrap_or_default())
                            .push_bind(rank as i32 + 1);
                    });
                    links.build().execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records a failed attempt. The article stays pending until `retry_at`, or is marked failed
    /// for good when `retry_at` is `None`.
    pub async fn fail_article(
        &self,
        id: i64,
        error: &str,
        http_status: Option<u16>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE articles SET status = $2, attempts = attempts + 1, last_error = $3, \
                   http_status = $4, next_attempt_at = COALESCE($5, next_attempt_at), \
                   lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(status)
            .bind(error)
            .bind(http_status.map(i32::from))
            .bind(retry_at)
            .execute(pool)
            .await?;
        });
        Ok(())
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

    /// Done articles with `id > after`, fetched at or after `since`, in id order, at most `limit`.
    pub async fn export_page(
        &self,
        after: i64,
        since: Option<DateTime<Utc>>,
        limit: i64,
    ) -> Result<Vec<ExportRow>> {
        let since = since.unwrap_or(DateTime::UNIX_EPOCH);
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT a.id, a.url, a.canonical_url, a.page_canonical_url, f.url AS feed_url, a.title, \
                   a.authors, a.published_at, a.modified_at, a.fetched_at, a.site_name, a.language, \
                   a.image_url, a.description, a.section, a.tags, a.text, a.content_hash, a.category \
                 FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id \
                 WHERE a.status = 'done' AND a.id > $1 AND a.fetched_at >= $2 \
                 ORDER BY a.id LIMIT $3",
            )
            .bind(after)
            .bind(since)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
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

#[cfg(test)]
mod tests {
    use super::name_rank;

    #[test]
    fn name_rank_prefers_the_usual_form() {
        assert!(name_rank("China") > name_rank("CHINA"));
        assert!(name_rank("Pentagon") > name_rank("the Pentagon"));
        assert!(name_rank("José Martí") > name_rank("Jose Marti"));
        assert!(name_rank("NATO") > name_rank("the NATO"));
    }
}
