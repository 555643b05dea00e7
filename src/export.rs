//! The article object of the command-line contract (PRODUCT.md): one JSON object per article,
//! written by `articles export` (from the store) and by `extract` (from one page), with the same
//! fields both ways.

use chrono::{DateTime, SecondsFormat, TimeZone};
use serde::Serialize;

use crate::model::EnrichedArticle;
use crate::store::ExportRow;
use crate::urls;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArticleDoc {
    pub url: String,
    pub canonical_url: String,
    pub feed_url: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<String>,
    pub modified_at: Option<String>,
    pub language: Option<String>,
    /// How sure language detection is (0 to 1); null when only the page's declaration spoke.
    pub language_confidence: Option<f64>,
    pub site_name: Option<String>,
    pub image: Option<String>,
    pub description: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    /// The classifier's probability of its best label.
    pub category_confidence: Option<f64>,
    pub keyphrases: Vec<String>,
    /// Entities are tagged in English text only; other languages get an empty list.
    pub entities: Vec<EntityDoc>,
    /// The user topics the article matched.
    pub topics: Vec<String>,
    /// When it happened: the published time when plausible, else when first seen (RFC 3339).
    pub event_time: Option<String>,
    /// The registrable domain of the article's URL.
    pub source: Option<String>,
    /// The story it belongs to (null for `extract`, which sees one page).
    pub story_id: Option<String>,
    /// The URL of the first article with the same text, when this one is a copy.
    pub duplicate_of: Option<String>,
    pub text: String,
    pub content_hash: Option<String>,
}

/// What the store holds about an article besides its row: entities `(name, type, mentions)`,
/// keyphrases and topics.
#[derive(Debug, Clone, Default)]
pub struct Related {
    pub entities: Vec<(String, String, i32)>,
    pub keyphrases: Vec<String>,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub mentions: i64,
}

fn rfc3339<Tz: TimeZone>(t: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The page's own canonical link when it is a usable http(s) URL, else ours.
fn best_canonical(declared: Option<&str>, ours: &str) -> String {
    declared
        .and_then(urls::canonicalize)
        .unwrap_or_else(|| ours.to_string())
}

impl ArticleDoc {
    /// From a stored article and what the store holds with it.
    pub fn from_row(row: ExportRow, related: Related) -> ArticleDoc {
        let Related {
            entities,
            keyphrases,
            topics,
        } = related;
        ArticleDoc {
            canonical_url: best_canonical(row.page_canonical_url.as_deref(), &row.canonical_url),
            url: row.url,
            feed_url: row.feed_url.as_deref().map(crate::config::redact_url),
            title: row.title,
            authors: row.authors.0,
            published_at: row.published_at.as_ref().map(rfc3339),
            modified_at: row.modified_at.as_ref().map(rfc3339),
            language: row.language,
            language_confidence: row.language_confidence,
            site_name: row.site_name,
            image: row.image_url,
            description: row.description,
            section: row.section,
            tags: row.tags.0,
            category: row.category,
            category_confidence: row.category_confidence,
            keyphrases,
            entities: entities
                .into_iter()
                .map(|(name, kind, mentions)| EntityDoc {
                    name,
                    kind,
                    mentions: i64::from(mentions),
                })
                .collect(),
            topics,
            event_time: row.event_time.as_ref().map(rfc3339),
            source: row.source,
            story_id: row.story_id.map(|id| id.to_string()),
            duplicate_of: row.duplicate_of,
            text: row.text.unwrap_or_default(),
            content_hash: row.content_hash,
        }
    }

    /// From one page cleaned and enriched on the spot (`stringer extract`).
    pub fn from_enriched(url: &str, article: EnrichedArticle) -> ArticleDoc {
        let page = article.page;
        let ours = urls::canonicalize(url).unwrap_or_else(|| url.to_string());
        let mut entities = article.entities;
        entities.sort_by(|a, b| {
            b.mentions
                .cmp(&a.mentions)
                .then(a.first_offset.cmp(&b.first_offset))
        });
        ArticleDoc {
            canonical_url: best_canonical(page.canonical_url.as_deref(), &ours),
            url: url.to_string(),
            feed_url: None,
            title: page.title,
            authors: page.authors,
            published_at: page.published_at.as_ref().map(rfc3339),
            modified_at: page.modified_at.as_ref().map(rfc3339),
            language: page.language,
            language_confidence: page.language_confidence.map(f64::from),
            site_name: page.site_name,
            image: page.image,
            description: page.description,
            section: page.section,
            tags: page.tags,
            category: article.category.map(|(c, _)| c.to_string()),
            category_confidence: article.category.map(|(_, p)| f64::from(p)),
            keyphrases: article.keyphrases,
            entities: entities
                .into_iter()
                .map(|e| EntityDoc {
                    name: e.name,
                    kind: e.kind.to_string(),
                    mentions: i64::from(e.mentions),
                })
                .collect(),
            topics: article.topics,
            event_time: page
                .published_at
                .map(|p| rfc3339(&p.with_timezone(&chrono::Utc))),
            source: Some(article.source).filter(|s| !s.is_empty()),
            story_id: None,
            duplicate_of: None,
            text: page.text,
            content_hash: Some(article.content_hash),
        }
    }
}
