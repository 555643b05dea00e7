//! `stringer feeds import|export`: the feed list from and to OPML files.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use super::values::{check_interval, interval_secs};
use crate::config::{Config, has_credentials, redact_url};
use crate::store::{FeedRow, FeedUpsert, Store};
use crate::subscriptions::{self, Subscription};

/// What importing one feed did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Added,
    Updated,
    Unchanged,
}

pub async fn import(
    cfg: &Config,
    store: &Store,
    out: &mut impl Write,
    file: &Path,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let (subs, mut problems) = subscriptions::parse(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: not an OPML file we can read: {e}", file.display()))?;
    let mut counts = [0usize; 3];
    for sub in &subs {
        let mut upsert = FeedUpsert {
            url: sub.url.clone(),
            title: sub.title.clone(),
            site_url: sub.site_url.clone(),
            interval_secs: interval_secs(sub.interval),
            tags: (!sub.tags.is_empty()).then(|| sub.tags.clone()),
        };
        if let Err(why) = check_interval(cfg, sub.interval) {
            problems.push(format!(
                "{}: {why}; imported without it",
                redact_url(&sub.url)
            ));
            upsert.interval_secs = None;
        }
        let change = import_one(store, &upsert).await?;
        counts[change as usize] += 1;
    }
    for p in &problems {
        writeln!(out, "skipped: {p}")?;
    }
    let [added, updated, unchanged] = counts;
    writeln!(
        out,
        "{} feeds in {}: {added} added, {updated} updated, {unchanged} unchanged",
        subs.len(),
        file.display(),
    )?;
    Ok(())
}

/// Adds the feed, updates it when the file says something new about it, or leaves it.
async fn import_one(store: &Store, upsert: &FeedUpsert) -> anyhow::Result<Change> {
    if let Some(row) = store.feed_by_url(&upsert.url).await?
        && !changes(&row, upsert)
    {
        return Ok(Change::Unchanged);
    }
    let (_, new) = store.upsert_feed(upsert).await?;
    Ok(if new { Change::Added } else { Change::Updated })
}

/// Whether the upsert would change the stored row (its `None` fields leave the row alone).
fn changes(row: &FeedRow, upsert: &FeedUpsert) -> bool {
    upsert
        .title
        .as_ref()
        .is_some_and(|t| row.title.as_ref() != Some(t))
        || upsert
            .site_url
            .as_ref()
            .is_some_and(|s| row.site_url.as_ref() != Some(s))
        || upsert
            .interval_secs
            .is_some_and(|i| row.interval_secs != Some(i))
        || upsert.tags.as_ref().is_some_and(|t| &row.tags.0 != t)
}

/// Writes the feed list; passwords and tokens in URLs are redacted unless `credentials`.
pub async fn export(
    store: &Store,
    out: &mut impl Write,
    output: Option<&Path>,
    credentials: bool,
) -> anyhow::Result<()> {
    let feeds = store.list_feeds().await?;
    let shown = |url: String| if credentials { url } else { redact_url(&url) };
    let secret = feeds.iter().filter(|f| has_credentials(&f.url)).count();
    if secret > 0 && !credentials {
        tracing::warn!(
            feeds = secret,
            "feed URLs with passwords or tokens are exported redacted (--include-credentials writes them)"
        );
    }
    let subs: Vec<Subscription> = feeds
        .into_iter()
        .map(|f| Subscription {
            url: shown(f.url),
            title: f.title,
            site_url: f.site_url.map(shown),
            tags: f.tags.0,
            interval: f
                .interval_secs
                .and_then(|s| u64::try_from(s).ok())
                .map(std::time::Duration::from_secs),
        })
        .collect();
    let xml = subscriptions::render(&subs);
    match output {
        Some(path) => std::fs::write(path, xml)
            .with_context(|| format!("{}: cannot write", path.display()))?,
        None => out.write_all(xml.as_bytes())?,
    }
    Ok(())
}
