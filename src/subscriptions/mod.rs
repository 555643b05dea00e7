//! Feed lists as OPML, the format every feed reader imports and exports.
//!
//! `read`: OPML in any declared encoding to [`Subscription`]s, with the line and column of
//! anything that stops the reading (a file cut short, an HTML page, a tag closed out of order).
//! Feeds are read at any depth; a feed's tags are the folders it sits in plus its `category`
//! attribute (comma-separated, as every reader writes it). `write`: a pretty-printed OPML 2.0
//! list with the tags in `category` and the poll interval in `interval`, so an export imports
//! back to the same feeds, tags and intervals. Pure conversion: no database, no files.

mod read;
mod write;

use std::time::Duration;

pub use read::{OpmlError, parse};
pub use write::render;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub tags: Vec<String>,
    /// The feed's own poll interval (`None`: the configured default).
    pub interval: Option<Duration>,
}

#[cfg(test)]
mod tests;
