//! What the stages of one run share: the configuration, the store, the HTTP client, the
//! models, the counters, and the in-flight accounting that keeps leases ahead of the work.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::stats::Counters;
use crate::config::Config;
use crate::enrich::Enricher;
use crate::fetch::Http;
use crate::robots::Robots;
use crate::schedule::Bounds;

/// Whether the pipeline runs until stopped or makes one pass over every feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Poll feeds when due, forever (`stringer run`).
    Daemon,
    /// Poll every feed once, finish every article that can be finished now, then return
    /// (`stringer once`).
    Once,
}

/// Shared by the stages of one run.
pub struct Context {
    pub mode: Mode,
    pub cfg: Config,
    pub store: crate::store::Store,
    pub http: Http,
    pub robots: Robots,
    pub enricher: Arc<Enricher>,
    pub counters: Counters,
    /// Articles claimed and not yet stored or failed; bounded so leases never outlive the work.
    pub in_flight: AtomicUsize,
    /// Wakes the article source: new pending rows, or a slot freed.
    pub article_wake: Notify,
    /// Set when the poll stage has ended: `once` finishes only after it.
    pub polling_done: AtomicBool,
}

impl Context {
    pub fn owner(&self) -> &str {
        &self.cfg.pipeline.daemon_id
    }

    /// The poll interval bounds of the configuration.
    pub fn bounds(&self) -> Bounds {
        Bounds {
            min: self.cfg.poll.min_interval,
            max: self.cfg.poll.max_interval,
        }
    }

    /// When a lease taken now runs out.
    pub fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::from_std(self.cfg.pipeline.lease)
            .unwrap_or(chrono::Duration::minutes(10))
    }

    /// Counts one more claimed article in flight; the returned slot frees it when dropped.
    pub fn take_slot(self: &Arc<Self>) -> Slot {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Slot(self.clone())
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }
}

/// One claimed article's place in the in-flight count; freed when dropped, whichever way the
/// article leaves the pipeline.
pub struct Slot(Arc<Context>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.article_wake.notify_one();
    }
}
