//! Test support: a news site on 127.0.0.1 port 0 serving feeds and article pages written by
//! the tests, databases for each back end, and a configuration pointing one at the other.

#![allow(dead_code)]

pub mod alerts;
pub mod daemon;
pub mod seed;
pub mod server;
pub mod sink_servers;

use std::sync::Arc;
use std::time::Duration;

use stringer::config::{Config, FeedConfig};
use stringer::enrich::Enricher;
use stringer::fetch::Http;
use stringer::pipeline::{self, Mode, Summary};
use stringer::store::Store;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Which database a story test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database that exists for one test: a SQLite file in a temporary folder, or a PostgreSQL
/// database created on the server of `STRINGER_TEST_POSTGRES_URL` and dropped afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    admin: Option<(String, String)>,
}

impl TestDb {
    /// `None` when PostgreSQL is asked for but `STRINGER_TEST_POSTGRES_URL` is not set.
    pub async fn new(db: Db) -> Option<TestDb> {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("stringer.db").display());
                Some(TestDb {
                    url,
                    _dir: Some(dir),
                    admin: None,
                })
            }
            Db::Postgres => {
                let admin = std::env::var("STRINGER_TEST_POSTGRES_URL").ok()?;
                let name = format!("stringer_test_{:016x}", rand_u64());
                let mut conn = connect_admin(&admin).await;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&name);
                Some(TestDb {
                    url: url.to_string(),
                    _dir: None,
                    admin: Some((admin, name)),
                })
            }
        }
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url, 4).await.expect("open test store")
    }

    pub async fn drop_db(self) {
        if let Some((admin, name)) = &self.admin {
            let mut conn = connect_admin(admin).await;
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

async fn connect_admin(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url).await.unwrap_or_else(|e| {
        panic!("STRINGER_TEST_POSTGRES_URL is set but PostgreSQL is unreachable at {url}: {e}")
    })
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

/// Generates one `#[tokio::test]` per back end for each story function `async fn(Db)`.
/// PostgreSQL tests pass with a note when `STRINGER_TEST_POSTGRES_URL` is unset (`.ci/run`
/// always sets it, so there they run).
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    $crate::common::watchdog(super::$story($crate::common::Db::Sqlite)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    if std::env::var("STRINGER_TEST_POSTGRES_URL").is_err() {
                        eprintln!("STRINGER_TEST_POSTGRES_URL not set: PostgreSQL story not run");
                        return;
                    }
                    $crate::common::watchdog(super::$story($crate::common::Db::Postgres)).await;
                }
            )*
        }
    };
}

/// Fails a test that hangs instead of letting it block the whole run.
pub async fn watchdog<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(Duration::from_secs(120), f)
        .await
        .expect("test took longer than its 120 s watchdog");
}

/// A configuration for tests: the given database, private networks allowed (the site is on
/// 127.0.0.1), short timeouts, immediate retries.
pub fn config(db_url: &str) -> Config {
    let mut cfg = Config::default();
    cfg.database.url = db_url.to_string();
    cfg.database.max_connections = 4;
    cfg.http.allow_private_networks = true;
    cfg.http.timeout = Duration::from_secs(10);
    cfg.poll.tick = Duration::from_millis(200);
    cfg.articles.per_host = 4;
    cfg.articles.retry_delay = Duration::from_secs(3600);
    cfg.articles.respect_robots_txt = true;
    cfg.pipeline.daemon_id = "test-daemon".into();
    cfg.pipeline.workers = 2;
    cfg.validate("test").expect("valid test config");
    cfg
}

pub fn with_feeds(mut cfg: Config, urls: &[String]) -> Config {
    cfg.feeds = urls
        .iter()
        .map(|u| FeedConfig {
            url: u.clone(),
            interval: None,
            tags: vec!["test".into()],
            title: None,
        })
        .collect();
    cfg.validate("test").expect("valid test config");
    cfg
}

/// Adds the configuration's feeds to the store, as the CLI does at start.
pub async fn sync_feeds(cfg: &Config, store: &Store) {
    for f in &cfg.feeds {
        store
            .upsert_feed(&stringer::store::FeedUpsert {
                url: f.url.clone(),
                tags: Some(f.tags.clone()),
                interval_secs: f.interval.map(|d| d.as_secs() as i32),
                ..Default::default()
            })
            .await
            .unwrap();
    }
}

/// The `stringer` binary with the developer's and the test runner's `STRINGER_*` variables
/// and `RUST_LOG` removed, so a test sees only what it sets.
pub fn stringer_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stringer"));
    for (k, _) in std::env::vars() {
        if k.starts_with("STRINGER_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// Runs one SQL statement on the database at `url` (either back end), outside the store.
pub async fn execute(url: &str, sql: &str) {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

/// A lease holder name (`NAME:HOST:PID:START:RUN`) of a process of this host that has exited.
pub fn dead_process_owner(name: &str) -> String {
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("run true");
    let pid = child.id();
    child.wait().expect("true exits");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().replace(':', "_"))
        .unwrap_or_else(|_| "localhost".into());
    format!("{name}:{host}:{pid}:1:0")
}

/// One `stringer once` pass, in process.
pub async fn once(cfg: &Config, store: &Store) -> Summary {
    sync_feeds(cfg, store).await;
    let http = Http::new(&cfg.http).unwrap();
    let enricher = Arc::new(Enricher::new(cfg));
    pipeline::run(
        cfg.clone(),
        store.clone(),
        http,
        enricher,
        Mode::Once,
        CancellationToken::new(),
    )
    .await
    .expect("pipeline run")
}

/// A story page with a headline and paragraphs, inside typical page furniture.
pub fn article_html(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} - Test Gazette</title>\
         <meta property=\"og:title\" content=\"{title}\">\
         <meta property=\"article:published_time\" content=\"2026-11-27T09:30:00Z\"></head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>\
         <article><h1>{title}</h1>{body}</article>\
         <footer>Copyright Test Gazette</footer></body></html>"
    )
}

/// Three distinct paragraphs of plausible news text about `subject`.
pub fn story(subject: &str) -> Vec<String> {
    vec![
        format!(
            "Officials in Brussels said on Tuesday that talks about {subject} would continue next week, after negotiators failed to agree on the final wording of the text."
        ),
        format!(
            "The dispute over {subject} has divided member states for months, with several governments warning that a delay could cost industry billions of euros in lost orders."
        ),
        format!(
            "Analysts at a London research group said the outcome on {subject} would shape investment decisions well into next year, whatever the final compromise looks like."
        ),
    ]
}

pub struct Site {
    pub server: MockServer,
}

impl Site {
    pub async fn start() -> Site {
        Site {
            server: MockServer::start().await,
        }
    }

    pub fn url(&self, p: &str) -> String {
        format!("{}{p}", self.server.uri())
    }

    /// Serves `body` at `p` with status 200 and the given content type.
    pub async fn serve(&self, p: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.into(), content_type))
            .mount(&self.server)
            .await;
    }

    /// Serves a story page at `p` about `subject`.
    pub async fn article(&self, p: &str, title: &str, subject: &str) {
        let paragraphs = story(subject);
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        self.serve(p, "text/html; charset=utf-8", article_html(title, &refs))
            .await;
    }

    pub async fn requests_to(&self, p: &str) -> Vec<wiremock::Request> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == p)
            .collect()
    }
}

/// An RSS 2.0 feed of `(title, link)` items.
pub fn rss(items: &[(&str, String)]) -> String {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(i, (title, link))| {
            format!(
                "<item><title>{title}</title><link>{}</link><guid isPermaLink=\"false\">rss-{i}-{title}</guid>\
                 <pubDate>Fri, 27 Nov 2026 0{}:00:00 GMT</pubDate></item>",
                link.replace('&', "&amp;"),
                i % 10
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Test RSS</title>\
         <link>http://example.invalid/</link><description>d</description>{items}</channel></rss>"
    )
}

pub fn atom(items: &[(&str, String)]) -> String {
    let entries: String = items
        .iter()
        .map(|(title, link)| {
            format!(
                "<entry><title>{title}</title><link rel=\"alternate\" href=\"{link}\"/><id>urn:test:{title}</id>\
                 <updated>2026-11-27T08:00:00Z</updated><published>2026-11-27T07:00:00Z</published></entry>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Test Atom</title><id>urn:test:feed</id><updated>2026-11-27T08:00:00Z</updated>{entries}</feed>"
    )
}

pub fn json_feed(items: &[(&str, String)]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|(title, link)| {
            serde_json::json!({"id": format!("json-{title}"), "url": link, "title": title,
                               "date_published": "2026-11-27T06:00:00Z", "content_text": "summary"})
        })
        .collect();
    serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": "Test JSON", "items": items}).to_string()
}
