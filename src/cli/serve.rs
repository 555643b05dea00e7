//! `stringer serve`: the JSON API, `/metrics` and the dashboard over an existing database, with
//! no ingestion; and the server `run` starts beside the pipeline when `[server] listen` is set.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::startup::open_store;
use crate::api::{self, ApiState};
use crate::config::{Config, ConfigError, check_listen};
use crate::pipeline::Counters;

/// Serves until SIGINT or SIGTERM, on `listen` (a flag) or `[server] listen`.
pub async fn run(cfg: Config, listen: Option<String>) -> anyhow::Result<()> {
    let (origin, value) = match &listen {
        Some(flag) => ("--listen", flag.as_str()),
        None => (
            "[server] listen",
            cfg.server.listen.as_deref().unwrap_or("127.0.0.1:8080"),
        ),
    };
    // A bad address is a configuration error (exit status 2), like a bad key in the file.
    let addr =
        check_listen(value, cfg.server.allow_public).map_err(|message| ConfigError::Invalid {
            origin: origin.into(),
            message,
        })?;
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
