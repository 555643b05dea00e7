//! Trends against a baseline, on a fixed clock: a quiet baseline, then a burst about one
//! entity from several sources tops `stringer trends --format json` with the expected
//! baseline; a burst from a single source stays under `--min-sources`; one entity under two
//! spellings counts once; rollups agree with a recount. Every story runs on SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod common;

use chrono::{DateTime, Duration, DurationRound, Utc};
use common::seed::{Planned, store_planned};
use common::{Db, TestDb};
use stringer::model::EntityType;

on_both_backends!(
    a_burst_from_several_sources_tops_the_trends_with_its_expected_baseline,
    absurd_windows_are_answered_not_panicked_on,
);

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
            plan.push(Planned::new(
                day * 24 + n + 1,
                outlets[n as usize % 5],
                &[("Federal Reserve", EntityType::ORG)],
            ));
        }
        plan.push(Planned::new(
            day * 24 + 12,
            outlets[day as usize % 5],
            &[("Janet Yellen", EntityType::PER)],
        ));
    }
    // The last day: the usual ten, a burst about Yellen from four outlets (also spelt in
    // capitals once), and a burst about Acme Widgets from one outlet only.
    for n in 0..10 {
        plan.push(Planned::new(
            n + 1,
            outlets[n as usize % 5],
            &[("Federal Reserve", EntityType::ORG)],
        ));
    }
    for n in 0..8 {
        let name = if n == 0 {
            "JANET YELLEN"
        } else {
            "Janet Yellen"
        };
        plan.push(Planned::new(
            n + 1,
            outlets[n as usize % 4],
            &[(name, EntityType::PER)],
        ));
    }
    for n in 0..6 {
        plan.push(Planned::new(
            n + 1,
            "single.example",
            &[("Acme Widgets", EntityType::ORG)],
        ));
    }
    store_planned(&store, &plan, now).await;

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
