//! The reads behind `stringer topics test`: stored articles with what a matcher looks at.

use std::collections::HashMap;

use sqlx::types::Json;

use super::{Result, Store};

/// A stored article as a matcher sees it.
#[derive(Debug, Clone, Default)]
pub struct SubjectRow {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub text: String,
    pub language: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub entity_keys: Vec<String>,
    /// When it happened (`event_time`).
    pub event_time: Option<chrono::DateTime<chrono::Utc>>,
}

type Row = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Json<Vec<String>>>,
    Option<chrono::DateTime<chrono::Utc>>,
);

impl Store {
    /// Done articles with `id > after`, in id order, at most `limit`, with their feed's tags
    /// and their entities' keys.
    pub async fn subjects_page(&self, after: i64, limit: i64) -> Result<Vec<SubjectRow>> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT a.id, a.url, a.title, a.text, a.language, a.category, f.tags, a.event_time \
                 FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id \
                 WHERE a.status = 'done' AND a.id > $1 ORDER BY a.id LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        let (Some(first), Some(last)) = (rows.first().map(|r| r.0), rows.last().map(|r| r.0))
        else {
            return Ok(Vec::new());
        };
        let keys: Vec<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT ae.article_id, e.key FROM article_entities ae JOIN entities e ON e.id = ae.entity_id \
                 WHERE ae.article_id >= $1 AND ae.article_id <= $2",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let mut by_article: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, key) in keys {
            by_article.entry(id).or_default().push(key);
        }
        Ok(rows
            .into_iter()
            .map(
                |(id, url, title, text, language, category, tags, event_time)| SubjectRow {
                    id,
                    url,
                    title: title.unwrap_or_default(),
                    text: text.unwrap_or_default(),
                    language,
                    category,
                    tags: tags.map(|t| t.0).unwrap_or_default(),
                    entity_keys: by_article.remove(&id).unwrap_or_default(),
                    event_time,
                },
            )
            .collect())
    }
}
