//! Typed configuration: read once at start from a TOML file, overridden by `STRINGER_*`
//! environment variables and command-line flags, validated, then passed down by value.
//!
//! Nothing else in the crate reads the environment or the file. Every error names the file
//! (or the environment variable), the key and the reason, so a user can fix it in one go.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

/// Where the default configuration lives, relative to the working directory.
pub const DEFAULT_PATH: &str = "config/default.toml";

/// Environment variables that are flags, not `[section] key` overrides.
const RESERVED_ENV: &[&str] = &[
    "STRINGER_CONFIG",
    "STRINGER_TEST_POSTGRES_URL",
    "STRINGER_LOG",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the configuration file")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl ConfigError {
    fn invalid(origin: impl fmt::Display, message: impl fmt::Display) -> Self {
        ConfigError::Invalid {
            origin: origin.to_string(),
            message: message.to_string(),
        }
    }
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub poll: PollConfig,
    pub articles: ArticlesConfig,
    pub pipeline: PipelineConfig,
    pub entities: EntitiesConfig,
    pub log: LogConfig,
    pub feeds: Vec<FeedConfig>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (created on first run) or `postgres://...`.
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub user_agent: String,
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub connect_timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Fetching from loopback, private, link-local and other non-public addresses is refused
    /// unless this is true (a feed must not be a way into the host's own network).
    pub allow_private_networks: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PollConfig {
    /// Interval for feeds that do not set their own.
    #[serde(with = "humantime_serde_compat")]
    pub default_interval: Duration,
    /// No feed is polled more often than this, whatever its headers say.
    #[serde(with = "humantime_serde_compat")]
    pub min_interval: Duration,
    /// Upper bound for backoff after errors and for server-requested delays.
    #[serde(with = "humantime_serde_compat")]
    pub max_interval: Duration,
    /// Feed fetches in flight at once.
    pub concurrency: usize,
    /// How often the scheduler looks for due feeds when nothing woke it earlier.
    #[serde(with = "humantime_serde_compat")]
    pub tick: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArticlesConfig {
    /// Article pages fetched at once, over all hosts.
    pub concurrency: usize,
    /// Article pages fetched at once from one host.
    pub per_host: usize,
    /// Attempts before an article is marked failed for good.
    pub max_attempts: u32,
    /// Wait before the first retry of a failed fetch; doubles with every attempt.
    #[serde(with = "humantime_serde_compat")]
    pub retry_delay: Duration,
    /// Skip article pages that the site's robots.txt disallows for our user agent.
    pub respect_robots_txt: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// Capacity of each bounded channel between stages.
    pub channel_capacity: usize,
    /// Threads cleaning and enriching pages (CPU-bound work); 0 = one per core.
    pub workers: usize,
    /// How long a claimed feed or article stays reserved for this daemon.
    #[serde(with = "humantime_serde_compat")]
    pub lease: Duration,
    /// Name of this daemon in leases. Defaults to the host name; daemons sharing one
    /// PostgreSQL database must have different names.
    pub daemon_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EntitiesConfig {
    /// Canonical name -> other names that mean the same entity.
    pub aliases: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `stringer=debug,sqlx=warn`; `RUST_LOG` wins.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    pub url: String,
    #[serde(default, with = "humantime_serde_compat::option")]
    pub interval: Option<Duration>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub title: Option<String>,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://data/stringer.db".into(),
            max_connections: 8,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            user_agent: concat!(
                "Stringer/",
                env!("CARGO_PKG_VERSION"),
                " (self-hosted news reader)"
            )
            .into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            allow_private_networks: false,
        }
    }
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            default_interval: Duration::from_secs(15 * 60),
            min_interval: Duration::from_secs(60),
            max_interval: Duration::from_secs(24 * 3600),
            concurrency: 8,
            tick: Duration::from_secs(30),
        }
    }
}

impl Default for ArticlesConfig {
    fn default() -> Self {
        ArticlesConfig {
            concurrency: 16,
            per_host: 2,
            max_attempts: 5,
            retry_delay: Duration::from_secs(5 * 60),
            respect_robots_txt: true,
        }
    }
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            channel_capacity: 64,
            workers: 0,
            lease: Duration::from_secs(10 * 60),
            daemon_id: String::new(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// Keeps a password in the database URL out of logs and panics.
impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database", &self.database)
            .field("http", &self.http)
            .field("poll", &self.poll)
            .field("articles", &self.articles)
            .field("pipeline", &self.pipeline)
            .field("entities", &self.entities)
            .field("log", &self.log)
            .field("feeds", &self.feeds.len())
            .finish()
    }
}

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// What the command line contributes on top of file and environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database_url: Option<String>,
}

impl Config {
    /// Reads `path` (the default path may be absent: defaults apply), then applies `env`
    /// (`STRINGER_SECTION_KEY=value`) and `overrides`, then validates.
    pub fn load(
        path: &Path,
        path_is_explicit: bool,
        env: &[(String, String)],
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let origin = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !path_is_explicit => {
                String::new()
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut config = Config::from_toml(&text, &origin)?;
        let overridden = apply_env(&text, &origin, env)?;
        if let Some(c) = overridden {
            config = c;
        }
        if let Some(url) = &overrides.database_url {
            config.database.url = url.clone();
        }
        config.validate(&origin)?;
        Ok(config)
    }

    /// Parses TOML text; errors name `origin`, the key path and the line.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(origin, text, &e, None))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            toml_error(origin, text, e.inner(), Some(&key))
        })
    }

    /// Checks that values make sense together. Called by `load`; tests building a `Config` in
    /// code call it too.
    pub fn validate(&mut self, origin: &str) -> Result<(), ConfigError> {
        let bad =
            |key: &str, why: String| ConfigError::invalid(origin, format!("key `{key}`: {why}"));
        let db = &self.database.url;
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            return Err(bad(
                "database.url",
                format!(
                    "`{}` is not a database URL: use sqlite://PATH or postgres://USER@HOST/DB",
                    redact_url(db)
                ),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(bad("database.max_connections", "must be at least 1".into()));
        }
        if self.http.user_agent.trim().is_empty() {
            return Err(bad("http.user_agent", "must not be empty".into()));
        }
        if self.http.max_body_bytes < 1024 {
            return Err(bad("http.max_body_bytes", "must be at least 1024".into()));
        }
        for (key, d) in [
            ("http.timeout", self.http.timeout),
            ("http.connect_timeout", self.http.connect_timeout),
            ("poll.tick", self.poll.tick),
            ("poll.min_interval", self.poll.min_interval),
            ("pipeline.lease", self.pipeline.lease),
        ] {
            if d.is_zero() {
                return Err(bad(key, "must be longer than zero".into()));
            }
        }
        if self.poll.min_interval > self.poll.max_interval {
            return Err(bad(
                "poll.min_interval",
                "must not be longer than poll.max_interval".into(),
            ));
        }
        for (key, n) in [
            ("poll.concurrency", self.poll.concurrency),
            ("articles.concurrency", self.articles.concurrency),
            ("articles.per_host", self.articles.per_host),
            ("pipeline.channel_capacity", self.pipeline.channel_capacity),
        ] {
            if n == 0 {
                return Err(bad(key, "must be at least 1".into()));
            }
        }
        if self.articles.max_attempts == 0 {
            return Err(bad("articles.max_attempts", "must be at least 1".into()));
        }
        if let Err(e) = self.log.level.parse::<tracing_subscriber::EnvFilter>() {
            return Err(bad("log.level", format!("not a tracing filter: {e}")));
        }
        let mut seen = BTreeSet::new();
        for (i, feed) in self.feeds.iter_mut().enumerate() {
            let key = format!("feeds[{i}].url");
            feed.url = check_feed_url(&feed.url).map_err(|why| bad(&key, why))?;
            if !seen.insert(feed.url.clone()) {
                return Err(bad(&key, format!("`{}` is listed twice", feed.url)));
            }
            if let Some(interval) = feed.interval
                && interval < self.poll.min_interval
            {
                return Err(bad(
                    &format!("feeds[{i}].interval"),
                    format!(
                        "{} is shorter than poll.min_interval ({})",
                        humantime::format_duration(interval),
                        humantime::format_duration(self.poll.min_interval)
                    ),
                ));
            }
        }
        for (name, aliases) in &self.entities.aliases {
            if name.trim().is_empty() || aliases.iter().any(|a| a.trim().is_empty()) {
                return Err(bad(
                    &format!("entities.aliases.{name}"),
                    "names must not be empty".into(),
                ));
            }
        }
        if self.pipeline.daemon_id.is_empty() {
            self.pipeline.daemon_id = default_daemon_id();
        }
        Ok(())
    }

    /// Threads for CPU-bound cleaning and enrichment.
    pub fn workers(&self) -> usize {
        if self.pipeline.workers > 0 {
            self.pipeline.workers
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

/// A feed URL must be absolute http(s); returns it normalised by the URL parser.
pub fn check_feed_url(raw: &str) -> Result<String, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{raw}` is not an http(s) URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{raw}` has no host"));
    }
    Ok(url.to_string())
}

fn default_daemon_id() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "stringer".into())
}

/// Applies `STRINGER_<SECTION>_<KEY>` variables; `None` when there are none.
fn apply_env(
    text: &str,
    origin: &str,
    env: &[(String, String)],
) -> Result<Option<Config>, ConfigError> {
    const SECTIONS: &[&str] = &["database", "http", "poll", "articles", "pipeline", "log"];
    let vars: Vec<&(String, String)> = env
        .iter()
        .filter(|(k, _)| k.starts_with("STRINGER_") && !RESERVED_ENV.contains(&k.as_str()))
        .collect();
    if vars.is_empty() {
        return Ok(None);
    }
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| toml_error(origin, text, &e, None))?;
    let mut names = BTreeMap::new();
    for (name, raw) in vars {
        let rest = name["STRINGER_".len()..].to_ascii_lowercase();
        let Some((section, key)) = SECTIONS.iter().find_map(|s| {
            rest.strip_prefix(s)
                .and_then(|k| k.strip_prefix('_'))
                .map(|k| (*s, k.to_string()))
        }) else {
            return Err(ConfigError::invalid(
                format!("environment variable {name}"),
                format!(
                    "not a configuration key: use STRINGER_<SECTION>_<KEY> with a section among {}",
                    SECTIONS.join(", ")
                ),
            ));
        };
        // A value that is valid TOML (a number, a boolean) is taken as such, anything else as text.
        let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.clone()));
        let entry = table
            .entry(section.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(section_table) = entry.as_table_mut() else {
            return Err(ConfigError::invalid(
                origin,
                format!("`{section}` must be a table"),
            ));
        };
        section_table.insert(key.clone(), value);
        names.insert(format!("{section}.{key}"), name.clone());
    }
    let config =
        serde_path_to_error::deserialize::<_, Config>(toml::Value::Table(table)).map_err(|e| {
            let key = e.path().to_string();
            let origin = names
                .get(&key)
                .map(|n| format!("environment variable {n}"))
                .unwrap_or_else(|| origin.to_string());
            ConfigError::invalid(origin, format!("key `{key}`: {}", e.inner().message()))
        })?;
    Ok(Some(config))
}

fn toml_error(origin: &str, text: &str, e: &toml::de::Error, key: Option<&str>) -> ConfigError {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let mut message = String::new();
    if let Some(line) = line {
        message.push_str(&format!("line {line}: "));
    }
    if let Some(key) = key.filter(|k| !k.is_empty() && *k != ".") {
        message.push_str(&format!("key `{key}`: "));
    }
    message.push_str(e.message().trim());
    ConfigError::invalid(origin, message)
}

/// Durations written the human way ("30s", "15m", "1h 30m").
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{s}` is not a duration ({e}); write it like \"30s\", \"15m\" or \"1h\""
            ))
        })
    }

    pub mod option {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let mut c = Config::from_toml(text, "test.toml")?;
        c.validate("test.toml")?;
        Ok(c)
    }

    #[test]
    fn defaults_are_valid() {
        let c = parse("").unwrap();
        assert_eq!(c.http.max_body_bytes, 10 * 1024 * 1024);
        assert!(!c.http.allow_private_networks);
        assert!(c.database.url.starts_with("sqlite://"));
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("[http]\ntimeout = \"5s\"\nuser_agen = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("test.toml: line 3"), "{err}");
        assert!(err.contains("user_agen"), "{err}");
    }

    #[test]
    fn bad_duration_names_key_and_reason() {
        let err = parse("[http]\ntimeout = \"soon\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("http.timeout"), "{err}");
        assert!(err.contains("not a duration"), "{err}");
    }

    #[test]
    fn bad_feed_url_is_reported_with_its_index() {
        let err =
            parse("[[feeds]]\nurl = \"https://a.example/rss\"\n[[feeds]]\nurl = \"ftp://x/y\"\n")
                .unwrap_err()
                .to_string();
        assert!(err.contains("feeds[1].url"), "{err}");
        assert!(err.contains("not an http(s) URL"), "{err}");
    }

    #[test]
    fn env_overrides_file_and_flag_overrides_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[http]\ntimeout = \"5s\"\n").unwrap();
        let env = vec![
            ("STRINGER_HTTP_TIMEOUT".to_string(), "7s".to_string()),
            ("STRINGER_HTTP_ALLOW_PRIVATE_NETWORKS".into(), "true".into()),
            ("STRINGER_DATABASE_URL".into(), "sqlite://env.db".into()),
        ];
        let c = Config::load(
            &path,
            true,
            &env,
            &Overrides {
                database_url: Some("sqlite://flag.db".into()),
            },
        )
        .unwrap();
        assert_eq!(c.http.timeout, Duration::from_secs(7));
        assert!(c.http.allow_private_networks);
        assert_eq!(c.database.url, "sqlite://flag.db");
    }

    #[test]
    fn bad_env_value_names_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "").unwrap();
        let env = vec![("STRINGER_POLL_CONCURRENCY".to_string(), "many".to_string())];
        let err = Config::load(&path, true, &env, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("STRINGER_POLL_CONCURRENCY"), "{err}");
        assert!(err.contains("poll.concurrency"), "{err}");
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let err = Config::load(
            Path::new("/nonexistent/x.toml"),
            true,
            &[],
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/nonexistent/x.toml"), "{err}");
    }

    #[test]
    fn password_is_redacted_in_debug() {
        let c = parse("[database]\nurl = \"postgres://u:hunter2@db/x\"\n").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
