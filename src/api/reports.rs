//! The JSON objects the API and the command line share: an entity's report (timeline,
//! co-mentioned entities, latest articles and stories) and each feed's health.

use std::time::Duration;

use chrono::{DateTime, DurationRound, Utc};

use super::params::{Bucket, window_start};
use crate::ner::Aliases;
use crate::store::{
    ArticleFilter, ArticleSummary, CoMention, FeedHealth, FeedRow, Store, StoryRow,
};

/// More buckets than this in one timeline is a mistake (a year of hours is 8,760).
pub const MAX_BUCKETS: i64 = 10_000;

/// What an entity report asks.
#[derive(Debug, Clone)]
pub struct EntityQuery {
    pub name: String,
    /// Only the entity of this type (PER, ORG, LOC, MISC); else the one in most articles.
    pub kind: Option<String>,
    pub window: Duration,
    pub bucket: Bucket,
    /// How many co-mentioned entities, articles and stories to list.
    pub limit: i64,
    pub now: DateTime<Utc>,
}

/// One bucket of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Point {
    /// The start of the bucket (UTC).
    pub time: DateTime<Utc>,
    pub articles: i64,
}

/// An entity over a window.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntityReport {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub bucket: Bucket,
    /// Articles in the window (the timeline's sum).
    pub articles: i64,
    pub timeline: Vec<Point>,
    pub co_mentions: Vec<CoMention>,
    pub latest_articles: Vec<ArticleSummary>,
    pub stories: Vec<StoryRow>,
}

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no entity named `{0}` is stored")]
    UnknownEntity(String),
    #[error("{0}")]
    TooManyBuckets(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The start of the bucket that holds `t`.
fn bucket_start(t: DateTime<Utc>, bucket: Bucket) -> DateTime<Utc> {
    let width = match bucket {
        Bucket::Hour => chrono::Duration::hours(1),
        Bucket::Day => chrono::Duration::days(1),
    };
    t.duration_trunc(width).unwrap_or(t)
}

fn bucket_width(bucket: Bucket) -> chrono::Duration {
    match bucket {
        Bucket::Hour => chrono::Duration::hours(1),
        Bucket::Day => chrono::Duration::days(1),
    }
}

/// Hourly counts summed into buckets from `from` to `until`, empty buckets included.
pub fn timeline(
    hours: &[(DateTime<Utc>, i64)],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    bucket: Bucket,
) -> Vec<Point> {
    let width = bucket_width(bucket);
    let mut points = Vec::new();
    let mut t = bucket_start(from, bucket);
    while t < until {
        points.push(Point {
            time: t,
            articles: 0,
        });
        t += width;
    }
    for (hour, n) in hours {
        let start = bucket_start(*hour, bucket);
        if let Ok(i) = points.binary_search_by(|p| p.time.cmp(&start)) {
            points[i].articles += n;
        }
    }
    points
}

/// The report of `query.name` (looked up through `aliases` and the entity keys).
pub async fn entity_report(
    store: &Store,
    aliases: &Aliases,
    query: &EntityQuery,
) -> Result<EntityReport, ReportError> {
    let until = query.now;
    let from = window_start(until, query.window);
    let buckets = (until - bucket_start(from, query.bucket)).num_seconds()
        / bucket_width(query.bucket).num_seconds();
    if buckets > MAX_BUCKETS {
        return Err(ReportError::TooManyBuckets(format!(
            "{buckets} {} buckets, more than {MAX_BUCKETS}: use a shorter window or day buckets",
            match query.bucket {
                Bucket::Hour => "hourly",
                Bucket::Day => "daily",
            }
        )));
    }
    let key = aliases.key_of(&query.name);
    let entity = store
        .find_entity(&key, query.kind.as_deref())
        .await?
        .ok_or_else(|| ReportError::UnknownEntity(query.name.clone()))?;
    store.refresh_all_rollups().await?;
    let hours = store
        .entity_hours(entity.id, bucket_start(from, Bucket::Hour), until)
        .await?;
    let timeline = timeline(&hours, from, until, query.bucket);
    let filter = ArticleFilter {
        entity_id: Some(entity.id),
        since: Some(from),
        until: Some(until),
        limit: query.limit,
        ..Default::default()
    };
    Ok(EntityReport {
        articles: timeline.iter().map(|p| p.articles).sum(),
        co_mentions: store
            .co_mentions(entity.id, from, until, query.limit)
            .await?,
        latest_articles: store.list_articles(&filter).await?,
        stories: store
            .stories_of(from, until, Some(entity.id), query.limit)
            .await?,
        name: entity.name,
        kind: entity.kind,
        from,
        until,
        bucket: query.bucket,
        timeline,
    })
}

/// A feed as `/api/feeds` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedStatus {
    pub url: String,
    pub title: Option<String>,
    pub tags: Vec<String>,
    /// `ok`, `failing` (its latest poll failed), `empty` (read, but no entry ever), `silent`
    /// (no new entry for two days) or `new` (not polled yet).
    pub status: &'static str,
    /// Why the feed is in that state, in words (empty when it is `ok`).
    pub why: String,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// `dns`, `connect`, `tls`, `timeout`, `http_status`, `too_large`, `content_type`,
    /// `not_a_feed`, `parse`, `robots`, `blocked`, `bad_url` or `network`.
    pub last_error_kind: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// Failed polls in a row (0 after a success).
    pub consecutive_failures: i32,
    pub next_check_at: DateTime<Utc>,
    /// Articles linked from the feed, and how many of them are stored.
    pub entries: i64,
    pub articles: i64,
    pub latest_entry_at: Option<DateTime<Utc>>,
}

/// How long a feed may go without a new entry before it is called silent.
pub const SILENT_AFTER: chrono::Duration = chrono::Duration::hours(48);

pub fn feed_status(h: FeedHealth, now: DateTime<Utc>) -> FeedStatus {
    let f = h.feed;
    let (status, why) = state(&f, h.entries, h.latest_entry_at, now);
    FeedStatus {
        url: crate::config::redact_url(&f.url),
        title: f.title,
        tags: f.tags.0,
        status,
        why,
        last_checked_at: f.last_checked_at,
        last_success_at: f.last_success_at,
        last_error: f.last_error,
        last_error_kind: f.last_error_kind,
        last_error_at: f.last_error_at,
        consecutive_failures: f.error_count,
        next_check_at: f.next_check_at,
        entries: h.entries,
        articles: h.articles,
        latest_entry_at: h.latest_entry_at,
    }
}

/// A feed's state and why, from its row and its entries.
fn state(
    f: &FeedRow,
    entries: i64,
    latest: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (&'static str, String) {
    if f.error_count > 0 {
        let kind = f.last_error_kind.as_deref().unwrap_or("error");
        let error = f.last_error.as_deref().unwrap_or("unknown error");
        let times = f.error_count;
        return (
            "failing",
            format!("{kind}: {error} ({times} failed polls in a row)"),
        );
    }
    if f.last_checked_at.is_none() {
        return ("new", "not polled yet".into());
    }
    if entries == 0 {
        let why = f.last_entry_error.as_deref().map_or_else(
            || "read, but no entries".to_string(),
            |e| format!("no entry could be taken: {e}"),
        );
        return ("empty", why);
    }
    match latest {
        Some(t) if now - t <= SILENT_AFTER => {
            let why = f
                .last_entry_error
                .as_deref()
                .map_or_else(String::new, |e| format!("entries: {e}"));
            ("ok", why)
        }
        Some(t) => (
            "silent",
            format!("no new entry for {} days", (now - t).num_days()),
        ),
        None => ("silent", "no new entry".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_fill_empty_buckets_and_sum_hours_into_days() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let hours = [
            (t("2026-12-01T10:00:00Z"), 2),
            (t("2026-12-01T23:00:00Z"), 1),
            (t("2026-12-02T05:00:00Z"), 4),
        ];
        let from = t("2026-11-30T12:30:00Z");
        let until = t("2026-12-02T12:30:00Z");
        let days = timeline(&hours, from, until, Bucket::Day);
        let counts: Vec<i64> = days.iter().map(|p| p.articles).collect();
        assert_eq!(counts, [0, 3, 4]);
        assert_eq!(days[0].time, t("2026-11-30T00:00:00Z"));
        let hourly = timeline(&hours, from, until, Bucket::Hour);
        assert_eq!(hourly.len(), 49);
        assert_eq!(hourly.iter().map(|p| p.articles).sum::<i64>(), 7);
    }
}
