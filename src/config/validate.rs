//! Checks that configuration values make sense together, with the key and the reason when
//! they do not.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use url::Url;

use super::error::ConfigError;
use super::matcher::MatcherConfig;
use super::redact::redact_url;
use super::sections::Config;

/// A key and why its value is wrong.
pub type Bad = (String, String);

pub(super) fn bad(key: &str, why: impl Into<String>) -> Bad {
    (key.to_string(), why.into())
}

impl Config {
    /// Checks that values make sense together. Called by `load`; tests building a `Config` in
    /// code call it too.
    pub fn validate(&mut self, origin: &str) -> Result<(), ConfigError> {
        self.check_values()
            .map_err(|(key, why)| ConfigError::invalid(origin, format!("key `{key}`: {why}")))?;
        if self.pipeline.daemon_id.is_empty() {
            self.pipeline.daemon_id = default_daemon_id();
        }
        Ok(())
    }

    fn check_values(&mut self) -> Result<(), Bad> {
        self.check_database()?;
        self.check_http()?;
        self.check_durations()?;
        self.check_counts()?;
        self.check_politeness()?;
        if let Err(e) = self.log.level.parse::<tracing_subscriber::EnvFilter>() {
            return Err(bad("log.level", format!("not a tracing filter: {e}")));
        }
        self.check_feeds()?;
        self.check_aliases()?;
        self.check_server()?;
        self.check_topics()?;
        self.check_alerts()
    }

    fn check_server(&self) -> Result<(), Bad> {
        if let Some(listen) = &self.server.listen {
            check_listen(listen, self.server.allow_public)
                .map_err(|why| bad("server.listen", why))?;
        }
        Ok(())
    }

    /// A topic must say something, and its categories and languages must be ones that exist.
    fn check_topics(&self) -> Result<(), Bad> {
        for (name, m) in &self.topics {
            check_matcher(&format!("topics.{name}"), m)?;
        }
        Ok(())
    }

    fn check_database(&self) -> Result<(), Bad> {
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
            return Err(bad("database.max_connections", "must be at least 1"));
        }
        Ok(())
    }

    fn check_http(&self) -> Result<(), Bad> {
        if self.http.user_agent.trim().is_empty() {
            return Err(bad("http.user_agent", "must not be empty"));
        }
        if self.http.max_body_bytes < 1024 {
            return Err(bad("http.max_body_bytes", "must be at least 1024"));
        }
        for (i, entry) in self.http.allow_hosts.iter().enumerate() {
            super::AllowedHost::parse(entry)
                .map_err(|why| bad(&format!("http.allow_hosts[{i}]"), why))?;
        }
        if let Some(contact) = &self.http.contact_url {
            let ok = url::Url::parse(contact)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "mailto"));
            if !ok || contact.chars().any(|c| c.is_control() || c == ')') {
                return Err(bad(
                    "http.contact_url",
                    format!("`{contact}` is not an http(s) or mailto URL"),
                ));
            }
        }
        if let Some(proxy) = &self.http.proxy {
            let ok = url::Url::parse(proxy)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(bad(
                    "http.proxy",
                    format!(
                        "`{}` is not a proxy URL like http://proxy.example:3128",
                        redact_url(proxy)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_durations(&self) -> Result<(), Bad> {
        for (key, d) in [
            ("http.timeout", self.http.timeout),
            ("http.connect_timeout", self.http.connect_timeout),
            ("poll.tick", self.poll.tick),
            ("poll.min_interval", self.poll.min_interval),
            ("pipeline.lease", self.pipeline.lease),
            ("log.progress_interval", self.log.progress_interval),
        ] {
            if d.is_zero() {
                return Err(bad(key, "must be longer than zero"));
            }
        }
        if self.poll.min_interval > self.poll.max_interval {
            return Err(bad(
                "poll.min_interval",
                "must not be longer than poll.max_interval",
            ));
        }
        Ok(())
    }

    fn check_counts(&self) -> Result<(), Bad> {
        for (key, n) in [
            ("poll.concurrency", self.poll.concurrency),
            ("articles.concurrency", self.articles.concurrency),
            ("articles.per_host", self.articles.per_host),
            ("pipeline.channel_capacity", self.pipeline.channel_capacity),
        ] {
            if n == 0 {
                return Err(bad(key, "must be at least 1"));
            }
        }
        if self.articles.max_attempts == 0 {
            return Err(bad("articles.max_attempts", "must be at least 1"));
        }
        Ok(())
    }

    fn check_politeness(&self) -> Result<(), Bad> {
        self.politeness
            .per_host_gap()
            .map_err(|why| bad("politeness.per_host_rate", why))?;
        if self.politeness.per_host_concurrency == Some(0) {
            return Err(bad("politeness.per_host_concurrency", "must be at least 1"));
        }
        Ok(())
    }

    /// Article pages fetched at once from one host: `[politeness] per_host_concurrency`, or
    /// its older name `[articles] per_host`.
    pub fn per_host_concurrency(&self) -> usize {
        self.politeness
            .per_host_concurrency
            .unwrap_or(self.articles.per_host)
    }

    /// Feed URLs are normalised in place; each may be listed once.
    fn check_feeds(&mut self) -> Result<(), Bad> {
        let mut seen = BTreeSet::new();
        for (i, feed) in self.feeds.iter_mut().enumerate() {
            let key = format!("feeds[{i}].url");
            feed.url = check_feed_url(&feed.url).map_err(|why| bad(&key, why))?;
            if !seen.insert(feed.url.clone()) {
                return Err(bad(
                    &key,
                    format!("`{}` is listed twice", redact_url(&feed.url)),
                ));
            }
            if let Some(interval) = feed.interval {
                let show = |d| humantime::format_duration(d).to_string();
                let key = format!("feeds[{i}].interval");
                if interval < self.poll.min_interval {
                    let min = show(self.poll.min_interval);
                    let why = format!(
                        "{} is shorter than poll.min_interval ({min})",
                        show(interval)
                    );
                    return Err(bad(&key, why));
                }
                if interval > self.poll.max_interval {
                    let max = show(self.poll.max_interval);
                    let why = format!(
                        "{} is longer than poll.max_interval ({max})",
                        show(interval)
                    );
                    return Err(bad(&key, why));
                }
            }
        }
        Ok(())
    }

    fn check_aliases(&self) -> Result<(), Bad> {
        for (name, aliases) in &self.entities.aliases {
            if name.trim().is_empty() || aliases.iter().any(|a| a.trim().is_empty()) {
                return Err(bad(
                    &format!("entities.aliases.{name}"),
                    "names must not be empty",
                ));
            }
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

/// A matcher must have at least one key, and no empty phrase; categories and languages must
/// be ones an article can have.
pub fn check_matcher(key: &str, m: &MatcherConfig) -> Result<(), Bad> {
    if m.is_empty() {
        return Err(bad(
            key,
            "a matcher needs at least one of any, all, none, entities, categories, tags, languages",
        ));
    }
    for (field, list) in [
        ("any", &m.any),
        ("all", &m.all),
        ("none", &m.none),
        ("entities", &m.entities),
        ("tags", &m.tags),
    ] {
        if list.iter().any(|p| p.trim().is_empty()) {
            return Err(bad(&format!("{key}.{field}"), "entries must not be empty"));
        }
    }
    const CATEGORIES: &[&str] = &[
        "world",
        "business",
        "technology",
        "sport",
        "entertainment",
        "other",
    ];
    if let Some(c) = m
        .categories
        .iter()
        .find(|c| !CATEGORIES.contains(&c.as_str()))
    {
        return Err(bad(
            &format!("{key}.categories"),
            format!("`{c}` is not a category: use {}", CATEGORIES.join(", ")),
        ));
    }
    if let Some(l) = m
        .languages
        .iter()
        .find(|l| l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(bad(
            &format!("{key}.languages"),
            format!("`{l}` is not an ISO 639-1 code such as en or de"),
        ));
    }
    Ok(())
}

/// Longest feed URL taken, in bytes (as for entry links: real ones stay far below it).
pub const MAX_FEED_URL_BYTES: usize = 2048;

/// A feed URL must be absolute http(s) and at most [`MAX_FEED_URL_BYTES`] long; returns it
/// normalised by the URL parser, without its `#fragment` (which no server sees, so
/// `feed#a` and `feed#b` are one feed). Errors show the URL with any password redacted.
pub fn check_feed_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    check_feed_url_length(raw, "")?;
    let shown = redact_url(raw);
    let mut url = Url::parse(raw).map_err(|e| format!("`{shown}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{shown}` is not an http(s) URL (scheme `{}`)",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{shown}` has no host"));
    }
    url.set_fragment(None);
    // The limit holds for the URL as stored: percent-encoding can make it longer than typed,
    // and an export must never write a URL that the import refuses.
    let url = url.to_string();
    check_feed_url_length(&url, " once percent-encoded")?;
    Ok(url)
}

fn check_feed_url_length(url: &str, how: &str) -> Result<(), String> {
    if url.len() <= MAX_FEED_URL_BYTES {
        return Ok(());
    }
    let mut end = 60;
    while !url.is_char_boundary(end) {
        end -= 1;
    }
    Err(format!(
        "`{}…` is {} bytes long{how}: feed URLs are limited to {MAX_FEED_URL_BYTES}",
        redact_url(&url[..end]),
        url.len()
    ))
}

/// An address to serve on: `IP:PORT` (port 0: any free port), on loopback unless `public`.
pub fn check_listen(listen: &str, public: bool) -> Result<SocketAddr, String> {
    let addr: SocketAddr = listen.trim().parse().map_err(|_| {
        format!("`{listen}` is not an address and port such as 127.0.0.1:8080 or [::1]:8080")
    })?;
    if !addr.ip().is_loopback() && !public {
        return Err(format!(
            "`{listen}` is not a loopback address, and the API has no authentication: \
             set [server] allow_public = true to serve beyond this machine"
        ));
    }
    Ok(addr)
}

fn default_daemon_id() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "stringer".into())
}
