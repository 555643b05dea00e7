//! Housekeeping of `run`: every hour the `fetch_log` rows older than
//! `[poll] fetch_log_retention` are deleted, so the log of polls does not grow for ever. A
//! failure is logged and left for the next hour.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use super::context::Context;
use super::periodic::{First, every};

const EVERY: Duration = Duration::from_secs(3_600);

pub async fn keep(ctx: Arc<Context>, done: CancellationToken) {
    every(EVERY, First::AtOnce, done, || prune(&ctx)).await;
}

async fn prune(ctx: &Context) {
    let keep = chrono::Duration::from_std(ctx.cfg.poll.fetch_log_retention)
        .unwrap_or(chrono::Duration::MAX);
    let Some(before) = Utc::now().checked_sub_signed(keep) else {
        return;
    };
    match ctx.store.prune_fetch_log(before).await {
        Ok(0) => {}
        Ok(n) => debug!(rows = n, "old fetch_log rows deleted"),
        Err(e) if e.is_transient() => debug!(error = %e.cause(), "cannot prune fetch_log now"),
        Err(e) => warn!(error = %e.cause(), "cannot prune fetch_log"),
    }
}
