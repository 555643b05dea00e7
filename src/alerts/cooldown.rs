//! Cooldown arithmetic: after a rule fires about a subject at `t`, it is quiet about that
//! subject until `t + cooldown`; at that instant it may fire again.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// When the cooldown of an alert fired at `fired_at` ends.
pub fn until(fired_at: DateTime<Utc>, cooldown: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(cooldown)
        .ok()
        .and_then(|d| fired_at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether a subject whose cooldown ends at `until` may fire at `now`.
pub fn may_fire(until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    until.is_none_or(|u| u <= now)
}

/// Of the times (in order) at which a rule's condition holds for one subject, those at which
/// it fires: the first, then each one at or after the previous firing's cooldown.
pub fn firings(times: &[DateTime<Utc>], cooldown: Duration) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut quiet_until = None;
    for &t in times {
        if may_fire(quiet_until, t) {
            out.push(t);
            quiet_until = Some(until(t, cooldown));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_subject_fires_again_only_after_its_cooldown() {
        let six_hours = Duration::from_secs(6 * 3600);
        let times = [
            t("2026-12-01T00:00:00Z"),
            t("2026-12-01T01:00:00Z"),
            t("2026-12-01T05:59:59Z"),
            t("2026-12-01T06:00:00Z"),
            t("2026-12-01T07:00:00Z"),
        ];
        assert_eq!(
            firings(&times, six_hours),
            vec![t("2026-12-01T00:00:00Z"), t("2026-12-01T06:00:00Z")]
        );
        assert!(may_fire(None, times[0]));
        assert!(!may_fire(Some(times[1]), times[0]));
        assert_eq!(until(times[0], Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
