//! Politeness per host, for every request the client makes (feeds, pages, robots.txt): a
//! request rate per host (`governor`, keyed by host name) and, on top of it, the minimum gap a
//! site's robots.txt `Crawl-delay` asks for its pages.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

pub(super) struct Politeness {
    rate: DefaultKeyedRateLimiter<String>,
    /// Each host with a crawl delay: the delay, and when the host may next be asked.
    delayed: Mutex<HashMap<String, (Duration, Instant)>>,
    /// Turns taken, to forget idle hosts now and then.
    turns: AtomicUsize,
}

/// The longest a server's Retry-After holds its host back for every request.
const MAX_HOLD: Duration = Duration::from_secs(3_600);

/// Every this many turns the rate's per-host state forgets hosts that are back to full.
const FORGET_EVERY: usize = 4096;

impl Politeness {
    /// One request per `gap` per host, no bursts.
    pub fn new(gap: Duration) -> Option<Politeness> {
        Some(Politeness {
            rate: RateLimiter::keyed(Quota::with_period(gap)?),
            delayed: Mutex::new(HashMap::new()),
            turns: AtomicUsize::new(0),
        })
    }

    /// Waits for the host's turn: under the rate, then (last, so nothing shortens it) its
    /// crawl delay after the previous request.
    pub async fn turn(&self, host: &str) {
        if self.turns.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.forget_idle_hosts();
        }
        self.rate.until_key_ready(&host.to_string()).await;
        let now = Instant::now();
        let turn = {
            let mut delayed = self.delayed.lock().expect("politeness lock");
            let Some((gap, next)) = delayed.get_mut(host) else {
                return;
            };
            let turn = (*next).max(now);
            *next = turn + *gap;
            turn
        };
        tokio::time::sleep_until(turn).await;
    }

    /// Forgets the hosts whose turn came long enough ago that nothing of their state still
    /// holds anyone back, so the state stays bounded by the hosts asked recently. A forgotten
    /// host's crawl delay is set again by the next robots.txt check of its pages.
    fn forget_idle_hosts(&self) {
        self.rate.retain_recent();
        self.rate.shrink_to_fit();
        let now = Instant::now();
        let mut delayed = self.delayed.lock().expect("politeness lock");
        delayed.retain(|_, (gap, next)| *next + *gap > now);
        delayed.shrink_to_fit();
    }

    /// Holds every request to `host` back for `wait` (a busy server's Retry-After, at most
    /// [`MAX_HOLD`]); a crawl delay the host has stays.
    pub fn hold_until(&self, host: &str, wait: Duration) {
        let until = Instant::now() + wait.min(MAX_HOLD);
        let mut delayed = self.delayed.lock().expect("politeness lock");
        let entry = delayed
            .entry(host.to_string())
            .or_insert((Duration::ZERO, until));
        entry.1 = entry.1.max(until);
    }

    /// The crawl delay the host's robots.txt asks for (already bounded by the caller).
    pub fn set_crawl_delay(&self, host: &str, gap: Duration) {
        let mut delayed = self.delayed.lock().expect("politeness lock");
        let now = Instant::now();
        let entry = delayed.entry(host.to_string()).or_insert((gap, now));
        entry.0 = gap;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(p: &Politeness) -> usize {
        p.delayed.lock().unwrap().len()
    }

    #[tokio::test(start_paused = true)]
    async fn idle_hosts_are_forgotten_and_busy_ones_kept() {
        let p = Politeness::new(Duration::from_millis(1)).unwrap();
        for i in 0..100 {
            let host = format!("site{i}.example");
            p.set_crawl_delay(&host, Duration::from_secs(10));
            p.turn(&host).await;
        }
        assert_eq!(hosts(&p), 100);
        // Within their delay they are still holding the next request back: kept.
        p.forget_idle_hosts();
        assert_eq!(hosts(&p), 100);
        tokio::time::advance(Duration::from_secs(30)).await;
        p.set_crawl_delay("busy.example", Duration::from_secs(10));
        p.turn("busy.example").await;
        p.forget_idle_hosts();
        assert_eq!(hosts(&p), 1, "only the host asked within its delay is kept");
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_host_waits_and_the_others_do_not() {
        let p = Politeness::new(Duration::from_millis(1)).unwrap();
        p.hold_until("busy.example", Duration::from_secs(120));
        let start = Instant::now();
        p.turn("other.example").await;
        assert!(start.elapsed() < Duration::from_secs(1));
        p.turn("busy.example").await;
        assert!(start.elapsed() >= Duration::from_secs(120));
        // A hold never runs past MAX_HOLD, whatever the server says.
        p.hold_until("busy.example", Duration::from_secs(86_400 * 365));
        let again = Instant::now();
        p.turn("busy.example").await;
        assert!(again.elapsed() <= MAX_HOLD + Duration::from_secs(1));
    }
}
