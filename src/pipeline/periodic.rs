//! The loop of the helper tasks that work on a clock (leases, rollups, spikes, housekeeping):
//! a turn every `period` (the first at once, or after one period), a late turn delayed rather
//! than bunched, until `done` fires.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Whether the first turn comes at once or after one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum First {
    AtOnce,
    AfterPeriod,
}

pub async fn every<F, Fut>(period: Duration, first: First, done: CancellationToken, mut turn: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    if first == First::AfterPeriod {
        ticks.tick().await;
    }
    loop {
        tokio::select! {
            () = done.cancelled() => return,
            _ = ticks.tick() => {}
        }
        turn().await;
    }
}
