//! The envelope of an outbox row, from what is stored: the alert and its articles, or the
//! stored (or revised) article, as `articles export` prints them (`export::ArticleDoc`), or the
//! story an article joined, as `stories --format json` prints it.

use anyhow::Context;

use crate::envelope::{self, ALERT_FIRED, ARTICLE_REVISED, ARTICLE_STORED, STORY_UPDATED};
use crate::export::{ArticleDoc, Related};
use crate::store::{OutboxItem, Store};

/// An article row whose article is no longer stored as done (being processed again, which
/// queues a new row when it completes), or a story row whose story has no stored article: the
/// row cannot be sent, now or later.
#[derive(Debug)]
pub struct NotStored(pub i64);

impl std::fmt::Display for NotStored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "article or story {} is not stored", self.0)
    }
}

impl std::error::Error for NotStored {}

/// The envelope of a claimed outbox row, as JSON.
pub async fn of_item(store: &Store, item: &OutboxItem) -> anyhow::Result<serde_json::Value> {
    match (item.event.as_str(), item.alert_id, item.article_id) {
        (ALERT_FIRED, Some(alert), _) => envelope(store, alert).await,
        (event @ (ARTICLE_STORED | ARTICLE_REVISED), _, Some(article)) => {
            article_event(store, event, article, item.version.as_deref()).await
        }
        (STORY_UPDATED, _, Some(article)) => story_updated(store, item, article).await,
        (event, _, _) => anyhow::bail!("outbox row {} has an unknown event `{event}`", item.id),
    }
}

/// The `story.updated` envelope of the row: the story as it is now.
async fn story_updated(
    store: &Store,
    item: &OutboxItem,
    article: i64,
) -> anyhow::Result<serde_json::Value> {
    let story_id = item
        .story_id
        .with_context(|| format!("outbox row {} names no story", item.id))?;
    let Some(story) = store.story(story_id).await? else {
        return Err(NotStored(story_id).into());
    };
    let version = item.version.as_deref().unwrap_or_default();
    Ok(serde_json::to_value(envelope::story_updated(
        story,
        article,
        version,
        item.created_at,
    ))?)
}

/// The envelope of the alert `alert_id`, as JSON.
pub async fn envelope(store: &Store, alert_id: i64) -> anyhow::Result<serde_json::Value> {
    let alert = store
        .alert(alert_id)
        .await?
        .with_context(|| format!("alert {alert_id} is not stored"))?;
    let mut docs = Vec::with_capacity(alert.articles.0.len());
    for &id in &alert.articles.0 {
        if let Some((doc, _)) = article_doc(store, id).await? {
            docs.push(doc);
        }
    }
    Ok(serde_json::to_value(envelope::alert_fired(&alert, docs))?)
}

/// The `article.stored` envelope of article `id` stored with content hash `version`.
pub async fn article_stored(
    store: &Store,
    id: i64,
    version: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    article_event(store, ARTICLE_STORED, id, version).await
}

/// The `event` envelope (`article.stored`, `article.revised`) of article `id` stored with
/// content hash `version`.
async fn article_event(
    store: &Store,
    event: &str,
    id: i64,
    version: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let Some((doc, stored_at)) = article_doc(store, id).await? else {
        return Err(NotStored(id).into());
    };
    Ok(serde_json::to_value(envelope::article_event(
        event, doc, stored_at, version,
    ))?)
}

/// A stored article as `articles export` prints it, and when it was stored.
pub async fn article_doc(
    store: &Store,
    id: i64,
) -> anyhow::Result<Option<(ArticleDoc, Option<chrono::DateTime<chrono::Utc>>)>> {
    let Some(row) = store.export_row(id).await? else {
        return Ok(None);
    };
    let related = Related {
        entities: store
            .entities_between(id, id)
            .await?
            .remove(&id)
            .unwrap_or_default(),
        keyphrases: store
            .keyphrases_between(id, id)
            .await?
            .remove(&id)
            .unwrap_or_default(),
        topics: store
            .topics_between(id, id)
            .await?
            .remove(&id)
            .unwrap_or_default(),
    };
    let stored_at = row.fetched_at;
    Ok(Some((ArticleDoc::from_row(row, related), stored_at)))
}
