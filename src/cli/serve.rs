//! `stringer serve`: the JSON API, `/metrics` and the dashboard over an existing database, with
//! no ingestion; and the server `run` starts beside the pipeline when `[server] listen` is set.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::startup::open_store;
use crate::api::{self, ApiState};
use crate::config::{Config, check_listen};
use crate::pipeline::Counters;

/// Serves until SIGINT or SIGTERM, on `listen` (a flag) or `[server] listen`.
pub async fn run(cfg: Config, listen: Option<String>) -> anyhow::Result<()> {
    let addr = match &listen {
        Some(flag) => check_listen(flag, cfg.server.allow_public)
            .map_err(|why| anyhow::anyhow!("--listen: {why}"))?,
        None => {
            let configured = cfg.server.listen.as_deref().unwrap_or("127.0.0.1:8080");
            check_listen(configured, cfg.server.allow_public)
                .map_err(|why| anyhow::anyhow!("[server] listen: {why}"))?
        }
    };
    let listener = api::bind(addr).await?;
    let store = open_store(&cfg).await?;
    store.refresh_all_rollups().await?;
    let shutdown = CancellationToken::new();
    super::daemon::spawn_signal_handler(shutdown.clone());
    let state = ApiState::new(&cfg, store.clone(), Arc::new(Counters::default()));
    let served = api::serve(listener, state, shutdown).await;
    store.close().await;
    served
}
