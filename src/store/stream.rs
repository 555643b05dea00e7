//! Article events in the outbox: the rows a sink gets when an article is stored
//! (`article.stored`), stored again with a changed text (`article.revised`) or joins a story
//! (`story.updated`), written in the completing transaction; the rows `sinks replay` queues
//! again for stored articles; and the per-sink figures of `/metrics`.

use chrono::{DateTime, Utc};

use super::{Result, Store};
use crate::config::{ARTICLE_REVISED, ARTICLE_STORED, STORY_UPDATED};

/// An article as it was before a store: the content hash it was last stored with (none if it
/// never was) and its story.
pub(super) type Before = (Option<String>, Option<i64>);

/// Reads what article `$id` is before it is stored, in the open transaction `$tx`:
/// `Option<Before>`.
macro_rules! before_store {
    ($tx:expr, $id:expr) => {{
        let before: Option<$crate::store::stream::Before> =
            sqlx::query_as("SELECT content_hash, story_id FROM articles WHERE id = $1")
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        before
    }};
}
pub(super) use before_store;

/// Queues event `$event` about article `$id` (and story `$story` for `story.updated`) stored
/// with content hash `$version` for sink `$sink` in the open transaction `$tx`, due from `$at`.
macro_rules! queue_event {
    ($tx:expr, $sink:expr, $event:expr, $id:expr, $story:expr, $version:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO outbox (article_id, story_id, version, sink, event, created_at, \
             next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind($id)
        .bind($story)
        .bind($version)
        .bind($sink)
        .bind($event)
        .bind($at)
        .execute(&mut *$tx)
        .await?
    };
}
pub(super) use queue_event;

/// The events of storing an article with content hash `hash` into story `story`, given what
/// it was `before`: `article.revised` when it was stored before with another text (whatever
/// its status now: reprocessing puts it back in the queue), else `article.stored` (a first
/// store, or the same text again: the same id as before); and `story.updated` when it joined
/// a story it was not in.
pub(super) fn article_events(before: Option<&Before>, hash: &str, story: i64) -> Vec<&'static str> {
    let (old_hash, old_story) = match before {
        Some((h, s)) => (h.as_deref(), *s),
        None => (None, None),
    };
    let revised = old_hash.is_some_and(|h| h != hash);
    let mut events = vec![if revised {
        ARTICLE_REVISED
    } else {
        ARTICLE_STORED
    }];
    if old_story != Some(story) {
        events.push(STORY_UPDATED);
    }
    events
}

/// One sink's figures for `/metrics`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SinkFigures {
    pub sink: String,
    pub delivered: i64,
    pub pending: i64,
    pub given_up: i64,
    /// Attempts that failed (each is retried, or given up).
    pub failed: i64,
    /// When the oldest undelivered row was written.
    pub oldest_pending: Option<DateTime<Utc>>,
}

impl Store {
    /// Stored articles whose event time or stored time is at or after `since`, with ids above
    /// `after`, in id order, at most `limit`: `(id, content hash)`.
    pub async fn replay_page(
        &self,
        since: DateTime<Utc>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, COALESCE(content_hash, '') FROM articles \
                 WHERE status = 'done' AND id > $1 AND (event_time >= $2 OR fetched_at >= $2) \
                 ORDER BY id LIMIT $3",
            )
            .bind(after)
            .bind(since)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many stored articles `replay_page` goes through from `since`.
    pub async fn replay_count(&self, since: DateTime<Utc>) -> Result<i64> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM articles \
                 WHERE status = 'done' AND (event_time >= $1 OR fetched_at >= $1)",
            )
            .bind(since)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Queues `article.stored` rows for `sink`, one per `(article id, content hash)`, in one
    /// transaction, due from `at`.
    pub async fn queue_articles(
        &self,
        sink: &str,
        articles: &[(i64, String)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for (id, version) in articles {
                queue_event!(tx, sink, ARTICLE_STORED, *id, None::<i64>, version, at);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Per sink with outbox rows: delivered, pending, given up, failed attempts, oldest pending.
    pub async fn sink_figures(&self) -> Result<Vec<SinkFigures>> {
        type Row = (String, i64, i64, i64, i64, Option<DateTime<Utc>>);
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT sink, CAST(COUNT(delivered_at) AS BIGINT), \
                   CAST(COUNT(*) - COUNT(delivered_at) - COUNT(given_up_at) AS BIGINT), \
                   CAST(COUNT(given_up_at) AS BIGINT), \
                   CAST(COALESCE(SUM(attempts \
                     - CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END \
                     - CASE WHEN delivered_at IS NULL AND given_up_at IS NULL \
                       AND lease_owner IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
                   MIN(CASE WHEN delivered_at IS NULL AND given_up_at IS NULL THEN created_at END) \
                 FROM outbox GROUP BY sink ORDER BY sink",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(sink, delivered, pending, given_up, failed, oldest_pending)| SinkFigures {
                    sink,
                    delivered,
                    pending,
                    given_up,
                    failed,
                    oldest_pending,
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_text_is_a_revision_and_a_new_story_an_update() {
        let done = |hash: &str, story| Some((Some(hash.to_string()), story));
        assert_eq!(
            article_events(None, "h1", 4),
            [ARTICLE_STORED, STORY_UPDATED]
        );
        let pending = Some((None, None));
        assert_eq!(
            article_events(pending.as_ref(), "h1", 4),
            [ARTICLE_STORED, STORY_UPDATED]
        );
        assert_eq!(
            article_events(done("h1", Some(4)).as_ref(), "h1", 4),
            [ARTICLE_STORED]
        );
        assert_eq!(
            article_events(done("h1", Some(4)).as_ref(), "h2", 4),
            [ARTICLE_REVISED]
        );
        assert_eq!(
            article_events(done("h1", Some(4)).as_ref(), "h2", 5),
            [ARTICLE_REVISED, STORY_UPDATED]
        );
    }
}
