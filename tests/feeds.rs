//! The feed list as users build it: pages given as feeds (autodiscovery), `feeds add` checks,
//! OPML in and out, and credentials in feed URLs kept out of what is printed. Sites are served
//! on 127.0.0.1 port 0; commands run the binary on a SQLite database in a temporary folder.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Site, TestDb};

/// A configuration file in `dir` for a SQLite database there, private networks allowed (the
/// test site is on 127.0.0.1), and `extra` TOML.
fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let text = format!(
        "[database]\nurl = \"sqlite://{}\"\n[http]\nallow_private_networks = true\ntimeout = \"10s\"\n{extra}\n",
        dir.join("stringer.db").display()
    );
    let path = dir.join("stringer.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn stringer(config: &Path, args: &[&str]) -> Output {
    common::stringer_command()
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("run stringer")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The feed URLs in the database, from `feeds list --format json`.
fn listed(config: &Path) -> Vec<serde_json::Value> {
    let o = stringer(config, &["feeds", "list", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A home page advertising an RSS feed (relative link), an Atom feed and a JSON Feed, each
/// served with two stories.
async fn site_with_advertised_feeds() -> Site {
    let site = Site::start().await;
    let page = r#"<!doctype html><html><head><title>Gazette</title>
        <link rel="alternate" type="application/rss+xml" title="All" href="/feeds/all.rss">
        <link rel="alternate" type="application/atom+xml" href="https://127.0.0.1:1/never.atom">
        <link rel="alternate" type="application/feed+json" href="feeds/all.json">
        </head><body><h1>Gazette</h1><p>Home page.</p></body></html>"#;
    site.serve("/", "text/html; charset=utf-8", page).await;
    let items: Vec<(&str, String)> = vec![
        ("First story", site.url("/story/1.html")),
        ("Second story", site.url("/story/2.html")),
    ];
    site.serve("/feeds/all.rss", "application/rss+xml", common::rss(&items))
        .await;
    site.serve(
        "/feeds/all.json",
        "application/feed+json",
        common::json_feed(&items),
    )
    .await;
    site.article("/story/1.html", "First story", "the harbour tax")
        .await;
    site.article("/story/2.html", "Second story", "the rail strike")
        .await;
    site
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_configured_as_a_feed_is_polled_through_its_first_feed() {
    let site = site_with_advertised_feeds().await;
    let tdb = TestDb::new(common::Db::Sqlite).await.unwrap();
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/")]);
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.feeds_failed, 0, "{summary:?}");
    assert_eq!(summary.articles_stored, 2, "{summary:?}");
    assert_eq!(site.requests_to("/feeds/all.rss").await.len(), 1);
    assert!(site.requests_to("/feeds/all.json").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_add_of_a_page_prints_its_feeds_and_adds_the_first_or_all() {
    let site = site_with_advertised_feeds().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let page = site.url("/");
    let o = stringer(&config, &["feeds", "add", &page, "--tag", "home"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for advertised in [
        site.url("/feeds/all.rss"),
        "https://127.0.0.1:1/never.atom".to_string(),
        site.url("/feeds/all.json"),
    ] {
        assert!(out.contains(&advertised), "{out}");
    }
    let feeds = listed(&config);
    assert_eq!(feeds.len(), 1, "{feeds:?}");
    assert_eq!(feeds[0]["url"], site.url("/feeds/all.rss").as_str());
    assert_eq!(feeds[0]["tags"], serde_json::json!(["home"]));

    let o = stringer(&config, &["feeds", "add", &page, "--all"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(listed(&config).len(), 3);

    // A feed given directly is added as it is.
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let feed = site.url("/feeds/all.json");
    let o = stringer(&config, &["feeds", "add", &feed]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), format!("added {feed}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_add_refuses_a_page_without_feeds_and_an_unreachable_url() {
    let site = Site::start().await;
    site.serve(
        "/plain",
        "text/html",
        "<html><head><title>x</title></head><body>hello</body></html>",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let plain = site.url("/plain");
    let o = stringer(&config, &["feeds", "add", &plain]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains(&plain) && err.contains("advertises no feed"),
        "{err}"
    );
    let missing = site.url("/missing.xml");
    let o = stringer(&config, &["feeds", "add", &missing]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains(&missing) && err.contains("404") && err.contains("--no-check"),
        "{err}"
    );
    let o = stringer(&config, &["feeds", "add", &missing, "--no-check"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(listed(&config).len(), 1);
}

#[test]
fn opml_reimport_is_unchanged_and_export_round_trips_intervals_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let opml = dir.path().join("latin1.opml");
    let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<opml version=\"2.0\"><head><title>R\u{e9}sum\u{e9}</title></head><body>\n\
        <outline text=\"Fran\u{e7}ais\">\n\
          <outline text=\"Le Monde \u{e0} la une\" xmlUrl=\"https://lemonde.example/rss\" interval=\"2h\"/>\n\
          <outline text=\"Lib\u{e9}\" xmlUrl=\"https://libe.example/rss#latest\" category=\"politique\"/>\n\
        </outline></body></opml>\n";
    std::fs::write(&opml, encoding_rs::WINDOWS_1252.encode(xml).0).unwrap();
    let file = opml.display().to_string();
    let o = stringer(&config, &["feeds", "import", &file]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("2 added, 0 updated, 0 unchanged"),
        "{}",
        text(&o.stdout)
    );
    let o = stringer(&config, &["feeds", "import", &file]);
    assert!(
        text(&o.stdout).contains("0 added, 0 updated, 2 unchanged"),
        "{}",
        text(&o.stdout)
    );

    let o = stringer(&config, &["feeds", "export"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let exported = text(&o.stdout);
    assert!(
        exported.lines().count() >= 9,
        "not pretty-printed:\n{exported}"
    );
    assert!(exported.contains("interval=\"2h\""), "{exported}");
    let out = dir.path().join("out.opml");
    std::fs::write(&out, &exported).unwrap();
    let other = tempfile::tempdir().unwrap();
    let config2 = write_config(other.path(), "");
    let o = stringer(&config2, &["feeds", "import", &out.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let fields = |feeds: Vec<serde_json::Value>| -> Vec<_> {
        feeds
            .into_iter()
            .map(|f| {
                (
                    f["url"].clone(),
                    f["title"].clone(),
                    f["tags"].clone(),
                    f["interval_secs"].clone(),
                )
            })
            .collect()
    };
    let first = fields(listed(&config));
    assert_eq!(first, fields(listed(&config2)), "export:\n{exported}");
    assert_eq!(first[0].3, 7200);
    assert_eq!(first[1].0, "https://libe.example/rss");
    assert_eq!(
        first[1].2,
        serde_json::json!(["Fran\u{e7}ais", "politique"])
    );
}

#[test]
fn opml_that_cannot_be_read_is_named_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    for (name, body, place) in [
        (
            "cut.opml",
            "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n<outline text=\"News\">\n<outline text=\"a\" xmlUrl=\"https://a.example/f\"/>\n",
            "line 5, column 1",
        ),
        (
            "page.opml",
            "<!doctype html>\n<html><body>Sign in</body></html>",
            "line 1, column 1: an HTML page",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let o = stringer(&config, &["feeds", "import", &path.display().to_string()]);
        assert!(!o.status.success());
        let err = text(&o.stderr);
        assert!(err.contains(name) && err.contains(place), "{name}: {err}");
    }
}

#[test]
fn feeds_add_drops_fragments_and_refuses_long_urls_other_schemes_and_long_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[poll]\nmax_interval = \"12h\"\n");
    for url in ["https://x.example/feed#one", "https://x.example/feed#two"] {
        let o = stringer(&config, &["feeds", "add", url, "--no-check"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let feeds = listed(&config);
    assert_eq!(feeds.len(), 1, "{feeds:?}");
    assert_eq!(feeds[0]["url"], "https://x.example/feed");

    let long = format!("https://x.example/{}", "a".repeat(10_000));
    let o = stringer(&config, &["feeds", "add", &long, "--no-check"]);
    let err = text(&o.stderr);
    assert!(
        !o.status.success() && err.contains("2048") && err.len() < 1000,
        "{err}"
    );
    for other in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://x.example/",
    ] {
        let o = stringer(&config, &["feeds", "add", other, "--no-check"]);
        let err = text(&o.stderr);
        assert!(
            !o.status.success() && err.contains("not an http(s) URL"),
            "{other}: {err}"
        );
    }
    let o = stringer(
        &config,
        &[
            "feeds",
            "add",
            "https://y.example/",
            "--no-check",
            "--interval",
            "1d",
        ],
    );
    let err = text(&o.stderr);
    assert!(
        !o.status.success() && err.contains("poll.max_interval (12h)"),
        "{err}"
    );
    assert_eq!(listed(&config).len(), 1);
}
