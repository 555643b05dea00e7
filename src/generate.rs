//! Synthetic history for benchmarks: N articles with their mentions over D days, written
//! through the real store API (pending entries, claims, completions with entities,
//! keyphrases, stories and rollups), so what a benchmark reads is laid out as the daemon lays
//! it out, in time order. Names follow a Zipf law (a few everywhere, most rare), sources rotate over a few
//! hundred domains. Deterministic for a seed. It must never run against a database people use:
//! the command asks for an empty one.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::model::{ArticleJob, CleanPage, EnrichedArticle, Entity, EntityType, NewEntry};
use crate::ner::normalise_key;
use crate::store::{FeedUpsert, Store, StoreError};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub articles: usize,
    pub days: i64,
    pub entities_per_article: usize,
    /// Distinct entity names to draw from.
    pub vocabulary: usize,
    pub sources: usize,
    pub seed: u64,
    /// The newest event time; articles spread over `days` before it.
    pub now: DateTime<Utc>,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan {
            articles: 100_000,
            days: 30,
            entities_per_article: 10,
            vocabulary: 20_000,
            sources: 200,
            seed: 1,
            now: Utc::now(),
        }
    }
}

const BATCH: usize = 500;
const OWNER: &str = "stringer-generate";
const TYPES: [EntityType; 4] = [
    EntityType::PER,
    EntityType::ORG,
    EntityType::LOC,
    EntityType::MISC,
];

/// Cumulative Zipf weights over ranks 1..=n, for drawing names.
struct Zipf(Vec<f64>);

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut acc = 0.0;
        Zipf(
            (1..=n.max(1))
                .map(|r| {
                    acc += 1.0 / r as f64;
                    acc
                })
                .collect(),
        )
    }

    fn draw(&self, rng: &mut StdRng) -> usize {
        let total = self.0.last().copied().unwrap_or(1.0);
        let x = rng.random::<f64>() * total;
        self.0.partition_point(|&c| c < x).min(self.0.len() - 1)
    }
}

/// Fills `store` as `plan` says; returns the number of articles stored. `progress` hears the
/// running count after every batch.
pub async fn fill(
    store: &Store,
    plan: &Plan,
    mut progress: impl FnMut(usize),
) -> Result<usize, StoreError> {
    let (feed_id, _) = store
        .upsert_feed(&FeedUpsert {
            url: "https://generated.invalid/feed.xml".into(),
            title: Some("Generated for benchmarks".into()),
            ..Default::default()
        })
        .await?;
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let zipf = Zipf::new(plan.vocabulary);
    let mut stored = 0;
    while stored < plan.articles {
        let n = BATCH.min(plan.articles - stored);
        let entries: Vec<NewEntry> = (stored..stored + n).map(|i| entry(plan, i)).collect();
        store.insert_entries(feed_id, &entries).await?;
        let now = Utc::now();
        let jobs = store
            .claim_articles(now, OWNER, now + Duration::hours(1), n as i64)
            .await?;
        let made: Vec<(ArticleJob, EnrichedArticle)> = jobs
            .iter()
            .enumerate()
            .map(|(k, job)| article(plan, stored + k, job, &zipf, &mut rng))
            .collect();
        let batch: Vec<_> = made.iter().map(|(j, a)| (j, a, now)).collect();
        store.complete_articles(OWNER, &batch).await?;
        stored += jobs.len();
        // As the daemon's rollup keeper does every few seconds: story rarity reads the
        // rollups, so a name common in the last batches must count as common. Time moves
        // forward, so each refresh redoes only the latest hours.
        store.refresh_all_rollups().await?;
        progress(stored);
        if jobs.is_empty() {
            break;
        }
    }
    store.refresh_all_rollups().await?;
    Ok(stored)
}

fn entry(plan: &Plan, i: usize) -> NewEntry {
    let url = format!("https://source{}.example/news/{i}", i % plan.sources.max(1));
    NewEntry {
        guid: None,
        canonical_url: url.clone(),
        url,
        title: Some(format!("Generated story {i}")),
        published_at: None,
    }
}

/// The `i`th article and its job. Articles arrive in time order, as a daemon meets them,
/// spread evenly over the days; each is first seen as an archive import sees it, a little
/// after it was published, so its event time is its published time whatever the clock says.
fn article(
    plan: &Plan,
    i: usize,
    job: &ArticleJob,
    zipf: &Zipf,
    rng: &mut StdRng,
) -> (ArticleJob, EnrichedArticle) {
    let span = (plan.days.max(1) * 86_400) as f64;
    let at = (i as f64 + rng.random::<f64>()) / plan.articles.max(1) as f64;
    let age = Duration::seconds((span * (1.0 - at)) as i64);
    let published = (plan.now - age).fixed_offset();
    let job = ArticleJob {
        discovered_at: published.to_utc() + Duration::seconds(rng.random_range(0..7_200)),
        ..job.clone()
    };
    let mut entities: Vec<Entity> = Vec::with_capacity(plan.entities_per_article);
    while entities.len() < plan.entities_per_article.min(plan.vocabulary) {
        let rank = zipf.draw(rng);
        let name = format!("Name {rank:05}");
        if entities.iter().any(|e| e.name == name) {
            continue;
        }
        entities.push(Entity {
            key: normalise_key(&name),
            kind: TYPES[rank % 4],
            mentions: rng.random_range(1..5),
            first_offset: 0,
            name,
        });
    }
    let article = EnrichedArticle {
        final_url: job.url.clone(),
        http_status: 200,
        page: CleanPage {
            title: Some(format!("Generated story {}", job.id)),
            text: format!("Generated text of article {}.", job.id),
            published_at: Some(published),
            language: Some("en".into()),
            ..Default::default()
        },
        entities,
        category: None,
        keyphrases: (0..3)
            .map(|_| format!("phrase {}", zipf.draw(rng) % 5_000))
            .collect(),
        content_hash: format!("generated-{}", job.id),
        source: crate::urls::source_of(&job.url),
        signature: None,
        topics: Vec::new(),
        alerts: Vec::new(),
        sinks: Vec::new(),
    };
    (job, article)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fills_a_store_with_articles_and_mentions() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        let plan = Plan {
            articles: 120,
            days: 3,
            entities_per_article: 5,
            vocabulary: 50,
            sources: 7,
            now: "2026-01-10T00:00:00Z".parse().unwrap(),
            ..Plan::default()
        };
        let mut seen = 0;
        let n = fill(&store, &plan, |k| seen = k).await.unwrap();
        assert_eq!((n, seen), (120, 120));
        assert_eq!(store.article_counts().await.unwrap().done, 120);
        // The history lies on the plan's clock, not on today's.
        let rows = store
            .trends(&crate::store::TrendQuery {
                now: plan.now,
                window: Duration::days(1),
                baseline: Duration::days(2),
                min_count: 1,
                min_sources: 1,
                limit: 5,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r.articles < 120), "{rows:?}");
    }
}
