//! Failures are data: a page that fails for good is marked failed at once, a temporary
//! failure is retried later, and `feeds list` says which feeds need attention and why.

mod common;

use common::{Site, TestDb};
use stringer::model::NewEntry;
use stringer::store::{ArticleState, FeedUpsert, Store};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

async fn status_at(site: &Site, p: &str, status: u16) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(ResponseTemplate::new(status))
        .mount(&site.server)
        .await;
}

async fn state(store: &Store, canonical: &str) -> ArticleState {
    store
        .article_state(canonical)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{canonical} not stored"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_gone_for_good_fail_at_once_and_busy_ones_wait() {
    let site = Site::start().await;
    site.article("/fine.html", "Fine", "fine matter").await;
    status_at(&site, "/gone.html", 404).await;
    status_at(&site, "/removed.html", 410).await;
    status_at(&site, "/busy.html", 503).await;
    let links = ["fine", "gone", "removed", "busy"].map(|p| site.url(&format!("/{p}.html")));
    let items: Vec<(&str, String)> = links.iter().map(|l| ("story", l.clone())).collect();
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let tdb = TestDb::new(common::Db::Sqlite).await.unwrap();
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(
        (
            summary.articles_stored,
            summary.articles_failed,
            summary.articles_retry_later
        ),
        (1, 2, 1),
        "{summary:?}"
    );
    for gone in [&links[1], &links[2]] {
        let s = state(&store, gone).await;
        assert_eq!(
            (s.status.as_str(), s.attempts),
            ("failed", 1),
            "{gone}: {s:?}"
        );
    }
    let busy = state(&store, &links[3]).await;
    assert_eq!(
        (busy.status.as_str(), busy.attempts),
        ("pending", 1),
        "{busy:?}"
    );
    // Not due yet: a second pass leaves the busy server alone.
    common::once(&cfg, &store).await;
    assert_eq!(site.requests_to("/busy.html").await.len(), 1);
    assert_eq!(site.requests_to("/gone.html").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_refused_by_the_guard_or_unparsable_fail_at_once() {
    let site = Site::start().await;
    site.article("/inside.html", "Inside", "private matter")
        .await;
    let tdb = TestDb::new(common::Db::Sqlite).await.unwrap();
    let mut cfg = common::config(&tdb.url);
    cfg.http.allow_private_networks = false;
    let store = tdb.store().await;
    let (feed_id, _) = store
        .upsert_feed(&FeedUpsert {
            url: "https://feeds.example/rss".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let entry = |url: &str, canonical: &str| NewEntry {
        guid: None,
        url: url.to_string(),
        canonical_url: canonical.to_string(),
        title: Some("t".into()),
        published_at: None,
    };
    let private = site.url("/inside.html");
    let entries = [
        entry(&private, &private),
        entry("http://[::1/broken", "bad:broken"),
    ];
    store.insert_entries(feed_id, &entries).await.unwrap();
    // Polling the unreachable feed is not what this test is about: only articles are claimed.
    stringer::store::Store::remove_feed(&store, "https://feeds.example/rss")
        .await
        .unwrap();
    common::once(&cfg, &store).await;
    for canonical in [private.as_str(), "bad:broken"] {
        let s = state(&store, canonical).await;
        assert_eq!(
            (s.status.as_str(), s.attempts),
            ("failed", 1),
            "{canonical}: {s:?}"
        );
        let why = s.last_error.unwrap_or_default();
        assert!(
            why.contains("refused") || why.contains("not a usable URL"),
            "{why}"
        );
    }
    assert!(site.requests_to("/inside.html").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_list_shows_state_and_why_and_health_only_the_ones_needing_attention() {
    let site = Site::start().await;
    site.article("/a.html", "A story", "the harbour tax").await;
    site.serve(
        "/good.xml",
        "application/rss+xml",
        common::rss(&[("A story", site.url("/a.html"))]),
    )
    .await;
    site.serve("/empty.xml", "application/rss+xml", common::rss(&[]))
        .await;
    status_at(&site, "/missing.xml", 404).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    let feeds = ["/good.xml", "/empty.xml", "/missing.xml"].map(|p| site.url(p));
    let cfg = common::with_feeds(common::config(&db), &feeds);
    let store = Store::connect(&db, 2).await.unwrap();
    common::once(&cfg, &store).await;
    store.close().await;

    let config = dir.path().join("c.toml");
    std::fs::write(&config, "").unwrap();
    let list = |args: &[&str]| {
        let o = common::stringer_command()
            .env("STRINGER_DATABASE_URL", &db)
            .arg("--config")
            .arg(&config)
            .args(["feeds", "list"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let all: Vec<serde_json::Value> = list(&["--format", "json"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_url = |u: &str| all.iter().find(|f| f["url"] == u).unwrap().clone();
    let good = by_url(&feeds[0]);
    assert_eq!(
        (good["state"].as_str(), good["entries_seen"].as_i64()),
        (Some("ok"), Some(1))
    );
    assert!(good["last_new_entry_at"].is_string());
    let empty = by_url(&feeds[1]);
    assert_eq!(empty["state"], "empty", "{empty}");
    let missing = by_url(&feeds[2]);
    assert_eq!(missing["state"], "failing", "{missing}");
    assert_eq!(missing["last_error_kind"], "http_status");
    assert!(
        missing["why"].as_str().unwrap().contains("HTTP 404"),
        "{missing}"
    );

    let health = list(&["--health"]);
    assert!(health.starts_with("URL"), "{health}");
    assert!(!health.contains(&feeds[0]), "{health}");
    assert!(
        health.contains(&feeds[1]) && health.contains(&feeds[2]),
        "{health}"
    );
    assert!(health.contains("http_status: HTTP 404"), "{health}");
}
