//! `stringer entity NAME`: one entity over a window: its articles per hour or day, the
//! entities named with it, its latest articles and its stories, in a table or as the JSON
//! object of `/api/entities/{name}`.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;

use super::startup::open_store;
use super::values::{Format, parse_entity_type, parse_time, parse_window};
use crate::api::params::Bucket;
use crate::api::reports::{EntityQuery, EntityReport, entity_report};
use crate::config::Config;
use crate::model::EntityType;
use crate::ner::Aliases;

#[derive(Debug, Args)]
pub struct EntityArgs {
    /// The entity's name, as stored or as any alias of it ("U.S." finds "United States").
    pub name: String,
    /// Window length, such as 24h, 7d or 90m.
    #[arg(long, default_value = "7d", value_parser = parse_window)]
    pub window: Duration,
    /// Width of the timeline's buckets.
    #[arg(long, value_enum, default_value_t = Bucket::Hour)]
    pub bucket: Bucket,
    /// The entity of this type, when the name has several (PER, ORG, LOC, MISC).
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_entity_type)]
    pub kind: Option<EntityType>,
    /// How many co-mentioned entities, articles and stories to list.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i64).range(1..=100))]
    pub limit: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The end of the window instead of now (RFC 3339; for tests and backfills).
    #[arg(long, hide = true, value_parser = parse_time)]
    pub now: Option<DateTime<Utc>>,
}

pub async fn run(cfg: Config, args: EntityArgs) -> anyhow::Result<()> {
    let query = EntityQuery {
        name: args.name.clone(),
        kind: args.kind.map(|k| k.to_string()),
        window: args.window,
        bucket: args.bucket,
        limit: args.limit,
        now: args.now.unwrap_or_else(Utc::now),
    };
    let aliases = Aliases::with_built_in(&cfg.entities.aliases);
    let store = open_store(&cfg).await?;
    let report = entity_report(&store, &aliases, &query).await;
    store.close().await;
    let report = report?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(&report)?)?,
        Format::Table => table(&mut out, &report)?,
    }
    out.flush()?;
    Ok(())
}

fn table(out: &mut impl Write, r: &EntityReport) -> anyhow::Result<()> {
    writeln!(
        out,
        "{} ({}): {} articles from {} to {} (UTC)",
        r.name,
        r.kind,
        r.articles,
        r.from.format("%Y-%m-%d %H:%M"),
        r.until.format("%Y-%m-%d %H:%M")
    )?;
    let peak = r
        .timeline
        .iter()
        .map(|p| p.articles)
        .max()
        .unwrap_or(0)
        .max(1);
    let format = match r.bucket {
        Bucket::Hour => "%Y-%m-%d %H:00",
        Bucket::Day => "%Y-%m-%d",
    };
    writeln!(out, "\n{:<17} {:>8}", "WHEN", "ARTICLES")?;
    for p in r.timeline.iter().filter(|p| p.articles > 0) {
        let bar = "#".repeat(((p.articles * 40 + peak - 1) / peak) as usize);
        writeln!(out, "{:<17} {:>8} {bar}", p.time.format(format), p.articles)?;
    }
    writeln!(out, "\nNAMED WITH IT")?;
    for c in &r.co_mentions {
        writeln!(out, "{:>6}  {} ({})", c.articles, c.name, c.kind)?;
    }
    writeln!(out, "\nLATEST ARTICLES")?;
    for a in &r.latest_articles {
        let when = a.event_time.map(|t| t.format("%Y-%m-%d %H:%M").to_string());
        writeln!(
            out,
            "{:<16}  {:<24}  {}\n{:<16}  {}",
            when.as_deref().unwrap_or("-"),
            a.source.as_deref().unwrap_or("-"),
            a.title.as_deref().unwrap_or("(no title)"),
            "",
            a.url
        )?;
    }
    writeln!(out, "\nSTORIES")?;
    for s in &r.stories {
        writeln!(
            out,
            "{:>8} {:>3} sources  {}",
            s.id,
            s.sources.len(),
            s.title.as_deref().unwrap_or("-")
        )?;
    }
    Ok(())
}
