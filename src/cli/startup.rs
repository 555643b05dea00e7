//! What every command does first: load the configuration, start logging, open the store.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;

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

/// Starts logging to standard error: colours only on a terminal, library chatter (sqlx's
/// notices and pool warnings; its slow-statement warnings stay) left out unless asked for. Returns the progress bar the log lines make room
/// for; it stays hidden unless a command shows it.
pub fn init_logging(cfg: &Config) -> ProgressBar {
    use tracing_subscriber::EnvFilter;
    let level = if cfg.log.level.contains("sqlx") {
        cfg.log.level.clone()
    } else {
        format!("{},sqlx=error,sqlx::query=warn", cfg.log.level)
    };
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .or_else(|_| EnvFilter::try_new(&level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let bar = ProgressBar::hidden();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(BarWriter(bar.clone()));
    let _ = match cfg.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    bar
}

/// Log lines to standard error, written while the progress bar (if shown) steps aside.
#[derive(Clone)]
struct BarWriter(ProgressBar);

/// One log line, written when dropped.
struct BarLine {
    bar: ProgressBar,
    buf: Vec<u8>,
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BarWriter {
    type Writer = BarLine;

    fn make_writer(&'a self) -> BarLine {
        BarLine {
            bar: self.0.clone(),
            buf: Vec::new(),
        }
    }
}

impl Write for BarLine {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for BarLine {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        // A closed standard error is no reason to fail; there is nowhere left to say so.
        self.bar.suspend(|| {
            let _ = std::io::stderr().lock().write_all(&buf);
        });
    }
}

/// Opens the store (migrating it) and adds the configuration file's feeds to it.
pub async fn open_store(cfg: &Config) -> anyhow::Result<Store> {
    let store = connect_store(cfg).await?;
    sync_config_feeds(cfg, &store).await?;
    Ok(store)
}

/// Opens the store (migrating it) without touching its feeds: for commands that only read.
pub async fn connect_store(cfg: &Config) -> anyhow::Result<Store> {
    Ok(Store::connect(&cfg.database.url, cfg.database.max_connections).await?)
}

/// Adds the feeds listed in the configuration file to the store (interval, tags and title
/// follow the file); feeds added by other means are left alone.
pub async fn sync_config_feeds(cfg: &Config, store: &Store) -> anyhow::Result<()> {
    let feeds: Vec<FeedUpsert> = cfg
        .feeds
        .iter()
        .map(|feed| FeedUpsert {
            url: feed.url.clone(),
            title: feed.title.clone(),
            site_url: None,
            interval_secs: feed
                .interval
                .map(|d| d.as_secs().min(i32::MAX as u64) as i32),
            tags: Some(feed.tags.clone()),
        })
        .collect();
    store.sync_feeds(&feeds).await?;
    Ok(())
}
