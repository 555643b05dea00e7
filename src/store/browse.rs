//! Stored articles as lists for people: the latest articles that pass a filter (an entity, a
//! user topic, a category, words of the title, an event-time range), for `stringer entity`
//! and the API's `/api/articles`.

use chrono::{DateTime, Utc};

use super::{Result, Store};

/// Which articles a list takes; `None` fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Articles that name this entity (an id from `find_entity`).
    pub entity_id: Option<i64>,
    /// Articles that matched this user topic.
    pub topic: Option<String>,
    pub category: Option<String>,
    /// Words the title contains (case-insensitive, as typed).
    pub text: Option<String>,
    /// Event time at or after, and before.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// One article in a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArticleSummary {
    pub url: String,
    pub title: Option<String>,
    pub event_time: Option<DateTime<Utc>>,
    /// The registrable domain of its URL.
    pub source: Option<String>,
    pub category: Option<String>,
    /// Its story, as `stringer stories` names it.
    pub story_id: Option<String>,
}

type SummaryRow = (
    String,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// `text` as a LIKE pattern that matches it literally anywhere (lower case).
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Store {
    /// Stored articles that pass `filter`, latest event time first.
    pub async fn list_articles(&self, filter: &ArticleFilter) -> Result<Vec<ArticleSummary>> {
        let rows: Vec<SummaryRow> = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT a.url, a.title, a.event_time, a.source, a.category, a.story_id \
                 FROM articles a WHERE a.status = 'done'",
            );
            if let Some(id) = filter.entity_id {
                q.push(" AND EXISTS (SELECT 1 FROM article_entities ae WHERE ae.article_id = a.id \
                         AND ae.entity_id = ")
                    .push_bind(id)
                    .push(")");
            }
            if let Some(topic) = &filter.topic {
                q.push(" AND EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id \
                         AND t.topic = ")
                    .push_bind(topic.clone())
                    .push(")");
            }
            if let Some(category) = &filter.category {
                q.push(" AND a.category = ").push_bind(category.clone());
            }
            if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
                q.push(" AND LOWER(a.title) LIKE ")
                    .push_bind(like_pattern(text.trim()))
                    .push(" ESCAPE '\\'");
            }
            if let Some(since) = filter.since {
                q.push(" AND a.event_time >= ").push_bind(since);
            }
            if let Some(until) = filter.until {
                q.push(" AND a.event_time < ").push_bind(until);
            }
            q.push(" ORDER BY a.event_time DESC, a.id DESC LIMIT ")
                .push_bind(filter.limit.max(0));
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(url, title, event_time, source, category, story)| ArticleSummary {
                    url,
                    title,
                    event_time,
                    source,
                    category,
                    story_id: story.map(|s| s.to_string()),
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("Rate"), "%rate%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
