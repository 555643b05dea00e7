//! The HTTP server of `stringer serve` and of `run` with `[server] listen`: the JSON API
//! (`handlers`, its parameters in `params`, the objects it shares with the command line in
//! `reports`), `/metrics` (`metrics`), `/healthz` and the dashboard (`dashboard`, assets
//! embedded in the binary). It reads the store and the pipeline's counters; it must not write
//! anything but the rollups a read brings up to date, and nothing in `store` may import it.

mod dashboard;
mod handlers;
mod metrics;
pub mod params;
pub mod reports;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::Config;
use crate::ner::Aliases;
use crate::pipeline::Counters;
use crate::store::Store;

/// What every request reads.
pub struct ApiState {
    pub store: Store,
    /// Names that mean one entity, for looking entities up by any of their names.
    pub aliases: Aliases,
    /// The pipeline's counters of this process (all zero when it runs no pipeline).
    pub counters: Arc<Counters>,
}

impl ApiState {
    /// The state of a server over `store`, with the configuration's aliases.
    pub fn new(cfg: &Config, store: Store, counters: Arc<Counters>) -> ApiState {
        ApiState {
            store,
            aliases: Aliases::with_built_in(&cfg.entities.aliases),
            counters,
        }
    }
}

/// Every route.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/assets/{file}", get(dashboard::asset))
        .route("/api/trends", get(handlers::trends))
        .route("/api/entities/{name}", get(handlers::entity))
        .route("/api/articles", get(handlers::articles))
        .route("/api/stories", get(handlers::stories))
        .route("/api/feeds", get(handlers::feeds))
        .route("/metrics", get(handlers::metrics))
        .route("/healthz", get(handlers::healthz))
        .fallback(handlers::not_found)
        .with_state(Arc::new(state))
}

/// Binds `addr` (port 0: any free port), so a busy port fails before anything else starts.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} ([server] listen)"))
}

/// Serves on `listener` until `shutdown` fires; says once where it listens.
pub async fn serve(
    listener: TcpListener,
    state: ApiState,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    info!("listening on {addr}");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .context("the HTTP server failed")
}
