//! Work that holds: every article is fetched once, stored once and never stuck — with text the
//! database would refuse, links too long for an index, an article the database always
//! refuses, work that waits past its lease, and two runs sharing one database. Every story
//! runs against SQLite and, when `STRINGER_TEST_POSTGRES_URL` is set, against PostgreSQL.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Db, Site, TestDb};
use stringer::config::Config;
use stringer::enrich::Enricher;
use stringer::fetch::Http;
use stringer::pipeline::{self, Mode, Summary};
use stringer::store::Store;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

on_both_backends!(
    control_characters_in_a_page_and_a_feed_title_are_stored_without_them,
    links_too_long_are_rejected_on_the_feed_and_the_other_items_stored,
    an_article_the_database_refuses_ends_failed_after_max_attempts,
    work_queued_past_its_lease_is_not_fetched_twice,
    a_lease_held_unknowingly_runs_out,
    once_beside_a_daemon_with_the_same_config_fetches_no_page_twice,
    fetch_log_rows_past_their_retention_are_deleted,
);

async fn control_characters_in_a_page_and_a_feed_title_are_stored_without_them(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let paragraphs = common::story("port tariffs");
    let mut page = common::article_html(
        "Port tariffs",
        &[
            &format!("{}\u{0} with a NUL", paragraphs[0]),
            &paragraphs[1],
            &paragraphs[2],
        ],
    );
    page = page.replace("<title>Port tariffs", "<title>Port\u{0} tariffs\u{7}");
    site.serve("/nul.html", "text/html; charset=utf-8", page)
        .await;
    // JSON allows a NUL in a string, so a JSON Feed can carry one in an entry's title.
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1", "title": "Feed\u{0} title",
        "items": [{"id": "nul\u{0}-id", "url": site.url("/nul.html"), "title": "Entry\u{0} title"}]
    });
    site.serve("/feed.json", "application/feed+json", feed.to_string())
        .await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.json")]);
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.articles_stored, 1, "{summary:?}");
    let stored = store
        .export_page(0, &stringer::store::ExportFilter::default(), 10)
        .await
        .unwrap();
    let text = stored[0].text.as_deref().unwrap_or("");
    assert!(
        text.contains("with a NUL") && !text.contains('\0'),
        "{text:?}"
    );
    let title = stored[0].title.as_deref().unwrap_or("");
    assert!(title.starts_with("Port tariffs"), "{title:?}");
    assert!(!title.chars().any(char::is_control), "{title:?}");
    let feed = &store.list_feeds().await.unwrap()[0];
    assert_eq!(feed.title.as_deref(), Some("Feed title"));
    assert_eq!(feed.error_count, 0, "{:?}", feed.last_error);
    store.close().await;
    tdb.drop_db().await;
}

async fn links_too_long_are_rejected_on_the_feed_and_the_other_items_stored(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    site.article("/ok/1.html", "First fine story", "fine matter one")
        .await;
    site.article("/ok/2.html", "Second fine story", "fine matter two")
        .await;
    let items = vec![
        ("First fine story", site.url("/ok/1.html")),
        (
            "Three kilobytes",
            site.url(&format!("/{}", "k".repeat(3 * 1024))),
        ),
        ("Second fine story", site.url("/ok/2.html")),
        (
            "A hundred kilobytes",
            site.url(&format!("/{}", "h".repeat(100 * 1024))),
        ),
    ];
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(
        (summary.feeds_polled, summary.feeds_failed),
        (1, 0),
        "{summary:?}"
    );
    assert_eq!(summary.articles_stored, 2, "{summary:?}");
    let feed = &store.list_feeds().await.unwrap()[0];
    assert_eq!(feed.error_count, 0, "{:?}", feed.last_error);
    let why = feed.last_entry_error.as_deref().unwrap_or("");
    assert!(
        why.starts_with("2 entries rejected") && why.contains("longer than 2048"),
        "{why}"
    );
    // The next poll takes nothing new and records the same rejections.
    let again = common::once(&cfg, &store).await;
    assert_eq!((again.feeds_failed, again.articles_stored), (0, 0));
    store.close().await;
    tdb.drop_db().await;
}

/// Makes the database refuse to mark done any article whose URL contains "poison".
async fn poison(store_url: &str, db: Db) {
    let statements: &[&str] = match db {
        Db::Sqlite => &["CREATE TRIGGER poison BEFORE UPDATE OF status ON articles \
             WHEN NEW.status = 'done' AND NEW.url LIKE '%poison%' \
             BEGIN SELECT RAISE(ABORT, 'poisoned article'); END"],
        Db::Postgres => &[
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
               IF NEW.status = 'done' AND NEW.url LIKE '%poison%' THEN \
                 RAISE EXCEPTION 'poisoned article'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER poison BEFORE UPDATE ON articles FOR EACH ROW EXECUTE FUNCTION poison()",
        ],
    };
    for sql in statements {
        common::execute(store_url, sql).await;
    }
}

async fn an_article_the_database_refuses_ends_failed_after_max_attempts(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let mut items = Vec::new();
    for name in ["one", "poison", "two", "three"] {
        let p = format!("/s/{name}.html");
        site.article(&p, &format!("Story {name}"), &format!("matter {name}"))
            .await;
        items.push(("Story", site.url(&p)));
    }
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let mut cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    cfg.articles.max_attempts = 3;
    cfg.articles.retry_delay = Duration::from_millis(50);
    let store = tdb.store().await;
    poison(&tdb.url, db).await;
    let mut stored = 0;
    for _ in 0..6 {
        stored += common::once(&cfg, &store).await.articles_stored;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert_eq!(stored, 3, "the batch-mates are stored once each");
    let poisoned = store
        .article_state(&site.url("/s/poison.html"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(poisoned.status, "failed", "{poisoned:?}");
    assert_eq!(poisoned.attempts, 3, "{poisoned:?}");
    let why = poisoned.last_error.unwrap_or_default();
    assert!(why.contains("poisoned article"), "{why}");
    assert_eq!(site.requests_to("/s/poison.html").await.len(), 3);
    for name in ["one", "two", "three"] {
        assert_eq!(
            site.requests_to(&format!("/s/{name}.html")).await.len(),
            1,
            "{name}"
        );
    }
    store.close().await;
    tdb.drop_db().await;
}

/// A claim can commit while its answer is lost to a dropped connection: the process then
/// holds leases it does not know of. Renewal covers only the work in hand, so those leases
/// run out and the work is claimed again.
async fn a_lease_held_unknowingly_runs_out(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let (feed, _) = store
        .upsert_feed(&stringer::store::FeedUpsert {
            url: "https://example.com/feed.xml".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let entries: Vec<stringer::model::NewEntry> = (0..2)
        .map(|i| {
            let url = format!("https://example.com/{i}.html");
            stringer::model::NewEntry {
                guid: None,
                canonical_url: url.clone(),
                url,
                title: None,
                published_at: None,
            }
        })
        .collect();
    store.insert_entries(feed, &entries).await.unwrap();
    let now = chrono::Utc::now();
    let lease = chrono::Duration::seconds(60);
    let claimed = store
        .claim_articles(now, "me", now + lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    // Only the first reached the pipeline; the answer for the second was "lost".
    let later = now + chrono::Duration::seconds(45);
    let renewed = store
        .renew_leases("me", later + lease, &[], &[claimed[0].id])
        .await
        .unwrap();
    assert_eq!(renewed, 1);
    let after_expiry = now + lease + chrono::Duration::seconds(1);
    let again = store
        .claim_articles(after_expiry, "other", after_expiry + lease, 10)
        .await
        .unwrap();
    let ids: Vec<i64> = again.iter().map(|j| j.id).collect();
    assert_eq!(ids, vec![claimed[1].id], "only the unknown lease ran out");
    store.close().await;
    tdb.drop_db().await;
}

/// A site whose pages take `delay` each, with `n` articles listed in one feed.
async fn slow_site(n: usize, delay: Duration) -> (Site, Vec<String>) {
    let site = Site::start().await;
    let mut items = Vec::new();
    let mut paths = Vec::new();
    for i in 0..n {
        let p = format!("/slow/{i}.html");
        let paragraphs = common::story(&format!("slow matter {i}"));
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(
                        common::article_html(&format!("Slow {i}"), &refs),
                        "text/html; charset=utf-8",
                    )
                    .set_delay(delay),
            )
            .mount(&site.server)
            .await;
        items.push(("Slow", site.url(&p)));
        paths.push(p);
    }
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    (site, paths)
}

/// A run with a connection pool of its own, as another process would have.
fn run(cfg: &Config, mode: Mode, stop: CancellationToken) -> tokio::task::JoinHandle<Summary> {
    let http = Http::new(&cfg.http).unwrap();
    let enricher = Arc::new(Enricher::new(cfg));
    let cfg = cfg.clone();
    tokio::spawn(async move {
        let store = Store::connect(&cfg.database.url, 4).await.unwrap();
        let summary = pipeline::run(cfg, store.clone(), http, enricher, mode, stop)
            .await
            .expect("pipeline run");
        store.close().await;
        summary
    })
}

async fn wait_until_done(store: &Store, n: i64) {
    for _ in 0..600 {
        let c = store.article_counts().await.unwrap();
        if c.done + c.failed >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("articles not done: {:?}", store.article_counts().await);
}

async fn assert_each_fetched_once(site: &Site, paths: &[String]) {
    for p in paths {
        assert_eq!(site.requests_to(p).await.len(), 1, "{p}");
    }
}

async fn work_queued_past_its_lease_is_not_fetched_twice(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    // One page at a time from a slow host: the last articles wait many lease lengths.
    let (site, paths) = slow_site(20, Duration::from_millis(300)).await;
    let mut cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    cfg.articles.per_host = 1;
    // Renewed every 400 ms: a loaded machine has 1.2 s of slack before a lease runs out.
    cfg.pipeline.lease = Duration::from_millis(1600);
    let store = tdb.store().await;
    common::sync_feeds(&cfg, &store).await;
    // A second daemon shares the database and takes any lease that runs out.
    let stop = CancellationToken::new();
    let first = run(&cfg, Mode::Daemon, stop.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = run(&cfg, Mode::Daemon, stop.clone());
    wait_until_done(&store, paths.len() as i64).await;
    stop.cancel();
    let stored = first.await.unwrap().articles_stored + second.await.unwrap().articles_stored;
    assert_eq!(stored, paths.len());
    assert_each_fetched_once(&site, &paths).await;
    store.close().await;
    tdb.drop_db().await;
}

async fn once_beside_a_daemon_with_the_same_config_fetches_no_page_twice(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let (site, paths) = slow_site(16, Duration::from_millis(100)).await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;
    common::sync_feeds(&cfg, &store).await;
    let stop = CancellationToken::new();
    let daemon = run(&cfg, Mode::Daemon, stop.clone());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let once = run(&cfg, Mode::Once, CancellationToken::new());
    let from_once = once.await.unwrap().articles_stored;
    wait_until_done(&store, paths.len() as i64).await;
    stop.cancel();
    let from_daemon = daemon.await.unwrap().articles_stored;
    assert_eq!(from_once + from_daemon, paths.len());
    assert_eq!(
        store.article_counts().await.unwrap().done,
        paths.len() as i64
    );
    assert_each_fetched_once(&site, &paths).await;
    store.close().await;
    tdb.drop_db().await;
}

/// `fetch_log` is bounded: rows of polls started before the cut-off are deleted, later ones kept.
async fn fetch_log_rows_past_their_retention_are_deleted(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let (feed_id, _) = store
        .upsert_feed(&stringer::store::FeedUpsert {
            url: "https://wire.example/feed.xml".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let now = chrono::Utc::now();
    for days_ago in [40, 1] {
        let at = (now - chrono::Duration::days(days_ago)).to_rfc3339();
        common::execute(
            &tdb.url,
            &format!(
                "INSERT INTO fetch_log (feed_id, started_at, duration_ms, http_status, outcome) \
                 VALUES ({feed_id}, '{at}', 10, 200, 'fetched')"
            ),
        )
        .await;
    }
    let cut = now - chrono::Duration::days(30);
    assert_eq!(
        store.prune_fetch_log(cut).await.unwrap(),
        1,
        "the old row only"
    );
    assert_eq!(store.prune_fetch_log(cut).await.unwrap(), 0);
    store.close().await;
    tdb.drop_db().await;
}
