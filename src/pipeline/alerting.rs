//! The daemon's alert helpers, beside the stages and never in their way: spike rules checked
//! every minute (`crate::spikes`), and the sinks' delivery workers (`crate::sinks`). Match
//! rules need no helper: the enrich stage finds them and the store writer records them with
//! the article. Failures here are logged and retried; they never stop ingestion.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use super::context::Context;
use super::periodic::{First, every};

const SPIKES_EVERY: Duration = Duration::from_secs(60);

/// Checks the spike rules every minute (the first time at once), and forgets cooldowns that
/// ended a day ago, until `done`.
pub async fn keep_spikes(ctx: Arc<Context>, done: CancellationToken) {
    if ctx.cfg.alerts.is_empty() {
        return;
    }
    every(SPIKES_EVERY, First::AtOnce, done, || check(&ctx)).await;
}

async fn check(ctx: &Context) {
    let now = Utc::now();
    let result = async {
        ctx.store
            .prune_cooldowns(now - chrono::Duration::days(1))
            .await?;
        if ctx.cfg.alerts.iter().any(|a| a.spike.is_some()) {
            ctx.store.refresh_all_rollups().await?;
            crate::spikes::check(&ctx.cfg, &ctx.store, now).await?;
        }
        Ok::<(), crate::store::StoreError>(())
    }
    .await;
    match result {
        Ok(_) => {}
        Err(e) if e.is_transient() => debug!(error = %e.cause(), "cannot check spike rules now"),
        Err(e) => warn!(error = %e.cause(), "cannot check spike rules"),
    }
}

/// Runs the sinks' delivery workers until `done`.
pub async fn deliver(ctx: Arc<Context>, done: CancellationToken) {
    crate::sinks::deliver(&ctx.cfg, ctx.store.clone(), ctx.owner.clone(), done).await;
}
