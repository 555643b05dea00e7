//! The `[[alerts]]` rules and `[[sinks]]` destinations of the configuration, with their
//! defaults. Data only: checks are in `validate_alerts`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::matcher::MatcherConfig;
use super::redact::redact_url;
use super::serde_duration;

/// One alert rule: a condition (exactly one of `match` and `spike`), where to send what fires,
/// and how long a rule stays quiet about one subject after firing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    pub name: String,
    /// Names of `[[sinks]]` that receive what this rule fires.
    pub sinks: Vec<String>,
    /// After firing about a subject, the rule does not fire about it again for this long.
    #[serde(default = "default_cooldown", with = "serde_duration")]
    pub cooldown: Duration,
    /// The shared matcher, run on every newly stored article.
    #[serde(default, rename = "match")]
    pub matcher: Option<MatcherConfig>,
    /// With `match`: a regular expression the title must match too.
    #[serde(default)]
    pub title_regex: Option<String>,
    /// With `match`: a regular expression the text must match too.
    #[serde(default)]
    pub text_regex: Option<String>,
    /// A count rising against its baseline, checked every minute.
    #[serde(default)]
    pub spike: Option<SpikeConfig>,
}

/// What a spike rule watches, and how far it must rise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpikeConfig {
    /// One entity, by canonical name.
    #[serde(default)]
    pub entity: Option<String>,
    /// The articles of one user topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// Every entity: each is its own subject.
    #[serde(default)]
    pub any_entity: bool,
    /// Fewest articles in the window.
    #[serde(default = "default_min_count")]
    pub min_count: i64,
    /// Fewest distinct sources in the window: one chatty feed cannot fire the rule.
    #[serde(default = "default_min_sources")]
    pub min_sources: i64,
    /// The window's count must be at least this many times the baseline's expectation.
    #[serde(default = "default_factor")]
    pub factor: f64,
    /// The database must hold at least this much history before the rule fires.
    #[serde(default = "default_warm_up", with = "serde_duration")]
    pub warm_up: Duration,
    /// The window counted, ending now.
    #[serde(default = "default_window", with = "serde_duration")]
    pub window: Duration,
    /// The trailing period before the window that gives the expectation.
    #[serde(default = "default_baseline", with = "serde_duration")]
    pub baseline: Duration,
}

/// The event of a stored (completed) article.
pub const ARTICLE_STORED: &str = "article.stored";
/// The event of a stored article stored again with a changed text (a new content hash).
pub const ARTICLE_REVISED: &str = "article.revised";
/// The event of an article joining a story.
pub const STORY_UPDATED: &str = "story.updated";
/// The event of a fired alert.
pub const ALERT_FIRED: &str = "alert.fired";
/// The events a sink may take.
pub const EVENTS: [&str; 4] = [ARTICLE_STORED, ARTICLE_REVISED, STORY_UPDATED, ALERT_FIRED];
/// The events about an article, which a sink's `filter` chooses.
pub const ARTICLE_EVENTS: [&str; 3] = [ARTICLE_STORED, ARTICLE_REVISED, STORY_UPDATED];

/// `nats`: the subject prefix when none is set (subjects are `PREFIX.EVENT`).
pub const DEFAULT_SUBJECT_PREFIX: &str = "stringer";
/// `redis`: the stream key when none is set.
pub const DEFAULT_REDIS_STREAM: &str = "stringer:events";
/// `redis`: the approximate length the stream is trimmed to when none is set.
pub const DEFAULT_MAX_LEN: u64 = 1_000_000;

/// Where events go: fired alerts and, for a sink that asks, stored articles.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    pub name: String,
    pub kind: SinkKind,
    /// The events the sink takes (`article.stored`, `article.revised`, `story.updated`,
    /// `alert.fired`).
    #[serde(default = "default_events")]
    pub events: Vec<String>,
    /// The shared matcher: only the articles it matches go out (`article.stored`,
    /// `article.revised`, and `story.updated` when one of them joins a story).
    #[serde(default)]
    pub filter: Option<MatcherConfig>,
    /// `webhook`: the http(s) URL envelopes are POSTed to (loopback allowed: the user chose
    /// it); `nats`: the server (`nats://[user:password@]host:port`); `redis`: the server
    /// (`redis://[:password@]host:port[/db]`).
    #[serde(default)]
    pub url: Option<String>,
    /// `webhook`: extra request headers, such as an authorization token.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// `webhook`: the whole request, answer included.
    #[serde(default = "default_timeout", with = "serde_duration")]
    pub timeout: Duration,
    /// The longest wait between two attempts after failures (the wait doubles from 1 s).
    #[serde(default = "default_backoff_max", with = "serde_duration")]
    pub backoff_max: Duration,
    /// `file`: the NDJSON file envelopes are appended to.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// `file`: past this size the file is rotated (renamed `PATH.1`, the older ones shifted).
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
    /// `file`: how many rotated files are kept.
    #[serde(default = "default_keep")]
    pub keep: u32,
    /// `nats`: subjects are `PREFIX.EVENT` (default `stringer`).
    #[serde(default)]
    pub subject_prefix: Option<String>,
    /// `nats`: a JetStream stream created over `PREFIX.>` if it does not exist (none by
    /// default: the stream is the operator's); `redis`: the stream key (default
    /// `stringer:events`).
    #[serde(default)]
    pub stream: Option<String>,
    /// `redis`: the stream is trimmed to about this many entries (`MAXLEN ~`, default
    /// 1,000,000).
    #[serde(default)]
    pub max_len: Option<u64>,
}

impl SinkConfig {
    /// Whether the sink takes `event`.
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }

    /// The article events the sink takes.
    pub fn article_events(&self) -> Vec<String> {
        ARTICLE_EVENTS
            .iter()
            .filter(|e| self.wants(e))
            .map(|e| e.to_string())
            .collect()
    }

    /// `nats`: the subject prefix.
    pub fn subject_prefix(&self) -> &str {
        self.subject_prefix
            .as_deref()
            .unwrap_or(DEFAULT_SUBJECT_PREFIX)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    /// A log line per alert (info, target `stringer::alerts`).
    Log,
    /// The `alerts` table only (`stringer alerts list`).
    Table,
    /// An HTTP POST of the envelope as JSON.
    Webhook,
    /// One JSON line per envelope appended to a file, rotated by size.
    File,
    /// A NATS JetStream publish per envelope, acknowledged by the server.
    Nats,
    /// An `XADD` per envelope to a Redis stream.
    Redis,
}

impl fmt::Display for SinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SinkKind::Log => "log",
            SinkKind::Table => "table",
            SinkKind::Webhook => "webhook",
            SinkKind::File => "file",
            SinkKind::Nats => "nats",
            SinkKind::Redis => "redis",
        })
    }
}

/// Header values may hold secrets: only their names are shown.
impl fmt::Debug for SinkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinkConfig")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("events", &self.events)
            .field("filter", &self.filter)
            .field("url", &self.url.as_deref().map(redact_url))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("backoff_max", &self.backoff_max)
            .field("path", &self.path)
            .field("max_bytes", &self.max_bytes)
            .field("keep", &self.keep)
            .field("subject_prefix", &self.subject_prefix)
            .field("stream", &self.stream)
            .field("max_len", &self.max_len)
            .finish()
    }
}

fn default_cooldown() -> Duration {
    Duration::from_secs(6 * 3600)
}
fn default_min_count() -> i64 {
    5
}
fn default_min_sources() -> i64 {
    2
}
fn default_factor() -> f64 {
    3.0
}
fn default_warm_up() -> Duration {
    Duration::from_secs(7 * 24 * 3600)
}
fn default_window() -> Duration {
    Duration::from_secs(6 * 3600)
}
fn default_baseline() -> Duration {
    Duration::from_secs(28 * 24 * 3600)
}
fn default_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_backoff_max() -> Duration {
    Duration::from_secs(600)
}
fn default_events() -> Vec<String> {
    vec![ALERT_FIRED.to_string()]
}
fn default_max_bytes() -> u64 {
    100 * 1024 * 1024
}
fn default_keep() -> u32 {
    5
}
