//! Typed configuration: read once at start from a TOML file, overridden by `STRINGER_*`
//! environment variables and command-line flags, validated, then passed down by value.
//!
//! Nothing else in the crate reads the environment or the file. Every error names the file
//! (or the environment variable), the key and the reason, so a user can fix it in one go.

mod alerts;
mod allow;
mod error;
mod load;
mod matcher;
mod redact;
mod sections;
mod serde_duration;
mod validate;
mod validate_alerts;
mod validate_streams;

pub use alerts::{
    ALERT_FIRED, ARTICLE_EVENTS, ARTICLE_REVISED, ARTICLE_STORED, AlertConfig, DEFAULT_MAX_LEN,
    DEFAULT_REDIS_STREAM, DEFAULT_SUBJECT_PREFIX, EVENTS, STORY_UPDATED, SinkConfig, SinkKind,
    SpikeConfig,
};
pub use allow::AllowedHost;
pub use error::ConfigError;
pub use load::{DEFAULT_PATH, Overrides};
pub use matcher::MatcherConfig;
pub use redact::{has_credentials, redact_url};
pub use sections::{
    ArticlesConfig, Config, DatabaseConfig, EntitiesConfig, FeedConfig, HttpConfig, LogConfig,
    LogFormat, PipelineConfig, PolitenessConfig, PollConfig, ServerConfig, parse_rate,
};
pub use validate::{check_feed_url, check_listen};

#[cfg(test)]
mod tests;
