//! An article's event time, defined once for trends, rollups, stories and alerts: when the
//! story happened as far as the daemon can tell. It is the published time when that is known
//! and plausible, else the time the article was first seen (discovered by a poll, or the
//! record's date for an archive import).
//!
//! Plausible means not more than [`AHEAD`] after first seen (a wrong time zone, a date in the
//! future) and not more than [`BEHIND`] before it. A feed added today lists articles of the
//! last days or weeks, and those count when they were published; a date further back is more
//! often a page template's or a CMS's mistake than a month-old story read for the first time.
//! Pure arithmetic; it must not read the clock.

use chrono::{DateTime, Duration, Utc};

/// How far after first seen a published time may lie.
pub const AHEAD: Duration = Duration::days(1);

/// How far before first seen a published time may lie.
pub const BEHIND: Duration = Duration::days(30);

pub fn event_time(published: Option<DateTime<Utc>>, first_seen: DateTime<Utc>) -> DateTime<Utc> {
    match published {
        Some(p) if p <= first_seen + AHEAD && p >= first_seen - BEHIND => p,
        _ => first_seen,
    }
}

/// The hour an event time falls in (UTC): the key of the hourly rollups.
pub fn event_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::DurationRound;
    t.duration_trunc(Duration::hours(1)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_published_times_win_and_others_fall_back_to_first_seen() {
        let seen: DateTime<Utc> = "2026-11-27T12:00:00Z".parse().unwrap();
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(
            event_time(at("2026-11-27T09:00:00Z"), seen),
            at("2026-11-27T09:00:00Z").unwrap()
        );
        assert_eq!(
            event_time(at("2026-11-10T09:00:00Z"), seen),
            at("2026-11-10T09:00:00Z").unwrap()
        );
        assert_eq!(
            event_time(at("2026-11-28T06:00:00Z"), seen),
            at("2026-11-28T06:00:00Z").unwrap()
        );
        assert_eq!(
            event_time(at("2026-11-29T12:00:01Z"), seen),
            seen,
            "too far ahead"
        );
        assert_eq!(
            event_time(at("2012-01-01T00:00:00Z"), seen),
            seen,
            "too far back"
        );
        assert_eq!(event_time(None, seen), seen);
    }

    #[test]
    fn hours_start_on_the_hour() {
        let t: DateTime<Utc> = "2026-11-27T12:34:56.789Z".parse().unwrap();
        assert_eq!(
            event_hour(t),
            "2026-11-27T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
