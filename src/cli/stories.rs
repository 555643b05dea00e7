//! `stringer stories`: the stories with an article in a time window, by how many outlets
//! carry them.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::startup::connect_store;
use super::values::{Format, window_start};
use crate::config::Config;
use crate::store::StoryRow;

pub async fn run(
    cfg: Config,
    window: Duration,
    limit: u32,
    format: Format,
    now: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    let store = connect_store(&cfg).await?;
    let until = now.unwrap_or_else(Utc::now);
    let since = window_start(until, window);
    let stories = store.stories(since, until, i64::from(limit)).await?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(&stories)?)?,
        Format::Table => table(&mut out, &stories, window)?,
    }
    out.flush()?;
    Ok(())
}

fn table(out: &mut impl Write, stories: &[StoryRow], window: Duration) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:>8} {:>8} {:>8} {:<20} TITLE",
        "STORY", "SOURCES", "ARTICLES", "FIRST SEEN (UTC)"
    )?;
    for s in stories {
        writeln!(
            out,
            "{:>8} {:>8} {:>8} {:<20} {}",
            s.id,
            s.sources.len(),
            s.articles,
            s.first_seen.format("%Y-%m-%d %H:%M"),
            s.title.as_deref().unwrap_or("-")
        )?;
        writeln!(out, "{:>8} {}", "", s.sources.join(", "))?;
    }
    if stories.is_empty() {
        writeln!(
            out,
            "(no stories in the last {})",
            humantime::format_duration(window)
        )?;
    }
    Ok(())
}
