//! Spike rules against the store: the window's counts of each rule's subject (entities through
//! the trends query, a topic through its article counts) against the baseline's expectation,
//! decided by `alerts::spike`, and recorded with `Store::record_alert`, whose cooldown claim
//! keeps several daemons from firing the same alert. The daemon checks every minute
//! (`pipeline`); `alerts test` asks what would have fired.

use chrono::{DateTime, Duration, Utc};

use crate::alerts::cooldown;
use crate::alerts::spike::{SpikeCounts, SpikeSubject, fires};
use crate::config::{AlertConfig, Config, SpikeConfig};
use crate::ner::normalise_key;
use crate::store::{NewAlert, Result, Store, TrendQuery};
use crate::trends::{Counts, expected};

/// Most articles an alert lists.
const ARTICLES: i64 = 20;

/// A subject's counts, and how to find its articles.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub counts: SpikeCounts,
    /// `(name, type)` of an entity; `None` for a topic.
    entity: Option<(String, String)>,
}

fn span(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

fn window(spike: &SpikeConfig, now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_signed(span(spike.window))
        .unwrap_or(DateTime::UNIX_EPOCH)
        .max(DateTime::UNIX_EPOCH)
}

/// Every subject of the rule with its window counts at `now` (before the rule's thresholds).
pub async fn candidates(
    store: &Store,
    spike: &SpikeConfig,
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>> {
    let lo = window(spike, now);
    match SpikeSubject::of(spike) {
        SpikeSubject::Topic(topic) => {
            Ok(vec![topic_candidate(store, spike, &topic, lo, now).await?])
        }
        subject => {
            let query = TrendQuery {
                now,
                window: now - lo,
                baseline: span(spike.baseline),
                min_count: spike.min_count,
                min_sources: spike.min_sources,
                limit: usize::MAX,
                ..Default::default()
            };
            let wanted = match &subject {
                SpikeSubject::Entity(name) => Some(normalise_key(name)),
                _ => None,
            };
            Ok(store
                .trends(&query)
                .await?
                .into_iter()
                .filter(|r| wanted.as_ref().is_none_or(|k| normalise_key(&r.name) == *k))
                .map(|r| Candidate {
                    counts: SpikeCounts {
                        subject: format!("entity:{}:{}", r.kind, r.name),
                        articles: r.articles,
                        sources: r.sources,
                        expected: r.baseline,
                    },
                    entity: Some((r.name, r.kind)),
                })
                .collect())
        }
    }
}

async fn topic_candidate(
    store: &Store,
    spike: &SpikeConfig,
    topic: &str,
    lo: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Candidate> {
    let base_lo = lo
        .checked_sub_signed(span(spike.baseline))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let (articles, sources, window_total) = store.topic_counts(topic, lo, now).await?;
    let (baseline, _, baseline_total) = store.topic_counts(topic, base_lo, lo).await?;
    let secs = |d: Duration| d.num_milliseconds() as f64 / 1000.0;
    let counts = Counts {
        window: articles,
        baseline,
        window_total,
        baseline_total,
        window_secs: secs(now - lo),
        baseline_secs: secs(lo - base_lo),
    };
    Ok(Candidate {
        counts: SpikeCounts {
            subject: format!("topic:{topic}"),
            articles,
            sources,
            expected: expected(&counts),
        },
        entity: None,
    })
}

/// The subjects whose counts fire the rule at `now`.
pub async fn firing(
    store: &Store,
    spike: &SpikeConfig,
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>> {
    let history = store.history_from().await?;
    Ok(candidates(store, spike, now)
        .await?
        .into_iter()
        .filter(|c| fires(spike, &c.counts, history, now))
        .collect())
}

/// Checks every spike rule at `now` and records what fires (cooldowns permitting). Returns the
/// ids of the alerts recorded.
pub async fn check(cfg: &Config, store: &Store, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut fired = Vec::new();
    for rule in &cfg.alerts {
        let Some(spike) = &rule.spike else { continue };
        for c in firing(store, spike, now).await? {
            let alert = alert_of(store, rule, spike, &c, now).await?;
            if let Some(id) = store.record_alert(&alert).await? {
                tracing::info!(rule = %rule.name, subject = %c.counts.subject, articles = c.counts.articles, "spike alert fired");
                fired.push(id);
            }
        }
    }
    Ok(fired)
}

async fn alert_of(
    store: &Store,
    rule: &AlertConfig,
    spike: &SpikeConfig,
    c: &Candidate,
    now: DateTime<Utc>,
) -> Result<NewAlert> {
    let lo = window(spike, now);
    let articles = match (&c.entity, &spike.topic) {
        (Some((name, kind)), _) => store.entity_articles(name, kind, lo, now, ARTICLES).await?,
        (None, Some(topic)) => store.topic_articles(topic, lo, now, ARTICLES).await?,
        (None, None) => Vec::new(),
    };
    let name = c.counts.subject.split_once(':').map_or("", |(_, n)| n);
    Ok(NewAlert {
        rule: rule.name.clone(),
        kind: "spike".into(),
        subject: c.counts.subject.clone(),
        fired_at: now,
        queued_at: Utc::now(),
        quiet_until: cooldown::until(now, rule.cooldown),
        articles,
        matched: vec![name.to_string()],
        details: serde_json::json!({
            "articles": c.counts.articles,
            "sources": c.counts.sources,
            "expected": c.counts.expected,
            "factor": spike.factor,
            "window_start": lo.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "window_end": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
        sinks: rule.sinks.clone(),
    })
}
