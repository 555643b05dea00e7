//! Values of command-line options: durations, times, entity types, and the output format.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::ValueEnum;

use crate::model::EntityType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn parse_window(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration ({e}); try 24h, 7d or 90m"))?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

pub fn parse_entity_type(s: &str) -> Result<EntityType, String> {
    s.to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("`{s}` is not an entity type: use PER, ORG, LOC or MISC"))
}

pub fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    if let Ok(d) = humantime::parse_duration(s) {
        return Ok(Utc::now() - chrono::Duration::from_std(d).map_err(|e| e.to_string())?);
    }
    Err(format!(
        "`{s}` is not a time: use RFC 3339, YYYY-MM-DD or a duration such as 24h"
    ))
}

/// The start of a window of `length` ending at `end`, never before 1970 (nothing is older,
/// and `--window 99999999999d` is a question, not an error).
pub fn window_start(end: DateTime<Utc>, length: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(length)
        .ok()
        .and_then(|d| end.checked_sub_signed(d))
        .unwrap_or(DateTime::UNIX_EPOCH)
        .max(DateTime::UNIX_EPOCH)
}

/// An RFC 3339 time, for the hidden `--now` of tests and backfills.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{s}` is not an RFC 3339 time ({e})"))
}
