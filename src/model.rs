//! The types that cross stages: what the scheduler hands a poller ([`FeedJob`]), what a poll
//! finds ([`NewEntry`]), what the article source claims ([`ArticleJob`]), what the fetchers
//! pass on ([`RawArticle`]), what the cleaner reads from a page ([`CleanPage`]) and what the
//! enrich stage hands the store ([`EnrichedArticle`], with its [`Entity`] values and
//! [`Category`]).
//!
//! Plain data: no IO, no behaviour beyond naming and parsing the small enums. Every stage and
//! `store/` depend on this module; it depends on none of them.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, FixedOffset, Utc};

/// Validators from the previous response, sent back for a conditional GET (RFC 9110 §13.1).
#[derive(Debug, Default, Clone)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A feed's due check, handed from the feed source to a poller.
#[derive(Debug, Clone)]
pub struct FeedJob {
    pub feed_id: i64,
    pub url: String,
    /// The feed's own interval if it has one, else the adapted one, else the default.
    pub interval: Duration,
    /// `interval` is the feed's own (configured): used as given, never adapted.
    pub own_interval: bool,
    pub error_count: u32,
    pub validators: Validators,
}

/// One story a feed links to, before its page is fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub guid: Option<String>,
    /// The link as the feed gave it, made absolute.
    pub url: String,
    /// The dedup key: see `urls::canonicalize`.
    pub canonical_url: String,
    pub title: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A pending article claimed for the fetch stage.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleJob {
    pub id: i64,
    pub url: String,
    pub canonical_url: String,
    pub feed_id: Option<i64>,
    pub feed_title: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub discovered_at: DateTime<Utc>,
    pub attempts: i32,
    /// The tags of the feed that listed it (for topics and filters).
    #[sqlx(skip)]
    pub feed_tags: Vec<String>,
}

/// A fetched article page on its way to the enrich stage.
#[derive(Debug, Clone)]
pub struct RawArticle {
    pub job: ArticleJob,
    /// URL after redirects.
    pub final_url: String,
    pub http_status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    pub fetched_at: DateTime<Utc>,
}

/// A cleaned article page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CleanPage {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub modified_at: Option<DateTime<FixedOffset>>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
    /// ISO 639-1, e.g. "en": what the text is written in (see `text::language::decide`).
    pub language: Option<String>,
    /// How sure language detection is (0 to 1); `None` when only the page's declaration spoke.
    pub language_confidence: Option<f32>,
    pub image: Option<String>,
    pub description: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    /// Paragraphs joined by "\n\n".
    pub text: String,
}

/// Everything stored for one article page.
#[derive(Debug, Clone)]
pub struct EnrichedArticle {
    /// URL after redirects.
    pub final_url: String,
    pub http_status: u16,
    pub page: CleanPage,
    pub entities: Vec<Entity>,
    pub category: Option<(Category, f32)>,
    pub keyphrases: Vec<String>,
    /// Hash of the normalised text: equal for the same story text, whatever the markup.
    pub content_hash: String,
    /// The registrable domain of the page's URL (`urls::source_of`).
    pub source: String,
    /// The MinHash signature of the text (`stories::signature`), for near-duplicates.
    pub signature: Option<Vec<u32>>,
    /// The user topics the article matches.
    pub topics: Vec<String>,
    /// The match rules the article fires (recorded with it, in the same transaction).
    pub alerts: Vec<AlertHit>,
    /// The sinks that take its events (their filter, if any, matched): one outbox row per
    /// sink and event, written with it.
    pub sinks: Vec<SinkHit>,
}

/// A sink whose filter (if any) an article matched, and the article events it takes
/// (`article.stored`, `article.revised`, `story.updated`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkHit {
    pub name: String,
    pub events: Vec<String>,
}

impl SinkHit {
    pub fn takes(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

/// A match rule that an article fires: what to record and where to send it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertHit {
    pub rule: String,
    /// What matched (phrases, entities, values, regular expressions), for the reader.
    pub matched: Vec<String>,
    /// The sinks that receive the alert.
    pub sinks: Vec<String>,
    /// How long the rule stays quiet about this article after firing.
    pub cooldown: std::time::Duration,
}

/// One entity of one article.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entity {
    /// The fullest form used in the article (or the alias table's canonical name).
    pub name: String,
    /// `ner::normalise_key(name)`: equal for the same entity across articles.
    pub key: String,
    pub kind: EntityType,
    /// Mentions in title and text together.
    pub mentions: u32,
    /// Byte offset of the first mention in `text` (0 when it is only in the title).
    pub first_offset: usize,
}

/// The four CoNLL-2003 entity types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EntityType {
    PER,
    ORG,
    LOC,
    MISC,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::PER => "PER",
            EntityType::ORG => "ORG",
            EntityType::LOC => "LOC",
            EntityType::MISC => "MISC",
        }
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that is not one of PER, ORG, LOC, MISC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEntityType(pub String);

impl fmt::Display for UnknownEntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown entity type {:?} (expected PER, ORG, LOC or MISC)",
            self.0
        )
    }
}

impl std::error::Error for UnknownEntityType {}

impl FromStr for EntityType {
    type Err = UnknownEntityType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PER" => Ok(EntityType::PER),
            "ORG" => Ok(EntityType::ORG),
            "LOC" => Ok(EntityType::LOC),
            "MISC" => Ok(EntityType::MISC),
            _ => Err(UnknownEntityType(s.to_string())),
        }
    }
}

/// The labels of the export contract: the five the category model scores, in the order of its
/// weight columns (`ALL`), and `Other` for an article none of them fits confidently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    World,
    Business,
    Technology,
    Sport,
    Entertainment,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::World,
        Category::Business,
        Category::Technology,
        Category::Sport,
        Category::Entertainment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::World => "world",
            Category::Business => "business",
            Category::Technology => "technology",
            Category::Sport => "sport",
            Category::Entertainment => "entertainment",
            Category::Other => "other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCategory(pub String);

impl fmt::Display for UnknownCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown category {:?} (expected one of world, business, technology, sport, entertainment, other)",
            self.0
        )
    }
}

impl std::error::Error for UnknownCategory {}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .chain([Category::Other])
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownCategory(s.to_string()))
    }
}
