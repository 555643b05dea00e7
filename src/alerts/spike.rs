//! Whether a window's counts fire a spike rule: enough articles from enough distinct sources,
//! at least `factor` times what the baseline expects (`trends::expected`), and only once the
//! database holds `warm_up` of history.

use chrono::{DateTime, Utc};

use crate::config::SpikeConfig;

/// What a spike rule watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpikeSubject {
    Entity(String),
    Topic(String),
    AnyEntity,
}

impl SpikeSubject {
    pub fn of(cfg: &SpikeConfig) -> SpikeSubject {
        match (&cfg.entity, &cfg.topic) {
            (Some(e), _) => SpikeSubject::Entity(e.clone()),
            (None, Some(t)) => SpikeSubject::Topic(t.clone()),
            (None, None) => SpikeSubject::AnyEntity,
        }
    }
}

/// One subject's counts in the window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpikeCounts {
    /// `entity:TYPE:NAME` or `topic:NAME`: what the cooldown is kept for.
    pub subject: String,
    pub articles: i64,
    pub sources: i64,
    /// The articles the baseline expects in a window of this length.
    pub expected: f64,
}

/// Whether `counts` fire the rule at `now`, given the time of the oldest stored history.
pub fn fires(
    cfg: &SpikeConfig,
    counts: &SpikeCounts,
    history_from: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    let warm = chrono::Duration::from_std(cfg.warm_up)
        .ok()
        .and_then(|w| now.checked_sub_signed(w))
        .is_some_and(|since| history_from.is_some_and(|h| h <= since));
    warm && counts.articles >= cfg.min_count
        && counts.sources >= cfg.min_sources
        && counts.articles as f64 >= cfg.factor * counts.expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_needs_sources_size_and_history() {
        let cfg: SpikeConfig = toml::from_str(
            "entity = \"X\"\nmin_count = 5\nmin_sources = 3\nfactor = 4\nwarm_up = \"7d\"",
        )
        .unwrap();
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let old = Some(now - chrono::Duration::days(8));
        let c = SpikeCounts {
            subject: "entity:X".into(),
            articles: 8,
            sources: 4,
            expected: 2.0,
        };
        assert!(fires(&cfg, &c, old, now));
        assert!(
            !fires(&cfg, &c, Some(now - chrono::Duration::days(6)), now),
            "warm-up"
        );
        assert!(!fires(&cfg, &c, None, now));
        assert!(
            !fires(
                &cfg,
                &SpikeCounts {
                    sources: 1,
                    ..c.clone()
                },
                old,
                now
            ),
            "one source"
        );
        assert!(
            !fires(
                &cfg,
                &SpikeCounts {
                    expected: 2.5,
                    ..c.clone()
                },
                old,
                now
            ),
            "factor"
        );
        assert!(!fires(
            &cfg,
            &SpikeCounts {
                articles: 4,
                expected: 0.1,
                ..c
            },
            old,
            now
        ));
    }
}
