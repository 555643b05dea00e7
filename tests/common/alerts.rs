//! Test support for alerts: a webhook receiver on 127.0.0.1 port 0 that can be down (503) or
//! up (204, bodies kept), the envelope's JSON Schema, and the quiet baseline with its bursts
//! that the spike stories store (`seed`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::Value;
use stringer::model::EntityType;

use super::seed::Planned;
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
    // Yellen's articles are in the user topic `people`.
    let p = |hours_ago, source: &str, entity: (&'static str, EntityType)| {
        let mut planned = Planned::new(hours_ago, source, &[entity]);
        if entity.0 == "Janet Yellen" {
            planned.topics = vec!["people".into()];
        }
        planned
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

/// Stores the planned articles (`seed::store_planned`) and brings the rollups up to date, as
/// the daemon's rollup keeper would have.
pub async fn store_planned(store: &Store, plan: &[Planned], now: DateTime<Utc>) {
    super::seed::store_planned(store, plan, now).await;
    store.refresh_all_rollups().await.unwrap();
}
