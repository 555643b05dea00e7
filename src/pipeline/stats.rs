//! Per-stage counters: each stage adds to its own atomics (no lock shared between stages), and
//! a [`Summary`] is a snapshot of them. The daemon logs them periodically; `once` prints them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a run did; `once` prints it.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    pub feeds_polled: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    pub new_entries: usize,
    pub articles_stored: usize,
    pub articles_failed: usize,
    pub articles_retry_later: usize,
    /// `(feed URL, error)` of every feed that failed in this run.
    pub feed_errors: Vec<(String, String)>,
}

/// The poll stage's counters.
#[derive(Debug, Default)]
pub struct PollCounters {
    /// Feeds claimed for polling.
    pub claimed: AtomicUsize,
    pub polled: AtomicUsize,
    pub not_modified: AtomicUsize,
    pub failed: AtomicUsize,
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
}

/// The store writer's counters.
#[derive(Debug, Default)]
pub struct StoreCounters {
    pub stored: AtomicUsize,
}

#[derive(Debug, Default)]
pub struct Counters {
    pub poll: PollCounters,
    pub articles: ArticleCounters,
    pub store: StoreCounters,
}

/// Adds `n` to a counter.
pub fn add(counter: &AtomicUsize, n: usize) {
    counter.fetch_add(n, Ordering::Relaxed);
}

pub fn get(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::Relaxed)
}

/// Every counter at one moment, for `/metrics`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub feeds_claimed: usize,
    pub feeds_polled: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    pub new_entries: usize,
    pub articles_fetched: usize,
    pub articles_enriched: usize,
    pub articles_failed: usize,
    pub articles_retry_later: usize,
    pub articles_stored: usize,
}

impl Counters {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            feeds_claimed: get(&self.poll.claimed),
            feeds_polled: get(&self.poll.polled),
            feeds_not_modified: get(&self.poll.not_modified),
            feeds_failed: get(&self.poll.failed),
            new_entries: get(&self.poll.new_entries),
            articles_fetched: get(&self.articles.fetched),
            articles_enriched: get(&self.articles.enriched),
            articles_failed: get(&self.articles.failed),
            articles_retry_later: get(&self.articles.retry_later),
            articles_stored: get(&self.store.stored),
        }
    }

    pub fn summary(&self) -> Summary {
        Summary {
            feeds_polled: get(&self.poll.polled),
            feeds_not_modified: get(&self.poll.not_modified),
            feeds_failed: get(&self.poll.failed),
            new_entries: get(&self.poll.new_entries),
            articles_stored: get(&self.store.stored),
            articles_failed: get(&self.articles.failed),
            articles_retry_later: get(&self.articles.retry_later),
            feed_errors: self
                .poll
                .errors
                .lock()
                .map(|e| e.clone())
                .unwrap_or_default(),
        }
    }
}
