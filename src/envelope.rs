//! The one message envelope of everything Stringer sends out (`schemas/envelope.json`):
//! `{schema: 1, event, id, time, data}`. `event` names what happened (`alert.fired`); `id` is
//! a hash of the event, its subject and its version, so a re-delivery carries the same id and
//! consumers deduplicate by it; `data` is the event's object. For `alert.fired` that is the
//! alert with its articles as `articles export` prints them; for `article.stored` and
//! `article.revised` the article as `articles export` prints it; for `story.updated` the story
//! as `stories --format json` prints it. Pure: built from stored rows.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::export::ArticleDoc;
use crate::store::{AlertRow, StoryRow};

/// The version of the envelope's shape; a consumer checks it before reading `data`.
pub const SCHEMA_VERSION: u32 = 1;

pub use crate::config::{ALERT_FIRED, ARTICLE_REVISED, ARTICLE_STORED, STORY_UPDATED};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Envelope<T> {
    pub schema: u32,
    pub event: String,
    pub id: String,
    /// When the event happened (RFC 3339, UTC).
    pub time: String,
    pub data: T,
}

/// The `data` of `alert.fired`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlertData {
    /// The alert's row id in this database.
    pub alert_id: i64,
    pub rule: String,
    /// `match` or `spike`.
    pub kind: String,
    /// What the rule fired about: `article:ID`, `entity:TYPE:NAME` or `topic:NAME`.
    pub subject: String,
    pub fired_at: String,
    /// What matched (match rules).
    pub matched: Vec<String>,
    /// The window's counts (spike rules).
    pub details: serde_json::Value,
    pub articles: Vec<ArticleDoc>,
}

/// The id of an event about `subject` at `version`: 32 hex digits of SHA-256, the same for
/// every delivery of the same event.
pub fn event_id(event: &str, subject: &str, version: &str) -> String {
    let mut h = Sha256::new();
    for part in [event, subject, version] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The envelope of a fired alert. Its version is the rule and the time it fired, so each
/// firing is a new event and every delivery of one firing has the same id.
pub fn alert_fired(alert: &AlertRow, articles: Vec<ArticleDoc>) -> Envelope<AlertData> {
    let fired_at = rfc3339(alert.fired_at);
    Envelope {
        schema: SCHEMA_VERSION,
        event: ALERT_FIRED.into(),
        id: event_id(
            ALERT_FIRED,
            &alert.subject,
            &format!("{}@{fired_at}", alert.rule),
        ),
        time: fired_at.clone(),
        data: AlertData {
            alert_id: alert.id,
            rule: alert.rule.clone(),
            kind: alert.kind.clone(),
            subject: alert.subject.clone(),
            fired_at,
            matched: alert.matched.0.clone(),
            details: alert.details.0.clone(),
            articles,
        },
    }
}

/// The envelope of a stored article. Its subject is the article's canonical URL and its
/// version the content hash it was stored with (`version`, else the article's own), so every
/// delivery and every replay of the same stored text has the same id, and a changed text a new
/// one. Its time is when the article was stored.
pub fn article_stored(
    article: ArticleDoc,
    stored_at: Option<DateTime<Utc>>,
    version: Option<&str>,
) -> Envelope<ArticleDoc> {
    article_event(ARTICLE_STORED, article, stored_at, version)
}

/// The envelope of an `article.stored` or `article.revised` event (see [`article_stored`]):
/// the revision of a text has an id of its own, distinct from the text's first store.
pub fn article_event(
    event: &str,
    article: ArticleDoc,
    stored_at: Option<DateTime<Utc>>,
    version: Option<&str>,
) -> Envelope<ArticleDoc> {
    let version = version
        .or(article.content_hash.as_deref())
        .unwrap_or_default()
        .to_string();
    Envelope {
        schema: SCHEMA_VERSION,
        event: event.into(),
        id: event_id(
            event,
            &format!("article:{}", article.canonical_url),
            &version,
        ),
        time: rfc3339(stored_at.unwrap_or(DateTime::UNIX_EPOCH)),
        data: article,
    }
}

/// The envelope of an article joining a story: its subject is the story, its version the
/// article and the text it joined with, so each join is its own event and every delivery of
/// one join has the same id. `data` is the story as it is when the envelope is built.
pub fn story_updated(
    story: StoryRow,
    article_id: i64,
    version: &str,
    joined_at: DateTime<Utc>,
) -> Envelope<StoryRow> {
    Envelope {
        schema: SCHEMA_VERSION,
        event: STORY_UPDATED.into(),
        id: event_id(
            STORY_UPDATED,
            &format!("story:{}", story.id),
            &format!("article:{article_id}@{version}"),
        ),
        time: rfc3339(joined_at),
        data: story,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::types::Json;

    fn alert(rule: &str, at: &str) -> AlertRow {
        AlertRow {
            id: 7,
            rule: rule.into(),
            kind: "spike".into(),
            subject: "entity:PER:Janet Yellen".into(),
            fired_at: at.parse().unwrap(),
            articles: Json(vec![1, 2]),
            matched: Json(vec![]),
            details: Json(serde_json::json!({"articles": 8})),
        }
    }

    #[test]
    fn the_id_is_stable_per_firing_and_new_for_the_next() {
        let a = alert_fired(&alert("yellen", "2026-12-01T10:00:00Z"), vec![]);
        let again = alert_fired(&alert("yellen", "2026-12-01T10:00:00Z"), vec![]);
        let later = alert_fired(&alert("yellen", "2026-12-01T16:00:00Z"), vec![]);
        let other = alert_fired(&alert("fed", "2026-12-01T10:00:00Z"), vec![]);
        assert_eq!(a.id, again.id);
        assert_ne!(a.id, later.id);
        assert_ne!(a.id, other.id);
        assert_eq!(a.id.len(), 32);
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["schema"], 1);
        assert_eq!(json["event"], "alert.fired");
        assert_eq!(json["time"], "2026-12-01T10:00:00.000Z");
    }

    #[test]
    fn an_article_keeps_its_id_for_its_text_and_gets_a_new_one_for_a_new_text() {
        let doc = |hash: &str| {
            let mut d = crate::export::ArticleDoc::from_row(
                crate::store::ExportRow::default(),
                Default::default(),
            );
            d.canonical_url = "https://example.com/a".into();
            d.content_hash = Some(hash.into());
            d
        };
        let at = "2026-12-01T10:00:00Z".parse().ok();
        let a = article_stored(doc("h1"), at, Some("h1"));
        let replayed = article_stored(doc("h1"), at, None);
        let revised = article_stored(doc("h2"), at, Some("h2"));
        assert_eq!(a.id, replayed.id);
        assert_ne!(a.id, revised.id);
        assert_eq!(a.event, "article.stored");
        assert_eq!(a.time, "2026-12-01T10:00:00.000Z");
        let revision = article_event(ARTICLE_REVISED, doc("h2"), at, Some("h2"));
        assert_ne!(revision.id, revised.id, "a revision is not a first store");
        assert_eq!(
            revision.id,
            article_event(ARTICLE_REVISED, doc("h2"), at, Some("h2")).id
        );
    }

    #[test]
    fn each_join_of_a_story_is_its_own_event() {
        let story = |id: &str| StoryRow {
            id: id.into(),
            title: Some("Talks".into()),
            first_seen: "2026-12-01T09:00:00Z".parse().unwrap(),
            articles: 2,
            sources: vec!["a.example".into()],
            article_urls: vec![],
        };
        let at = "2026-12-01T10:00:00Z".parse().unwrap();
        let a = story_updated(story("4"), 10, "h1", at);
        assert_eq!(a.id, story_updated(story("4"), 10, "h1", at).id);
        assert_ne!(a.id, story_updated(story("4"), 11, "h1", at).id);
        assert_ne!(a.id, story_updated(story("4"), 10, "h2", at).id);
        assert_ne!(a.id, story_updated(story("5"), 10, "h1", at).id);
        assert_eq!(a.event, "story.updated");
        assert_eq!(a.time, "2026-12-01T10:00:00.000Z");
    }
}
