//! The `stringer` command line: argument parsing and one function per command. Commands load
//! the configuration once, open the store if they need it, call into the library and print.
//! Exit codes: 0 ok, 1 a command failed, 2 a configuration error, 3 a database error.

mod alerts;
mod articles;
mod daemon;
mod entity;
mod feeds;
mod generate;
mod models;
mod opml;
mod replay;
mod serve;
mod sinks;
mod startup;
mod stories;
mod topics;
mod trends;
mod values;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::config::ConfigError;
use crate::pipeline::Mode;
use crate::store::StoreError;
use alerts::AlertsCommand;
use articles::ArticlesCommand;
use entity::EntityArgs;
use feeds::FeedsCommand;
use generate::GenerateArgs;
use models::{EvalCommand, TrainCommand};
use sinks::SinksCommand;
use topics::TopicsCommand;
use trends::TrendsArgs;
use values::{Format, parse_time, parse_window};

#[derive(Debug, Parser)]
#[command(
    name = "stringer",
    version,
    about = "Self-hosted news intelligence: watches news feeds, reads every new article, \
finds who and what it is about, and keeps it all in SQLite or PostgreSQL."
)]
pub struct Cli {
    /// Configuration file [default: config/default.toml]
    #[arg(long, global = true, env = "STRINGER_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://...), overriding [database] url
    #[arg(
        long,
        global = true,
        env = "STRINGER_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll feeds when due, fetch, clean, enrich and store new articles until
    /// SIGINT or SIGTERM.
    Run,
    /// One full pass: poll every feed, store every new article, print a summary and exit
    /// (exit status 0 even when some feeds failed; their errors are recorded and listed).
    Once {
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage the feed list.
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// Read stored articles.
    #[command(subcommand)]
    Articles(ArticlesCommand),
    /// Clean and enrich one page (a file or an http(s) URL) and print its article object.
    Extract {
        /// An HTML file, or an http(s) URL to fetch.
        source: String,
        /// The page's URL when SOURCE is a file (for relative links and dates in the URL).
        #[arg(long)]
        url: Option<String>,
    },
    /// Rising entities: articles in the window against the trailing baseline's expectation.
    Trends(TrendsArgs),
    /// One entity over a window: articles per hour or day, the entities named with it, its
    /// latest articles and stories.
    Entity(EntityArgs),
    /// Serve the JSON API, /metrics and the dashboard over the database (no ingestion) until
    /// SIGINT or SIGTERM.
    Serve {
        /// Address and port, such as 127.0.0.1:8080 (port 0: any free port; the log says
        /// which) [default: [server] listen, else 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Stories with an article in the window, by distinct sources, then articles, then latest.
    Stories {
        /// Window length, such as 24h, 7d or 90m.
        #[arg(long, default_value = "24h", value_parser = parse_window)]
        window: Duration,
        /// How many stories to list.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The end of the window instead of now (RFC 3339; for tests and backfills).
        #[arg(long, hide = true, value_parser = parse_time)]
        now: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The user topics of the configuration ([topics.NAME] matchers).
    #[command(subcommand)]
    Topics(TopicsCommand),
    /// Alerts: those fired ([[alerts]] rules), and a dry run of one rule.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Where events go ([[sinks]]): delivery state, replay of stored articles.
    #[command(subcommand)]
    Sinks(SinksCommand),
    /// Fill an empty database with synthetic articles and mentions, for benchmarks.
    Generate(GenerateArgs),
    /// Train a model from the shared data and write it where the build embeds it.
    #[command(subcommand)]
    Train(TrainCommand),
    /// Measure a part against a benchmark, with the same metric as its scorer in ../shared/tools.
    #[command(subcommand)]
    Eval(EvalCommand),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("stringer: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS, // e.g. `stringer articles export | head`
        Err(e) => {
            eprintln!("stringer: {}", describe(&e));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// A reader that went away (`stringer articles export | head`): the output is no longer
/// wanted, which is not an error. serde_json keeps the I/O error inside its own (its `source`
/// skips it), so it is asked too.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}

fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if cause.downcast_ref::<ConfigError>().is_some() {
            return 2;
        }
        if cause.downcast_ref::<StoreError>().is_some() {
            return 3;
        }
    }
    1
}

/// The error and its causes on one line, skipping a cause whose text a previous one already
/// contains (several libraries repeat their source in their own message).
fn describe(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let cfg = startup::load_config(cli.config.as_deref(), cli.database_url.clone())?;
    let bar = startup::init_logging(&cfg);
    match cli.command {
        Command::Run => daemon::run(cfg, Mode::Daemon, false, bar).await,
        Command::Once { json } => daemon::run(cfg, Mode::Once, json, bar).await,
        Command::Migrate => daemon::migrate(cfg).await,
        Command::Feeds(cmd) => feeds::run(cfg, cmd).await,
        Command::Articles(ArticlesCommand::Export(args)) => articles::export(cfg, args).await,
        Command::Extract { source, url } => articles::extract(cfg, &source, url.as_deref()).await,
        Command::Trends(args) => trends::run(cfg, args).await,
        Command::Stories {
            window,
            limit,
            format,
            now,
        } => stories::run(cfg, window, limit, format, now).await,
        Command::Entity(args) => entity::run(cfg, args).await,
        Command::Serve { listen } => serve::run(cfg, listen).await,
        Command::Topics(cmd) => topics::run(cfg, cmd).await,
        Command::Alerts(cmd) => alerts::run(cfg, cmd).await,
        Command::Sinks(cmd) => sinks::run(cfg, cmd, bar).await,
        Command::Generate(args) => generate::run(cfg, args, bar).await,
        Command::Train(cmd) => tokio::task::spawn_blocking(move || models::train(cmd)).await?,
        Command::Eval(cmd) => tokio::task::spawn_blocking(move || models::eval(cmd)).await?,
    }
}
