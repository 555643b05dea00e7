//! The configuration's sections as typed structs, with their defaults. Data only: loading is
//! in `load`, checks in `validate`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use super::alerts::{AlertConfig, SinkConfig};
use super::matcher::MatcherConfig;
use super::redact::redact_url;
use super::serde_duration;

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub poll: PollConfig,
    pub articles: ArticlesConfig,
    pub politeness: PolitenessConfig,
    pub pipeline: PipelineConfig,
    pub entities: EntitiesConfig,
    pub log: LogConfig,
    pub server: ServerConfig,
    pub feeds: Vec<FeedConfig>,
    /// User topics: `[topics.NAME]` matchers, matched on every article.
    pub topics: BTreeMap<String, MatcherConfig>,
    /// Alert rules: `[[alerts]]`.
    pub alerts: Vec<AlertConfig>,
    /// Where alerts go: `[[sinks]]`.
    pub sinks: Vec<SinkConfig>,
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
    #[serde(with = "serde_duration")]
    pub timeout: Duration,
    #[serde(with = "serde_duration")]
    pub connect_timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Fetching from loopback, private, link-local and other non-public addresses is refused
    /// unless this is true (a feed must not be a way into the host's own network).
    pub allow_private_networks: bool,
    /// Hosts (names) and networks (CIDR or single addresses) a feed may reach even when they
    /// are private: feeds on the user's own network.
    pub allow_hosts: Vec<String>,
    /// A URL that says who runs this reader, added to the User-Agent (`+URL`).
    pub contact_url: Option<String>,
    /// An HTTP proxy every fetch goes through (`http://host:port`); none unless set. The
    /// environment's proxy variables are never used.
    pub proxy: Option<String>,
}

impl HttpConfig {
    /// The User-Agent header: `user_agent`, with `+contact_url` inside its comment.
    pub fn agent(&self) -> String {
        let ua = self.user_agent.trim();
        match self.contact_url.as_deref().map(str::trim) {
            None | Some("") => ua.to_string(),
            Some(url) => match ua.strip_suffix(')') {
                Some(open) if open.contains('(') => format!("{open}; +{url})"),
                _ => format!("{ua} (+{url})"),
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PollConfig {
    /// Interval for feeds that do not set their own.
    #[serde(with = "serde_duration")]
    pub default_interval: Duration,
    /// No feed is polled more often than this, whatever its headers say.
    #[serde(with = "serde_duration")]
    pub min_interval: Duration,
    /// Upper bound for backoff after errors and for server-requested delays.
    #[serde(with = "serde_duration")]
    pub max_interval: Duration,
    /// Feed fetches in flight at once.
    pub concurrency: usize,
    /// How often the scheduler looks for due feeds when nothing woke it earlier.
    #[serde(with = "serde_duration")]
    pub tick: Duration,
    /// How long each poll's row in `fetch_log` is kept (`run` deletes older ones hourly).
    #[serde(with = "serde_duration")]
    pub fetch_log_retention: Duration,
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
    #[serde(with = "serde_duration")]
    pub retry_delay: Duration,
    /// Skip article pages that the site's robots.txt disallows for our user agent.
    pub respect_robots_txt: bool,
}

/// How hard one host is asked, over every request (feeds, pages, robots.txt).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolitenessConfig {
    /// Requests per host: `COUNT/PERIOD` such as `1/s`, `30/m` or `1/5s`.
    pub per_host_rate: String,
    /// Article pages fetched at once from one host; `[articles] per_host` when unset (the
    /// older name, still accepted).
    pub per_host_concurrency: Option<usize>,
    /// The longest robots.txt `Crawl-delay` honoured; a longer one is cut to this.
    #[serde(with = "serde_duration")]
    pub max_crawl_delay: Duration,
}

impl Default for PolitenessConfig {
    fn default() -> Self {
        PolitenessConfig {
            per_host_rate: "2/s".into(),
            per_host_concurrency: None,
            max_crawl_delay: Duration::from_secs(30),
        }
    }
}

impl PolitenessConfig {
    /// The wait between two requests to one host, from `per_host_rate`.
    pub fn per_host_gap(&self) -> Result<Duration, String> {
        parse_rate(&self.per_host_rate)
    }
}

/// `COUNT/PERIOD` (`2/s`, `30/m`, `1/h`, `1/5s`) as the wait between two requests.
pub fn parse_rate(s: &str) -> Result<Duration, String> {
    let bad = || format!("`{s}` is not a rate such as 1/s, 30/m or 1/5s");
    let (count, period) = s.trim().split_once('/').ok_or_else(bad)?;
    let count: u32 = count.trim().parse().map_err(|_| bad())?;
    let period = match period.trim() {
        "s" => Duration::from_secs(1),
        "m" => Duration::from_secs(60),
        "h" => Duration::from_secs(3600),
        other => humantime::parse_duration(other).map_err(|_| bad())?,
    };
    if count == 0 || period.is_zero() {
        return Err(format!(
            "`{s}`: the count and the period must be above zero"
        ));
    }
    Ok(period / count)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// Capacity of each bounded channel between stages.
    pub channel_capacity: usize,
    /// Threads cleaning and enriching pages (CPU-bound work); 0 = one per core.
    pub workers: usize,
    /// How long a claimed feed or article stays reserved for this process without renewal.
    /// Leases are renewed every quarter of this while the work waits; it is how long the work
    /// of a process that died on another host waits before another daemon takes it over.
    #[serde(with = "serde_duration")]
    pub lease: Duration,
    /// Name of this daemon in leases (with the host and process added, so two processes
    /// never share one). Defaults to the host name.
    pub daemon_id: String,
    /// After a stop signal, how long work in flight may take to finish before it is dropped
    /// (and done on the next start). A second signal stops at once.
    #[serde(with = "serde_duration")]
    pub stop_grace: Duration,
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
    /// How often `run` (and `once` when its output is not a terminal) logs its progress.
    #[serde(with = "serde_duration")]
    pub progress_interval: Duration,
}

/// The JSON API, `/metrics` and the dashboard (`stringer serve`, or `run` when `listen` is set).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to serve on, such as `127.0.0.1:8080`; unset: `run` serves nothing.
    pub listen: Option<String>,
    /// Serving on an address other than loopback is refused unless this is true (the API has
    /// no authentication).
    pub allow_public: bool,
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
    #[serde(default, with = "serde_duration::option")]
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
            allow_hosts: Vec::new(),
            contact_url: None,
            proxy: None,
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
            fetch_log_retention: Duration::from_secs(30 * 86_400),
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
            lease: Duration::from_secs(2 * 60),
            daemon_id: String::new(),
            stop_grace: Duration::from_secs(10),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: LogFormat::Text,
            progress_interval: Duration::from_secs(60),
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
            .field("server", &self.server)
            .field("feeds", &self.feeds.len())
            .field("topics", &self.topics.keys().collect::<Vec<_>>())
            .field(
                "alerts",
                &self.alerts.iter().map(|a| &a.name).collect::<Vec<_>>(),
            )
            .field("sinks", &self.sinks)
            .finish()
    }
}
