//! When to look at a feed again, and when to retry an article: the one place that does the
//! arithmetic. Pure functions over times and counts; no clock is read here.
//!
//! After a success the next check is the largest of the feed's interval and what the server
//! asked for (RSS `<ttl>`, `Cache-Control: max-age`, `Expires`, `Retry-After`), bounded by the
//! configured minimum and maximum. After a failure the interval doubles with every consecutive
//! error, up to the maximum, with jitter so that many failing feeds do not return in step. A
//! feed is never given up on: a dead feed is still tried once per `max_interval`.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// What the server said about when to come back, gathered from the response and the feed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServerHints {
    pub ttl: Option<Duration>,
    pub max_age: Option<Duration>,
    pub expires: Option<DateTime<Utc>>,
    pub retry_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub min: Duration,
    pub max: Duration,
}

/// Next check after a successful poll (including 304 Not Modified).
pub fn next_after_success(
    now: DateTime<Utc>,
    interval: Duration,
    hints: &ServerHints,
    bounds: Bounds,
) -> DateTime<Utc> {
    let mut wait = interval;
    for d in [hints.ttl, hints.max_age].into_iter().flatten() {
        wait = wait.max(d);
    }
    for at in [hints.expires, hints.retry_after].into_iter().flatten() {
        if let Ok(d) = (at - now).to_std() {
            wait = wait.max(d);
        }
    }
    now + to_chrono(wait.clamp(bounds.min, bounds.max))
}

/// The poll interval for a feed without one of its own, from the publication times of the
/// items it lists: a quarter of the mean gap between those of the last week (counted from the
/// oldest of them when the feed lists less than a week), so a new item waits a quarter of the
/// usual gap on average. A feed with no item in the week gets the longest interval; one whose
/// items carry no dates, `default`. Times in the future (bad clocks) are ignored.
pub fn adaptive_interval(
    published: &[DateTime<Utc>],
    now: DateTime<Utc>,
    default: Duration,
    bounds: Bounds,
) -> Duration {
    let week = chrono::Duration::days(7);
    let sane: Vec<DateTime<Utc>> = published.iter().copied().filter(|t| *t <= now).collect();
    if sane.is_empty() {
        return default.clamp(bounds.min, bounds.max);
    }
    let recent: Vec<DateTime<Utc>> = sane.into_iter().filter(|t| *t > now - week).collect();
    let Some(oldest) = recent.iter().min() else {
        return bounds.max;
    };
    let span = (now - *oldest).to_std().unwrap_or_default();
    let gap = span / recent.len() as u32;
    (gap / 4).clamp(bounds.min, bounds.max)
}

/// Next check after the `error_count`-th consecutive failure (1 = first failure).
/// `jitter` in [0, 1) spreads retries by up to a quarter of the wait.
pub fn next_after_error(
    now: DateTime<Utc>,
    interval: Duration,
    error_count: u32,
    retry_after: Option<DateTime<Utc>>,
    bounds: Bounds,
    jitter: f64,
) -> DateTime<Utc> {
    let factor = 2u32.saturating_pow(error_count.saturating_sub(1).min(16));
    let mut wait = interval.saturating_mul(factor).min(bounds.max);
    wait += wait.mul_f64(jitter.clamp(0.0, 1.0) * 0.25);
    if let Some(at) = retry_after
        && let Ok(d) = (at - now).to_std()
    {
        wait = wait.max(d);
    }
    now + to_chrono(wait.clamp(bounds.min, bounds.max))
}

/// When a failed article fetch is tried again (attempt 1 = the first fetch failed).
pub fn article_retry_at(now: DateTime<Utc>, base: Duration, attempt: u32) -> DateTime<Utc> {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(10));
    now + to_chrono(
        base.saturating_mul(factor)
            .min(Duration::from_secs(24 * 3600)),
    )
}

/// When a feed or page put off by an outage of our own network comes up again: `floor` from
/// now and somewhere within `spread` after that, so that when the network returns the work
/// resumes spread out instead of in one burst. `jitter` is in [0, 1).
pub fn after_outage(
    now: DateTime<Utc>,
    spread: Duration,
    floor: Duration,
    jitter: f64,
) -> DateTime<Utc> {
    now + to_chrono(floor + spread.mul_f64(jitter.clamp(0.0, 1.0)))
}

/// `Retry-After` is either seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(now + to_chrono(Duration::from_secs(secs.min(30 * 24 * 3600))));
    }
    parse_http_date(value)
}

/// HTTP dates (RFC 9110 §5.6.7); the obsolete forms are accepted as RFC 2822 allows them.
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `max-age` from a Cache-Control header (RFC 9111 §5.2.2.1); `no-store`/`no-cache` give none.
pub fn parse_max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        if name.trim().eq_ignore_ascii_case("max-age") {
            value
                .trim()
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs)
        } else {
            None
        }
    })
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_interval_follows_the_publishing_rate() {
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
        let bounds = Bounds {
            min: MIN,
            max: 24 * HOUR,
        };
        let default = 15 * MIN;
        let every = |gap: chrono::Duration, n: i32| -> Vec<DateTime<Utc>> {
            (1..=n).map(|i| now - gap * i).collect()
        };
        // A wire listing its last 12 items, one every 10 minutes: polled every 2.5 minutes.
        let wire = adaptive_interval(
            &every(chrono::Duration::minutes(10), 12),
            now,
            default,
            bounds,
        );
        assert_eq!(wire, Duration::from_secs(150));
        // Two items a day over the week: every 3 hours.
        let daily = adaptive_interval(
            &every(chrono::Duration::hours(12), 20),
            now,
            default,
            bounds,
        );
        assert_eq!(daily, 3 * HOUR);
        // Faster than the floor, silent for a week, no dates, a clock in the future.
        assert_eq!(
            adaptive_interval(
                &every(chrono::Duration::seconds(5), 10),
                now,
                default,
                bounds
            ),
            MIN
        );
        assert_eq!(
            adaptive_interval(&[now - chrono::Duration::days(30)], now, default, bounds),
            24 * HOUR
        );
        assert_eq!(adaptive_interval(&[], now, default, bounds), default);
        assert_eq!(
            adaptive_interval(&[now + chrono::Duration::days(2)], now, default, bounds),
            default
        );
    }

    const MIN: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(3600);
    const BOUNDS: Bounds = Bounds {
        min: MIN,
        max: Duration::from_secs(24 * 3600),
    };

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
    }

    #[test]
    fn success_uses_the_interval_without_hints() {
        let next = next_after_success(now(), 15 * MIN, &ServerHints::default(), BOUNDS);
        assert_eq!(next - now(), chrono::Duration::minutes(15));
    }

    #[test]
    fn success_takes_the_largest_hint() {
        let hints = ServerHints {
            ttl: Some(30 * MIN),
            max_age: Some(HOUR),
            expires: Some(now() + chrono::Duration::minutes(20)),
            retry_after: None,
        };
        assert_eq!(
            next_after_success(now(), 15 * MIN, &hints, BOUNDS) - now(),
            chrono::Duration::hours(1)
        );
    }

    #[test]
    fn hints_are_bounded() {
        let hints = ServerHints {
            ttl: Some(100 * 24 * HOUR),
            ..Default::default()
        };
        assert_eq!(
            next_after_success(now(), 15 * MIN, &hints, BOUNDS) - now(),
            chrono::Duration::hours(24)
        );
        let tiny = next_after_success(
            now(),
            Duration::from_secs(1),
            &ServerHints::default(),
            BOUNDS,
        );
        assert_eq!(tiny - now(), chrono::Duration::minutes(1));
    }

    #[test]
    fn errors_back_off_exponentially_up_to_the_maximum() {
        let at = |n| next_after_error(now(), 15 * MIN, n, None, BOUNDS, 0.0) - now();
        assert_eq!(at(1), chrono::Duration::minutes(15));
        assert_eq!(at(2), chrono::Duration::minutes(30));
        assert_eq!(at(3), chrono::Duration::minutes(60));
        assert_eq!(at(30), chrono::Duration::hours(24));
    }

    #[test]
    fn jitter_adds_at_most_a_quarter() {
        let plain = next_after_error(now(), 15 * MIN, 2, None, BOUNDS, 0.0);
        let jittered = next_after_error(now(), 15 * MIN, 2, None, BOUNDS, 0.999);
        assert!(jittered > plain);
        assert!(jittered - plain <= chrono::Duration::seconds(30 * 60 / 4));
    }

    #[test]
    fn retry_after_is_respected_on_error() {
        let ra = Some(now() + chrono::Duration::hours(3));
        assert_eq!(
            next_after_error(now(), 15 * MIN, 1, ra, BOUNDS, 0.0) - now(),
            chrono::Duration::hours(3)
        );
    }

    #[test]
    fn retry_after_parses_both_forms() {
        assert_eq!(
            parse_retry_after("120", now()).unwrap() - now(),
            chrono::Duration::seconds(120)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now()).unwrap(),
            Utc.with_ymd_and_hms(2015, 10, 21, 7, 28, 0).unwrap()
        );
        assert!(parse_retry_after("soon", now()).is_none());
    }

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            parse_max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(parse_max_age("no-cache"), None);
    }

    #[test]
    fn article_retries_double() {
        let base = Duration::from_secs(300);
        assert_eq!(
            article_retry_at(now(), base, 1) - now(),
            chrono::Duration::minutes(5)
        );
        assert_eq!(
            article_retry_at(now(), base, 3) - now(),
            chrono::Duration::minutes(20)
        );
    }
}
