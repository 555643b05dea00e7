//! The daemon says what it has done every few minutes, so a quiet log still shows it is alive.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::info;

use super::context::Context;

pub async fn report_progress(ctx: Arc<Context>, shutdown: CancellationToken) {
    let mut every = tokio::time::interval(Duration::from_secs(300));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    every.tick().await;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        let s = ctx.counters.summary();
        info!(
            feeds_polled = s.feeds_polled,
            feeds_not_modified = s.feeds_not_modified,
            feeds_failed = s.feeds_failed,
            new_entries = s.new_entries,
            articles_stored = s.articles_stored,
            articles_failed = s.articles_failed,
            articles_retry_later = s.articles_retry_later,
            in_flight = ctx.in_flight(),
            "progress since start"
        );
    }
}
