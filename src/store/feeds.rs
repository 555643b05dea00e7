//! Feeds: the subscription list, due-feed claims (leases so several daemons share the work),
//! and what each poll did (validators, errors, the fetch log). A feed's failure is data on its
//! row, never a reason to stop polling it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::keys::url_key;
use super::{Backend, Result, Store, sanitize};
use crate::model::NewEntry;

/// The fetch-log rows of polls, in one statement, in the transaction that updates the feeds.
macro_rules! insert_logs {
    ($tx:expr, $polls:expr) => {{
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO fetch_log (feed_id, started_at, duration_ms, http_status, outcome, entries, \
               new_entries, rejected_entries, error, error_kind) ",
        );
        insert.push_values($polls, |mut row, &(feed_id, r): &(i64, &PollRecord)| {
            row.push_bind(feed_id)
                .push_bind(r.started_at)
                .push_bind(r.duration_ms)
                .push_bind(r.http_status)
                .push_bind(r.outcome)
                .push_bind(r.entries)
                .push_bind(r.new_entries)
                .push_bind(r.rejected_entries)
                .push_bind(sanitize::opt(&r.error))
                .push_bind(r.error_kind);
        });
        insert.build().execute(&mut *$tx).await?
    }};
}

/// A successful poll (fresh or 304) on the feed's row, if `owner` holds its lease: the rows
/// updated.
macro_rules! poll_success {
    ($tx:expr, $owner:expr, $feed_id:expr, $r:expr) => {
        sqlx::query(
            "UPDATE feeds SET \
               etag = CASE WHEN $2 = 1 THEN etag ELSE $3 END, \
               last_modified = CASE WHEN $4 = 1 THEN last_modified ELSE $5 END, \
               title = COALESCE(title, $6), site_url = COALESCE(site_url, $7), \
               next_check_at = $8, error_count = 0, last_error = NULL, last_error_kind = NULL, \
               last_entry_error = $11, adaptive_interval_secs = COALESCE($12, adaptive_interval_secs), \
               last_checked_at = $9, last_success_at = $9, lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_owner = $10",
        )
        .bind($feed_id)
        .bind(i32::from($r.etag.is_none()))
        .bind($r.etag.clone().flatten())
        .bind(i32::from($r.last_modified.is_none()))
        .bind($r.last_modified.clone().flatten())
        .bind(sanitize::opt(&$r.title))
        .bind(sanitize::opt(&$r.site_url))
        .bind($r.next_check_at)
        .bind($r.started_at)
        .bind($owner)
        .bind(sanitize::opt(&$r.entry_error))
        .bind($r.adaptive_interval_secs)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
    };
}

/// A failed poll on the feed's row, if `owner` holds its lease: the rows updated.
macro_rules! poll_error {
    ($tx:expr, $owner:expr, $feed_id:expr, $r:expr) => {
        sqlx::query(
            "UPDATE feeds SET error_count = error_count + 1, last_error = $2, last_error_at = $3, \
               last_checked_at = $3, next_check_at = $4, lease_owner = NULL, lease_until = NULL, \
               last_error_kind = $6 \
             WHERE id = $1 AND lease_owner = $5",
        )
        .bind($feed_id)
        .bind(sanitize::opt(&$r.error))
        .bind($r.started_at)
        .bind($r.next_check_at)
        .bind($owner)
        .bind($r.error_kind)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
    };
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct FeedRow {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    #[serde(serialize_with = "json_inner")]
    pub tags: Json<Vec<String>>,
    pub interval_secs: Option<i32>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_check_at: DateTime<Utc>,
    pub error_count: i32,
    pub last_error: Option<String>,
    /// The class of the latest error (`dns`, `http_status`, `not_a_feed`, ...).
    pub last_error_kind: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the latest poll could not take some of the feed's entries (`None`: it took all).
    pub last_entry_error: Option<String>,
    /// The interval adapted to the feed's publishing rate (feeds without `interval_secs`).
    pub adaptive_interval_secs: Option<i32>,
}

fn json_inner<S: serde::Serializer>(
    v: &Json<Vec<String>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&v.0, s)
}

const FEED_COLUMNS: &str = "id, url, title, site_url, tags, interval_secs, etag, last_modified, \
    next_check_at, error_count, last_error, last_error_kind, last_error_at, last_checked_at, last_success_at, \
    last_entry_error, adaptive_interval_secs";

/// Which feeds a claim takes.
#[derive(Debug, Clone, Copy)]
pub enum FeedSelection {
    /// Feeds whose next check is due now (the daemon).
    Due,
    /// Feeds not checked since the given time, due or not (a `once` pass that started then:
    /// every feed once, even when several passes or daemons run at the same time).
    NotCheckedSince(DateTime<Utc>),
}

/// A feed to add or update. `None` fields leave what is stored alone.
#[derive(Debug, Clone, Default)]
pub struct FeedUpsert {
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub interval_secs: Option<i32>,
    pub tags: Option<Vec<String>>,
}

/// The result of one poll, written to the feed row and the fetch log together.
#[derive(Debug, Clone)]
pub struct PollRecord {
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub http_status: Option<i32>,
    pub outcome: &'static str,
    pub entries: i32,
    pub new_entries: i32,
    /// Entries the poll could not take (no usable link, a link too long, refused by the
    /// database), and the reason for the first of them.
    pub rejected_entries: i32,
    pub entry_error: Option<String>,
    pub error: Option<String>,
    /// The class of `error` (`ErrorKind::as_str` of the fetch module).
    pub error_kind: Option<&'static str>,
    pub next_check_at: DateTime<Utc>,
    /// New validators; `None` keeps the stored ones (a 304 or an error carries none).
    pub etag: Option<Option<String>>,
    pub last_modified: Option<Option<String>>,
    pub title: Option<String>,
    pub site_url: Option<String>,
    /// A new adapted interval in seconds; `None` keeps the stored one.
    pub adaptive_interval_secs: Option<i32>,
}

impl Store {
    /// Deletes the `fetch_log` rows of polls started before `before`; returns how many.
    pub async fn prune_fetch_log(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, pool => {
            sqlx::query("DELETE FROM fetch_log WHERE started_at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Adds a feed or updates the given fields of an existing one; returns its id and whether
    /// it is new. A new feed is due at once.
    pub async fn upsert_feed(&self, feed: &FeedUpsert) -> Result<(i64, bool)> {
        let now = Utc::now();
        let existing: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM feeds WHERE url = $1")
                .bind(&feed.url)
                .fetch_optional(pool)
                .await?
        });
        if let Some(id) = existing {
            on_pool!(self, pool => {
                sqlx::query(
                    "UPDATE feeds SET title = COALESCE($2, title), site_url = COALESCE($3, site_url), \
                     interval_secs = COALESCE($4, interval_secs), tags = COALESCE($5, tags) WHERE id = $1",
                )
                .bind(id)
                .bind(&feed.title)
                .bind(&feed.site_url)
                .bind(feed.interval_secs)
                .bind(feed.tags.clone().map(Json))
                .execute(pool)
                .await?;
            });
            return Ok((id, false));
        }
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO feeds (url, title, site_url, interval_secs, tags, next_check_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 ON CONFLICT (url) DO UPDATE SET url = excluded.url RETURNING id",
            )
            .bind(&feed.url)
            .bind(&feed.title)
            .bind(&feed.site_url)
            .bind(feed.interval_secs)
            .bind(Json(feed.tags.clone().unwrap_or_default()))
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        Ok((id, true))
    }

    /// Makes the stored feeds agree with `feeds` (the configured list) in one transaction:
    /// new ones added, changed titles, intervals and tags written (`None` leaves what is
    /// stored). An unchanged list costs one read, however long it is. Returns the feeds written.
    pub async fn sync_feeds(&self, feeds: &[FeedUpsert]) -> Result<usize> {
        type Row = (String, Option<String>, Option<i32>, Json<Vec<String>>);
        type Settings = (Option<String>, Option<i32>, Vec<String>);
        let stored: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as("SELECT url, title, interval_secs, tags FROM feeds")
                .fetch_all(pool)
                .await?
        });
        let stored: HashMap<String, Settings> = stored
            .into_iter()
            .map(|(url, title, interval, tags)| (url, (title, interval, tags.0)))
            .collect();
        let changed: Vec<&FeedUpsert> = feeds
            .iter()
            .filter(|f| {
                stored.get(&f.url).is_none_or(|(title, interval, tags)| {
                    f.title.as_ref().is_some_and(|t| Some(t) != title.as_ref())
                        || f.interval_secs.is_some_and(|i| Some(i) != *interval)
                        || f.tags.as_ref().is_some_and(|t| t != tags)
                        || f.site_url.is_some()
                })
            })
            .collect();
        if changed.is_empty() {
            return Ok(0);
        }
        let now = Utc::now();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for f in &changed {
                sqlx::query(
                    "INSERT INTO feeds (url, title, site_url, interval_secs, tags, next_check_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) \
                     ON CONFLICT (url) DO UPDATE SET title = COALESCE(excluded.title, feeds.title), \
                       site_url = COALESCE(excluded.site_url, feeds.site_url), \
                       interval_secs = COALESCE(excluded.interval_secs, feeds.interval_secs), \
                       tags = CASE WHEN $7 = 1 THEN excluded.tags ELSE feeds.tags END",
                )
                .bind(&f.url)
                .bind(&f.title)
                .bind(&f.site_url)
                .bind(f.interval_secs)
                .bind(Json(f.tags.clone().unwrap_or_default()))
                .bind(now)
                .bind(i32::from(f.tags.is_some()))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(changed.len())
    }

    pub async fn list_feeds(&self) -> Result<Vec<FeedRow>> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM feeds ORDER BY url");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        }))
    }

    pub async fn feed_by_url(&self, url: &str) -> Result<Option<FeedRow>> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM feeds WHERE url = $1");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(url).fetch_optional(pool).await?
        }))
    }

    /// Removes a feed and its fetch log; its stored articles stay (their feed becomes unknown).
    pub async fn remove_feed(&self, url: &str) -> Result<bool> {
        let n = on_pool!(self, pool => {
            sqlx::query("DELETE FROM feeds WHERE url = $1")
                .bind(url)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Reserves up to `limit` feeds of `which` for `owner` until `lease_until`. Feeds leased by
    /// someone else are skipped until their lease runs out.
    pub async fn claim_feeds(
        &self,
        which: FeedSelection,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<FeedRow>> {
        // PostgreSQL: SKIP LOCKED lets daemons claim concurrently without waiting on each other.
        // SQLite has one writer at a time, so the plain form is already atomic.
        let lock = match self.backend {
            Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite(_) => "",
        };
        let (filter, order, at) = match which {
            FeedSelection::Due => ("next_check_at <= $3", "next_check_at, id", now),
            FeedSelection::NotCheckedSince(start) => (
                "(last_checked_at IS NULL OR last_checked_at < $3)",
                "id",
                start,
            ),
        };
        let sql = format!(
            "UPDATE feeds SET lease_owner = $1, lease_until = $2 WHERE id IN ( \
               SELECT id FROM feeds WHERE {filter} \
               AND (lease_until IS NULL OR lease_until < $4) \
               ORDER BY {order} LIMIT $5 {lock}) \
             RETURNING {FEED_COLUMNS}"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(owner)
                .bind(lease_until)
                .bind(at)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The earliest time any feed is due (for the scheduler's sleep).
    pub async fn next_feed_due(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MIN(next_check_at) FROM feeds")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Writes polls that ended together in one transaction (one commit for the lot): for
    /// each feed, a success (fresh or 304: validators, titles, schedule; errors and the lease
    /// cleared) or an error (`outcome` `error`: one more consecutive error, the backoff time),
    /// and its fetch-log row. `false` in a feed's place when `owner` no longer holds its lease
    /// (nothing written for it).
    pub async fn record_polls(
        &self,
        owner: &str,
        polls: &[(i64, &PollRecord)],
    ) -> Result<Vec<bool>> {
        let mut held = Vec::with_capacity(polls.len());
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for &(feed_id, r) in polls {
                let updated = if r.outcome == "error" {
                    poll_error!(tx, owner, feed_id, r)
                } else {
                    poll_success!(tx, owner, feed_id, r)
                };
                held.push(updated > 0);
            }
            let logged: Vec<&(i64, &PollRecord)> =
                polls.iter().zip(&held).filter(|(_, h)| **h).map(|(p, _)| p).collect();
            if !logged.is_empty() {
                insert_logs!(tx, logged);
            }
            tx.commit().await?;
        });
        Ok(held)
    }

    /// Puts a feed off until `at` without a poll recorded (our own network was down): no
    /// error counted, the lease released. `false` when `owner` no longer holds the lease.
    pub async fn postpone_feed(
        &self,
        owner: &str,
        feed_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(on_pool!(self, pool => {
            sqlx::query(
                "UPDATE feeds SET next_check_at = $2, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $3",
            )
            .bind(feed_id)
            .bind(at)
            .bind(owner)
            .execute(pool)
            .await?
            .rows_affected() > 0
        }))
    }

    /// Stores entries not seen before as pending articles. An entry is old when its canonical
    /// URL is stored (from any feed) or this feed already gave its GUID. Two statements per
    /// chunk of entries, whatever the feed's size. When the database refuses the batch for a
    /// reason that is not transient, each entry is tried alone, so one bad entry costs only
    /// itself; what it refused is returned with the reason.
    pub async fn insert_entries(
        &self,
        feed_id: i64,
        entries: &[NewEntry],
    ) -> Result<EntriesStored> {
        let rows: Vec<EntryRow> = entries.iter().map(EntryRow::from).collect();
        match self.insert_entry_rows(feed_id, &rows).await {
            Ok(new) => Ok(EntriesStored {
                new,
                refused: Vec::new(),
            }),
            Err(e) if e.is_transient() => Err(e),
            Err(_) => self.insert_entries_one_by_one(feed_id, &rows).await,
        }
    }

    async fn insert_entries_one_by_one(
        &self,
        feed_id: i64,
        rows: &[EntryRow],
    ) -> Result<EntriesStored> {
        let mut stored = EntriesStored::default();
        for row in rows {
            match self
                .insert_entry_rows(feed_id, std::slice::from_ref(row))
                .await
            {
                Ok(n) => stored.new += n,
                Err(e) if e.is_transient() => return Err(e),
                Err(e) => stored.refused.push((row.url.clone(), e.cause())),
            }
        }
        Ok(stored)
    }

    async fn insert_entry_rows(&self, feed_id: i64, rows: &[EntryRow]) -> Result<usize> {
        // Well below SQLite's bound-parameter limit (32,766) at 9 parameters a row.
        const CHUNK: usize = 500;
        let now = Utc::now();
        let mut new = 0;
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for chunk in rows.chunks(CHUNK) {
                let guids: Vec<&str> = chunk.iter().filter_map(|e| e.guid.as_deref()).collect();
                let mut seen = std::collections::HashSet::new();
                if !guids.is_empty() {
                    let mut query = sqlx::QueryBuilder::new("SELECT guid FROM articles WHERE feed_id = ");
                    query.push_bind(feed_id).push(" AND guid IN (");
                    let mut list = query.separated(", ");
                    for guid in &guids {
                        list.push_bind(guid.to_string());
                    }
                    query.push(")");
                    let found: Vec<(String,)> = query.build_query_as().fetch_all(&mut *tx).await?;
                    seen.extend(found.into_iter().map(|(g,)| g));
                }
                let fresh: Vec<&EntryRow> = chunk
                    .iter()
                    .filter(|e| e.guid.as_ref().is_none_or(|g| !seen.contains(g)))
                    .collect();
                if fresh.is_empty() {
                    continue;
                }
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO articles (url_key, canonical_url, url, guid, feed_id, feed_title, \
                       published_at, next_attempt_at, discovered_at) ",
                );
                insert.push_values(&fresh, |mut row, e| {
                    row.push_bind(e.url_key.clone())
                        .push_bind(e.canonical_url.clone())
                        .push_bind(e.url.clone())
                        .push_bind(e.guid.clone())
                        .push_bind(feed_id)
                        .push_bind(e.title.clone())
                        .push_bind(e.published_at)
                        .push_bind(now)
                        .push_bind(now);
                });
                // Also skips a URL listed twice in the same feed. No conflict target: on SQLite
                // the old unique canonical_url says the same as url_key (see migration 0002).
                insert.push(" ON CONFLICT DO NOTHING");
                new += insert.build().execute(&mut *tx).await?.rows_affected() as usize;
            }
            tx.commit().await?;
        });
        Ok(new)
    }
}

/// What `insert_entries` did with a feed's entries.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct EntriesStored {
    /// Entries stored as new pending articles.
    pub new: usize,
    /// `(link, reason)` of entries the database refused.
    pub refused: Vec<(String, String)>,
}

/// An entry as it is written: its fixed-size key, and its text without control characters.
struct EntryRow {
    url_key: String,
    canonical_url: String,
    url: String,
    guid: Option<String>,
    title: Option<String>,
    published_at: Option<DateTime<Utc>>,
}

impl From<&NewEntry> for EntryRow {
    fn from(e: &NewEntry) -> EntryRow {
        EntryRow {
            url_key: url_key(&e.canonical_url),
            canonical_url: e.canonical_url.clone(),
            url: e.url.clone(),
            guid: sanitize::opt(&e.guid).map(|g| g.into_owned()),
            title: sanitize::opt(&e.title).map(|t| t.into_owned()),
            published_at: e.published_at,
        }
    }
}
