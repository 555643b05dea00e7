//! Values of command-line options: durations, times, entity types, and the output format. The
//! checks are the API's (`api::params`), so a value means the same in both.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::ValueEnum;

use crate::api::params;
use crate::config::Config;
use crate::model::EntityType;

pub use crate::api::params::window_start;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn parse_window(s: &str) -> Result<Duration, String> {
    params::window(s)
}

pub fn parse_entity_type(s: &str) -> Result<EntityType, String> {
    params::entity_type(s)
}

pub fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    params::since(s, Utc::now())
}

/// An RFC 3339 time, for the hidden `--now` of tests and backfills.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    params::time(s)
}

/// Seconds as the store keeps a feed's interval.
pub fn interval_secs(interval: Option<Duration>) -> Option<i32> {
    interval.map(|d| d.as_secs().min(i32::MAX as u64) as i32)
}

/// A feed's own interval lies within `[poll] min_interval` and `max_interval`.
pub fn check_interval(cfg: &Config, interval: Option<Duration>) -> Result<(), String> {
    let Some(i) = interval else {
        return Ok(());
    };
    let show = |d: Duration| humantime::format_duration(d).to_string();
    if i < cfg.poll.min_interval {
        return Err(format!(
            "interval {} is shorter than poll.min_interval ({})",
            show(i),
            show(cfg.poll.min_interval)
        ));
    }
    if i > cfg.poll.max_interval {
        return Err(format!(
            "interval {} is longer than poll.max_interval ({})",
            show(i),
            show(cfg.poll.max_interval)
        ));
    }
    Ok(())
}
