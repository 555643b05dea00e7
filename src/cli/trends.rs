//! `stringer trends`: entities rising against their trailing baseline, in a table with the
//! window's bounds or as JSON.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use clap::Args;

use super::startup::connect_store;
use super::values::{Format, parse_entity_type, parse_time, parse_window, window_start};
use crate::config::Config;
use crate::model::EntityType;
use crate::store::{TrendQuery, TrendRow};

#[derive(Debug, Args)]
pub struct TrendsArgs {
    /// Window length, such as 24h, 7d or 90m.
    #[arg(long, default_value = "24h", value_parser = parse_window)]
    pub window: Duration,
    /// Only entities of this type (PER, ORG, LOC, MISC).
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_entity_type)]
    pub kind: Option<EntityType>,
    /// Only articles that matched this user topic.
    #[arg(long)]
    pub topic: Option<String>,
    /// Only articles of this category.
    #[arg(long)]
    pub category: Option<String>,
    /// How many entities to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Fewest articles in the window for an entity to be listed.
    #[arg(long, default_value_t = 3)]
    pub min_count: i64,
    /// Fewest distinct sources (registrable domains) in the window: one chatty feed is not a trend.
    #[arg(long, default_value_t = 2)]
    pub min_sources: i64,
    /// The trailing period before the window that says what to expect.
    #[arg(long, default_value = "28d", value_parser = parse_window)]
    pub baseline: Duration,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The end of the window instead of now (RFC 3339; for tests and backfills).
    #[arg(long, hide = true, value_parser = parse_time)]
    pub now: Option<DateTime<Utc>>,
}

pub async fn run(cfg: Config, args: TrendsArgs) -> anyhow::Result<()> {
    let now = args.now.unwrap_or_else(Utc::now);
    let lo = window_start(now, args.window);
    let query = TrendQuery {
        now,
        window: now - lo,
        baseline: now - window_start(now, args.baseline),
        kind: args.kind.map(|k| k.to_string()),
        topic: args.topic.clone(),
        category: args.category.clone(),
        min_count: args.min_count.max(1),
        min_sources: args.min_sources.max(1),
        limit: args.limit,
    };
    let store = connect_store(&cfg).await?;
    // Trends read the hourly rollups: bring them up to date first (cheap when they are).
    store.refresh_all_rollups().await?;
    let rows = store.trends(&query).await?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(&rows)?)?,
        Format::Table => table(&mut out, &rows, lo, now)?,
    }
    out.flush()?;
    Ok(())
}

fn table(
    out: &mut impl Write,
    rows: &[TrendRow],
    lo: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let fmt = |t: DateTime<Utc>| {
        t.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    writeln!(out, "window {} to {}", fmt(lo), fmt(now))?;
    writeln!(
        out,
        "{:<40} {:<5} {:>9} {:>8} {:>9} {:>7}",
        "ENTITY", "TYPE", "ARTICLES", "SOURCES", "BASELINE", "SCORE"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<40} {:<5} {:>9} {:>8} {:>9.2} {:>7.1}",
            r.name, r.kind, r.articles, r.sources, r.baseline, r.score
        )?;
    }
    if rows.is_empty() {
        writeln!(
            out,
            "(no entity rises above --min-count and --min-sources in this window)"
        )?;
    }
    Ok(())
}
