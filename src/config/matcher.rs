//! The configuration of the shared matcher, used by `[topics.NAME]` and by `[[alerts]]` match
//! rules.

use serde::Deserialize;

/// The shared matcher (topics here; alert rules and sink filters reuse it). Every key given
/// must match; phrases match stemmed, case-insensitive, whole words in the title and text.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MatcherConfig {
    /// At least one of these phrases occurs.
    pub any: Vec<String>,
    /// All of these phrases occur.
    pub all: Vec<String>,
    /// None of these phrases occurs.
    pub none: Vec<String>,
    /// The article names at least one of these entities (canonical names).
    pub entities: Vec<String>,
    /// The article's category is one of these (world, business, technology, sport,
    /// entertainment, other).
    pub categories: Vec<String>,
    /// The article's feed has one of these tags.
    pub tags: Vec<String>,
    /// The article's language is one of these ISO 639-1 codes.
    pub languages: Vec<String>,
}

impl MatcherConfig {
    pub fn is_empty(&self) -> bool {
        self == &MatcherConfig::default()
    }
}
