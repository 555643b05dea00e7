//! The trends query in process: a 24-hour window against a 28-day baseline over a database
//! of 100,000 generated articles with 1,000,000 mentions over 30 days (`stringer generate`),
//! on SQLite and, when `STRINGER_BENCH_POSTGRES_URL` names an existing database, PostgreSQL.
//! The SQLite file is made on the first run under `target/bench/` (about a minute with a
//! release build) and reused; a PostgreSQL database is filled when it holds no articles.
//! Both are filled on a fixed clock (`NOW`, the same as `stringer generate --now NOW`), so a
//! database made once keeps answering the same window.
//! It must not assert anything about speed: numbers are for reading, not for CI.

use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use stringer::generate::{Plan, fill};
use stringer::store::{Store, TrendQuery};

/// The clock of the generated history and of the query.
const NOW: &str = "2026-11-01T00:00:00Z";

fn now() -> DateTime<Utc> {
    NOW.parse().expect("a fixed time")
}

async fn ready(url: &str) -> Store {
    let store = Store::connect(url, 4)
        .await
        .expect("open the bench database");
    let counts = store.article_counts().await.expect("count articles");
    if counts.done == 0 {
        eprintln!("filling {url} with 100,000 generated articles (once)");
        fill(
            &store,
            &Plan {
                now: now(),
                ..Plan::default()
            },
            |_| {},
        )
        .await
        .expect("generate");
    }
    store.refresh_all_rollups().await.expect("rollups");
    store
}

fn query() -> TrendQuery {
    TrendQuery {
        now: now(),
        window: chrono::Duration::hours(24),
        baseline: chrono::Duration::days(28),
        kind: None,
        topic: None,
        category: None,
        min_count: 3,
        min_sources: 2,
        limit: 20,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    std::fs::create_dir_all("target/bench").expect("bench folder");
    let mut targets = vec![("sqlite", "sqlite://target/bench/trends.db".to_string())];
    if let Ok(pg) = std::env::var("STRINGER_BENCH_POSTGRES_URL") {
        targets.push(("postgres", pg));
    }
    let mut g = c.benchmark_group("trends");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    for (name, url) in targets {
        let store = rt.block_on(ready(&url));
        let q = query();
        g.bench_function(format!("24h-vs-28d/{name}"), |b| {
            b.iter(|| rt.block_on(store.trends(&q)).expect("trends"))
        });
        rt.block_on(store.close());
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
