//! The HTTP API, `/metrics` and the dashboard, through the real binary: a database is seeded
//! through the store API (a quiet baseline, then a burst about one person from four outlets,
//! one feed failing), `stringer serve --listen 127.0.0.1:0` is started on it, and every
//! endpoint is asked, with good and bad parameters. The JSON must be what the command line
//! prints for the same question. Every story runs on SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL; the dashboard is rendered by headless
//! Chromium when it is installed (required with `STRINGER_REQUIRE_CHROMIUM=1`).

mod common;

use chrono::Utc;
use common::seed::{Planned, store_planned};
use common::server::{Server, cli_json, empty_config};
use common::{Db, TestDb};
use serde_json::Value;
use stringer::model::EntityType;
use stringer::store::Store;

on_both_backends!(
    every_endpoint_answers_in_the_shapes_the_command_line_prints,
    bad_parameters_are_refused_with_the_parameter_named,
    metrics_count_the_database_in_the_prometheus_format,
    the_entity_command_reports_a_name_by_any_alias_and_refuses_unknown_ones,
);

const BURST_TITLE: &str = "Yellen warns Beijing over chip export controls";

fn plan() -> Vec<Planned> {
    let outlets = ["a.example", "b.example", "c.example", "d.example"];
    let mut plan = Vec::new();
    for day in 1..=20 {
        for n in 0..4 {
            let mut quiet = Planned::new(
                day * 24 + n * 3,
                outlets[n as usize],
                &[("Federal Reserve", EntityType::ORG)],
            );
            quiet.title = format!("Markets wait for the Fed, day {day} report {n}");
            quiet.hash = Some(format!("quiet-{day}-{n}"));
            plan.push(quiet);
        }
    }
    for n in 0..8 {
        // Yellen in all eight, Beijing in six, the United States in four.
        let entities = [
            ("Janet Yellen", EntityType::PER),
            ("Beijing", EntityType::LOC),
            ("United States", EntityType::LOC),
        ];
        let named = if n < 4 {
            3
        } else if n < 6 {
            2
        } else {
            1
        };
        let mut burst = Planned::new(n + 1, outlets[n as usize % 4], &entities[..named]);
        burst.title = BURST_TITLE.into();
        burst.hash = Some("burst".into());
        plan.push(burst);
    }
    plan
}

/// Stores the plan through the real store API; two feeds, the second failing.
async fn seed(store: &Store, db_url: &str) {
    let now = Utc::now();
    let feed_id = store_planned(store, &plan(), now).await;
    store
        .upsert_feed(&stringer::store::FeedUpsert {
            url: "https://broken.example/rss".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let t = (now - chrono::Duration::minutes(5)).to_rfc3339();
    common::execute(
        db_url,
        &format!(
            "UPDATE feeds SET error_count = 3, last_error = 'HTTP status 503', \
             last_error_at = '{t}', last_checked_at = '{t}' WHERE url = 'https://broken.example/rss'"
        ),
    )
    .await;
    common::execute(
        db_url,
        &format!(
            "UPDATE feeds SET last_checked_at = '{t}', last_success_at = '{t}' WHERE id = {feed_id}"
        ),
    )
    .await;
    for (outcome, status, ms) in [("fetched", 200, 150), ("error", 503, 250)] {
        common::execute(
            db_url,
            &format!(
                "INSERT INTO fetch_log (feed_id, started_at, duration_ms, http_status, outcome) \
                 VALUES ({feed_id}, '{t}', {ms}, {status}, '{outcome}')"
            ),
        )
        .await;
    }
}

async fn seeded(db: Db) -> Option<(TestDb, Server)> {
    let tdb = TestDb::new(db).await?;
    let store = tdb.store().await;
    seed(&store, &tdb.url).await;
    store.close().await;
    let server = Server::start(&tdb.url);
    Some((tdb, server))
}

async fn every_endpoint_answers_in_the_shapes_the_command_line_prints(db: Db) {
    let Some((tdb, server)) = seeded(db).await else {
        return;
    };
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let q = |s: &str| s.replace('+', "%2B").replace(' ', "%20");

    let trends = server.json(&format!("/api/trends?window=24h&now={}", q(&now)));
    assert_eq!(trends[0]["name"], "Janet Yellen", "{trends}");
    assert_eq!(trends[0]["type"], "PER");
    assert_eq!(trends[0]["articles"], 8);
    assert_eq!(trends[0]["sources"], 4);
    let cli = cli_json(&tdb.url, &["trends", "--window", "24h", "--now", &now]);
    assert_eq!(trends, cli, "the API and `stringer trends` agree");

    let entity = server.json(&format!(
        "/api/entities/Janet%20Yellen?window=2d&bucket=hour&now={}",
        q(&now)
    ));
    assert_eq!(entity["name"], "Janet Yellen");
    assert_eq!(entity["articles"], 8);
    let buckets = entity["timeline"].as_array().unwrap().len();
    assert!((48..=49).contains(&buckets), "two days of hours: {entity}");
    let co: Vec<&str> = entity["co_mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(co, ["Beijing", "United States"]);
    assert_eq!(entity["latest_articles"][0]["title"], BURST_TITLE);
    assert_eq!(entity["stories"][0]["title"], BURST_TITLE);
    assert_eq!(entity["stories"][0]["sources"].as_array().unwrap().len(), 4);
    let cli = cli_json(
        &tdb.url,
        &["entity", "Janet Yellen", "--window", "2d", "--now", &now],
    );
    assert_eq!(entity, cli, "the API and `stringer entity` agree");
    let by_alias = server.json("/api/entities/USA?window=1d");
    assert_eq!(by_alias["name"], "United States", "aliases find the entity");
    let by_case = server.json("/api/entities/janet%20yellen%27s?window=1d&bucket=day");
    assert_eq!(
        by_case["name"], "Janet Yellen",
        "keys ignore case and possessives"
    );

    let stories = server.json(&format!("/api/stories?window=24h&now={}", q(&now)));
    assert_eq!(
        stories,
        cli_json(&tdb.url, &["stories", "--window", "24h", "--now", &now])
    );
    assert_eq!(stories[0]["title"], BURST_TITLE);

    let articles = server.json("/api/articles?entity=Janet%20Yellen&limit=100");
    assert_eq!(articles.as_array().unwrap().len(), 8);
    assert_eq!(articles[0]["source"], "a.example", "latest first");
    let fed = server.json("/api/articles?q=FED,%20DAY%201%20&limit=500");
    assert_eq!(
        fed.as_array().unwrap().len(),
        4 * 11,
        "day 1 and days 10-19: {fed}"
    );
    let recent = server.json("/api/articles?since=2d");
    assert_eq!(recent.as_array().unwrap().len(), 8 + 4);
    let (status, body) = server.get("/api/articles?entity=Nobody%20Atall");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("Nobody Atall"), "{body}");

    let feeds = server.json("/api/feeds");
    let broken = feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["url"] == "https://broken.example/rss")
        .unwrap();
    assert_eq!(broken["status"], "failing");
    assert_eq!(broken["consecutive_failures"], 3);
    assert_eq!(broken["last_error"], "HTTP status 503");
    let wire = feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["title"] == "The Wire")
        .unwrap();
    assert_eq!(wire["status"], "ok", "{wire}");
    assert_eq!(wire["articles"], 88);
    assert_eq!(wire["entries"], 88);

    assert_eq!(server.json("/healthz")["status"], "ok");
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        page.contains("/assets/dashboard.js") && !page.contains("http://"),
        "no CDN"
    );
    assert_eq!(server.get("/assets/dashboard.js").0, 200);
    assert_eq!(server.get("/assets/nothing.js").0, 404);
    drop(server);
    tdb.drop_db().await;
}

async fn bad_parameters_are_refused_with_the_parameter_named(db: Db) {
    let Some((tdb, server)) = seeded(db).await else {
        return;
    };
    for (path, param) in [
        ("/api/trends?window=soon", "window"),
        ("/api/trends?window=0s", "window"),
        ("/api/trends?window=99999999999999999999999999d", "window"),
        ("/api/trends?baseline=-3d", "baseline"),
        ("/api/trends?limit=0", "limit"),
        ("/api/trends?limit=100000", "limit"),
        ("/api/trends?limit=ten", "limit"),
        ("/api/trends?min_count=-1", "min_count"),
        (
            "/api/trends?min_sources=99999999999999999999",
            "min_sources",
        ),
        ("/api/trends?type=PERSON", "type"),
        ("/api/trends?colour=red", "colour"),
        ("/api/trends?now=yesterday", "now"),
        ("/api/trends?window=1h&window=2h", "window"),
        ("/api/entities/Janet%20Yellen?bucket=week", "bucket"),
        ("/api/entities/Janet%20Yellen?window=99999d", "window"),
        ("/api/entities/Janet%20Yellen?limit=1000", "limit"),
        ("/api/articles?limit=501", "limit"),
        ("/api/articles?since=last%20week", "since"),
        ("/api/articles?until=2026-13-45", "until"),
        ("/api/stories?window=forever", "window"),
        ("/api/feeds?all=1", "all"),
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 400, "GET {path}: {body}");
        let v: Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        assert_eq!(v["parameter"], param, "GET {path}: {body}");
        assert!(
            v["error"].as_str().unwrap().contains(param),
            "GET {path}: {body}"
        );
    }
    // Absurd but meaningful: everything since 1970.
    let all = server.json("/api/trends?window=99999999999d&min_sources=1&min_count=1");
    assert!(!all.as_array().unwrap().is_empty());
    let days = server.json("/api/entities/Janet%20Yellen?window=9000d&bucket=day");
    assert_eq!(days["articles"], 8);
    let (status, body) = server.get("/api/entities/Nobody");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"error\""), "{body}");
    let (status, _) = server.get("/api/entities/%FF%FE");
    assert!(
        status == 400 || status == 404,
        "bad UTF-8 in the path: {status}"
    );
    assert_eq!(server.get("/api/nothing").0, 404);
    assert_eq!(
        server.json("/healthz")["status"],
        "ok",
        "no request brought it down"
    );
    drop(server);
    tdb.drop_db().await;
}

async fn metrics_count_the_database_in_the_prometheus_format(db: Db) {
    let Some((tdb, server)) = seeded(db).await else {
        return;
    };
    let (status, text) = server.get("/metrics");
    assert_eq!(status, 200);
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("the Prometheus text format");
    let value = |name: &str, label: Option<(&str, &str)>| -> f64 {
        let sample = scrape
            .samples
            .iter()
            .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .unwrap_or_else(|| panic!("no sample {name} {label:?} in\n{text}"));
        match sample.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            ref other => panic!("{name}: {other:?}"),
        }
    };
    assert_eq!(value("stringer_db_feeds", None), 2.0);
    assert_eq!(value("stringer_db_feeds_failing", None), 1.0);
    assert_eq!(
        value("stringer_db_articles", Some(("status", "done"))),
        88.0
    );
    assert_eq!(
        value("stringer_db_feed_polls_total", Some(("outcome", "error"))),
        1.0
    );
    assert_eq!(
        value("stringer_db_feed_polls_total", Some(("outcome", "fetched"))),
        1.0
    );
    assert_eq!(
        value(
            "stringer_db_feed_poll_errors_total",
            Some(("kind", "http_5xx"))
        ),
        1.0
    );
    assert_eq!(
        value("stringer_queue_depth", Some(("queue", "articles_due"))),
        0.0
    );
    assert_eq!(
        value(
            "stringer_queue_depth",
            Some(("queue", "rollup_hours_dirty"))
        ),
        0.0
    );
    assert!(value("stringer_queue_depth", Some(("queue", "feeds_due"))) >= 1.0);
    assert_eq!(
        value("stringer_articles_stored_total", None),
        0.0,
        "serve runs no pipeline"
    );
    assert_eq!(
        value("stringer_errors_total", Some(("kind", "feed_failed"))),
        0.0
    );
    let poll = "stringer_feed_poll_duration_seconds";
    assert_eq!(value(&format!("{poll}_count"), None), 2.0);
    assert!((value(&format!("{poll}_sum"), None) - 0.4).abs() < 1e-9);
    assert!(scrape.docs.contains_key(poll), "the summary is documented");
    drop(server);
    tdb.drop_db().await;
}

async fn the_entity_command_reports_a_name_by_any_alias_and_refuses_unknown_ones(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    seed(&store, &tdb.url).await;
    store.close().await;
    let (_dir, config) = empty_config();
    let run = |args: &[&str]| {
        common::stringer_command()
            .env("STRINGER_DATABASE_URL", &tdb.url)
            .args(["--config", &config, "entity"])
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["U.S.", "--bucket", "day", "--window", "3d"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("United States (LOC): 4 articles"), "{out}");
    assert!(
        out.contains("Janet Yellen (PER)") && out.contains(BURST_TITLE),
        "{out}"
    );
    let o = run(&["Nobody At All"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no entity named `Nobody At All`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let o = common::stringer_command()
        .env("STRINGER_DATABASE_URL", &tdb.url)
        .args(["--config", &config, "serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "a public address is a configuration error"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--listen") && err.contains("allow_public"),
        "{err}"
    );
    let o = run(&["Janet Yellen", "--window", "9999999d"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("hourly buckets"));
    tdb.drop_db().await;
}

/// Chromium renders the dashboard over a seeded database: the rising entity and the story
/// title are in the DOM, and a screenshot is kept in target/test-artifacts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let (tdb, server) = seeded(Db::Sqlite).await.unwrap();
    let url = format!("http://{}/", server.addr);
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=5000",
    ];
    let dom = std::process::Command::new(&chromium)
        .args(base)
        .args(["--dump-dom", &url])
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    for expected in [
        "Janet Yellen",
        "Beijing",
        BURST_TITLE,
        "broken.example",
        "failing",
    ] {
        assert!(
            dom.contains(expected),
            "`{expected}` not in the rendered page:\n{dom}"
        );
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("dashboard.png");
    let _ = std::fs::remove_file(&png);
    let shot = std::process::Command::new(&chromium)
        .args(base)
        .arg(format!("--screenshot={}", png.display()))
        .args(["--window-size=1280,900", &url])
        .output()
        .expect("run chromium");
    assert!(png.exists(), "{}", String::from_utf8_lossy(&shot.stderr));
    drop(server);
    tdb.drop_db().await;
}

/// Chromium's path, or `None` with the reason printed (a failure when it is required).
fn chromium() -> Option<String> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter();
    let found = found.into_iter().find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var("STRINGER_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "STRINGER_REQUIRE_CHROMIUM=1 but chromium is not installed (apt-get install chromium)"
        );
        eprintln!("chromium is not installed: dashboard test skipped (apt-get install chromium)");
    }
    found.map(str::to_string)
}
