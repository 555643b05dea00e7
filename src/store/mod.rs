//! Storage: one API over SQLite and PostgreSQL, the source of truth for what has been seen and
//! what is pending.
//!
//! The back end is chosen once from the URL scheme. Each has its own migrations folder
//! (`migrations/sqlite`, `migrations/postgres`), applied at start. Queries are written once
//! where the SQL is the same on both (positional `$n` parameters, `ON CONFLICT`, `RETURNING`)
//! and run through [`on_pool!`], which type-checks the same code against each driver; where
//! the dialects differ (row locking) the SQL is chosen per back end. Every write is an
//! idempotent upsert, so a retried or repeated step never duplicates anything.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

/// Runs `$body` with `$pool` bound to whichever pool backs `$store`. The body is compiled
/// once per back end, so it must be valid for both drivers.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}

mod alerts;
mod articles;
mod browse;
mod complete;
mod entities;
mod error;
mod feeds;
mod health;
mod keys;
mod leases;
mod outbox;
mod rollups;
mod sanitize;
mod stories;
mod stream;
mod topics;
mod trends;

pub use error::{Result, StoreError};

pub use alerts::{AlertRow, NewAlert};
pub use articles::{ArticleState, ExportFilter, ExportRow, StatusCounts};
pub use browse::{ArticleFilter, ArticleSummary};
pub use complete::Completion;
pub use entities::{CoMention, EntityRef};
pub use feeds::{EntriesStored, FeedRow, FeedSelection, FeedUpsert, PollRecord};
pub use health::{DbCounts, FeedHealth};
pub use outbox::{OutboxItem, SinkStatus};
pub use stories::StoryRow;
pub use stream::SinkFigures;
pub use topics::SubjectRow;
pub use trends::{TrendQuery, TrendRow};

/// Statements slower than this are logged as warnings (sqlx's default of 1 s flags ordinary
/// waits for SQLite's write lock under load).
const SLOW_STATEMENT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone (the pools are shared).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://PATH`, `sqlite::memory:` or `postgres://...`) and applies
    /// pending migrations. A SQLite file and its folder are created on first use.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        let redacted = crate::config::redact_url(url);
        let connect_err = |source| StoreError::Connect {
            url: redacted.clone(),
            source,
        };
        let backend = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect_err)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
            let filename = options.get_filename().to_path_buf();
            if let Some(dir) = filename.parent()
                && !dir.as_os_str().is_empty()
                && !url.contains(":memory:")
            {
                std::fs::create_dir_all(dir).map_err(|e| connect_err(sqlx::Error::Io(e)))?;
            }
            // An in-memory database exists once per connection: keep to one.
            let max = if url.contains(":memory:") {
                1
            } else {
                max_connections
            };
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .connect_with(options)
                .await
                .map_err(connect_err)?;
            Backend::Sqlite(pool)
        } else {
            let options = PgConnectOptions::from_str(url)
                .map_err(connect_err)?
                .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
            // One direct connection first: the pool would retry until its timeout and then
            // report only "timed out", hiding "connection refused" or "no such database".
            PgConnection::connect_with(&options)
                .await
                .map_err(connect_err)?
                .close()
                .await
                .map_err(connect_err)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                // Long enough for a busy server, short enough that an outage shows within
                // seconds (the pipeline waits it out and says so).
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(connect_err)?;
            Backend::Postgres(pool)
        };
        let store = Store { backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations of this back end that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                // sqlx locks PostgreSQL migrations (advisory lock) but not SQLite ones: two
                // processes opening a new file at once both try to create the tables, and the
                // later one fails once the earlier commits. Running again then finds the
                // migration applied.
                let migrator = sqlx::migrate!("migrations/sqlite");
                let mut attempt = 0;
                loop {
                    match migrator.run(pool).await {
                        Ok(()) => break,
                        Err(_) if attempt < 3 => {
                            attempt += 1;
                            tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            Backend::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        self.fill_url_keys().await?;
        self.fill_event_times().await
    }

    /// Gives articles stored before migrations 0003 and 0004 their event time, source and
    /// event hour, and marks their hours for the rollups.
    async fn fill_event_times(&self) -> Result<()> {
        type Row = (
            i64,
            String,
            Option<String>,
            Option<DateTime<Utc>>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
        );
        loop {
            let rows: Vec<Row> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT id, url, final_url, published_at, discovered_at, event_time FROM articles \
                     WHERE status = 'done' AND event_hour IS NULL LIMIT 1000",
                )
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                return Ok(());
            }
            on_pool!(self, pool => {
                let mut tx = pool.begin_with(self.begin_write()).await?;
                for (id, url, final_url, published, discovered, known) in &rows {
                    let at = known.unwrap_or_else(|| crate::event_time::event_time(*published, *discovered));
                    let hour = crate::event_time::event_hour(at);
                    sqlx::query(
                        "UPDATE articles SET event_time = $1, event_hour = $2, \
                         source = COALESCE(source, $3) WHERE id = $4",
                    )
                    .bind(at)
                    .bind(hour)
                    .bind(crate::urls::source_of(final_url.as_deref().unwrap_or(url)))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    rollups::dirty_hour!(tx, hour);
                }
                tx.commit().await?;
            });
        }
    }

    /// Gives articles stored before migration 0002 their `url_key`, which only the daemon can
    /// compute (SQL has no SHA-256 on SQLite). Does nothing once every row has one.
    async fn fill_url_keys(&self) -> Result<()> {
        loop {
            let rows: Vec<(i64, String)> = on_pool!(self, pool => {
                sqlx::query_as("SELECT id, canonical_url FROM articles WHERE url_key IS NULL LIMIT 1000")
                    .fetch_all(pool)
                    .await?
            });
            if rows.is_empty() {
                return Ok(());
            }
            on_pool!(self, pool => {
                let mut tx = pool.begin_with(self.begin_write()).await?;
                for (id, canonical) in &rows {
                    sqlx::query("UPDATE articles SET url_key = $1 WHERE id = $2")
                        .bind(keys::url_key(canonical))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            });
        }
    }

    /// The statement that opens a write transaction. SQLite must take the write lock at the
    /// start: a deferred transaction that reads first and then writes fails at once with
    /// SQLITE_BUSY when another connection writes (the busy timeout cannot help, it would
    /// deadlock).
    fn begin_write(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "BEGIN IMMEDIATE",
            Backend::Postgres(_) => "BEGIN",
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Why a new connection cannot be made right now (`None`: it can, or the back end is a
    /// file). The pool only says it timed out; this names the cause, such as "connection
    /// refused", for the log line of an outage.
    pub async fn probe(&self) -> Option<String> {
        let Backend::Postgres(pool) = &self.backend else {
            return None;
        };
        let options = pool.connect_options();
        match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect_with(&options))
            .await
        {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                None
            }
            Ok(Err(e)) => Some(StoreError::Sql(e).cause()),
            Err(_) => Some("no answer within 5 s".into()),
        }
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}
