//! `stringer trends`: rising entities.

use std::io::Write;
use std::time::Duration;

use chrono::Utc;

use super::startup::open_store;
use super::values::Format;
use crate::config::Config;
use crate::model::EntityType;

pub async fn run(
    cfg: Config,
    window: Duration,
    kind: Option<EntityType>,
    limit: u32,
    format: Format,
) -> anyhow::Result<()> {
    let store = open_store(&cfg).await?;
    let window_c = chrono::Duration::from_std(window)?;
    let kind_name = kind.map(|k| k.to_string());
    let rows = store
        .trends(Utc::now(), window_c, kind_name.as_deref(), i64::from(limit))
        .await?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        for r in &rows {
            let mut v = serde_json::to_value(r)?;
            v["change"] = r.change().into();
            writeln!(out, "{v}")?;
        }
        return Ok(());
    }
    let w = humantime::format_duration(window);
    writeln!(
        out,
        "{:<40} {:<5} {:>9} {:>9} {:>7} {:>9}",
        "ENTITY", "TYPE", "ARTICLES", "PREVIOUS", "CHANGE", "MENTIONS"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:<40} {:<5} {:>9} {:>9} {:>+7} {:>9}",
            r.name,
            r.kind,
            r.articles,
            r.previous,
            r.change(),
            r.mentions
        )?;
    }
    if rows.is_empty() {
        writeln!(out, "(no entities in the last {w})")?;
    }
    Ok(())
}
