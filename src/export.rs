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
    pub site_name: Option<String>,
    pub image: Option<String>,
    pub description: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub keyphrases: Vec<String>,
    pub entities: Vec<EntityDoc>,
    pub text: String,
    pub content_hash: Option<String>,
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
    /// From a stored article and its entities and keyphrases.
    pub fn from_row(
        row: ExportRow,
        entities: Vec<(String, String, i32)>,
        keyphrases: Vec<String>,
    ) -> ArticleDoc {
        ArticleDoc {
            canonical_url: best_canonical(row.page_canonical_url.as_deref(), &row.canonical_url),
            url: row.url,
            feed_url: row.feed_url,
            title: row.title,
            authors: row.authors.0,
            published_at: row.published_at.as_ref().map(rfc3339),
            modified_at: row.modified_at.as_ref().map(rfc3339),
            language: row.language,
            site_name: row.site_name,
            image: row.image_url,
            description: row.description,
            section: row.section,
            tags: row.tags.0,
            category: row.category,
            keyphrases,
            entities: entities
                .into_iter()
                .map(|(name, kind, mentions)| EntityDoc {
                    name,
                    kind,
                    mentions: i64::from(mentions),
                })
                .collect(),
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
            site_name: page.site_name,
            image: page.image,
            description: page.description,
            section: page.section,
            tags: page.tags,
            category: article.category.map(|(c, _)| c.to_string()),
            keyphrases: article.keyphrases,
            entities: entities
                .into_iter()
                .map(|e| EntityDoc {
                    name: e.name,
                    kind: e.kind.to_string(),
                    mentions: i64::from(e.mentions),
                })
                .collect(),
            text: page.text,
            content_hash: Some(article.content_hash),
        }
    }
}
