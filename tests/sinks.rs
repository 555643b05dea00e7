//! Stream sinks, end to end: a daemon over a local site with a `file` sink and a webhook sink
//! for `article.stored` (the webhook's filter keeps the articles it does not match out);
//! every stored article arrives at least once with a stable id and an envelope valid against
//! `schemas/envelope.json`; a SIGKILL between store and delivery still delivers after the
//! restart; `sinks replay` sends again with the same ids; `/metrics` and the periodic log
//! summary carry the sinks' figures; a malformed envelope fails the schema. Every story runs on SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::alerts::{Receiver, envelope_schema};
use common::{Db, Site, TestDb};
use serde_json::{Value, json};
use stringer::store::Store;

on_both_backends!(
    stored_articles_stream_to_a_file_and_a_filtered_webhook_through_a_sigkill_and_a_replay,
);

const QUOTAS: usize = 6;
const OTHERS: usize = 4;

async fn feed_site(site: &Site, pages: &[(String, String)]) -> String {
    let mut items = Vec::new();
    for (i, (title, subject)) in pages.iter().enumerate() {
        let p = format!("/s/{i}.html");
        site.article(&p, title, subject).await;
        items.push((title.as_str(), site.url(&p)));
    }
    site.serve("/s/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    site.url("/s/feed.xml")
}

fn write_config(dir: &Path, db_url: &str, extra: &str) -> PathBuf {
    let text = format!(
        "[database]\nurl = \"{db_url}\"\nmax_connections = 4\n[http]\nallow_private_networks = true\ntimeout = \"10s\"\n\
         [poll]\ntick = \"200ms\"\n[articles]\nper_host = 4\n[pipeline]\ndaemon_id = \"sinks-test\"\nworkers = 2\n\
         [server]\nlisten = \"127.0.0.1:0\"\n[log]\nprogress_interval = \"1s\"\n{extra}\n"
    );
    let path = dir.join("stringer.toml");
    std::fs::write(&path, &text).unwrap();
    let mut cfg = stringer::config::Config::from_toml(&text, "test").unwrap();
    cfg.validate("test").expect("a valid test configuration");
    path
}

fn start_daemon(config: &Path, log: &Path) -> Child {
    common::stringer_command()
        .arg("--config")
        .arg(config)
        .arg("run")
        .env("RUST_LOG", "stringer=debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

fn cli(config: &Path, args: &[&str]) -> String {
    let o = common::stringer_command()
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

async fn wait_stored(store: &Store, n: i64, secs: u64) {
    let start = Instant::now();
    loop {
        let counts = store.article_counts().await.unwrap();
        if counts.done >= n {
            return;
        }
        assert!(start.elapsed().as_secs() < secs, "stored {counts:?} of {n}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every envelope in the file sink's file and its rotations.
fn file_lines(path: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for n in (1..=20).rev() {
        let rotated = PathBuf::from(format!("{}.{n}", path.display()));
        if let Ok(text) = std::fs::read_to_string(rotated) {
            out.extend(text.lines().map(|l| serde_json::from_str(l).unwrap()));
        }
    }
    if let Ok(text) = std::fs::read_to_string(path) {
        out.extend(text.lines().map(|l| serde_json::from_str(l).unwrap()));
    }
    out
}

async fn wait_lines(path: &Path, n: usize, secs: u64) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let lines = file_lines(path);
        let ids: BTreeSet<&str> = lines.iter().map(|e| e["id"].as_str().unwrap()).collect();
        if ids.len() >= n {
            return lines;
        }
        assert!(
            start.elapsed().as_secs() < secs,
            "{} of {n} in the file",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Envelope id by article URL, checking that every delivery of one article has one id.
fn ids_by_url(envelopes: &[Value]) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for e in envelopes {
        assert_eq!(e["event"], "article.stored", "{e}");
        let url = e["data"]["url"].as_str().unwrap().to_string();
        let id = e["id"].as_str().unwrap().to_string();
        let before = ids.insert(url.clone(), id.clone());
        assert!(before.is_none_or(|b| b == id), "two ids for {url}");
    }
    ids
}

/// The port `run` serves on, from its log.
async fn listen_port(log: &Path) -> u16 {
    for _ in 0..200 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(at) = text.find("listening on 127.0.0.1:") {
            let digits: String = text[at + 23..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(port) = digits.parse() {
                return port;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no listening address in the log");
}

async fn stored_articles_stream_to_a_file_and_a_filtered_webhook_through_a_sigkill_and_a_replay(
    db: Db,
) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let mut pages: Vec<(String, String)> = (0..QUOTAS)
        .map(|i| {
            (
                format!("Quota talks {i}"),
                format!("fishing quotas for species {i}"),
            )
        })
        .collect();
    pages.extend((0..OTHERS).map(|i| {
        (
            format!("Harbour opening {i}"),
            format!("a new harbour in town {i}"),
        )
    }));
    let feed = feed_site(&site, &pages).await;
    let receiver = Receiver::start(false).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out/articles.ndjson");
    let sinks = format!(
        "[[sinks]]\nname = \"files\"\nkind = \"file\"\nevents = [\"article.stored\"]\npath = \"{}\"\nmax_bytes = 8192\nkeep = 20\n\
         [[sinks]]\nname = \"hook\"\nkind = \"webhook\"\nevents = [\"article.stored\"]\nurl = \"{}\"\nbackoff_max = \"1s\"\n\
         filter = {{ any = [\"quota\"] }}\n[[feeds]]\nurl = \"{feed}\"\n",
        file.display(),
        receiver.url
    );
    let path = write_config(dir.path(), &tdb.url, &sinks);
    let store = tdb.store().await;
    let all = (QUOTAS + OTHERS) as i64;

    // The webhook is down: every article is stored, the file gets them all, the webhook none.
    let log = dir.path().join("daemon.log");
    let mut daemon = start_daemon(&path, &log);
    wait_stored(&store, all, 60).await;
    let lines = wait_lines(&file, all as usize, 30).await;
    let port = listen_port(&log).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!(
            "stringer_sink_pending{{sink=\"hook\"}} {QUOTAS}\n"
        )),
        "{metrics}"
    );
    assert!(metrics.contains("stringer_sink_lag_seconds{sink=\"hook\"}"));
    assert!(metrics.contains(&format!(
        "stringer_sink_delivered_total{{sink=\"files\"}} {all}\n"
    )));
    // Killed between store and delivery.
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let schema = envelope_schema();
    for e in &lines {
        assert!(schema.is_valid(e), "{e}");
    }
    let file_ids = ids_by_url(&lines);
    assert_eq!(file_ids.len(), all as usize);
    let files_dir: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
    assert!(files_dir.len() > 1, "the file rotated at 8192 bytes");

    // Started again with the webhook up: the matching articles arrive, the others never.
    receiver.set_up(true);
    let mut daemon = start_daemon(&path, &dir.path().join("daemon2.log"));
    let got = receiver.wait_for(QUOTAS, 60).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let hook_ids = ids_by_url(&got);
    assert_eq!(hook_ids.len(), QUOTAS, "{hook_ids:?}");
    for (url, id) in &hook_ids {
        assert!(url.contains("/s/") && file_ids[url] == *id, "{url}");
        let e = got.iter().find(|e| e["id"] == id.as_str()).unwrap();
        assert!(
            e["data"]["title"]
                .as_str()
                .unwrap()
                .starts_with("Quota talks")
        );
        assert!(schema.is_valid(e), "{e}");
    }

    // A replay sends the quota articles again (the filter holds) with the same ids.
    let queued = cli(&path, &["sinks", "replay", "hook", "--since", "1d"]);
    assert_eq!(queued.trim(), QUOTAS.to_string());
    let again = receiver.wait_for(2 * QUOTAS, 60).await;
    assert_eq!(
        ids_by_url(&again),
        hook_ids,
        "the replay has the original ids"
    );
    let queued = cli(&path, &["sinks", "replay", "files", "--since", "1d"]);
    assert_eq!(queued.trim(), all.to_string());
    let lines = wait_lines(&file, all as usize, 30).await;
    let start = Instant::now();
    let mut lines = lines;
    while lines.len() < 2 * all as usize {
        assert!(start.elapsed().as_secs() < 30, "{} lines", lines.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
        lines = file_lines(&file);
    }
    assert_eq!(ids_by_url(&lines), file_ids);
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let log = std::fs::read_to_string(dir.path().join("daemon2.log")).unwrap();
    assert!(
        log.contains("sink=hook") && log.contains("lag_s="),
        "the sinks in the periodic summary: {log}"
    );
    let status: Value =
        serde_json::from_str(&cli(&path, &["sinks", "status", "--format", "json"])).unwrap();
    assert_eq!(status[0]["pending"], 0, "{status}");
    assert_eq!(status[1]["pending"], 0, "{status}");
    store.close().await;
    tdb.drop_db().await;
}

#[test]
fn a_malformed_envelope_fails_the_schema() {
    let schema = envelope_schema();
    let article = json!({
        "url": "https://example.com/a", "canonical_url": "https://example.com/a",
        "title": "A", "authors": [], "language": "en", "tags": [], "category": null,
        "keyphrases": [], "entities": [], "topics": [], "event_time": null, "source": null,
        "story_id": null, "text": "Text."
    });
    let good = json!({
        "schema": 1, "event": "article.stored", "id": "0123456789abcdef0123456789abcdef",
        "time": "2026-12-01T10:00:00.000Z", "data": article
    });
    assert!(schema.is_valid(&good));
    let mut bad = good.clone();
    bad["event"] = "article.deleted".into();
    assert!(!schema.is_valid(&bad), "an unknown event");
    let mut bad = good.clone();
    bad["data"].as_object_mut().unwrap().remove("text");
    assert!(!schema.is_valid(&bad), "an article without its text");
    let mut bad = good.clone();
    bad["id"] = "not-hex".into();
    assert!(!schema.is_valid(&bad), "an id that is not 32 hex digits");
    let mut bad = good;
    bad["data"] = json!({"alert_id": 1});
    assert!(!schema.is_valid(&bad), "alert data under article.stored");
}
