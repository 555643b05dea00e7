//! What the stages of one run share: the configuration, the store, the HTTP client, the
//! models, the counters, the stop signals, and the in-flight accounting that keeps every
//! claimed article in view until it leaves the pipeline.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::retry::DbHealth;
use super::stats::Counters;
use crate::config::Config;
use crate::enrich::Enricher;
use crate::fetch::Http;
use crate::robots::Robots;
use crate::schedule::Bounds;
use crate::store::{Store, StoreError};

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
    pub store: Store,
    pub http: Http,
    pub robots: Robots,
    pub enricher: Arc<Enricher>,
    pub counters: Arc<Counters>,
    /// This process's name on its leases (see `owner`).
    pub owner: String,
    pub db: DbHealth,
    /// Fired to stop: the sources stop claiming, and no stage starts new network work.
    pub stop: CancellationToken,
    /// Fired when the stop's grace period is over (or a stage failed for good): work in
    /// flight is dropped, and waits for the database end.
    pub abort: CancellationToken,
    /// Ids of the claimed articles still in the pipeline; a claim never hands out one twice.
    claimed: Mutex<HashSet<i64>>,
    /// Ids of the claimed feeds not yet polled.
    feeds_held: Mutex<HashSet<i64>>,
    in_flight: AtomicUsize,
    /// Wakes the article source: new pending rows, or a slot freed.
    pub article_wake: Notify,
    /// Set when the poll stage has ended: `once` finishes only after it.
    pub polling_done: AtomicBool,
}

impl Context {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        mode: Mode,
        cfg: Config,
        store: Store,
        http: Http,
        enricher: Arc<Enricher>,
        owner: String,
        stop: CancellationToken,
        abort: CancellationToken,
        counters: Arc<Counters>,
    ) -> Context {
        Context {
            mode,
            robots: Robots::new(&cfg.http.user_agent),
            db: DbHealth::new(store.clone()),
            cfg,
            store,
            http,
            enricher,
            counters,
            owner,
            stop,
            abort,
            claimed: Mutex::new(HashSet::new()),
            feeds_held: Mutex::new(HashSet::new()),
            in_flight: AtomicUsize::new(0),
            article_wake: Notify::new(),
            polling_done: AtomicBool::new(false),
        }
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
            .unwrap_or(chrono::Duration::minutes(2))
    }

    /// Runs a store operation, waiting out a database outage until the run aborts.
    pub async fn db<T, F, Fut>(&self, what: &str, op: F) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        self.db.retry(what, &self.abort, op).await
    }

    /// Takes a claimed article into the pipeline; `None` when it is in the pipeline already
    /// (its lease ran out while it waited and this process claimed it again). The slot
    /// frees its place when dropped.
    pub fn take_slot(self: &Arc<Self>, id: i64) -> Option<Slot> {
        let mut claimed = self.claimed.lock().ok()?;
        if !claimed.insert(id) {
            return None;
        }
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Some(Slot {
            ctx: self.clone(),
            id,
        })
    }

    /// Notes feeds this process has claimed and will poll.
    pub fn hold_feeds(&self, ids: impl IntoIterator<Item = i64>) {
        if let Ok(mut held) = self.feeds_held.lock() {
            held.extend(ids);
        }
    }

    /// Notes that a claimed feed has been dealt with.
    pub fn drop_feed(&self, id: i64) {
        if let Ok(mut held) = self.feeds_held.lock() {
            held.remove(&id);
        }
    }

    /// The feeds and articles this process has in hand, whose leases it keeps.
    pub fn held(&self) -> (Vec<i64>, Vec<i64>) {
        let ids = |set: &Mutex<HashSet<i64>>| {
            set.lock()
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default()
        };
        (ids(&self.feeds_held), ids(&self.claimed))
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    pub fn stopping(&self) -> bool {
        self.stop.is_cancelled()
    }
}

/// One claimed article's place in the pipeline; freed when dropped, whichever way the
/// article leaves it.
pub struct Slot {
    ctx: Arc<Context>,
    id: i64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut claimed) = self.ctx.claimed.lock() {
            claimed.remove(&self.id);
        }
        self.ctx.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.ctx.article_wake.notify_one();
    }
}
