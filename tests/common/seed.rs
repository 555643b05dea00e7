//! Articles stored straight through the store API at planned times, sources and entities: the
//! trends, API and alerts stories seed their databases with it.

use chrono::{DateTime, Duration, Utc};
use stringer::model::{CleanPage, EnrichedArticle, Entity, EntityType, NewEntry};
use stringer::store::{FeedUpsert, Store};

/// One planned article.
pub struct Planned {
    /// Published this long before the clock.
    pub hours_ago: i64,
    /// Its registrable domain; the article's URL is on this host.
    pub source: String,
    pub entities: Vec<(&'static str, EntityType)>,
    pub title: String,
    /// Articles with the same hash have the same text: copies of one story. `None`: its own.
    pub hash: Option<String>,
    pub topics: Vec<String>,
}

impl Planned {
    /// An article about `entities`, titled after the first, with a text of its own.
    pub fn new(hours_ago: i64, source: &str, entities: &[(&'static str, EntityType)]) -> Planned {
        Planned {
            hours_ago,
            source: source.into(),
            entities: entities.to_vec(),
            title: format!(
                "{} in the news",
                entities.first().map_or("Nothing", |e| e.0)
            ),
            hash: None,
            topics: Vec::new(),
        }
    }
}

/// Stores the planned articles through the store API from one feed (`https://wire.example/
/// feed.xml`), each published at its time before `now`; returns the feed's id.
pub async fn store_planned(store: &Store, plan: &[Planned], now: DateTime<Utc>) -> i64 {
    let (feed_id, _) = store
        .upsert_feed(&FeedUpsert {
            url: "https://wire.example/feed.xml".into(),
            title: Some("The Wire".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let entries: Vec<NewEntry> = plan
        .iter()
        .enumerate()
        .map(|(i, p)| NewEntry {
            guid: None,
            url: format!("https://{}/news/{i}", p.source),
            canonical_url: format!("https://{}/news/{i}", p.source),
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
        let article = enriched(&plan[i], i, &job.url, now);
        assert!(
            store
                .complete_article("t", job, &article, Utc::now())
                .await
                .unwrap()
        );
    }
    feed_id
}

fn enriched(p: &Planned, i: usize, url: &str, now: DateTime<Utc>) -> EnrichedArticle {
    let hash = p.hash.clone().unwrap_or_else(|| format!("article-{i}"));
    EnrichedArticle {
        final_url: url.to_string(),
        http_status: 200,
        page: CleanPage {
            title: Some(p.title.clone()),
            text: format!("{} ({hash})", p.title),
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
        content_hash: format!("hash-{hash}"),
        source: p.source.clone(),
        signature: None,
        topics: p.topics.clone(),
        alerts: Vec::new(),
        sinks: Vec::new(),
    }
}
