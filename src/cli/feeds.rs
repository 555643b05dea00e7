//! `stringer feeds add|list|remove|import|export`: the feed list, OPML in and out.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::opml;
use super::startup::open_store;
use super::values::{Format, check_interval, interval_secs, parse_window};
use crate::api::reports;
use crate::config::{self, Config, redact_url};
use crate::fetch::Http;
use crate::poll::{self, Found};
use crate::store::{FeedUpsert, Store};

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Add a feed (or update its interval, tags and title). The URL is fetched first: a page
    /// is searched for the feeds it advertises, and the first of them is added.
    Add {
        url: String,
        /// Poll interval, such as 15m or 1h [default: poll.default_interval]
        #[arg(long, value_parser = parse_window)]
        interval: Option<Duration>,
        /// A tag for the feed (repeat for several).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        #[arg(long)]
        title: Option<String>,
        /// For a page: add every feed it advertises, not only the first.
        #[arg(long)]
        all: bool,
        /// Add the URL as given, without fetching it.
        #[arg(long)]
        no_check: bool,
    },
    /// List feeds with their state (ok, new, failing, empty, silent) and why, the entries
    /// seen, the last new entry, the last success and the next check.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Only the feeds that need attention: failing, empty or silent.
        #[arg(long)]
        health: bool,
    },
    /// Remove a feed. Its stored articles stay.
    Remove { url: String },
    /// Add the feeds of an OPML file.
    Import { file: PathBuf },
    /// Write the feed list as OPML (to standard output by default).
    Export {
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Write passwords and tokens in feed URLs as they are (redacted by default).
        #[arg(long)]
        include_credentials: bool,
    },
}

pub async fn run(cfg: Config, cmd: FeedsCommand) -> anyhow::Result<()> {
    let store = open_store(&cfg).await?;
    let mut out = std::io::stdout().lock();
    let result = match cmd {
        FeedsCommand::Add {
            url,
            interval,
            tags,
            title,
            all,
            no_check,
        } => {
            let wanted = Wanted {
                interval,
                tags,
                title,
            };
            match check_interval(&cfg, interval).map_err(|why| anyhow::anyhow!("--{why}")) {
                Ok(()) => match checked_feeds(&cfg, &mut out, &url, all, no_check).await {
                    Ok(urls) => add(&store, &mut out, &urls, wanted).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        }
        FeedsCommand::List { format, health } => list(&store, &mut out, format, health).await,
        FeedsCommand::Remove { url } => remove(&cfg, &store, &mut out, &url).await,
        FeedsCommand::Import { file } => opml::import(&cfg, &store, &mut out, &file).await,
        FeedsCommand::Export {
            output,
            include_credentials,
        } => opml::export(&store, &mut out, output.as_deref(), include_credentials).await,
    };
    store.close().await;
    result
}

/// What `feeds add` sets on each feed it adds.
struct Wanted {
    interval: Option<Duration>,
    tags: Vec<String>,
    title: Option<String>,
}

/// The feeds `url` stands for: itself when it is a feed (or is not checked), else the first
/// (or every) feed the page advertises, each printed.
async fn checked_feeds(
    cfg: &Config,
    out: &mut impl Write,
    url: &str,
    all: bool,
    no_check: bool,
) -> anyhow::Result<Vec<String>> {
    let url = config::check_feed_url(url).map_err(anyhow::Error::msg)?;
    if no_check {
        return Ok(vec![url]);
    }
    let http = Http::new(&cfg.http)?;
    let shown = redact_url(&url);
    let links = match poll::inspect(&http, &url).await {
        Ok(Found::Feed(_)) => return Ok(vec![url]),
        Ok(Found::Page(links)) => links,
        Err(e) => bail!("{shown}: {e} (add --no-check to add it anyway)"),
    };
    if links.is_empty() {
        bail!(
            "{shown}: an HTML page that advertises no feed (no <link rel=\"alternate\"> of an RSS, Atom or JSON feed)"
        );
    }
    writeln!(out, "{shown} is a page advertising {} feeds:", links.len())?;
    for link in &links {
        writeln!(out, "  {}", redact_url(link))?;
    }
    let take = if all { links.len() } else { 1 };
    links
        .into_iter()
        .take(take)
        .map(|l| config::check_feed_url(&l).map_err(anyhow::Error::msg))
        .collect()
}

async fn add(
    store: &Store,
    out: &mut impl Write,
    urls: &[String],
    wanted: Wanted,
) -> anyhow::Result<()> {
    for url in urls {
        let (_, new) = store
            .upsert_feed(&FeedUpsert {
                url: url.clone(),
                title: wanted.title.clone(),
                site_url: None,
                interval_secs: interval_secs(wanted.interval),
                tags: (!wanted.tags.is_empty()).then(|| wanted.tags.clone()),
            })
            .await?;
        let did = if new { "added" } else { "updated" };
        writeln!(out, "{did} {}", redact_url(url))?;
    }
    Ok(())
}

async fn list(
    store: &Store,
    out: &mut impl Write,
    format: Format,
    health: bool,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut feeds = Vec::new();
    for h in store.feed_health().await? {
        let mut row = h.feed.clone();
        row.url = redact_url(&row.url);
        row.site_url = row.site_url.as_deref().map(redact_url);
        let status = reports::feed_status(h, now);
        if !health || !matches!(status.status, "ok" | "new") {
            feeds.push((row, status));
        }
    }
    if format == Format::Json {
        for (row, status) in &feeds {
            let mut value = serde_json::to_value(row)?;
            if let Some(object) = value.as_object_mut() {
                object.insert("state".into(), status.status.into());
                object.insert("why".into(), status.why.clone().into());
                object.insert("entries_seen".into(), status.entries.into());
                object.insert(
                    "last_new_entry_at".into(),
                    serde_json::to_value(status.latest_entry_at)?,
                );
            }
            writeln!(out, "{value}")?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{:<60} {:<7} {:>7} {:<16} {:<16} {:<16} WHY",
        "URL", "STATE", "ENTRIES", "LAST NEW ENTRY", "LAST SUCCESS", "NEXT CHECK"
    )?;
    let when = |t: Option<DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_string(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    for (row, status) in &feeds {
        writeln!(
            out,
            "{:<60} {:<7} {:>7} {:<16} {:<16} {:<16} {}",
            row.url,
            status.status,
            status.entries,
            when(status.latest_entry_at),
            when(row.last_success_at),
            when(Some(row.next_check_at)),
            status.why
        )?;
    }
    Ok(())
}

async fn remove(
    cfg: &Config,
    store: &Store,
    out: &mut impl Write,
    url: &str,
) -> anyhow::Result<()> {
    let url = config::check_feed_url(url).map_err(anyhow::Error::msg)?;
    let shown = redact_url(&url);
    if !store.remove_feed(&url).await? {
        bail!("no feed {shown}");
    }
    if cfg.feeds.iter().any(|f| f.url == url) {
        writeln!(
            out,
            "removed {shown} (it is listed in the configuration file and comes back at the next start)"
        )?;
    } else {
        writeln!(out, "removed {shown}")?;
    }
    Ok(())
}
