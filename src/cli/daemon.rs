//! `stringer run`, `stringer once` and `stringer migrate`: the pipeline, its summary and the
//! signals that stop it.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::startup::{open_store, sync_config_feeds};
use crate::api;
use crate::config::{self, Config};
use crate::enrich::Enricher;
use crate::fetch::Http;
use crate::pipeline::{self, Counters, Mode, Progress, Summary};
use crate::store::Store;

pub async fn run(cfg: Config, mode: Mode, json: bool, bar: ProgressBar) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    spawn_signal_handler(shutdown.clone());
    let Some(store) = connect(&cfg, mode, &shutdown).await? else {
        return Ok(());
    };
    sync_config_feeds(&cfg, &store).await?;
    let http = Http::new(&cfg.http)?.with_politeness(&cfg.politeness)?;
    let enricher = Arc::new(Enricher::new(&cfg));
    info!(
        database = store.backend_name(),
        daemon_id = %cfg.pipeline.daemon_id,
        mode = ?mode,
        "stringer starting"
    );
    let progress = progress(&cfg, mode, bar);
    let counters = Arc::new(Counters::default());
    let server = start_server(&cfg, mode, &store, &counters, &shutdown).await?;
    let summary = pipeline::run_counted(
        cfg,
        store.clone(),
        http,
        enricher,
        mode,
        shutdown.clone(),
        progress,
        counters,
    )
    .await;
    shutdown.cancel();
    if let Some(server) = server
        && let Ok(Err(e)) = server.await
    {
        warn!(error = %format!("{e:#}"), "the HTTP server stopped with an error");
    }
    let summary = summary?;
    let counts = store.article_counts().await?;
    store.close().await;
    if mode == Mode::Once {
        print_summary(&summary, &counts, json)?;
    } else {
        info!(
            stored = summary.articles_stored,
            failed = summary.articles_failed,
            "stringer stopped"
        );
    }
    Ok(())
}

/// The API server beside a daemon when `[server] listen` is set; it stops with the daemon.
async fn start_server(
    cfg: &Config,
    mode: Mode,
    store: &Store,
    counters: &Arc<Counters>,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<JoinHandle<anyhow::Result<()>>>> {
    let Some(listen) = cfg
        .server
        .listen
        .as_deref()
        .filter(|_| mode == Mode::Daemon)
    else {
        return Ok(None);
    };
    let addr = config::check_listen(listen, cfg.server.allow_public)
        .map_err(|why| anyhow::anyhow!("[server] listen: {why}"))?;
    let listener = api::bind(addr).await?;
    let state = api::ApiState::new(cfg, store.clone(), counters.clone());
    Ok(Some(tokio::spawn(api::serve(
        listener,
        state,
        shutdown.clone(),
    ))))
}

/// A daemon's progress goes to the log; `once` shows a bar on a terminal and log lines
/// (every ten seconds) otherwise.
fn progress(cfg: &Config, mode: Mode, bar: ProgressBar) -> Progress {
    match mode {
        Mode::Daemon => Progress::Lines(cfg.log.progress_interval),
        Mode::Once if std::io::stderr().is_terminal() => {
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_draw_target(ProgressDrawTarget::stderr());
            Progress::Bar(bar)
        }
        Mode::Once => Progress::Lines(cfg.log.progress_interval.min(Duration::from_secs(10))),
    }
}

/// Opens the store. A daemon waits for a database that does not answer yet (it may be
/// starting beside it) until it does or a signal stops the wait (`None`); `once` does not wait.
async fn connect(
    cfg: &Config,
    mode: Mode,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<Store>> {
    let mut delay = Duration::from_millis(500);
    let mut said = false;
    loop {
        match Store::connect(&cfg.database.url, cfg.database.max_connections).await {
            Ok(store) => return Ok(Some(store)),
            Err(e) if mode == Mode::Daemon && e.is_transient() => {
                if !said {
                    warn!(error = %e.cause(), "database unreachable at start, waiting for it");
                    said = true;
                }
            }
            Err(e) => return Err(e.into()),
        }
        tokio::select! {
            () = shutdown.cancelled() => return Ok(None),
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(15));
    }
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
    store.close().await;
    writeln!(
        std::io::stdout().lock(),
        "database at {} is up to date",
        config::redact_url(&cfg.database.url)
    )?;
    Ok(())
}

/// First SIGINT/SIGTERM: stop taking new work and finish what is in flight. Second: exit now
/// (pending work is in the database and resumes on the next start).
pub(super) fn spawn_signal_handler(shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            wait_for_signal().await;
            count += 1;
            if count == 1 {
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
