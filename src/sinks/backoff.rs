//! When to try a failed delivery again: 1 s after the first failure, doubling with each
//! attempt up to the sink's `backoff_max`, with up to a quarter of the wait added at random so
//! that daemons and sinks coming back together do not retry in step.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The next attempt after the `attempts`-th failed one, `jitter` in `[0, 1)`.
pub fn retry_at(now: DateTime<Utc>, attempts: i32, max: Duration, jitter: f64) -> DateTime<Utc> {
    let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let wait = Duration::from_secs(1)
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(max);
    let wait = wait.mul_f64(1.0 + jitter.clamp(0.0, 1.0) / 4.0);
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_with_a_bounded_jitter() {
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let max = Duration::from_secs(60);
        let secs = |a, j| (retry_at(now, a, max, j) - now).num_milliseconds();
        assert_eq!(secs(1, 0.0), 1_000);
        assert_eq!(secs(2, 0.0), 2_000);
        assert_eq!(secs(4, 0.0), 8_000);
        assert_eq!(secs(20, 0.0), 60_000);
        assert_eq!(secs(1000, 0.0), 60_000);
        assert_eq!(secs(2, 0.999_999), 2_499);
    }
}
