//! Trends against a baseline, on a fixed clock: a quiet baseline, then a burst about one
//! entity from several sources tops `stringer trends --format json` with the expected
//! baseline; a burst from a single source stays under `--min-sources`; one entity under two
//! spellings counts once; rollups agree with a recount. Every story runs on SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod common;

use chrono::{DateTime, Duration, DurationRound, Utc};
use common::{Db, TestDb};
use stringer::model::{CleanPage, EnrichedArticle, Entity, EntityType, NewEntry};
use stringer::store::Store;

on_both_backends!(
    a_burst_from_several_sources_tops_the_trends_with_its_expected_baseline,
    absurd_windows_are_answered_not_panicked_on,
);

/// One planned article: hours before the clock, its source, its entities.
struct Planned {
    hours_ago: i64,
    source: String,
    entities: Vec<(&'static str, EntityType)>,
}

/// Stores the planned articles through the real store API, each published at its time.
async fn store_articles(store: &Store, plan: &[Planned], now: DateTime<Utc>) {
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
                text: format!("article {i}"),
                published_at: Some((now - Duration::hours(p.hours_ago)).fixed_offset()),
                ..Default::default()
            },
            entities: p
                .entities
                .iter()
                .map(|(name, kind)| Entity {
                    name: name.to_string(),
                    key: stringer::ner::normalise_key(name),
                    kind: *kind,
                    mentions: 1,
                    first_offset: 0,
                })
                .collect(),
            category: None,
            keyphrases: Vec::new(),
            content_hash: format!("hash-{i}"),
            source: p.source.clone(),
            signature: None,
            topics: Vec::new(),
            alerts: Vec::new(),
        };
        assert!(
            store
                .complete_article("t", job, &article, Utc::now())
                .await
                .unwrap()
        );
    }
}

fn trends(db_url: &str, now: DateTime<Utc>, extra: &[&str]) -> Vec<serde_json::Value> {
    let o = common::stringer_command()
        .env("STRINGER_DATABASE_URL", db_url)
        .args(["trends", "--format", "json", "--now", &now.to_rfc3339()])
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).expect("a JSON array")
}

async fn a_burst_from_several_sources_tops_the_trends_with_its_expected_baseline(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    // The clock: the next full hour (so the baseline's hours are whole).
    let now = (Utc::now() + Duration::hours(1))
        .duration_trunc(Duration::hours(1))
        .unwrap();
    let mut plan = Vec::new();
    let outlets = [
        "a.example",
        "b.example",
        "c.example",
        "d.example",
        "e.example",
    ];
    // 28 quiet days: ten background articles a day, and Janet Yellen once a day.
    for day in 1..=28 {
        for n in 0..10 {
            plan.push(Planned {
                hours_ago: day * 24 + n + 1,
                source: outlets[n as usize % 5].into(),
                entities: vec![("Federal Reserve", EntityType::ORG)],
            });
        }
        plan.push(Planned {
            hours_ago: day * 24 + 12,
            source: outlets[day as usize % 5].into(),
            entities: vec![("Janet Yellen", EntityType::PER)],
        });
    }
    // The last day: the usual ten, a burst about Yellen from four outlets (also spelt in
    // capitals once), and a burst about Acme Widgets from one outlet only.
    for n in 0..10 {
        plan.push(Planned {
            hours_ago: n + 1,
            source: outlets[n as usize % 5].into(),
            entities: vec![("Federal Reserve", EntityType::ORG)],
        });
    }
    for n in 0..8 {
        let name = if n == 0 {
            "JANET YELLEN"
        } else {
            "Janet Yellen"
        };
        plan.push(Planned {
            hours_ago: n + 1,
            source: outlets[n as usize % 4].into(),
            entities: vec![(name, EntityType::PER)],
        });
    }
    for n in 0..6 {
        plan.push(Planned {
            hours_ago: n + 1,
            source: "single.example".into(),
            entities: vec![("Acme Widgets", EntityType::ORG)],
        });
    }
    store_articles(&store, &plan, now).await;

    let rows = trends(&tdb.url, now, &["--window", "24h", "--baseline", "28d"]);
    let top = &rows[0];
    assert_eq!(top["name"], "Janet Yellen", "{rows:#?}");
    assert_eq!(top["type"], "PER");
    assert_eq!(
        (top["articles"].as_i64(), top["sources"].as_i64()),
        (Some(8), Some(4))
    );
    // 28 of 308 baseline articles, 24 articles in the window: (28 + 1) / 308 × 24.
    let expected = 29.0 / 308.0 * 24.0;
    let baseline = top["baseline"].as_f64().unwrap();
    assert!(
        (baseline - expected).abs() < 1e-6,
        "baseline {baseline}, expected {expected}"
    );
    assert!(top["score"].as_f64().unwrap() > 2.0, "{top}");
    let fed = rows
        .iter()
        .find(|r| r["name"] == "Federal Reserve")
        .unwrap();
    assert!(fed["score"].as_f64().unwrap() < top["score"].as_f64().unwrap());
    assert!(
        rows.iter().all(|r| r["name"] != "Acme Widgets"),
        "one source is not a trend: {rows:#?}"
    );
    let single = trends(
        &tdb.url,
        now,
        &["--min-sources", "1", "--type", "ORG", "--limit", "5"],
    );
    assert!(
        single.iter().any(|r| r["name"] == "Acme Widgets"),
        "{single:#?}"
    );
    assert!(single.iter().all(|r| r["type"] == "ORG"));
    store.close().await;
    tdb.drop_db().await;
}

async fn absurd_windows_are_answered_not_panicked_on(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let store = tdb.store().await;
    store.close().await;
    let now = Utc::now();
    for extra in [
        &["--window", "99999999999d"][..],
        &["--baseline", "99999999999d", "--window", "1s"][..],
        &["--limit", "0"][..],
    ] {
        trends(&tdb.url, now, extra);
    }
    let o = common::stringer_command()
        .env("STRINGER_DATABASE_URL", &tdb.url)
        .args(["stories", "--window", "99999999999d", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    tdb.drop_db().await;
}
