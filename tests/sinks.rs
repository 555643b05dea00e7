//! Stream sinks, end to end: a daemon over a local site with a `file` sink and a webhook sink
//! for `article.stored` (the webhook's filter keeps the articles it does not match out);
//! every stored article arrives at least once with a stable id and an envelope valid against
//! `schemas/envelope.json`; a SIGKILL between store and delivery still delivers after the
//! restart; `sinks replay` sends again with the same ids; `/metrics` and the periodic log
//! summary carry the sinks' figures; a malformed envelope fails the schema. Every story runs on SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod common;

use std::time::{Duration, Instant};

use common::alerts::{Receiver, envelope_schema};
use common::daemon::{
    cli, feed_site, file_lines, ids_by_url, listen_port, start_daemon, wait_lines, wait_stored,
    write_config,
};
use common::{Db, Site, TestDb};
use serde_json::{Value, json};

on_both_backends!(
    stored_articles_stream_to_a_file_and_a_filtered_webhook_through_a_sigkill_and_a_replay,
);

const QUOTAS: usize = 6;
const OTHERS: usize = 4;

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
fn every_event_kind_fits_the_schema_and_a_malformed_envelope_does_not() {
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
    let mut bad = good.clone();
    bad["data"] = json!({"alert_id": 1});
    assert!(!schema.is_valid(&bad), "alert data under article.stored");
    let mut revised = good;
    revised["event"] = "article.revised".into();
    assert!(schema.is_valid(&revised));
    let story = json!({
        "schema": 1, "event": "story.updated", "id": "0123456789abcdef0123456789abcdef",
        "time": "2026-12-01T10:00:00.000Z",
        "data": {"id": "4", "title": "Talks", "first_seen": "2026-12-01T09:00:00Z", "articles": 1,
                 "sources": ["a.example"], "article_urls": ["https://a.example/1"]}
    });
    assert!(schema.is_valid(&story));
    let mut bad = story.clone();
    bad["data"]["article_urls"] = json!([]);
    assert!(!schema.is_valid(&bad), "a story without articles");
    let mut bad = story;
    bad["data"] = revised["data"].clone();
    assert!(!schema.is_valid(&bad), "article data under story.updated");
}
