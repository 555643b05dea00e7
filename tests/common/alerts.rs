//! Test support for alerts: a webhook receiver on 127.0.0.1 port 0 that can be down (503) or
//! up (204, bodies kept), the envelope's JSON Schema, and articles stored straight through the
//! store API at planned times, sources and entities.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use stringer::model::{CleanPage, EnrichedArticle, Entity, EntityType, NewEntry};
use stringer::store::Store;

#[derive(Clone, Default)]
pub struct Receiver {
    pub bodies: Arc<Mutex<Vec<Value>>>,
    pub up: Arc<AtomicBool>,
    /// Every request, answered or refused.
    pub hits: Arc<AtomicUsize>,
    /// The `X-Token` header of every request.
    pub tokens: Arc<Mutex<Vec<String>>>,
    pub url: String,
}

async fn receive(
    State(r): State<Receiver>,
    headers: axum::http::HeaderMap,
    body: String,
) -> StatusCode {
    r.hits.fetch_add(1, Ordering::SeqCst);
    if let Some(token) = headers.get("x-token").and_then(|v| v.to_str().ok()) {
        r.tokens.lock().unwrap().push(token.to_string());
    }
    if !r.up.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    r.bodies
        .lock()
        .unwrap()
        .push(serde_json::from_str(&body).expect("a JSON body"));
    StatusCode::NO_CONTENT
}

impl Receiver {
    pub async fn start(up: bool) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let r = Receiver {
            url: format!("http://{}/hook", listener.local_addr().unwrap()),
            ..Default::default()
        };
        r.up.store(up, Ordering::SeqCst);
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        r
    }

    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }

    /// Waits until at least `n` envelopes arrived (panics after `secs`).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Value> {
        let start = std::time::Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                start.elapsed().as_secs() < secs,
                "{} of {n} envelopes after {secs} s ({} requests)",
                got.len(),
                self.hits.load(Ordering::SeqCst)
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// The validator of `schemas/envelope.json`.
pub fn envelope_schema() -> jsonschema::Validator {
    let text = include_str!("../../schemas/envelope.json");
    let schema: Value = serde_json::from_str(text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// One planned article: hours before the clock, its source, its entity.
pub struct Planned {
    pub hours_ago: i64,
    pub source: String,
    pub entity: (&'static str, EntityType),
}

/// 28 quiet days (ten Federal Reserve articles a day from five outlets, Janet Yellen once a
/// day), then, in the last eight hours, the usual Federal Reserve articles, a burst of eight
/// about Yellen from four outlets, and six about Acme Widgets from a single outlet.
pub fn quiet_baseline_then_bursts() -> Vec<Planned> {
    let outlets = [
        "a.example",
        "b.example",
        "c.example",
        "d.example",
        "e.example",
    ];
    let p = |hours_ago, source: &str, entity| Planned {
        hours_ago,
        source: source.into(),
        entity,
    };
    let fed = ("Federal Reserve", EntityType::ORG);
    let yellen = ("Janet Yellen", EntityType::PER);
    let mut plan = Vec::new();
    for day in 1..=28 {
        for n in 0..10 {
            plan.push(p(day * 24 + n + 1, outlets[n as usize % 5], fed));
        }
        plan.push(p(day * 24 + 12, outlets[day as usize % 5], yellen));
    }
    for n in 0..10 {
        plan.push(p(n + 1, outlets[n as usize % 5], fed));
    }
    for n in 0..8 {
        plan.push(p(n + 1, outlets[n as usize % 4], yellen));
    }
    for n in 0..6 {
        plan.push(p(
            n + 1,
            "single.example",
            ("Acme Widgets", EntityType::ORG),
        ));
    }
    plan
}

/// Stores the planned articles through the store API, each published at its time before `now`.
pub async fn store_planned(store: &Store, plan: &[Planned], now: DateTime<Utc>) {
    let (feed_id, _) = store
        .upsert_feed(&stringer::store::FeedUpsert {
            url: "https://wire.example/feed.xml".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let entries: Vec<NewEntry> = (0..plan.len())
        .map(|i| NewEntry {
            guid: None,
            url: format!("https://wire.example/a/{i}"),
            canonical_url: format!("https://wire.example/a/{i}"),
            title: None,
            published_at: None,
        })
        .collect();
    for chunk in entries.chunks(400) {
        store.insert_entries(feed_id, chunk).await.unwrap();
    }
    let jobs = store
        .claim_articles(Utc::now(), "t", Utc::now() + Duration::hours(1), 10_000)
        .await
        .unwrap();
    assert_eq!(jobs.len(), plan.len());
    for job in &jobs {
        let i: usize = job.url.rsplit('/').next().unwrap().parse().unwrap();
        let p = &plan[i];
        let article = EnrichedArticle {
            final_url: job.url.clone(),
            http_status: 200,
            page: CleanPage {
                title: Some(format!("{} in the news", p.entity.0)),
                text: format!("article {i} about {}", p.entity.0),
                published_at: Some((now - Duration::hours(p.hours_ago)).fixed_offset()),
                ..Default::default()
            },
            entities: vec![Entity {
                name: p.entity.0.to_string(),
                key: stringer::ner::normalise_key(p.entity.0),
                kind: p.entity.1,
                mentions: 1,
                first_offset: 0,
            }],
            category: None,
            keyphrases: Vec::new(),
            content_hash: format!("hash-{i}"),
            source: p.source.clone(),
            signature: None,
            // Yellen's articles are in the user topic `people`.
            topics: if p.entity.0 == "Janet Yellen" {
                vec!["people".into()]
            } else {
                Vec::new()
            },
            alerts: Vec::new(),
        };
        assert!(
            store
                .complete_article("t", job, &article, Utc::now())
                .await
                .unwrap()
        );
    }
    store.refresh_all_rollups().await.unwrap();
}
