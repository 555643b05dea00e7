//! End-to-end stories of the daemon: feeds served on 127.0.0.1 go through one `once` pass into
//! the store. Every story runs against SQLite and, when `STRINGER_TEST_POSTGRES_URL` is set,
//! against PostgreSQL.

mod common;

use chrono::{Duration as ChronoDuration, Utc};
use common::{Db, Site, TestDb};
use stringer::model::NewEntry;
use stringer::store::{ExportRow, Store};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

on_both_backends!(
    rss_atom_and_json_feed_end_in_stored_articles,
    second_poll_is_conditional_and_not_modified_changes_nothing,
    failing_feeds_are_recorded_while_others_are_stored,
    same_story_from_two_feeds_is_stored_once,
    second_pass_stores_and_fetches_nothing_new,
    restart_completes_articles_discovered_before_a_crash,
    failed_article_fetches_are_recorded_and_retried_only_when_transient,
    private_addresses_are_refused_unless_allowed,
    two_daemons_share_the_work_without_doing_it_twice,
    entries_are_new_once_by_url_and_by_guid,
    the_configured_feed_list_is_synced_and_only_changes_are_written,
);

async fn done_articles(store: &Store) -> Vec<ExportRow> {
    store
        .export_page(0, &stringer::store::ExportFilter::default(), 10_000)
        .await
        .unwrap()
}

async fn rss_atom_and_json_feed_end_in_stored_articles(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let mut feeds = Vec::new();
    for (kind, feed_path) in [
        ("rss", "/rss.xml"),
        ("atom", "/atom.xml"),
        ("json", "/feed.json"),
    ] {
        let items: Vec<(&str, String)> = (1..=2)
            .map(|i| {
                let title: &'static str = Box::leak(format!("{kind} story {i}").into_boxed_str());
                (title, site.url(&format!("/{kind}/{i}.html")))
            })
            .collect();
        for (i, (title, _)) in items.iter().enumerate() {
            site.article(
                &format!("/{kind}/{}.html", i + 1),
                title,
                &format!("{kind} subject {}", i + 1),
            )
            .await;
        }
        let (body, ctype) = match kind {
            "rss" => (common::rss(&items), "application/rss+xml"),
            "atom" => (common::atom(&items), "application/atom+xml"),
            _ => (common::json_feed(&items), "application/feed+json"),
        };
        site.serve(feed_path, ctype, body).await;
        feeds.push(site.url(feed_path));
    }
    let cfg = common::with_feeds(common::config(&tdb.url), &feeds);
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.feeds_polled, 3, "{summary:?}");
    assert_eq!(summary.articles_stored, 6, "{summary:?}");
    let articles = done_articles(&store).await;
    assert_eq!(articles.len(), 6);
    for kind in ["rss", "atom", "json"] {
        for i in 1..=2 {
            let url = site.url(&format!("/{kind}/{i}.html"));
            let a = articles
                .iter()
                .find(|a| a.url == url)
                .unwrap_or_else(|| panic!("{url} not stored"));
            let text = a.text.as_deref().unwrap_or("");
            assert!(
                text.contains(&format!("{kind} subject {i}")),
                "{url}: {text}"
            );
            assert!(
                a.title
                    .as_deref()
                    .unwrap_or("")
                    .contains(&format!("{kind} story {i}")),
                "{url}: {:?}",
                a.title
            );
            assert!(a.published_at.is_some(), "{url} has no date");
            assert_eq!(
                a.feed_url.as_deref(),
                Some(site.url(&format!("/{}", feed_file(kind))).as_str())
            );
        }
    }
    for feed in store.list_feeds().await.unwrap() {
        assert_eq!(feed.error_count, 0, "{}: {:?}", feed.url, feed.last_error);
        assert!(feed.last_success_at.is_some());
    }
    store.close().await;
    tdb.drop_db().await;
}

fn feed_file(kind: &str) -> &'static str {
    match kind {
        "rss" => "rss.xml",
        "atom" => "atom.xml",
        _ => "feed.json",
    }
}

async fn second_poll_is_conditional_and_not_modified_changes_nothing(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let items = vec![
        ("Alpha", site.url("/a.html")),
        ("Beta", site.url("/b.html")),
    ];
    site.article("/a.html", "Alpha", "alpha tariffs").await;
    site.article("/b.html", "Beta", "beta elections").await;
    let last_modified = "Fri, 27 Nov 2026 10:00:00 GMT";
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(header("If-None-Match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&site.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "\"v1\"")
                .insert_header("Last-Modified", last_modified)
                .set_body_raw(common::rss(&items), "application/rss+xml"),
        )
        .with_priority(2)
        .mount(&site.server)
        .await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;
    let first = common::once(&cfg, &store).await;
    assert_eq!(first.articles_stored, 2);
    let before = done_articles(&store).await;

    let second = common::once(&cfg, &store).await;
    assert_eq!(second.feeds_not_modified, 1, "{second:?}");
    assert_eq!(second.new_entries, 0);
    assert_eq!(second.articles_stored, 0);
    let polls = site.requests_to("/feed.xml").await;
    assert_eq!(polls.len(), 2);
    assert!(polls[0].headers.get("if-none-match").is_none());
    assert_eq!(polls[1].headers.get("if-none-match").unwrap(), "\"v1\"");
    assert_eq!(
        polls[1].headers.get("if-modified-since").unwrap(),
        last_modified
    );
    assert_eq!(site.requests_to("/a.html").await.len(), 1);
    let after = done_articles(&store).await;
    assert_eq!(
        before
            .iter()
            .map(|a| (&a.canonical_url, &a.text))
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|a| (&a.canonical_url, &a.text))
            .collect::<Vec<_>>()
    );
    let feed = store
        .feed_by_url(&site.url("/feed.xml"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        feed.etag.as_deref(),
        Some("\"v1\""),
        "a 304 must keep the validators"
    );
    assert_eq!(feed.error_count, 0);
    store.close().await;
    tdb.drop_db().await;
}

async fn failing_feeds_are_recorded_while_others_are_stored(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    site.article("/ok/1.html", "Good one", "good one").await;
    site.article("/ok/2.html", "Good two", "good two").await;
    site.serve(
        "/ok.xml",
        "application/rss+xml",
        common::rss(&[
            ("Good one", site.url("/ok/1.html")),
            ("Good two", site.url("/ok/2.html")),
        ]),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/broken.xml"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .mount(&site.server)
        .await;
    site.serve(
        "/malformed.xml",
        "application/rss+xml",
        "<rss version=\"2.0\"><channel><item><title>x</ti",
    )
    .await;
    let broken = site.url("/broken.xml");
    let malformed = site.url("/malformed.xml");
    let cfg = common::with_feeds(
        common::config(&tdb.url),
        &[site.url("/ok.xml"), broken.clone(), malformed.clone()],
    );
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.feeds_failed, 2, "{summary:?}");
    assert_eq!(summary.articles_stored, 2);
    assert_eq!(done_articles(&store).await.len(), 2);

    let b = store.feed_by_url(&broken).await.unwrap().unwrap();
    assert_eq!(b.error_count, 1);
    assert!(
        b.last_error.as_deref().unwrap().contains("500"),
        "{:?}",
        b.last_error
    );
    assert!(
        b.next_check_at > Utc::now(),
        "a failed feed is retried later, not at once"
    );
    let m = store.feed_by_url(&malformed).await.unwrap().unwrap();
    assert_eq!(m.error_count, 1);
    assert!(
        m.last_error.as_deref().unwrap().contains("does not parse"),
        "{:?}",
        m.last_error
    );
    assert_eq!(m.last_error_kind.as_deref(), Some("parse"));
    assert_eq!(b.last_error_kind.as_deref(), Some("http_status"));

    // Errors accumulate; the feed is never dropped.
    common::once(&cfg, &store).await;
    assert_eq!(
        store
            .feed_by_url(&broken)
            .await
            .unwrap()
            .unwrap()
            .error_count,
        2
    );
    store.close().await;
    tdb.drop_db().await;
}

async fn same_story_from_two_feeds_is_stored_once(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    site.article("/world/story.html", "Shared story", "a shared subject")
        .await;
    let plain = site.url("/world/story.html");
    let tracked = site.url("/world/story.html?utm_source=feed&utm_medium=rss&utm_campaign=x#top");
    site.serve(
        "/one.xml",
        "application/rss+xml",
        common::rss(&[("Shared story", plain.clone())]),
    )
    .await;
    site.serve(
        "/two.xml",
        "application/atom+xml",
        common::atom(&[("Shared story", tracked)]),
    )
    .await;
    let cfg = common::with_feeds(
        common::config(&tdb.url),
        &[site.url("/one.xml"), site.url("/two.xml")],
    );
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.new_entries, 1, "{summary:?}");
    let articles = done_articles(&store).await;
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].canonical_url, plain);
    assert_eq!(site.requests_to("/world/story.html").await.len(), 1);
    store.close().await;
    tdb.drop_db().await;
}

async fn second_pass_stores_and_fetches_nothing_new(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let mut items = Vec::new();
    for i in 0..5 {
        let p = format!("/n/{i}.html");
        site.article(&p, &format!("Story {i}"), &format!("topic number {i}"))
            .await;
        items.push(("Story", site.url(&p)));
    }
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;
    assert_eq!(common::once(&cfg, &store).await.articles_stored, 5);
    let second = common::once(&cfg, &store).await;
    assert_eq!(second.feeds_polled, 1);
    assert_eq!(second.new_entries, 0);
    assert_eq!(second.articles_stored, 0);
    assert_eq!(done_articles(&store).await.len(), 5);
    for i in 0..5 {
        assert_eq!(
            site.requests_to(&format!("/n/{i}.html")).await.len(),
            1,
            "page {i} fetched again"
        );
    }
    store.close().await;
    tdb.drop_db().await;
}

async fn restart_completes_articles_discovered_before_a_crash(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let mut items = Vec::new();
    for i in 0..3 {
        let p = format!("/r/{i}.html");
        site.article(&p, &format!("Pending {i}"), &format!("pending matter {i}"))
            .await;
        items.push(("Pending", site.url(&p)));
    }
    let feed_xml = common::rss(&items);
    site.serve("/feed.xml", "application/rss+xml", feed_xml.clone())
        .await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;

    // The previous run polled the feed, claimed the articles and died before fetching them:
    // its leases name a process of this host that is gone.
    common::sync_feeds(&cfg, &store).await;
    let dead = common::dead_process_owner("test-daemon");
    let feed = store
        .feed_by_url(&site.url("/feed.xml"))
        .await
        .unwrap()
        .unwrap();
    let parsed = stringer::poll::parse(feed_xml.as_bytes(), &feed.url).unwrap();
    assert_eq!(
        store
            .insert_entries(feed.id, &parsed.entries)
            .await
            .unwrap()
            .new,
        3
    );
    let now = Utc::now();
    let claimed = store
        .claim_articles(now, &dead, now + ChronoDuration::hours(1), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    assert_eq!(store.article_counts().await.unwrap().pending, 3);

    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.articles_stored, 3, "{summary:?}");
    let counts = store.article_counts().await.unwrap();
    assert_eq!((counts.done, counts.pending), (3, 0));
    store.close().await;
    tdb.drop_db().await;
}

async fn failed_article_fetches_are_recorded_and_retried_only_when_transient(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    site.article("/fine.html", "Fine", "fine matter").await;
    Mock::given(method("GET"))
        .and(path("/gone.html"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&site.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/busy.html"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&site.server)
        .await;
    site.serve(
        "/feed.xml",
        "application/rss+xml",
        common::rss(&[
            ("Fine", site.url("/fine.html")),
            ("Gone", site.url("/gone.html")),
            ("Busy", site.url("/busy.html")),
        ]),
    )
    .await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.articles_stored, 1, "{summary:?}");
    assert_eq!(summary.articles_failed, 1, "404 is final");
    assert_eq!(summary.articles_retry_later, 1, "503 is retried later");
    let counts = store.article_counts().await.unwrap();
    assert_eq!((counts.done, counts.failed, counts.pending), (1, 1, 1));
    // The retry is not due yet: a second pass does not hammer the busy server.
    common::once(&cfg, &store).await;
    assert_eq!(site.requests_to("/busy.html").await.len(), 1);
    store.close().await;
    tdb.drop_db().await;
}

async fn private_addresses_are_refused_unless_allowed(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    site.serve("/feed.xml", "application/rss+xml", common::rss(&[]))
        .await;
    let mut cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    cfg.http.allow_private_networks = false;
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.feeds_failed, 1);
    let feed = store
        .feed_by_url(&site.url("/feed.xml"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        feed.last_error
            .as_deref()
            .unwrap()
            .contains("private address"),
        "{:?}",
        feed.last_error
    );
    assert!(
        site.requests_to("/feed.xml").await.is_empty(),
        "nothing may reach the private address"
    );
    store.close().await;
    tdb.drop_db().await;
}

/// A site at its per-host limit must not hold up articles from other sites.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_host_does_not_hold_up_other_hosts() {
    common::watchdog(async {
        let tdb = TestDb::new(Db::Sqlite).await.unwrap();
        let site = Site::start().await;
        let paragraphs = common::story("slow site");
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        Mock::given(method("GET"))
            .and(wiremock::matchers::path_regex(r"^/slow/\d+\.html$"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(common::article_html("Slow", &refs), "text/html")
                    .set_delay(std::time::Duration::from_millis(700)),
            )
            .mount(&site.server)
            .await;
        site.article("/fast.html", "Fast", "fast site").await;
        // The same server under two host names: 127.0.0.1 (slow pages first) and localhost.
        let mut items: Vec<(&str, String)> = (0..4)
            .map(|i| ("Slow", site.url(&format!("/slow/{i}.html"))))
            .collect();
        let fast = site.url("/fast.html").replace("127.0.0.1", "localhost");
        items.push(("Fast", fast));
        site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
            .await;
        let mut cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
        cfg.articles.per_host = 1;
        cfg.articles.concurrency = 4;
        let store = tdb.store().await;
        assert_eq!(common::once(&cfg, &store).await.articles_stored, 5);
        let order: Vec<String> = site
            .server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.url.path().to_string())
            .filter(|p| p != "/feed.xml" && p != "/robots.txt")
            .collect();
        let fast_at = order.iter().position(|p| p == "/fast.html").unwrap();
        assert!(
            fast_at <= 1,
            "the other host waited behind the busy one: {order:?}"
        );
        store.close().await;
    })
    .await;
}

/// Pages a site's robots.txt disallows are not fetched; the rest of the site is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_is_respected_for_article_pages() {
    common::watchdog(async {
        let tdb = TestDb::new(Db::Sqlite).await.unwrap();
        let site = Site::start().await;
        site.serve(
            "/robots.txt",
            "text/plain",
            "User-agent: *\nDisallow: /private/\n",
        )
        .await;
        site.article("/private/a.html", "Private", "private matters")
            .await;
        site.article("/public/b.html", "Public", "public matters")
            .await;
        site.serve(
            "/feed.xml",
            "application/rss+xml",
            common::rss(&[
                ("Private", site.url("/private/a.html")),
                ("Public", site.url("/public/b.html")),
            ]),
        )
        .await;
        let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
        let store = tdb.store().await;
        let summary = common::once(&cfg, &store).await;
        assert_eq!(
            (summary.articles_stored, summary.articles_failed),
            (1, 1),
            "{summary:?}"
        );
        assert!(site.requests_to("/private/a.html").await.is_empty());
        assert_eq!(
            site.requests_to("/robots.txt").await.len(),
            1,
            "rules are cached per site"
        );
        store.close().await;
    })
    .await;
}

/// Two daemons (different names) on one database: every feed is polled once, every page
/// fetched once, every article stored once.
async fn two_daemons_share_the_work_without_doing_it_twice(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let paragraphs = common::story("shared work");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"^/w/\d+\.html$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::article_html("Shared", &refs), "text/html")
                .set_delay(std::time::Duration::from_millis(30)),
        )
        .mount(&site.server)
        .await;
    let mut feeds = Vec::new();
    for f in 0..4 {
        let items: Vec<(&str, String)> = (0..10)
            .map(|i| ("Story", site.url(&format!("/w/{}.html", f * 10 + i))))
            .collect();
        let p = format!("/feed-{f}.xml");
        site.serve(&p, "application/rss+xml", common::rss(&items))
            .await;
        feeds.push(site.url(&p));
    }
    let base = common::with_feeds(common::config(&tdb.url), &feeds);
    let store = tdb.store().await;
    common::sync_feeds(&base, &store).await;
    // Two daemons (`stringer run`) until everything is stored.
    let shutdown = tokio_util::sync::CancellationToken::new();
    let daemon = |name: &str| {
        let mut cfg = base.clone();
        cfg.pipeline.daemon_id = name.into();
        let http = stringer::fetch::Http::new(&cfg.http).unwrap();
        let enricher = std::sync::Arc::new(stringer::enrich::Enricher::new(&cfg));
        tokio::spawn(stringer::pipeline::run(
            cfg,
            store.clone(),
            http,
            enricher,
            stringer::pipeline::Mode::Daemon,
            shutdown.clone(),
        ))
    };
    let (a, b) = (daemon("daemon-a"), daemon("daemon-b"));
    while store.article_counts().await.unwrap().done < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    shutdown.cancel();
    let (sa, sb) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
    assert_eq!(
        sa.feeds_polled + sb.feeds_polled,
        4,
        "each feed polled once: {sa:?} {sb:?}"
    );
    assert_eq!(sa.articles_stored + sb.articles_stored, 40, "{sa:?} {sb:?}");
    assert_eq!(store.article_counts().await.unwrap().done, 40);
    for i in 0..40 {
        assert_eq!(
            site.requests_to(&format!("/w/{i}.html")).await.len(),
            1,
            "page {i}"
        );
    }
    store.close().await;
    tdb.drop_db().await;
}

/// A URL listed twice in one poll is one article; a GUID this feed gave before is not new
/// even when its link changed; another feed's GUID does not hide anything.
async fn entries_are_new_once_by_url_and_by_guid(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let feed = |url: &str| stringer::store::FeedUpsert {
        url: url.into(),
        ..Default::default()
    };
    let (a, _) = store
        .upsert_feed(&feed("https://a.example/feed"))
        .await
        .unwrap();
    let (b, _) = store
        .upsert_feed(&feed("https://b.example/feed"))
        .await
        .unwrap();
    let entry = |guid: &str, url: &str| NewEntry {
        guid: Some(guid.into()),
        url: url.into(),
        canonical_url: stringer::urls::canonicalize(url).unwrap(),
        title: None,
        published_at: None,
    };
    let first = [
        entry("g1", "https://a.example/1"),
        entry("g2", "https://a.example/2"),
        entry("g2-again", "https://a.example/2?utm_source=x"),
    ];
    assert_eq!(store.insert_entries(a, &first).await.unwrap().new, 2);
    let second = [
        entry("g1", "https://a.example/1-renamed"),
        entry("g3", "https://a.example/3"),
    ];
    assert_eq!(
        store.insert_entries(a, &second).await.unwrap().new,
        1,
        "g1 is known to this feed"
    );
    let other = [entry("g1", "https://b.example/1")];
    assert_eq!(
        store.insert_entries(b, &other).await.unwrap().new,
        1,
        "GUIDs belong to their feed"
    );
    assert_eq!(store.article_counts().await.unwrap().pending, 4);
    store.close().await;
    tdb.drop_db().await;
}

async fn the_configured_feed_list_is_synced_and_only_changes_are_written(db: Db) {
    use stringer::store::FeedUpsert;
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let configured =
        |url: &str, title: Option<&str>, tags: &[&str], interval: Option<i32>| FeedUpsert {
            url: url.into(),
            title: title.map(Into::into),
            site_url: None,
            interval_secs: interval,
            tags: Some(tags.iter().map(|t| t.to_string()).collect()),
        };
    let (added_by_hand, _) = store
        .upsert_feed(&FeedUpsert {
            url: "https://hand.example/feed".into(),
            title: Some("By hand".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut list = vec![
        configured("https://a.example/feed", Some("A"), &["world"], None),
        configured("https://b.example/feed", None, &[], Some(600)),
        configured("https://c.example/feed", Some("C"), &["x", "y"], Some(3600)),
    ];
    assert_eq!(store.sync_feeds(&list).await.unwrap(), 3, "all new");
    assert_eq!(store.sync_feeds(&list).await.unwrap(), 0, "nothing changed");
    list[0].tags = Some(vec!["business".into()]);
    list[2].title = None;
    assert_eq!(
        store.sync_feeds(&list).await.unwrap(),
        1,
        "only the retagged feed"
    );
    let feeds = store.list_feeds().await.unwrap();
    let by_url = |url: &str| feeds.iter().find(|f| f.url == url).unwrap();
    assert_eq!(by_url("https://a.example/feed").tags.0, vec!["business"]);
    assert_eq!(by_url("https://b.example/feed").interval_secs, Some(600));
    let c = by_url("https://c.example/feed");
    assert_eq!(
        c.title.as_deref(),
        Some("C"),
        "a title left out keeps the stored one"
    );
    assert_eq!((c.interval_secs, c.tags.0.len()), (Some(3600), 2));
    let hand = by_url("https://hand.example/feed");
    assert_eq!(
        (hand.id, hand.title.as_deref()),
        (added_by_hand, Some("By hand"))
    );
    assert_eq!(feeds.len(), 4);
    store.close().await;
    tdb.drop_db().await;
}
