//! Keeping the hourly rollups current: every few seconds the hours that stored articles marked
//! dirty are recomputed (several daemons share the work; each dirty hour is claimed by one).
//! `once` brings them up to date when its pass ends, so trends read right after it are exact.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use super::context::Context;
use super::periodic::{First, every};

const EVERY: Duration = Duration::from_secs(5);

pub async fn keep(ctx: Arc<Context>, done: CancellationToken) {
    every(EVERY, First::AtOnce, done, || refresh(&ctx)).await;
}

/// Recomputes every dirty hour; a failure is logged and left for the next turn.
pub async fn refresh(ctx: &Context) {
    match ctx.store.refresh_all_rollups().await {
        Ok(0) => {}
        Ok(n) => debug!(hours = n, "rollups recomputed"),
        Err(e) if e.is_transient() => debug!(error = %e.cause(), "cannot recompute rollups now"),
        Err(e) => warn!(error = %e.cause(), "cannot recompute rollups"),
    }
}
