//! Alerts: recording one (the cooldown claim, the alert row and one outbox row per sink, in one
//! transaction), and the reads behind spike checks, `alerts list` and the envelope.
//!
//! The cooldown is serialised through the database: a rule fires about a subject only by
//! inserting its `alert_cooldowns` row, or by moving one whose time has run out. On PostgreSQL
//! the second of two daemons racing for the same row waits for the first's commit and then
//! finds the cooldown running; SQLite has one writer. So two daemons never fire the same alert.

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::articles::ExportRow;
use super::{Result, Store};

/// An alert to record, with where to send it.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub rule: String,
    /// `match` or `spike`.
    pub kind: String,
    /// What the cooldown is kept for: `article:ID`, `entity:TYPE:NAME`, `topic:NAME`.
    pub subject: String,
    pub fired_at: DateTime<Utc>,
    /// When it is written: its outbox rows are due from then (`fired_at` may be a clock
    /// given for a test or a backfill).
    pub queued_at: DateTime<Utc>,
    /// The rule stays quiet about the subject until then.
    pub quiet_until: DateTime<Utc>,
    pub articles: Vec<i64>,
    pub matched: Vec<String>,
    pub details: serde_json::Value,
    pub sinks: Vec<String>,
}

/// A recorded alert.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub rule: String,
    pub kind: String,
    pub subject: String,
    pub fired_at: DateTime<Utc>,
    pub articles: Json<Vec<i64>>,
    pub matched: Json<Vec<String>>,
    pub details: Json<serde_json::Value>,
}

/// Records `$a` (a `NewAlert`) in the open transaction `$tx` unless its rule is cooling down
/// about its subject; evaluates to the new alert's id, or `None`.
macro_rules! record_alert {
    ($tx:expr, $a:expr) => {{
        let claimed: Option<String> = sqlx::query_scalar(
            "INSERT INTO alert_cooldowns (rule, subject, until) VALUES ($1, $2, $3) \
             ON CONFLICT (rule, subject) DO UPDATE SET until = excluded.until \
             WHERE alert_cooldowns.until <= $4 RETURNING rule",
        )
        .bind(&$a.rule)
        .bind(&$a.subject)
        .bind($a.quiet_until)
        .bind($a.fired_at)
        .fetch_optional(&mut *$tx)
        .await?;
        match claimed {
            None => None,
            Some(_) => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO alerts (rule, kind, subject, fired_at, articles, matched, details) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&$a.rule)
                .bind(&$a.kind)
                .bind(&$a.subject)
                .bind($a.fired_at)
                .bind(Json(&$a.articles))
                .bind(Json(&$a.matched))
                .bind(Json(&$a.details))
                .fetch_one(&mut *$tx)
                .await?;
                for sink in &$a.sinks {
                    sqlx::query(
                        "INSERT INTO outbox (alert_id, sink, event, created_at, next_attempt_at) \
                         VALUES ($1, $2, 'alert.fired', $3, $3)",
                    )
                    .bind(id)
                    .bind(sink)
                    .bind($a.queued_at)
                    .execute(&mut *$tx)
                    .await?;
                }
                Some(id)
            }
        }
    }};
}
pub(super) use record_alert;

const ALERT_COLUMNS: &str = "id, rule, kind, subject, fired_at, articles, matched, details";

impl Store {
    /// Records an alert and its outbox rows in one transaction, unless the rule is cooling
    /// down about the subject (`None`).
    pub async fn record_alert(&self, alert: &NewAlert) -> Result<Option<i64>> {
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id = record_alert!(tx, alert);
            tx.commit().await?;
            id
        }))
    }

    /// Forgets cooldowns that ended before `before` (an ended cooldown and none mean the
    /// same). Returns how many.
    pub async fn prune_cooldowns(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, pool => {
            sqlx::query("DELETE FROM alert_cooldowns WHERE until < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Alerts fired at or after `since`, newest first, at most `limit`.
    pub async fn alerts_since(&self, since: DateTime<Utc>, limit: i64) -> Result<Vec<AlertRow>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE fired_at >= $1 ORDER BY fired_at DESC, id DESC LIMIT $2"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(since).bind(limit).fetch_all(pool).await?
        }))
    }

    pub async fn alert(&self, id: i64) -> Result<Option<AlertRow>> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
        }))
    }

    /// The start of the oldest hour with stored articles (from the rollups): how much history
    /// a spike's baseline has.
    pub async fn history_from(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MIN(hour) FROM hour_totals WHERE articles > 0")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Done articles naming the entity `(name, type)` with an event time in `[lo, hi)`, newest
    /// first, at most `limit`.
    pub async fn entity_articles(
        &self,
        name: &str,
        kind: &str,
        lo: DateTime<Utc>,
        hi: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<i64>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT a.id FROM article_entities ae JOIN entities e ON e.id = ae.entity_id \
                 JOIN articles a ON a.id = ae.article_id \
                 WHERE e.name = $1 AND e.type = $2 AND a.status = 'done' \
                 AND ae.seen_at >= $3 AND ae.seen_at < $4 ORDER BY a.event_time DESC, a.id DESC LIMIT $5",
            )
            .bind(name)
            .bind(kind)
            .bind(lo)
            .bind(hi)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Done articles of a user topic with an event time in `[lo, hi)`, newest first.
    pub async fn topic_articles(
        &self,
        topic: &str,
        lo: DateTime<Utc>,
        hi: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<i64>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT a.id FROM articles a JOIN article_topics t ON t.article_id = a.id \
                 WHERE t.topic = $1 AND a.status = 'done' AND a.event_time >= $2 AND a.event_time < $3 \
                 ORDER BY a.event_time DESC, a.id DESC LIMIT $4",
            )
            .bind(topic)
            .bind(lo)
            .bind(hi)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Articles of a topic (and how many distinct sources) and of all topics, in `[lo, hi)`:
    /// `(topic articles, topic sources, all articles)`.
    pub async fn topic_counts(
        &self,
        topic: &str,
        lo: DateTime<Utc>,
        hi: DateTime<Utc>,
    ) -> Result<(i64, i64, i64)> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT CAST(COUNT(t.topic) AS BIGINT), CAST(COUNT(DISTINCT CASE WHEN t.topic IS NULL THEN NULL ELSE a.source END) AS BIGINT), \
                   CAST(COUNT(*) AS BIGINT) \
                 FROM articles a LEFT JOIN article_topics t ON t.article_id = a.id AND t.topic = $1 \
                 WHERE a.status = 'done' AND a.event_time >= $2 AND a.event_time < $3",
            )
            .bind(topic)
            .bind(lo)
            .bind(hi)
            .fetch_one(pool)
            .await?
        }))
    }

    /// The stored articles with these ids as `articles export` reads them, in the order given.
    pub async fn export_rows(&self, ids: &[i64]) -> Result<Vec<ExportRow>> {
        let mut rows = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(row) = self.export_row(id).await? {
                rows.push(row);
            }
        }
        Ok(rows)
    }
}
