//! The sinks' part of the periodic log summary: every `log.progress_interval`, one line per
//! sink with what it has taken, what waits, failed attempts, what it gave up, and its lag (the
//! age of the oldest waiting row), from the outbox (so the same for every daemon sharing it).

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::store::Store;

pub async fn run(store: Store, every: Duration, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_secs(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        let figures = match store.sink_figures().await {
            Ok(f) => f,
            Err(e) => {
                debug!(error = %e.cause(), "cannot read the sinks' figures now");
                continue;
            }
        };
        let now = Utc::now();
        for s in figures {
            let lag = s
                .oldest_pending
                .map_or(0, |t| (now - t).num_seconds().max(0));
            info!(
                sink = %s.sink,
                delivered = s.delivered,
                pending = s.pending,
                failed = s.failed,
                given_up = s.given_up,
                lag_s = lag,
                "sink"
            );
        }
    }
}
