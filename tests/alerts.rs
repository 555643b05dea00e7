//! Alerts, end to end: spike rules on a fixed clock (fire once within the cooldown, not for a
//! single source, not before warm-up), match rules on stored articles (once per article, and
//! `alerts test` agrees), webhook delivery with the envelope valid against its JSON Schema,
//! a receiver down for a while and a SIGKILL losing nothing, and two daemons on one database
//! firing and delivering one alert. Every story runs on SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, Utc};
use common::alerts::{Receiver, envelope_schema, quiet_baseline_then_bursts, store_planned};
use common::daemon::{start_daemon, wait_stored};
use common::{Db, Site, TestDb};
use serde_json::Value;
use stringer::config::Config;
use tokio_util::sync::CancellationToken;

on_both_backends!(
    a_spike_fires_once_within_its_cooldown_and_the_webhook_gets_a_valid_envelope,
    a_match_rule_fires_once_per_matching_article_and_alerts_test_agrees,
    a_sink_down_for_a_while_and_a_sigkill_lose_no_alert_and_never_hold_up_storing,
    two_daemons_on_one_database_fire_and_deliver_one_alert,
    a_stop_does_not_wait_for_a_webhook_that_never_answers,
    racing_claims_of_one_cooldown_record_one_alert,
    a_row_the_sink_refuses_for_good_is_given_up_and_the_next_goes_out,
);

const SPIKES: &str = r#"
[topics.people]
any = ["Janet Yellen"]

[[alerts]]
name = "people"
sinks = ["hook"]
spike = { topic = "people", min_count = 5, min_sources = 3, factor = 3, warm_up = "7d", window = "24h" }

[[alerts]]
name = "yellen"
sinks = ["hook"]
spike = { entity = "janet yellen", min_count = 5, min_sources = 3, factor = 3, warm_up = "7d", window = "24h", baseline = "28d" }

[[alerts]]
name = "acme"
sinks = ["hook"]
spike = { entity = "Acme Widgets", min_count = 3, min_sources = 2, factor = 2, warm_up = "7d", window = "24h" }

[[alerts]]
name = "acme-any-source"
sinks = ["hook"]
spike = { entity = "Acme Widgets", min_count = 3, min_sources = 1, factor = 2, warm_up = "7d", window = "24h" }

[[alerts]]
name = "yellen-cold"
sinks = ["hook"]
spike = { entity = "Janet Yellen", min_count = 5, min_sources = 3, factor = 3, warm_up = "60d", window = "24h" }
"#;

fn sink(url: &str) -> String {
    format!(
        "[[sinks]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{url}\"\ntimeout = \"5s\"\nbackoff_max = \"1s\"\nheaders = {{ X-Token = \"t0ken\" }}\n"
    )
}

/// A configuration file for `db_url` with `extra` appended, and its parsed form.
fn write_config(dir: &Path, db_url: &str, extra: &str) -> (PathBuf, Config) {
    let text = format!(
        "[database]\nurl = \"{db_url}\"\nmax_connections = 4\n[http]\nallow_private_networks = true\ntimeout = \"10s\"\n\
         [poll]\ntick = \"200ms\"\n[articles]\nper_host = 4\n[pipeline]\ndaemon_id = \"alerts-test\"\nworkers = 2\n{extra}\n"
    );
    let path = dir.join("stringer.toml");
    std::fs::write(&path, &text).unwrap();
    let mut cfg = Config::from_toml(&text, "test").unwrap();
    cfg.validate("test").expect("a valid test configuration");
    (path, cfg)
}

fn cli(config: &Path, args: &[&str]) -> Value {
    let o = common::stringer_command()
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

fn subjects(alerts: &Value) -> BTreeSet<String> {
    alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["subject"].as_str().unwrap().to_string())
        .collect()
}

async fn a_spike_fires_once_within_its_cooldown_and_the_webhook_gets_a_valid_envelope(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let now: DateTime<Utc> = (Utc::now() + chrono::Duration::hours(1))
        .duration_trunc(chrono::Duration::hours(1))
        .unwrap();
    store_planned(&store, &quiet_baseline_then_bursts(), now).await;
    let receiver = Receiver::start(true).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, cfg) = write_config(
        dir.path(),
        &tdb.url,
        &format!("{}{SPIKES}", sink(&receiver.url)),
    );

    let fired = stringer::spikes::check(&cfg, &store, now).await.unwrap();
    let rules: BTreeSet<String> = store
        .alerts_since(DateTime::UNIX_EPOCH, 100)
        .await
        .unwrap()
        .iter()
        .map(|a| format!("{} {}", a.rule, a.subject))
        .collect();
    assert_eq!(
        rules,
        BTreeSet::from([
            "yellen entity:PER:Janet Yellen".to_string(),
            "acme-any-source entity:ORG:Acme Widgets".to_string(),
            "people topic:people".to_string(),
        ]),
        "one source does not fire `acme`; too little history does not fire `yellen-cold`"
    );
    assert_eq!(fired.len(), 3);
    for later in [10, 60, 5 * 60 + 59] {
        let again = now + chrono::Duration::minutes(later);
        assert!(
            stringer::spikes::check(&cfg, &store, again)
                .await
                .unwrap()
                .is_empty(),
            "fired again {later} minutes later, within the 6 h cooldown"
        );
    }
    // After the cooldown the burst, still in the window, fires again: a new event.
    let after = stringer::spikes::check(&cfg, &store, now + chrono::Duration::hours(7))
        .await
        .unwrap();
    assert_eq!(after.len(), 3);

    // The dry run on the same clock agrees: over the last day, `yellen` fires once.
    let test = cli(
        &path,
        &[
            "alerts",
            "test",
            "yellen",
            "--over",
            "1d",
            "--format",
            "json",
            "--now",
            &now.to_rfc3339(),
        ],
    );
    assert_eq!(test["fires"], 1, "{test}");
    let test = cli(
        &path,
        &[
            "alerts",
            "test",
            "acme",
            "--over",
            "1d",
            "--format",
            "json",
            "--now",
            &now.to_rfc3339(),
        ],
    );
    assert_eq!(test["fires"], 0, "{test}");

    let stop = CancellationToken::new();
    let worker = tokio::spawn({
        let (cfg, store, stop) = (cfg.clone(), store.clone(), stop.clone());
        async move { stringer::sinks::deliver(&cfg, store, "test-owner".into(), stop).await }
    });
    receiver.wait_for(6, 30).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.cancel();
    worker.await.unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 6, "each alert delivered once");
    assert!(
        receiver.tokens.lock().unwrap().iter().all(|t| t == "t0ken"),
        "the configured header is sent"
    );
    assert_eq!(receiver.tokens.lock().unwrap().len(), 6);
    let schema = envelope_schema();
    let ids: BTreeSet<&str> = got.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 6, "a new event, a new id");
    for e in &got {
        let errors: Vec<String> = schema.iter_errors(e).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{e:#}");
    }
    let yellen = got.iter().find(|e| e["data"]["rule"] == "yellen").unwrap();
    assert_eq!(
        (yellen["schema"].as_i64(), yellen["event"].as_str()),
        (Some(1), Some("alert.fired"))
    );
    assert_eq!(yellen["data"]["subject"], "entity:PER:Janet Yellen");
    assert_eq!(yellen["data"]["details"]["articles"], 8);
    assert_eq!(yellen["data"]["details"]["sources"], 4);
    let people = got.iter().find(|e| e["data"]["rule"] == "people").unwrap();
    assert_eq!(people["data"]["details"]["articles"], 8);
    assert_eq!(people["data"]["articles"].as_array().unwrap().len(), 8);
    let articles = yellen["data"]["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 8);
    assert!(
        articles
            .iter()
            .all(|a| a["entities"][0]["name"] == "Janet Yellen" && a["url"].is_string())
    );
    // The same check rejects envelopes that break the contract.
    for spoil in [
        |e: &mut Value| e["schema"] = 2.into(),
        |e: &mut Value| {
            e.as_object_mut().unwrap().remove("id");
        },
        |e: &mut Value| e["data"]["articles"][0]["entities"][0]["type"] = "PERSON".into(),
        |e: &mut Value| e["event"] = "alert.maybe".into(),
    ] {
        let mut bad = yellen.clone();
        spoil(&mut bad);
        assert!(!schema.is_valid(&bad), "accepted {bad:#}");
    }
    let status = cli(&path, &["sinks", "status", "--format", "json"]);
    assert_eq!(
        (
            status[0]["delivered"].as_i64(),
            status[0]["pending"].as_i64()
        ),
        (Some(6), Some(0)),
        "{status}"
    );
    store.close().await;
    tdb.drop_db().await;
}

/// A feed of `n` story pages about `subject` at /{prefix}/{i}.html, each page answering after
/// `delay`.
async fn feed_site(site: &Site, prefix: &str, pages: &[(&str, &str)], delay: Duration) -> String {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let mut items = Vec::new();
    for (i, (title, subject)) in pages.iter().enumerate() {
        let p = format!("/{prefix}/{i}.html");
        let paragraphs = common::story(subject);
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        Mock::given(method("GET"))
            .and(path(p.clone()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(common::article_html(title, &refs), "text/html")
                    .set_delay(delay),
            )
            .mount(&site.server)
            .await;
        items.push((*title, site.url(&p)));
    }
    let feed = format!("/{prefix}/feed.xml");
    site.serve(&feed, "application/rss+xml", common::rss(&items))
        .await;
    site.url(&feed)
}

async fn a_match_rule_fires_once_per_matching_article_and_alerts_test_agrees(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let feed = feed_site(
        &site,
        "m",
        &[
            ("Steel sanctions widen", "sanctions on Chinese steel"),
            ("Fishing quotas agreed", "fishing quotas in the North Sea"),
            ("Sanctions on chip exports", "sanctions on chip exports"),
            ("Rail strike ends", "the rail strike in Germany"),
        ],
        Duration::ZERO,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let rules = "[[sinks]]\nname = \"db\"\nkind = \"table\"\n[[sinks]]\nname = \"log\"\nkind = \"log\"\n\
         [[alerts]]\nname = \"sanctions\"\nsinks = [\"db\", \"log\"]\nmatch = { any = [\"sanction\"] }\n\
         [[alerts]]\nname = \"steel-title\"\nsinks = [\"db\"]\nmatch = {}\ntitle_regex = '(?i)steel'\n";
    let (path, cfg) = write_config(
        dir.path(),
        &tdb.url,
        &format!("{rules}[[feeds]]\nurl = \"{feed}\"\n"),
    );
    let store = tdb.store().await;
    common::once(&cfg, &store).await;
    common::once(&cfg, &store).await; // nothing new: nothing fires again

    let listed = cli(&path, &["alerts", "list", "--format", "json"]);
    let fired: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["rule"].as_str().unwrap().into(),
                a["subject"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(fired.len(), 3, "{listed:#}");
    let sanctions = cli(&path, &["alerts", "test", "sanctions", "--format", "json"]);
    assert_eq!(sanctions["fires"], 2, "{sanctions}");
    assert_eq!(
        subjects(&sanctions["alerts"]),
        fired
            .iter()
            .filter(|(r, _)| r == "sanctions")
            .map(|(_, s)| s.clone())
            .collect(),
        "alerts test names the articles that fired"
    );
    let titles: BTreeSet<&str> = sanctions["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        BTreeSet::from(["Steel sanctions widen", "Sanctions on chip exports"])
    );
    let steel = cli(
        &path,
        &["alerts", "test", "steel-title", "--format", "json"],
    );
    assert_eq!(steel["fires"], 1);
    assert_eq!(steel["alerts"][0]["matched"][0], "Steel");
    // One outbox row per alert and sink, waiting for `run`.
    let status = cli(&path, &["sinks", "status", "--format", "json"]);
    let pending: Vec<(String, i64)> = status
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["sink"].as_str().unwrap().into(),
                s["pending"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(pending, vec![("db".to_string(), 3), ("log".to_string(), 2)]);
    store.close().await;
    tdb.drop_db().await;
}

async fn a_sink_down_for_a_while_and_a_sigkill_lose_no_alert_and_never_hold_up_storing(db: Db) {
    const N: usize = 12;
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let pages: Vec<(String, String)> = (0..N)
        .map(|i| {
            (
                format!("Quota talks {i}"),
                format!("fishing quotas for species {i}"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(t, s)| (t.as_str(), s.as_str()))
        .collect();
    let feed = feed_site(&site, "q", &refs, Duration::from_millis(200)).await;
    let receiver = Receiver::start(false).await;
    let dir = tempfile::tempdir().unwrap();
    let rules = format!(
        "{}[[alerts]]\nname = \"quotas\"\nsinks = [\"hook\"]\nmatch = {{ any = [\"quota\"] }}\n[[feeds]]\nurl = \"{feed}\"\n",
        sink(&receiver.url)
    );
    let (path, _) = write_config(dir.path(), &tdb.url, &rules);
    let store = tdb.store().await;

    // The receiver answers 503: every article is stored all the same, while deliveries fail.
    let log = dir.path().join("daemon.log");
    let mut daemon = start_daemon(&path, &log);
    let started = Instant::now();
    wait_stored(&store, N as i64, 60).await;
    let storing = started.elapsed();
    let status = cli(&path, &["sinks", "status", "--format", "json"]);
    assert_eq!(status[0]["pending"], N as i64, "{status}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while receiver.hits.load(std::sync::atomic::Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "no delivery attempt");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("{N} articles stored in {storing:?} with the receiver down");
    // Killed between recording and delivery.
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let status = cli(&path, &["sinks", "status", "--format", "json"]);
    assert_eq!(
        (
            status[0]["delivered"].as_i64(),
            status[0]["pending"].as_i64()
        ),
        (Some(0), Some(N as i64)),
        "{status}"
    );
    assert!(
        status[0]["last_error"].as_str().unwrap().contains("503"),
        "{status}"
    );

    // Started again, still down for a while, then up: every alert arrives.
    let mut daemon = start_daemon(&path, &dir.path().join("daemon2.log"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    receiver.set_up(true);
    let got = receiver.wait_for(N, 60).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let alerts = store.alerts_since(DateTime::UNIX_EPOCH, 100).await.unwrap();
    assert_eq!(alerts.len(), N);
    let order: Vec<i64> = got
        .iter()
        .map(|e| e["data"]["alert_id"].as_i64().unwrap())
        .collect();
    assert!(
        order.is_sorted(),
        "one sink's alerts go out in order: {order:?}"
    );
    let delivered: BTreeSet<i64> = order.iter().copied().collect();
    assert_eq!(
        delivered,
        alerts.iter().map(|a| a.id).collect(),
        "every alert delivered"
    );
    let schema = envelope_schema();
    assert!(got.iter().all(|e| schema.is_valid(e)));
    let status = cli(&path, &["sinks", "status", "--format", "json"]);
    assert_eq!(status[0]["pending"], 0, "{status}");
    store.close().await;
    tdb.drop_db().await;
}

async fn two_daemons_on_one_database_fire_and_deliver_one_alert(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    store_planned(&store, &quiet_baseline_then_bursts(), Utc::now()).await;
    let receiver = Receiver::start(true).await;
    let dir = tempfile::tempdir().unwrap();
    let rule = "[[alerts]]\nname = \"yellen\"\nsinks = [\"hook\"]\nspike = { entity = \"Janet Yellen\", min_count = 5, min_sources = 3, factor = 3, window = \"24h\" }\n";
    let (path, _) = write_config(
        dir.path(),
        &tdb.url,
        &format!("{}{rule}", sink(&receiver.url)),
    );
    let mut a = start_daemon(&path, &dir.path().join("a.log"));
    let mut b = start_daemon(&path, &dir.path().join("b.log"));
    receiver.wait_for(1, 60).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    for d in [&mut a, &mut b] {
        d.kill().unwrap();
        d.wait().unwrap();
    }
    assert_eq!(receiver.received().len(), 1, "one alert, delivered once");
    assert_eq!(
        store
            .alerts_since(DateTime::UNIX_EPOCH, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let log = std::fs::read_to_string(dir.path().join("a.log")).unwrap()
        + &std::fs::read_to_string(dir.path().join("b.log")).unwrap();
    assert!(log.contains("spike alert fired"), "{log}");
    store.close().await;
    tdb.drop_db().await;
}

async fn a_stop_does_not_wait_for_a_webhook_that_never_answers(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let feed = feed_site(
        &site,
        "h",
        &[("Quota deal", "fishing quotas")],
        Duration::ZERO,
    )
    .await;
    // Accepts connections (the kernel does) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", silent.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let rules = format!(
        "[[sinks]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{url}\"\ntimeout = \"120s\"\n\
         [[alerts]]\nname = \"quotas\"\nsinks = [\"hook\"]\nmatch = {{ any = [\"quota\"] }}\n\
         [[feeds]]\nurl = \"{feed}\"\n"
    );
    // Still in [pipeline]: a short grace for work in flight.
    let (path, _) = write_config(
        dir.path(),
        &tdb.url,
        &format!("stop_grace = \"2s\"\n{rules}"),
    );
    let store = tdb.store().await;
    let mut daemon = start_daemon(&path, &dir.path().join("daemon.log"));
    wait_stored(&store, 1, 60).await;
    tokio::time::sleep(Duration::from_millis(1500)).await; // the POST is under way
    let term = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(15),
            "the daemon waits for the sink"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    assert!(
        store.lease_owners().await.unwrap().is_empty(),
        "the outbox lease is released"
    );
    let status = cli(&path, &["sinks", "status", "--format", "json"]);
    assert_eq!(status[0]["pending"], 1, "{status}");
    drop(silent);
    store.close().await;
    tdb.drop_db().await;
}

/// Eight connections record the same alert at the same moment: the cooldown claim lets one
/// through, with its outbox row; a later time within the cooldown fires nothing, one after it
/// fires again.
async fn racing_claims_of_one_cooldown_record_one_alert(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let fired_at: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
    let alert = |at: DateTime<Utc>| stringer::store::NewAlert {
        rule: "r".into(),
        kind: "spike".into(),
        subject: "entity:X".into(),
        fired_at: at,
        queued_at: at,
        quiet_until: at + chrono::Duration::hours(6),
        articles: Vec::new(),
        matched: vec!["X".into()],
        details: serde_json::json!({}),
        sinks: vec!["hook".into()],
    };
    let mut stores = Vec::new();
    for _ in 0..8 {
        stores.push(tdb.store().await);
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(stores.len()));
    let mut racers = tokio::task::JoinSet::new();
    for store in stores.clone() {
        let (barrier, alert) = (barrier.clone(), alert(fired_at));
        racers.spawn(async move {
            barrier.wait().await;
            store.record_alert(&alert).await.unwrap()
        });
    }
    let ids: Vec<i64> = racers.join_all().await.into_iter().flatten().collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let store = &stores[0];
    let within = fired_at + chrono::Duration::minutes(359);
    assert_eq!(store.record_alert(&alert(within)).await.unwrap(), None);
    let after = fired_at + chrono::Duration::hours(6);
    assert!(store.record_alert(&alert(after)).await.unwrap().is_some());
    let status = store.sink_status().await.unwrap();
    assert_eq!((status[0].sink.as_str(), status[0].pending), ("hook", 2));
    for s in stores {
        s.close().await;
    }
    tdb.drop_db().await;
}

/// A row the sink refuses for good (a 400) is given up, not retried, and the row behind it is
/// the next one claimed; `sinks status` counts it apart from the pending ones.
async fn a_row_the_sink_refuses_for_good_is_given_up_and_the_next_goes_out(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let now = Utc::now();
    for subject in ["topic:a", "topic:b"] {
        let alert = stringer::store::NewAlert {
            rule: "r".into(),
            kind: "spike".into(),
            subject: subject.into(),
            fired_at: now,
            queued_at: now,
            quiet_until: now + chrono::Duration::hours(6),
            articles: Vec::new(),
            matched: Vec::new(),
            details: serde_json::json!({}),
            sinks: vec!["hook".into()],
        };
        assert!(store.record_alert(&alert).await.unwrap().is_some());
    }
    let lease = now + chrono::Duration::minutes(1);
    let first = store
        .claim_outbox("hook", "me", now, lease)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .outbox_given_up(first.id, "me", "HTTP 400 Bad Request", now)
            .await
            .unwrap()
    );
    let second = store
        .claim_outbox("hook", "me", now, lease)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(second.id, first.id, "the refused row is not claimed again");
    assert!(store.outbox_delivered(second.id, "me", now).await.unwrap());
    assert!(
        store
            .claim_outbox("hook", "me", now, lease)
            .await
            .unwrap()
            .is_none()
    );
    let status = store.sink_status().await.unwrap();
    assert_eq!(
        (status[0].delivered, status[0].pending, status[0].given_up),
        (1, 0, 1)
    );
    store.close().await;
    tdb.drop_db().await;
}
