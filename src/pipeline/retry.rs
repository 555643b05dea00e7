//! Waiting out the database: a statement that fails for a transient reason (the server
//! restarting, a killed connection, a pool timeout, SQLite busy, a full disk) is tried again
//! with exponential backoff and jitter, so an outage costs time, not work. One line says when
//! the database went away and why, one when it is back; the stages wait in between, so the
//! queues stay bounded. Errors that waiting cannot fix are returned at once.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::store::{Store, StoreError};

const FIRST_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(15);

/// Whether the database answers, shared by every stage so an outage is logged once.
#[derive(Debug)]
pub struct DbHealth {
    store: Store,
    down_since: Mutex<Option<Instant>>,
}

impl DbHealth {
    pub fn new(store: Store) -> DbHealth {
        DbHealth {
            store,
            down_since: Mutex::new(None),
        }
    }

    async fn down(&self, what: &str, e: &StoreError) {
        let first = match self.down_since.lock() {
            Ok(mut since) if since.is_none() => {
                *since = Some(Instant::now());
                true
            }
            _ => false,
        };
        if first {
            // A pool that timed out hides why; a direct connection attempt tells.
            let cause = match self.store.probe().await {
                Some(why) => why,
                None => e.cause(),
            };
            warn!(stage = what, error = %cause, "database unreachable, retrying");
        }
    }

    fn up(&self) {
        let Ok(mut since) = self.down_since.lock() else {
            return;
        };
        if let Some(at) = since.take() {
            info!(
                after = %humantime::format_duration(Duration::from_secs(at.elapsed().as_secs())),
                "database back"
            );
        }
    }

    pub fn is_down(&self) -> bool {
        self.down_since.lock().map(|s| s.is_some()).unwrap_or(false)
    }

    /// Runs `op` until it succeeds, fails for good, or `give_up` fires while it keeps failing
    /// (then the last transient error is returned).
    pub async fn retry<T, F, Fut>(
        &self,
        what: &str,
        give_up: &CancellationToken,
        mut op: F,
    ) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let mut delay = FIRST_DELAY;
        loop {
            match op().await {
                Ok(v) => {
                    self.up();
                    return Ok(v);
                }
                Err(e) if e.is_transient() && !give_up.is_cancelled() => {
                    self.down(what, &e).await;
                    tokio::select! {
                        () = give_up.cancelled() => return Err(e),
                        () = tokio::time::sleep(jitter(delay)) => {}
                    }
                    delay = (delay * 2).min(MAX_DELAY);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Between half and all of `d`, so daemons that lost the database together do not all come
/// back in the same instant.
fn jitter(d: Duration) -> Duration {
    d.mul_f64(0.5 + rand::random::<f64>() * 0.5)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A store to probe, then the clock paused: the backoff waits take no real time.
    async fn memory_store() -> Store {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        tokio::time::pause();
        store
    }

    #[tokio::test]
    async fn transient_errors_are_retried_and_others_are_not() {
        let health = DbHealth::new(memory_store().await);
        let never = CancellationToken::new();
        let calls = AtomicU32::new(0);
        let v = health
            .retry("test", &never, || async {
                if calls.fetch_add(1, Ordering::SeqCst) < 3 {
                    Err(StoreError::Sql(sqlx::Error::PoolTimedOut))
                } else {
                    Ok(7)
                }
            })
            .await;
        assert_eq!(v.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert!(!health.is_down());
        let calls = AtomicU32::new(0);
        let v: Result<(), _> = health
            .retry("test", &never, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(StoreError::Sql(sqlx::Error::RowNotFound))
            })
            .await;
        assert!(v.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn giving_up_ends_the_wait() {
        let health = DbHealth::new(memory_store().await);
        let give_up = CancellationToken::new();
        let stopper = give_up.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            stopper.cancel();
        });
        let v: Result<(), _> = health
            .retry("test", &give_up, || async {
                Err(StoreError::Sql(sqlx::Error::PoolTimedOut))
            })
            .await;
        assert!(v.unwrap_err().is_transient());
        assert!(health.is_down());
    }
}
