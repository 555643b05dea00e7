//! What every command does first: load the configuration, start logging, open the store.

use std::path::{Path, PathBuf};

use crate::config::{self, Config, LogFormat, Overrides};
use crate::store::{FeedUpsert, Store};

/// The configuration from `path` (or the default file), the environment and `--database-url`.
pub fn load_config(path: Option<&Path>, database_url: Option<String>) -> anyhow::Result<Config> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(config::DEFAULT_PATH), false),
    };
    let env: Vec<(String, String)> = std::env::vars().collect();
    let overrides = Overrides { database_url };
    Ok(Config::load(&path, explicit, &env, &overrides)?)
}

pub fn init_logging(cfg: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .or_else(|_| EnvFilter::try_new(&cfg.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match cfg.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Opens the store (migrating it) and adds the configuration file's feeds to it.
pub async fn open_store(cfg: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&cfg.database.url, cfg.database.max_connections).await?;
    sync_config_feeds(cfg, &store).await?;
    Ok(store)
}

/// Adds the feeds listed in the configuration file to the store (interval, tags and title
/// follow the file); feeds added by other means are left alone.
async fn sync_config_feeds(cfg: &Config, store: &Store) -> anyhow::Result<()> {
    for feed in &cfg.feeds {
        store
            .upsert_feed(&FeedUpsert {
                url: feed.url.clone(),
                title: feed.title.clone(),
                site_url: None,
                interval_secs: feed
                    .interval
                    .map(|d| d.as_secs().min(i32::MAX as u64) as i32),
                tags: Some(feed.tags.clone()),
            })
            .await?;
    }
    Ok(())
}
