//! Story assignment inside the transaction that completes an article: the candidates the
//! database holds (same text, shared MinHash bands, shared entities in the time window) are
//! gathered, `stories::link` decides, and the article joins a story or starts one. On
//! PostgreSQL a transaction-scoped advisory lock serialises assignment across daemons (SQLite
//! has one writer at a time already), so two daemons never make twin stories. Also the
//! reads behind `stringer stories`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::{Result, Store};
use crate::stories::Candidate;

/// The advisory lock key of story assignment ("stories" in ASCII).
pub const STORY_LOCK: i64 = 0x0073_746f_7269_6573;

/// How far apart in event time a near-duplicate may be.
pub const NEAR_WINDOW: Duration = Duration::days(7);

/// How far apart in event time two articles about one event may be.
pub const EVENT_WINDOW: Duration = Duration::days(2);

/// Takes the story lock for the rest of the transaction (PostgreSQL only).
macro_rules! lock_stories {
    ($store:expr, $tx:expr) => {
        if matches!($store.backend, $crate::store::Backend::Postgres(_)) {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind($crate::store::stories::STORY_LOCK)
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub(super) use lock_stories;

/// Earlier articles with the same text, or sharing a band of the signature: `(article id,
/// story id, same text, signature bytes)`.
macro_rules! copies {
    ($tx:expr, $r:expr) => {{
        let mut found: Vec<(i64, i64, bool, Option<Vec<u8>>)> = Vec::new();
        let same: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, story_id FROM articles WHERE content_hash = $1 AND id <> $2 \
             AND story_id IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(&$r.content_hash)
        .bind($r.id)
        .fetch_optional(&mut *$tx)
        .await?;
        found.extend(same.map(|(id, story)| (id, story, true, None)));
        if !$r.bands.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT DISTINCT b.article_id, a.story_id, s.signature FROM article_bands b \
                 JOIN articles a ON a.id = b.article_id \
                 JOIN article_signatures s ON s.article_id = b.article_id \
                 WHERE a.story_id IS NOT NULL AND b.article_id <> ",
            );
            q.push_bind($r.id).push(" AND a.event_time >= ");
            q.push_bind($r.event_time - $crate::store::stories::NEAR_WINDOW)
                .push(" AND a.event_time <= ");
            q.push_bind($r.event_time + $crate::store::stories::NEAR_WINDOW)
                .push(" AND b.band IN (");
            let mut list = q.separated(", ");
            for band in &$r.bands {
                list.push_bind(*band);
            }
            q.push(") ORDER BY b.article_id LIMIT 100");
            let rows: Vec<(i64, i64, Vec<u8>)> = q.build_query_as().fetch_all(&mut *$tx).await?;
            found.extend(
                rows.into_iter()
                    .map(|(id, story, sig)| (id, story, false, Some(sig))),
            );
        }
        found
    }};
}
pub(super) use copies;

/// Earlier articles of the event window that share two or more of the article's rare
/// entities: `(article id, story id, df of each shared entity, shared keyphrases)`, and the
/// number of articles in the window.
macro_rules! same_event {
    ($tx:expr, $r:expr) => {{
        let lo = $r.event_time - $crate::store::stories::EVENT_WINDOW;
        let hi = $r.event_time + $crate::store::stories::EVENT_WINDOW;
        let ours: Vec<(i64,)> =
            sqlx::query_as("SELECT entity_id FROM article_entities WHERE article_id = $1")
                .bind($r.id)
                .fetch_all(&mut *$tx)
                .await?;
        let ours: Vec<i64> = ours.into_iter().map(|(e,)| e).collect();
        let mut found: Vec<(i64, i64, Vec<i64>, usize)> = Vec::new();
        let mut total = 0i64;
        if ours.len() >= 2 {
            // How common each name is in the window, from the hourly rollups (current to a
            // few seconds, which is all rarity needs): only rare names can link stories, so
            // only they are looked up, however often the common ones appear.
            let mut q = sqlx::QueryBuilder::new(
                "SELECT entity_id, CAST(SUM(articles) AS BIGINT) FROM entity_hours WHERE hour >= ",
            );
            q.push_bind(lo).push(" AND hour <= ").push_bind(hi).push(" AND entity_id IN (");
            let mut list = q.separated(", ");
            for e in &ours {
                list.push_bind(*e);
            }
            q.push(") GROUP BY entity_id");
            let df: std::collections::HashMap<i64, i64> =
                q.build_query_as::<(i64, i64)>().fetch_all(&mut *$tx).await?.into_iter().collect();
            let window: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(articles) AS BIGINT) FROM hour_totals WHERE hour >= $1 AND hour <= $2",
            )
            .bind(lo)
            .bind(hi)
            .fetch_one(&mut *$tx)
            .await?;
            total = window.unwrap_or(0);
            let rare: Vec<i64> = ours
                .iter()
                .copied()
                .filter(|e| $crate::stories::link::is_rare(df.get(e).copied().unwrap_or(0), total))
                .collect();
            if rare.len() >= 2 {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT ae.article_id, a.story_id, ae.entity_id FROM article_entities ae \
                     JOIN articles a ON a.id = ae.article_id \
                     WHERE a.story_id IS NOT NULL AND ae.article_id <> ",
                );
                q.push_bind($r.id).push(" AND ae.seen_at >= ");
                q.push_bind(lo).push(" AND ae.seen_at <= ");
                q.push_bind(hi).push(" AND ae.entity_id IN (");
                let mut list = q.separated(", ");
                for e in &rare {
                    list.push_bind(*e);
                }
                q.push(") ORDER BY ae.article_id");
                let rows: Vec<(i64, i64, i64)> = q.build_query_as().fetch_all(&mut *$tx).await?;
                found = $crate::store::stories::group_shared(rows, &df);
                found.truncate(50);
            }
            if !found.is_empty() {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT article_id, COUNT(*) FROM article_keyphrases WHERE keyphrase_id IN \
                     (SELECT keyphrase_id FROM article_keyphrases WHERE article_id = ",
                );
                q.push_bind($r.id).push(") AND article_id IN (");
                let mut list = q.separated(", ");
                for (id, ..) in &found {
                    list.push_bind(*id);
                }
                q.push(") GROUP BY article_id");
                let shared: Vec<(i64, i64)> = q.build_query_as().fetch_all(&mut *$tx).await?;
                let shared: std::collections::HashMap<i64, i64> = shared.into_iter().collect();
                for f in &mut found {
                    f.3 = shared.get(&f.0).copied().unwrap_or(0) as usize;
                }
            }
        }
        (found, total)
    }};
}
pub(super) use same_event;

/// Puts the article in its story (a new one when `link` says so) and keeps its signature.
macro_rules! join_story {
    ($tx:expr, $r:expr, $link:expr) => {{
        let (story, duplicate_of): (i64, Option<i64>) = match $link {
            $crate::stories::Link::Duplicate { of, story } => (story, Some(of)),
            $crate::stories::Link::Near { story } | $crate::stories::Link::Event { story } => (story, None),
            // An article stored again that links to nothing stays in its story.
            $crate::stories::Link::New => match sqlx::query_scalar::<_, Option<i64>>(
                "SELECT story_id FROM articles WHERE id = $1",
            )
            .bind($r.id)
            .fetch_one(&mut *$tx)
            .await?
            {
                Some(id) => (id, None),
                None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO stories (title, first_seen, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(&$r.title)
                .bind($r.first_seen)
                .bind(::chrono::Utc::now())
                .fetch_one(&mut *$tx)
                .await?;
                (id, None)
                }
            },
        };
        sqlx::query("UPDATE articles SET story_id = $2, duplicate_of = $3 WHERE id = $1")
            .bind($r.id)
            .bind(story)
            .bind(duplicate_of)
            .execute(&mut *$tx)
            .await?;
        // A story is as old as its earliest article, whatever order they were stored in.
        sqlx::query("UPDATE stories SET first_seen = $2 WHERE id = $1 AND first_seen > $2")
            .bind(story)
            .bind($r.first_seen)
            .execute(&mut *$tx)
            .await?;
        if let Some(sig) = &$r.signature {
            sqlx::query(
                "INSERT INTO article_signatures (article_id, signature) VALUES ($1, $2) \
                 ON CONFLICT (article_id) DO UPDATE SET signature = excluded.signature",
            )
            .bind($r.id)
            .bind($crate::stories::signature::to_bytes(sig))
            .execute(&mut *$tx)
            .await?;
            sqlx::query("DELETE FROM article_bands WHERE article_id = $1")
                .bind($r.id)
                .execute(&mut *$tx)
                .await?;
            let mut q = sqlx::QueryBuilder::new("INSERT INTO article_bands (band, article_id) ");
            q.push_values(&$r.bands, |mut row, band| {
                row.push_bind(*band).push_bind($r.id);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *$tx).await?;
        }
        story
    }};
}
pub(super) use join_story;

/// Candidates from the rows of shared entities: one per earlier article with at least two
/// entities in common, most shared first.
pub fn group_shared(
    rows: Vec<(i64, i64, i64)>,
    df: &HashMap<i64, i64>,
) -> Vec<(i64, i64, Vec<i64>, usize)> {
    let mut by_article: Vec<(i64, i64, Vec<i64>, usize)> = Vec::new();
    for (article, story, entity) in rows {
        let count = df.get(&entity).copied().unwrap_or(1);
        match by_article.last_mut() {
            Some(last) if last.0 == article => last.2.push(count),
            _ => by_article.push((article, story, vec![count], 0)),
        }
    }
    by_article.retain(|c| c.2.len() >= 2);
    by_article.sort_by_key(|c| (std::cmp::Reverse(c.2.len()), c.0));
    by_article
}

/// The candidates `stories::link` decides among, from what the queries found.
pub fn candidates(
    copies: Vec<(i64, i64, bool, Option<Vec<u8>>)>,
    events: Vec<(i64, i64, Vec<i64>, usize)>,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = copies
        .into_iter()
        .map(|(article_id, story_id, same_text, sig)| Candidate {
            article_id,
            story_id,
            same_text,
            signature: sig.map(|b| crate::stories::signature::from_bytes(&b)),
            ..Default::default()
        })
        .collect();
    out.extend(events.into_iter().map(
        |(article_id, story_id, shared_entities, shared_keyphrases)| Candidate {
            article_id,
            story_id,
            shared_entities,
            shared_keyphrases,
            ..Default::default()
        },
    ));
    out
}

/// A story and one of its articles: story id, title, first seen, article URL, source, event
/// time.
type StoryArticle = (
    i64,
    Option<String>,
    DateTime<Utc>,
    String,
    Option<String>,
    DateTime<Utc>,
);

/// One story as `stringer stories` lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoryRow {
    pub id: String,
    pub title: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub articles: i64,
    pub sources: Vec<String>,
    pub article_urls: Vec<String>,
}

impl Store {
    /// Stories with an article whose event time is in `[since, until)`: by distinct sources,
    /// then articles, then latest article first; at most `limit`.
    pub async fn stories(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoryRow>> {
        self.stories_of(since, until, None, limit).await
    }

    /// As [`Store::stories`], only stories with an article of the window that names
    /// `entity_id` when given.
    pub async fn stories_of(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        entity_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoryRow>> {
        let rows: Vec<StoryArticle> = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT s.id, s.title, s.first_seen, a.url, a.source, a.event_time \
                 FROM stories s JOIN articles a ON a.story_id = s.id \
                 WHERE a.status = 'done' AND s.id IN ( \
                   SELECT w.story_id FROM articles w WHERE w.story_id IS NOT NULL AND w.event_time >= ",
            );
            q.push_bind(since).push(" AND w.event_time < ").push_bind(until);
            if let Some(id) = entity_id {
                q.push(
                    " AND EXISTS (SELECT 1 FROM article_entities ae \
                     WHERE ae.article_id = w.id AND ae.entity_id = ",
                )
                .push_bind(id)
                .push(")");
            }
            q.push(") ORDER BY s.id, a.event_time, a.id");
            q.build_query_as().fetch_all(pool).await?
        });
        let mut stories = gather(rows);
        stories.sort_by(|(a, at), (b, bt)| {
            (b.sources.len(), b.articles, *bt).cmp(&(a.sources.len(), a.articles, *at))
        });
        Ok(stories
            .into_iter()
            .take(limit.max(0) as usize)
            .map(|(s, _)| s)
            .collect())
    }

    /// One story with all its stored articles, as `stringer stories` prints it; `None` when
    /// no stored article is in it.
    pub async fn story(&self, id: i64) -> Result<Option<StoryRow>> {
        let rows: Vec<StoryArticle> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT s.id, s.title, s.first_seen, a.url, a.source, a.event_time \
                 FROM stories s JOIN articles a ON a.story_id = s.id \
                 WHERE a.status = 'done' AND s.id = $1 ORDER BY a.event_time, a.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(gather(rows).pop().map(|(s, _)| s))
    }
}

/// Stories from their articles' rows (ordered by story), each with its latest event time.
fn gather(rows: Vec<StoryArticle>) -> Vec<(StoryRow, DateTime<Utc>)> {
    let mut stories: Vec<(StoryRow, DateTime<Utc>)> = Vec::new();
    for (id, title, first_seen, url, source, at) in rows {
        if stories.last().is_none_or(|(s, _)| s.id != id.to_string()) {
            stories.push((
                StoryRow {
                    id: id.to_string(),
                    title,
                    first_seen,
                    articles: 0,
                    sources: Vec::new(),
                    article_urls: Vec::new(),
                },
                at,
            ));
        }
        let Some((story, latest)) = stories.last_mut() else {
            continue;
        };
        story.articles += 1;
        story.article_urls.push(url);
        if let Some(source) = source.filter(|s| !story.sources.contains(s)) {
            story.sources.push(source);
        }
        *latest = (*latest).max(at);
    }
    stories
}
