//! Per-stage counters: each stage adds to its own atomics (no lock shared between stages), and
//! a [`Summary`] is a snapshot of them. The daemon logs them periodically; `once` prints them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// What a run did; `once` prints it.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    pub feeds_polled: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    /// Feeds put off while our own network was down (no error counted).
    pub feeds_postponed: usize,
    pub new_entries: usize,
    pub articles_stored: usize,
    pub articles_failed: usize,
    pub articles_retry_later: usize,
    /// Pages put off while our own network was down (no attempt counted).
    pub articles_postponed: usize,
    /// `(feed URL, error)` of every feed that failed in this run.
    pub feed_errors: Vec<(String, String)>,
    /// Each stage's steps and their summed time: a feed poll, a page fetch, a page cleaned
    /// and enriched, a batch stored (steps overlap, so the sum exceeds the wall time).
    pub stages: Vec<StageTime>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub steps: usize,
    pub seconds: f64,
}

/// The poll stage's counters.
#[derive(Debug, Default)]
pub struct PollCounters {
    /// Feeds claimed for polling.
    pub claimed: AtomicUsize,
    pub polled: AtomicUsize,
    pub not_modified: AtomicUsize,
    pub failed: AtomicUsize,
    /// Put off while our own network was down.
    pub postponed: AtomicUsize,
    pub new_entries: AtomicUsize,
    /// `(feed URL, error)` of failed feeds, kept only for the summary of `once`.
    pub errors: Mutex<Vec<(String, String)>>,
}

/// The fetch and enrich stages' counters.
#[derive(Debug, Default)]
pub struct ArticleCounters {
    /// Pages fetched.
    pub fetched: AtomicUsize,
    /// Pages cleaned and enriched.
    pub enriched: AtomicUsize,
    /// Articles failed for good, and failed attempts to be retried later.
    pub failed: AtomicUsize,
    pub retry_later: AtomicUsize,
    /// Put off while our own network was down.
    pub postponed: AtomicUsize,
}

/// The store writer's counters.
#[derive(Debug, Default)]
pub struct StoreCounters {
    pub stored: AtomicUsize,
}

/// How long one stage's steps took: how many, and their total in microseconds.
#[derive(Debug, Default)]
pub struct Latency {
    count: AtomicUsize,
    micros: AtomicU64,
}

impl Latency {
    pub fn record(&self, took: Duration) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Steps, and their total in seconds.
    pub fn read(&self) -> (usize, f64) {
        (
            self.count.load(Ordering::Relaxed),
            self.micros.load(Ordering::Relaxed) as f64 / 1e6,
        )
    }
}

/// Each stage's step durations: a feed poll, a page fetch, a page enriched, a batch stored.
#[derive(Debug, Default)]
pub struct Latencies {
    pub poll: Latency,
    pub fetch: Latency,
    pub enrich: Latency,
    pub store: Latency,
}

#[derive(Debug, Default)]
pub struct Counters {
    pub poll: PollCounters,
    pub articles: ArticleCounters,
    pub store: StoreCounters,
    pub latency: Latencies,
}

/// Adds `n` to a counter.
pub fn add(counter: &AtomicUsize, n: usize) {
    counter.fetch_add(n, Ordering::Relaxed);
}

pub fn get(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::Relaxed)
}

/// Every counter at one moment, for `/metrics`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub feeds_claimed: usize,
    pub feeds_polled: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    pub feeds_postponed: usize,
    pub new_entries: usize,
    pub articles_fetched: usize,
    pub articles_enriched: usize,
    pub articles_failed: usize,
    pub articles_retry_later: usize,
    pub articles_postponed: usize,
    pub articles_stored: usize,
    /// `(stage, steps, seconds)` of poll, fetch, enrich and store.
    pub latencies: [(&'static str, usize, f64); 4],
}

impl Counters {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            feeds_claimed: get(&self.poll.claimed),
            feeds_polled: get(&self.poll.polled),
            feeds_not_modified: get(&self.poll.not_modified),
            feeds_failed: get(&self.poll.failed),
            feeds_postponed: get(&self.poll.postponed),
            new_entries: get(&self.poll.new_entries),
            articles_fetched: get(&self.articles.fetched),
            articles_enriched: get(&self.articles.enriched),
            articles_failed: get(&self.articles.failed),
            articles_retry_later: get(&self.articles.retry_later),
            articles_postponed: get(&self.articles.postponed),
            articles_stored: get(&self.store.stored),
            latencies: [
                ("poll", &self.latency.poll),
                ("fetch", &self.latency.fetch),
                ("enrich", &self.latency.enrich),
                ("store", &self.latency.store),
            ]
            .map(|(stage, l)| {
                let (count, secs) = l.read();
                (stage, count, secs)
            }),
        }
    }

    pub fn summary(&self) -> Summary {
        Summary {
            feeds_polled: get(&self.poll.polled),
            feeds_not_modified: get(&self.poll.not_modified),
            feeds_failed: get(&self.poll.failed),
            feeds_postponed: get(&self.poll.postponed),
            new_entries: get(&self.poll.new_entries),
            articles_stored: get(&self.store.stored),
            articles_failed: get(&self.articles.failed),
            articles_retry_later: get(&self.articles.retry_later),
            articles_postponed: get(&self.articles.postponed),
            feed_errors: self
                .poll
                .errors
                .lock()
                .map(|e| e.clone())
                .unwrap_or_default(),
            stages: self
                .snapshot()
                .latencies
                .iter()
                .map(|&(stage, steps, seconds)| StageTime {
                    stage,
                    steps,
                    seconds,
                })
                .collect(),
        }
    }
}
