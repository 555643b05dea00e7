//! `stringer feeds add|list|remove|import|export`: the feed list, OPML in and out.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::startup::open_store;
use super::values::{Format, parse_window};
use crate::config::{self, Config};
use crate::fetch::Http;
use crate::poll::{self, Found};
use crate::store::{FeedRow, FeedUpsert, Store};
use crate::subscriptions::{self, Subscription};

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
    /// List feeds with their state (errors, last success, next check).
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Remove a feed. Its stored articles stay.
    Remove { url: String },
    /// Add the feeds of an OPML file.
    Import { file: PathBuf },
    /// Write the feed list as OPML (to standard output by default).
    Export {
        #[arg(long, short)]
        output: Option<PathBuf>,
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
            match check_interval(&cfg, interval) {
                Ok(()) => match checked_feeds(&cfg, &mut out, &url, all, no_check).await {
                    Ok(urls) => add(&store, &mut out, &urls, wanted).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        }
        FeedsCommand::List { format } => list(&store, &mut out, format).await,
        FeedsCommand::Remove { url } => remove(&cfg, &store, &mut out, &url).await,
        FeedsCommand::Import { file } => import(&store, &mut out, &file).await,
        FeedsCommand::Export { output } => export(&store, &mut out, output.as_deref()).await,
    };
    store.close().await;
    result
}

fn interval_secs(interval: Option<Duration>) -> Option<i32> {
    interval.map(|d| d.as_secs().min(i32::MAX as u64) as i32)
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
    let links = match poll::inspect(&http, &url).await {
        Ok(Found::Feed(_)) => return Ok(vec![url]),
        Ok(Found::Page(links)) => links,
        Err(e) => bail!("{url}: {e} (add --no-check to add it anyway)"),
    };
    if links.is_empty() {
        bail!(
            "{url}: an HTML page that advertises no feed (no <link rel=\"alternate\"> of an RSS, Atom or JSON feed)"
        );
    }
    writeln!(out, "{url} is a page advertising {} feeds:", links.len())?;
    for link in &links {
        writeln!(out, "  {link}")?;
    }
    let take = if all { links.len() } else { 1 };
    links
        .into_iter()
        .take(take)
        .map(|l| config::check_feed_url(&l).map_err(anyhow::Error::msg))
        .collect()
}

/// A feed's own interval lies within `[poll] min_interval` and `max_interval`.
fn check_interval(cfg: &Config, interval: Option<Duration>) -> anyhow::Result<()> {
    let Some(i) = interval else {
        return Ok(());
    };
    let show = |d: Duration| humantime::format_duration(d).to_string();
    if i < cfg.poll.min_interval {
        bail!(
            "--interval {} is shorter than poll.min_interval ({})",
            show(i),
            show(cfg.poll.min_interval)
        );
    }
    if i > cfg.poll.max_interval {
        bail!(
            "--interval {} is longer than poll.max_interval ({})",
            show(i),
            show(cfg.poll.max_interval)
        );
    }
    Ok(())
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
        writeln!(out, "{} {url}", if new { "added" } else { "updated" })?;
    }
    Ok(())
}

async fn list(store: &Store, out: &mut impl Write, format: Format) -> anyhow::Result<()> {
    let feeds = store.list_feeds().await?;
    if format == Format::Json {
        for f in &feeds {
            writeln!(out, "{}", serde_json::to_string(f)?)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{:<60} {:>6} {:<20} {:<20} LAST ERROR",
        "URL", "ERRORS", "LAST SUCCESS", "NEXT CHECK"
    )?;
    let when = |t: Option<DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_string(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
    };
    for f in &feeds {
        writeln!(
            out,
            "{:<60} {:>6} {:<20} {:<20} {}",
            f.url,
            f.error_count,
            when(f.last_success_at),
            when(Some(f.next_check_at)),
            problem(f)
        )?;
    }
    Ok(())
}

/// What is wrong with a feed: its last error, else what its last poll could not take.
fn problem(f: &FeedRow) -> String {
    match (&f.last_error, &f.last_entry_error) {
        (Some(e), _) => e.clone(),
        (None, Some(e)) => format!("entries: {e}"),
        (None, None) => String::new(),
    }
}

async fn remove(
    cfg: &Config,
    store: &Store,
    out: &mut impl Write,
    url: &str,
) -> anyhow::Result<()> {
    let url = config::check_feed_url(url).map_err(anyhow::Error::msg)?;
    if !store.remove_feed(&url).await? {
        bail!("no feed {url}");
    }
    if cfg.feeds.iter().any(|f| f.url == url) {
        writeln!(
            out,
            "removed {url} (it is listed in the configuration file and comes back at the next start)"
        )?;
    } else {
        writeln!(out, "removed {url}")?;
    }
    Ok(())
}

async fn import(store: &Store, out: &mut impl Write, file: &Path) -> anyhow::Result<()> {
    let xml = std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read", file.display()))?;
    let (subs, problems) =
        subscriptions::parse(&xml).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let mut added = 0;
    for sub in &subs {
        let (_, new) = store
            .upsert_feed(&FeedUpsert {
                url: sub.url.clone(),
                title: sub.title.clone(),
                site_url: sub.site_url.clone(),
                interval_secs: None,
                tags: (!sub.tags.is_empty()).then(|| sub.tags.clone()),
            })
            .await?;
        added += usize::from(new);
    }
    for p in &problems {
        writeln!(out, "skipped: {p}")?;
    }
    writeln!(
        out,
        "{} feeds in {}: {added} added, {} updated",
        subs.len(),
        file.display(),
        subs.len() - added
    )?;
    Ok(())
}

async fn export(store: &Store, out: &mut impl Write, output: Option<&Path>) -> anyhow::Result<()> {
    let feeds = store.list_feeds().await?;
    let subs: Vec<Subscription> = feeds
        .into_iter()
        .map(|f| Subscription {
            url: f.url,
            title: f.title,
            site_url: f.site_url,
            tags: f.tags.0,
        })
        .collect();
    let xml = subscriptions::render(&subs).map_err(anyhow::Error::msg)?;
    match output {
        Some(path) => std::fs::write(path, xml)
            .with_context(|| format!("{}: cannot write", path.display()))?,
        None => out.write_all(xml.as_bytes())?,
    }
    Ok(())
}
