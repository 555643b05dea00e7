//! Completing an article: everything the enrich stage found (text and metadata, entities,
//! category, keyphrases, the alerts its match rules fire and their outbox rows, the
//! `article.stored` or `article.revised` and `story.updated` outbox rows of the sinks that
//! take them) written in one transaction with the
//! article marked done, provided
//! the writer still holds the article's lease. Text is stored without control characters.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::alerts::{NewAlert, record_alert};
use super::rollups::{dirty_hour, dirty_old_hour};
use super::stories::{candidates, copies, join_story, lock_stories, same_event};
use super::stream::{article_events, before_store, queue_event};
use super::{Result, Store, sanitize};
use crate::config::STORY_UPDATED;
use crate::event_time::{event_hour, event_time};
use crate::model::{AlertHit, ArticleJob, EnrichedArticle, Entity, SinkHit};
use crate::stories::{self, Probe};

/// One article to complete: the claimed job, what was found, and when the page was fetched.
pub type Completion<'a> = (&'a ArticleJob, &'a EnrichedArticle, DateTime<Utc>);

/// The article row's new values, as they are written.
struct DoneRow {
    id: i64,
    fetched_at: DateTime<Utc>,
    final_url: String,
    http_status: i32,
    page_canonical_url: Option<String>,
    title: Option<String>,
    authors: Vec<String>,
    published_at: Option<DateTime<Utc>>,
    modified_at: Option<DateTime<Utc>>,
    site_name: Option<String>,
    language: Option<String>,
    image: Option<String>,
    description: Option<String>,
    section: Option<String>,
    tags: Vec<String>,
    text: String,
    content_hash: String,
    category: Option<String>,
    confidence: Option<f64>,
    language_confidence: Option<f64>,
    /// When it happened: see `event_time`. Entity rows carry it as `seen_at`.
    event_time: DateTime<Utc>,
    /// The hour of `event_time`: the key of the rollups.
    event_hour: DateTime<Utc>,
    /// When the daemon first saw the article.
    first_seen: DateTime<Utc>,
    source: String,
    signature: Option<Vec<u32>>,
    bands: Vec<i64>,
    topics: Vec<String>,
    entities: Vec<EntityRow>,
    keyphrases: Vec<String>,
    alerts: Vec<AlertHit>,
    /// The sinks that take its events, and which.
    sinks: Vec<SinkHit>,
}

fn clean(s: &Option<String>) -> Option<String> {
    sanitize::opt(s).map(|c| c.into_owned())
}

impl DoneRow {
    fn new(job: &ArticleJob, article: &EnrichedArticle, fetched_at: DateTime<Utc>) -> DoneRow {
        let page = &article.page;
        let published = page
            .published_at
            .map(|d| d.with_timezone(&Utc))
            .or(job.published_at);
        DoneRow {
            id: job.id,
            fetched_at,
            final_url: sanitize::text(&article.final_url).into_owned(),
            http_status: i32::from(article.http_status),
            page_canonical_url: clean(&page.canonical_url),
            title: clean(&page.title.clone().or_else(|| job.feed_title.clone())),
            authors: sanitize::list(&page.authors),
            published_at: published,
            modified_at: page.modified_at.map(|d| d.with_timezone(&Utc)),
            site_name: clean(&page.site_name),
            language: clean(&page.language),
            image: clean(&page.image),
            description: clean(&page.description),
            section: clean(&page.section),
            tags: sanitize::list(&page.tags),
            text: sanitize::text(&page.text).into_owned(),
            content_hash: article.content_hash.clone(),
            category: article.category.map(|(c, _)| c.to_string()),
            confidence: article.category.map(|(_, p)| f64::from(p)),
            language_confidence: page.language_confidence.map(f64::from),
            event_time: event_time(published, job.discovered_at),
            event_hour: event_hour(event_time(published, job.discovered_at)),
            first_seen: job.discovered_at,
            source: sanitize::text(&article.source).into_owned(),
            bands: article
                .signature
                .as_deref()
                .map(stories::bands)
                .unwrap_or_default(),
            signature: article.signature.clone(),
            topics: article.topics.clone(),
            entities: merge_entities(&article.entities),
            keyphrases: distinct_keyphrases(&article.keyphrases),
            alerts: article.alerts.clone(),
            sinks: article.sinks.clone(),
        }
    }

    /// The alerts the article fires: one per match rule, about this article, at the time it
    /// was fetched.
    fn alerts(&self) -> Vec<NewAlert> {
        self.alerts
            .iter()
            .map(|hit| NewAlert {
                rule: hit.rule.clone(),
                kind: "match".into(),
                subject: format!("article:{}", self.id),
                fired_at: self.fetched_at,
                queued_at: self.fetched_at,
                quiet_until: chrono::Duration::from_std(hit.cooldown)
                    .ok()
                    .and_then(|d| self.fetched_at.checked_add_signed(d))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
                articles: vec![self.id],
                matched: hit.matched.clone(),
                details: serde_json::Value::Object(Default::default()),
                sinks: hit.sinks.clone(),
            })
            .collect()
    }
}

/// Marks the article done with its new values if `$owner` holds its lease; evaluates to
/// whether it did.
macro_rules! update_done {
    ($tx:expr, $owner:expr, $r:expr) => {
        sqlx::query(
            "UPDATE articles SET status = 'done', attempts = attempts + 1, fetched_at = $2, \
               final_url = $3, http_status = $4, page_canonical_url = $5, title = $6, authors = $7, \
               published_at = $8, modified_at = $9, site_name = $10, language = $11, image_url = $12, \
               description = $13, section = $14, tags = $15, text = $16, content_hash = $17, \
               category = $18, category_confidence = $19, last_error = NULL, \
               language_confidence = $21, event_time = $22, source = $23, event_hour = $24, \
               lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_owner = $20",
        )
        .bind($r.id)
        .bind($r.fetched_at)
        .bind(&$r.final_url)
        .bind($r.http_status)
        .bind(&$r.page_canonical_url)
        .bind(&$r.title)
        .bind(Json(&$r.authors))
        .bind($r.published_at)
        .bind($r.modified_at)
        .bind(&$r.site_name)
        .bind(&$r.language)
        .bind(&$r.image)
        .bind(&$r.description)
        .bind(&$r.section)
        .bind(Json(&$r.tags))
        .bind(&$r.text)
        .bind(&$r.content_hash)
        .bind(&$r.category)
        .bind($r.confidence)
        .bind($owner)
        .bind($r.language_confidence)
        .bind($r.event_time)
        .bind(&$r.source)
        .bind($r.event_hour)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
            > 0
    };
}

/// Replaces the article's entity links: one multi-row upsert of the entities, one insert of
/// the links, whatever the article's size.
macro_rules! link_entities {
    ($tx:expr, $r:expr) => {
        sqlx::query("DELETE FROM article_entities WHERE article_id = $1")
            .bind($r.id)
            .execute(&mut *$tx)
            .await?;
        if !$r.entities.is_empty() {
            let mut upsert = sqlx::QueryBuilder::new("INSERT INTO entities (key, type, name, name_rank) ");
            upsert.push_values(&$r.entities, |mut row, e| {
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
            let ids: Vec<(i64, String, String)> = upsert.build_query_as().fetch_all(&mut *$tx).await?;
            let ids: HashMap<(String, String), i64> =
                ids.into_iter().map(|(id, key, kind)| ((key, kind), id)).collect();
            let mut links = sqlx::QueryBuilder::new(
                "INSERT INTO article_entities (article_id, entity_id, mentions, first_offset, seen_at, source) ",
            );
            links.push_values(&$r.entities, |mut row, e| {
                row.push_bind($r.id)
                    .push_bind(ids.get(&(e.key.clone(), e.kind.clone())).copied().unwrap_or_default())
                    .push_bind(e.mentions)
                    .push_bind(e.first_offset)
                    .push_bind($r.event_time)
                    .push_bind($r.source.clone());
            });
            links.build().execute(&mut *$tx).await?;
        }
    };
}

/// Replaces the article's keyphrase links, ranked.
macro_rules! link_keyphrases {
    ($tx:expr, $r:expr) => {
        sqlx::query("DELETE FROM article_keyphrases WHERE article_id = $1")
            .bind($r.id)
            .execute(&mut *$tx)
            .await?;
        if !$r.keyphrases.is_empty() {
            let mut upsert = sqlx::QueryBuilder::new("INSERT INTO keyphrases (phrase) ");
            upsert.push_values(&$r.keyphrases, |mut row, p| {
                row.push_bind(p.clone());
            });
            upsert.push(
                " ON CONFLICT (phrase) DO UPDATE SET phrase = excluded.phrase RETURNING id, phrase",
            );
            let ids: Vec<(i64, String)> = upsert.build_query_as().fetch_all(&mut *$tx).await?;
            let ids: HashMap<String, i64> = ids.into_iter().map(|(id, p)| (p, id)).collect();
            let mut links = sqlx::QueryBuilder::new(
                "INSERT INTO article_keyphrases (article_id, keyphrase_id, rank) ",
            );
            links.push_values($r.keyphrases.iter().enumerate(), |mut row, (rank, p)| {
                row.push_bind($r.id)
                    .push_bind(ids.get(p).copied().unwrap_or_default())
                    .push_bind(rank as i32 + 1);
            });
            links.build().execute(&mut *$tx).await?;
        }
    };
}

/// Replaces the article's topics.
macro_rules! link_topics {
    ($tx:expr, $r:expr) => {
        sqlx::query("DELETE FROM article_topics WHERE article_id = $1")
            .bind($r.id)
            .execute(&mut *$tx)
            .await?;
        if !$r.topics.is_empty() {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO article_topics (article_id, topic) ");
            q.push_values(&$r.topics, |mut row, t| {
                row.push_bind($r.id).push_bind(t.clone());
            });
            q.build().execute(&mut *$tx).await?;
        }
    };
}

impl Store {
    /// Stores a fetched, cleaned and enriched article and marks it done, if `owner` still
    /// holds its lease (returns whether it did). Idempotent: running it twice for the same
    /// article leaves the same rows.
    pub async fn complete_article(
        &self,
        owner: &str,
        job: &ArticleJob,
        article: &EnrichedArticle,
        fetched_at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = self
            .complete_articles(owner, &[(job, article, fetched_at)])
            .await?;
        Ok(done.first().copied().unwrap_or(false))
    }

    /// Stores several articles in one transaction: one commit (one disk flush) for the batch
    /// instead of one per article. All or none are written; an article whose lease `owner` no
    /// longer holds is left alone (`false` in its place of the result).
    pub async fn complete_articles(
        &self,
        owner: &str,
        batch: &[Completion<'_>],
    ) -> Result<Vec<bool>> {
        let rows: Vec<DoneRow> = batch
            .iter()
            .map(|&(job, article, at)| DoneRow::new(job, article, at))
            .collect();
        let mut done = Vec::with_capacity(rows.len());
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            lock_stories!(self, tx);
            for r in &rows {
                let before = before_store!(tx, r.id);
                dirty_old_hour!(tx, r.id);
                let held = update_done!(tx, owner, r);
                if held {
                    dirty_hour!(tx, r.event_hour);
                    link_entities!(tx, r);
                    link_keyphrases!(tx, r);
                    link_topics!(tx, r);
                    let copies = copies!(tx, r);
                    let (events, total) = same_event!(tx, r);
                    let probe = Probe {
                        signature: r.signature.clone(),
                        window_articles: total,
                    };
                    let link = stories::link(&probe, &candidates(copies, events));
                    let story: i64 = join_story!(tx, r, link);
                    for alert in r.alerts() {
                        let _fired = record_alert!(tx, alert);
                    }
                    for event in article_events(before.as_ref(), &r.content_hash, story) {
                        let story = (event == STORY_UPDATED).then_some(story);
                        for sink in r.sinks.iter().filter(|s| s.takes(event)) {
                            queue_event!(tx, &sink.name, event, r.id, story, &r.content_hash, r.fetched_at);
                        }
                    }
                }
                done.push(held);
            }
            tx.commit().await?;
        });
        Ok(done)
    }
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
        let name = sanitize::text(&e.name).into_owned();
        let key = (sanitize::text(&e.key).into_owned(), e.kind.to_string());
        let rank = name_rank(&name);
        let mentions = i32::try_from(e.mentions).unwrap_or(i32::MAX);
        let offset = i32::try_from(e.first_offset).unwrap_or(i32::MAX);
        match index.get(&key) {
            Some(&i) => {
                let row = &mut rows[i];
                row.mentions = row.mentions.saturating_add(mentions);
                row.first_offset = row.first_offset.min(offset);
                if rank > row.name_rank {
                    row.name = name;
                    row.name_rank = rank;
                }
            }
            None => {
                index.insert(key.clone(), rows.len());
                rows.push(EntityRow {
                    key: key.0,
                    kind: key.1,
                    name,
                    name_rank: rank,
                    mentions,
                    first_offset: offset,
                });
            }
        }
    }
    rows
}

fn distinct_keyphrases(phrases: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    phrases
        .iter()
        .map(|p| sanitize::text(p).into_owned())
        .filter(|p| !p.is_empty() && seen.insert(p.clone()))
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
