//! Values of command-line options: durations, times, entity types, and the output format. The
//! checks are the API's (`api::params`), so a value means the same in both.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::ValueEnum;

use crate::api::params;
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
