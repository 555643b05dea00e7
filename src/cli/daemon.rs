//! `stringer run`, `stringer once` and `stringer migrate`: the pipeline, its summary and the
//! signals that stop it.

use std::io::Write;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tracing::info;

use super::startup::open_store;
use crate::config::{self, Config};
use crate::enrich::Enricher;
use crate::fetch::Http;
use crate::pipeline::{self, Mode, Summary};

pub async fn run(cfg: Config, mode: Mode, json: bool) -> anyhow::Result<()> {
    let store = open_store(&cfg).await?;
    let http = Http::new(&cfg.http)?;
    let enricher = Arc::new(Enricher::new(&cfg.entities));
    let shutdown = CancellationToken::new();
    spawn_signal_handler(shutdown.clone());
    info!(
        database = store.backend_name(),
        daemon_id = %cfg.pipeline.daemon_id,
        mode = ?mode,
        "stringer starting"
    );
    let summary = pipeline::run(cfg, store.clone(), http, enricher, mode, shutdown).await?;
    let counts = store.article_counts().await?;
    store.close().await;
    if mode == Mode::Once {
        print_summary(&summary, &counts, json)?;
    } else {
        info!(stored = summary.articles_stored, "stringer stopped");
    }
    Ok(())
}

fn print_summary(
    summary: &Summary,
    counts: &crate::store::StatusCounts,
    json: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({ "run": summary, "articles": counts });
        writeln!(out, "{value}")?;
        return Ok(());
    }
    writeln!(
        out,
        "feeds: {} polled, {} not modified, {} failed; {} new entries",
        summary.feeds_polled, summary.feeds_not_modified, summary.feeds_failed, summary.new_entries
    )?;
    writeln!(
        out,
        "articles: {} stored, {} failed, {} to retry later; in the database: {} done, {} pending, {} failed",
        summary.articles_stored,
        summary.articles_failed,
        summary.articles_retry_later,
        counts.done,
        counts.pending,
        counts.failed
    )?;
    for (url, error) in &summary.feed_errors {
        writeln!(out, "failed feed {url}: {error}")?;
    }
    Ok(())
}

/// Applies the migrations (and the configuration file's feeds) and says so.
pub async fn migrate(cfg: Config) -> anyhow::Result<()> {
    let store = open_store(&cfg).await?;
    println!(
        "database at {} is up to date",
        config::redact_url(&cfg.database.url)
    );
    store.close().await;
    Ok(())
}

/// First SIGINT/SIGTERM: stop taking new work and finish what is in flight. Second: exit now
/// (pending work is in the database and resumes on the next start).
fn spawn_signal_handler(shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            wait_for_signal().await;
            count += 1;
            if count == 1 {
                info!("stopping: finishing work in flight (signal again to stop at once)");
                shutdown.cancel();
            } else {
                eprintln!("stringer: stopped at once; pending work resumes on the next start");
                std::process::exit(130);
            }
        }
    });
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
