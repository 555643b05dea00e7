//! `stringer sinks status`: per configured sink, what was delivered, what waits (and since
//! when), and the last error; `sinks replay` (in `replay`).

use std::io::Write;

use chrono::SecondsFormat;
use clap::Subcommand;

use super::replay::ReplayArgs;
use super::startup::connect_store;
use super::values::Format;
use crate::config::Config;
use crate::store::SinkStatus;

#[derive(Debug, Subcommand)]
pub enum SinksCommand {
    /// Per sink: delivered, pending, oldest pending, last error.
    Status {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Queue stored articles again for one sink, as `article.stored` events with their
    /// original ids (for a new consumer); prints how many were queued.
    Replay(ReplayArgs),
}

pub async fn run(
    cfg: Config,
    cmd: SinksCommand,
    bar: indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let format = match cmd {
        SinksCommand::Status { format } => format,
        SinksCommand::Replay(args) => return super::replay::run(cfg, args, bar).await,
    };
    let store = connect_store(&cfg).await?;
    let mut stored = store.sink_status().await?;
    store.close().await;
    // Every configured sink, also one that has had nothing yet; then any left in the outbox.
    let mut rows: Vec<(String, SinkStatus)> = Vec::new();
    for sink in &cfg.sinks {
        let status = match stored.iter().position(|s| s.sink == sink.name) {
            Some(i) => stored.remove(i),
            None => SinkStatus {
                sink: sink.name.clone(),
                ..Default::default()
            },
        };
        rows.push((sink.kind.to_string(), status));
    }
    rows.extend(
        stored
            .into_iter()
            .map(|s| ("(not configured)".to_string(), s)),
    );
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let docs: Vec<serde_json::Value> = rows
            .iter()
            .map(|(kind, s)| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["kind"] = kind.clone().into();
                v
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string(&docs)?)?;
    } else {
        writeln!(
            out,
            "{:<20} {:<16} {:>10} {:>8} {:>9} {:<21} LAST ERROR",
            "SINK", "KIND", "DELIVERED", "PENDING", "GIVEN UP", "OLDEST PENDING"
        )?;
        for (kind, s) in &rows {
            let oldest = s
                .oldest_pending
                .map_or("-".into(), |t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
            writeln!(
                out,
                "{:<20} {:<16} {:>10} {:>8} {:>9} {:<21} {}",
                s.sink,
                kind,
                s.delivered,
                s.pending,
                s.given_up,
                oldest,
                s.last_error.as_deref().unwrap_or("-")
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
