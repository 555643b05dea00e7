//! Streaming sinks against real servers: a daemon over a local site publishing to a
//! `nats-server` with JetStream and a `redis-server` that the tests start on free ports (see
//! `common::sink_servers`), beside a file and a webhook. Every stored article arrives once on
//! JetStream, even when its row is sent again (the server drops the duplicate by
//! `Nats-Msg-Id`), and at least once with the same id on Redis, the file and the webhook; a
//! sink server stopped during a run and started again loses nothing while articles keep being
//! stored, and its lag rises and falls; a sink down through a SIGKILL gets everything after the
//! restart; a revised article and a story change reach the outbox with the article, and every
//! envelope validates against `schemas/envelope.json`; batched claims keep order, and two
//! daemons on one database send each row once. On SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use common::alerts::{Receiver, envelope_schema};
use common::daemon::{
    cli, feed_site, feed_site_at, ids_by_url, listen_port, sink_metric, start_daemon, wait_lines,
    wait_stored, write_config,
};
use common::sink_servers::{NATS, REDIS, SinkServer};
use common::{Db, Site, TestDb};
use serde_json::Value;
use stringer::store::Store;

on_both_backends!(
    jetstream_gets_each_article_once_and_redis_file_and_webhook_at_least_once_with_one_id,
    a_sink_server_stopped_in_a_run_or_down_through_a_sigkill_loses_nothing,
    a_revised_article_and_a_story_change_are_queued_with_the_article,
    batched_claims_take_the_head_in_order_and_never_a_row_twice,
    two_daemons_on_one_database_send_each_row_once,
);

const STREAM: &str = "STRINGER";

fn pages(prefix: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("{prefix} report {i}"),
                format!("{prefix} matter number {i} of the harbour council"),
            )
        })
        .collect()
}

/// Every message of the JetStream stream: `(subject, Nats-Msg-Id, envelope)`.
async fn jetstream_messages(url: &str) -> Vec<(String, String, Value)> {
    let client = async_nats::connect(url).await.unwrap();
    let js = jetstream::new(client);
    let mut stream = js.get_stream(STREAM).await.unwrap();
    let state = stream.info().await.unwrap().state.clone();
    let mut out = Vec::new();
    for seq in state.first_sequence..=state.last_sequence {
        if state.messages == 0 {
            break;
        }
        let m = stream.get_raw_message(seq).await.unwrap();
        let id = m
            .headers
            .get("Nats-Msg-Id")
            .map(|v| v.as_str().to_string())
            .unwrap_or_default();
        out.push((
            m.subject.to_string(),
            id,
            serde_json::from_slice(&m.payload).unwrap(),
        ));
    }
    out
}

/// Waits until the JetStream stream holds `n` messages (panics after `secs`).
async fn wait_jetstream(url: &str, n: usize, secs: u64) -> Vec<(String, String, Value)> {
    let start = Instant::now();
    loop {
        let got = jetstream_messages(url).await;
        if got.len() >= n {
            return got;
        }
        assert!(
            start.elapsed().as_secs() < secs,
            "{} of {n} messages on JetStream",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every entry of the Redis stream `stringer:events`: its fields.
async fn redis_entries(url: &str) -> Vec<BTreeMap<String, String>> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg("stringer:events")
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .unwrap();
    reply
        .ids
        .into_iter()
        .map(|entry| {
            entry
                .map
                .into_iter()
                .map(|(k, v)| (k, redis::from_redis_value::<String>(v).unwrap()))
                .collect()
        })
        .collect()
}

async fn wait_redis(url: &str, n: usize, secs: u64) -> Vec<BTreeMap<String, String>> {
    let start = Instant::now();
    loop {
        let got = redis_entries(url).await;
        let ids: BTreeSet<&String> = got.iter().map(|e| &e["id"]).collect();
        if ids.len() >= n {
            return got;
        }
        assert!(
            start.elapsed().as_secs() < secs,
            "{} of {n} on Redis",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until no row of `sink` waits in the outbox.
async fn wait_drained(store: &Store, sink: &str, secs: u64) {
    let start = Instant::now();
    loop {
        let status = store.sink_status().await.unwrap();
        if status.iter().any(|s| s.sink == sink && s.pending == 0) {
            return;
        }
        assert!(start.elapsed().as_secs() < secs, "{status:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn nats_sink(name: &str, url: &str, events: &str) -> String {
    format!(
        "[[sinks]]\nname = \"{name}\"\nkind = \"nats\"\nurl = \"{url}\"\nstream = \"{STREAM}\"\n\
         events = [{events}]\ntimeout = \"2s\"\nbackoff_max = \"1s\"\n"
    )
}

fn redis_sink(name: &str, url: &str) -> String {
    format!(
        "[[sinks]]\nname = \"{name}\"\nkind = \"redis\"\nurl = \"{url}\"\nmax_len = 1000\n\
         events = [\"article.stored\"]\ntimeout = \"2s\"\nbackoff_max = \"1s\"\n"
    )
}

async fn jetstream_gets_each_article_once_and_redis_file_and_webhook_at_least_once_with_one_id(
    db: Db,
) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let (Some(nats), Some(redis)) = (SinkServer::start(NATS), SinkServer::start(REDIS)) else {
        return;
    };
    let site = Site::start().await;
    let n = 8;
    let feed = feed_site(&site, &pages("Council", n)).await;
    let receiver = Receiver::start(true).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.ndjson");
    let sinks = format!(
        "{}{}[[sinks]]\nname = \"files\"\nkind = \"file\"\nevents = [\"article.stored\"]\npath = \"{}\"\n\
         [[sinks]]\nname = \"hook\"\nkind = \"webhook\"\nevents = [\"article.stored\"]\nurl = \"{}\"\n\
         [[feeds]]\nurl = \"{feed}\"\n",
        nats_sink("js", &nats.url(), "\"article.stored\", \"story.updated\""),
        redis_sink("rd", &redis.url()),
        file.display(),
        receiver.url
    );
    let path = write_config(dir.path(), &tdb.url, &sinks);
    let store = tdb.store().await;
    let mut daemon = start_daemon(&path, &dir.path().join("daemon.log"));
    wait_stored(&store, n as i64, 60).await;
    wait_drained(&store, "js", 30).await;

    // JetStream: one message per article on stringer.article.stored, its Nats-Msg-Id the
    // envelope's id; story.updated messages carry valid stories.
    let schema = envelope_schema();
    let messages = wait_jetstream(&nats.url(), n, 30).await;
    let mut stored = Vec::new();
    for (subject, msg_id, envelope) in &messages {
        assert!(schema.is_valid(envelope), "{envelope}");
        assert_eq!(envelope["id"].as_str(), Some(msg_id.as_str()));
        assert_eq!(
            *subject,
            format!("stringer.{}", envelope["event"].as_str().unwrap())
        );
        match envelope["event"].as_str() {
            Some("article.stored") => stored.push(envelope.clone()),
            Some("story.updated") => {
                assert!(envelope["data"]["articles"].as_i64().unwrap() >= 1)
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    let js_ids = ids_by_url(&stored);
    assert_eq!(stored.len(), n, "each article once");
    assert_eq!(js_ids.len(), n);
    let before = messages.len();

    // The same rows sent again: JetStream drops every duplicate.
    common::execute(
        &tdb.url,
        "UPDATE outbox SET delivered_at = NULL WHERE sink = 'js'",
    )
    .await;
    wait_drained(&store, "js", 30).await;
    let again = jetstream_messages(&nats.url()).await;
    assert_eq!(again.len(), before, "a re-sent row is not stored twice");

    // Redis, the file and the webhook: every article at least once, with the same id.
    let entries = wait_redis(&redis.url(), n, 30).await;
    let redis_envelopes: Vec<Value> = entries
        .iter()
        .map(|e| {
            let envelope: Value = serde_json::from_str(&e["envelope"]).unwrap();
            assert_eq!(envelope["id"].as_str(), Some(e["id"].as_str()));
            assert_eq!(e["event"], "article.stored");
            assert!(schema.is_valid(&envelope), "{envelope}");
            envelope
        })
        .collect();
    assert_eq!(ids_by_url(&redis_envelopes), js_ids);
    assert_eq!(ids_by_url(&wait_lines(&file, n, 30).await), js_ids);
    assert_eq!(ids_by_url(&receiver.wait_for(n, 30).await), js_ids);
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    store.close().await;
    tdb.drop_db().await;
}

async fn a_sink_server_stopped_in_a_run_or_down_through_a_sigkill_loses_nothing(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let (Some(mut nats), Some(mut redis)) = (SinkServer::start(NATS), SinkServer::stopped(REDIS))
    else {
        return;
    };
    let site = Site::start().await;
    let first = feed_site(&site, &pages("Budget", 5)).await;
    let second = feed_site_at(&site, "/t", &pages("Ferry", 5)).await;
    let dir = tempfile::tempdir().unwrap();
    // Redis requires a password, which must never be printed.
    redis.password = Some("s3cret-pw".into());
    let sinks = format!(
        "{}{}[[feeds]]\nurl = \"{first}\"\n",
        nats_sink("js", &nats.url(), "\"article.stored\""),
        redis_sink("rd", &redis.url()),
    );
    let path = write_config(dir.path(), &tdb.url, &sinks);
    let store = tdb.store().await;
    let log = dir.path().join("daemon.log");
    let mut daemon = start_daemon(&path, &log);
    let port = listen_port(&log).await;
    wait_stored(&store, 5, 60).await;
    wait_jetstream(&nats.url(), 5, 30).await;

    // NATS goes away: articles keep being stored, the lag rises.
    nats.stop();
    cli(&path, &["feeds", "add", &second]);
    wait_stored(&store, 10, 60).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let lag = sink_metric(port, "stringer_sink_lag_seconds", "js").await;
    assert!(lag.is_some_and(|l| l >= 1.0), "lag {lag:?}");
    let pending = sink_metric(port, "stringer_sink_pending", "js").await;
    assert_eq!(pending, Some(5.0));

    // NATS is back: the backlog drains, nothing is lost or doubled, the lag falls.
    nats.resume();
    wait_drained(&store, "js", 60).await;
    let messages = wait_jetstream(&nats.url(), 10, 30).await;
    let envelopes: Vec<Value> = messages.into_iter().map(|(_, _, e)| e).collect();
    assert_eq!(ids_by_url(&envelopes).len(), 10);
    assert_eq!(envelopes.len(), 10);
    let lag = sink_metric(port, "stringer_sink_lag_seconds", "js").await;
    assert_eq!(lag, Some(0.0));
    let status = cli(&path, &["sinks", "status"]);
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(
        said.contains("cannot connect to Redis at redis://:***@127.0.0.1"),
        "{said}"
    );
    assert!(
        !said.contains("s3cret-pw") && !status.contains("s3cret-pw"),
        "{said}{status}"
    );

    // Redis was down all along: killed between store and delivery, the daemon delivers
    // everything after its restart.
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let status = store.sink_status().await.unwrap();
    let rd = status.iter().find(|s| s.sink == "rd").unwrap();
    assert_eq!(rd.pending, 10, "{status:?}");
    redis.resume();
    let mut daemon = start_daemon(&path, &dir.path().join("daemon2.log"));
    wait_drained(&store, "rd", 60).await;
    let entries = wait_redis(&redis.url(), 10, 30).await;
    let ids: BTreeSet<&String> = entries.iter().map(|e| &e["id"]).collect();
    assert_eq!(ids.len(), 10);
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    store.close().await;
    tdb.drop_db().await;
}

async fn a_revised_article_and_a_story_change_are_queued_with_the_article(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let schema = envelope_schema();
    let link = "https://wire.example/news/1";
    store_text(&store, link, "The council voted on the harbour.", "h1").await;
    let first = claim_envelopes(&store).await;
    let events: Vec<&str> = first.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["article.stored", "story.updated"]);
    assert_eq!(first[1]["data"]["articles"], 1);
    assert_eq!(first[1]["data"]["article_urls"][0], link);

    // Stored again with the same text: the same id again, no revision.
    common::execute(&tdb.url, "UPDATE articles SET status = 'pending'").await;
    store_text(&store, link, "The council voted on the harbour.", "h1").await;
    let same = claim_envelopes(&store).await;
    assert_eq!(same.len(), 1, "{same:?}");
    assert_eq!(same[0]["id"], first[0]["id"]);

    // Stored again with a new text: article.revised with an id of its own.
    common::execute(&tdb.url, "UPDATE articles SET status = 'pending'").await;
    store_text(
        &store,
        link,
        "The council voted again on the harbour.",
        "h2",
    )
    .await;
    let revised = claim_envelopes(&store).await;
    assert_eq!(revised.len(), 1, "the same story: {revised:?}");
    assert_eq!(revised[0]["event"], "article.revised");
    assert_eq!(revised[0]["data"]["canonical_url"], link);
    assert_eq!(
        revised[0]["data"]["text"],
        "The council voted again on the harbour."
    );
    let ids: BTreeSet<&str> = first
        .iter()
        .chain(&revised)
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), first.len() + revised.len());
    for e in first.iter().chain(&same).chain(&revised) {
        assert!(schema.is_valid(e), "{e}");
    }
    store.close().await;
    tdb.drop_db().await;
}

/// Claims every due row of sink `s`, builds their envelopes and marks them delivered.
async fn claim_envelopes(store: &Store) -> Vec<Value> {
    let now = chrono::Utc::now();
    let lease = now + chrono::Duration::minutes(1);
    let items = store
        .claim_outbox_batch("s", "me", now, lease, 100)
        .await
        .unwrap();
    let mut out = Vec::new();
    for item in &items {
        out.push(stringer::sinks::of_item(store, item).await.unwrap());
    }
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    store.outbox_delivered_many(&ids, "me", now).await.unwrap();
    out
}

/// Stores (or stores again) the article at `link` with `text` for sink `s`, which takes every
/// article event.
async fn store_text(store: &Store, link: &str, text: &str, hash: &str) {
    use stringer::model::{CleanPage, EnrichedArticle, NewEntry, SinkHit};
    let (feed, _) = store
        .upsert_feed(&stringer::store::FeedUpsert {
            url: "https://wire.example/feed.xml".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let entry = NewEntry {
        guid: None,
        url: link.into(),
        canonical_url: link.into(),
        title: None,
        published_at: None,
    };
    store.insert_entries(feed, &[entry]).await.unwrap();
    let article = EnrichedArticle {
        final_url: link.into(),
        http_status: 200,
        page: CleanPage {
            title: Some("Harbour vote".into()),
            text: text.into(),
            ..Default::default()
        },
        entities: Vec::new(),
        category: None,
        keyphrases: Vec::new(),
        content_hash: hash.into(),
        source: "wire.example".into(),
        signature: None,
        topics: Vec::new(),
        alerts: Vec::new(),
        sinks: vec![SinkHit {
            name: "s".into(),
            events: vec![
                "article.stored".into(),
                "article.revised".into(),
                "story.updated".into(),
            ],
        }],
    };
    let now = chrono::Utc::now();
    let jobs = store
        .claim_articles(now, "t", now + chrono::Duration::hours(1), 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(
        store
            .complete_article("t", &jobs[0], &article, now)
            .await
            .unwrap()
    );
}

async fn batched_claims_take_the_head_in_order_and_never_a_row_twice(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    let link = |i: usize| format!("https://wire.example/news/{i}");
    for i in 0..5 {
        store_text(
            &store,
            &link(i),
            &format!("Text number {i}."),
            &format!("h{i}"),
        )
        .await;
    }
    // Only the article events: two per article (stored, story.updated).
    let now = chrono::Utc::now();
    let lease = now + chrono::Duration::minutes(1);
    let ids =
        |items: &[stringer::store::OutboxItem]| items.iter().map(|i| i.id).collect::<Vec<_>>();
    let a = store
        .claim_outbox_batch("s", "a", now, lease, 4)
        .await
        .unwrap();
    assert_eq!(a.len(), 4);
    assert!(ids(&a).windows(2).all(|w| w[0] < w[1]), "in order");
    // Another daemon gets nothing while the head is held.
    let b = store
        .claim_outbox_batch("s", "b", now, lease, 100)
        .await
        .unwrap();
    assert!(b.is_empty(), "{b:?}");
    // The head fails and waits; the rest is handed back untried: nothing is due.
    store
        .outbox_failed(a[0].id, "a", "down", now + chrono::Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(store.outbox_released(&ids(&a)[1..], "a").await.unwrap(), 3);
    let b = store
        .claim_outbox_batch("s", "b", now, lease, 100)
        .await
        .unwrap();
    assert!(b.is_empty(), "nothing overtakes a waiting head: {b:?}");
    // When the head is due, everything goes out in order, once.
    let later = now + chrono::Duration::minutes(6);
    let b = store
        .claim_outbox_batch("s", "b", later, later + chrono::Duration::minutes(1), 100)
        .await
        .unwrap();
    assert_eq!(b.len(), 10);
    assert_eq!(b[0].id, a[0].id);
    assert_eq!(b[0].attempts, 2);
    assert_eq!(b[1].attempts, 1, "a released row was not counted as tried");
    assert_eq!(
        store
            .outbox_delivered_many(&ids(&b), "a", later)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .outbox_delivered_many(&ids(&b), "b", later)
            .await
            .unwrap(),
        10
    );
    let status = store.sink_status().await.unwrap();
    assert_eq!((status[0].delivered, status[0].pending), (10, 0));
    store.close().await;
    tdb.drop_db().await;
}

async fn two_daemons_on_one_database_send_each_row_once(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let Some(nats) = SinkServer::start(NATS) else {
        return;
    };
    let site = Site::start().await;
    let n = 12;
    let feed = feed_site(&site, &pages("Tunnel", n)).await;
    let dir = tempfile::tempdir().unwrap();
    let sinks = format!(
        "{}[[feeds]]\nurl = \"{feed}\"\n",
        nats_sink("js", &nats.url(), "\"article.stored\"")
    );
    let path = write_config(dir.path(), &tdb.url, &sinks);
    let store = tdb.store().await;
    let mut one = start_daemon(&path, &dir.path().join("one.log"));
    let mut two = start_daemon(&path, &dir.path().join("two.log"));
    wait_stored(&store, n as i64, 60).await;
    wait_drained(&store, "js", 30).await;
    let messages = wait_jetstream(&nats.url(), n, 30).await;
    assert_eq!(messages.len(), n);
    // No row was sent twice: every delivered row took one attempt, by one daemon.
    let status = store.sink_status().await.unwrap();
    assert_eq!((status[0].delivered, status[0].pending), (n as i64, 0));
    let figures = store.sink_figures().await.unwrap();
    assert_eq!(figures[0].failed, 0, "{figures:?}");
    for daemon in [&mut one, &mut two] {
        daemon.kill().unwrap();
        daemon.wait().unwrap();
    }
    store.close().await;
    tdb.drop_db().await;
}
