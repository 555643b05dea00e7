//! Keeping leases true: at start, the leases of dead processes of this host are taken back;
//! while the run lasts, the lease of every feed and article this process has in hand is
//! renewed well before it runs out, so work that waits (behind a busy host, in a full queue)
//! is never handed to someone else. A lease it holds without knowing (a claim whose answer a
//! dropped connection lost) is left to run out, so that work is claimed again.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::context::Context;
use super::owner;
use super::periodic::{self, First};
use crate::store::{Store, StoreError};

/// Releases the leases of holders on this host whose process is gone (a daemon killed with
/// SIGKILL, a crashed pass), so their work is done now rather than when the leases run out.
pub async fn reclaim_dead(store: &Store) -> Result<u64, StoreError> {
    let mut reclaimed = 0;
    for holder in store.lease_owners().await? {
        if owner::is_dead_here(&holder) {
            let n = store.release_leases(&holder).await?;
            info!(holder = %holder, leases = n, "took back the leases of a stopped process");
            reclaimed += n;
        }
    }
    Ok(reclaimed)
}

/// Renews this process's leases every quarter of the lease length until `done` fires. A
/// renewal that fails is tried again at the next turn; three quarters of a lease is the
/// margin for a database outage.
pub async fn keep(ctx: Arc<Context>, done: CancellationToken) {
    let every = (ctx.cfg.pipeline.lease / 4).max(Duration::from_millis(100));
    periodic::every(every, First::AfterPeriod, done, || renew(&ctx)).await;
}

/// One renewal of the leases of what the run holds.
async fn renew(ctx: &Context) {
    let until = ctx.lease_until(Utc::now());
    let (feeds, articles) = ctx.held();
    match ctx
        .store
        .renew_leases(&ctx.owner, until, &feeds, &articles)
        .await
    {
        Ok(n) => debug!(leases = n, "leases renewed"),
        Err(e) if e.is_transient() => debug!(error = %e.cause(), "cannot renew leases now"),
        Err(e) => warn!(error = %e.cause(), "cannot renew leases"),
    }
}
