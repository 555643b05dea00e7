//! The `stringer` command line: argument parsing and one function per command. Commands load
//! the configuration once, open the store if they need it, call into the library and print.
//! Exit codes: 0 ok, 1 a command failed, 2 a configuration error, 3 a database error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::{self, Config, ConfigError, LogFormat, Overrides};
use crate::enrich::Enricher;
use crate::export::ArticleDoc;
use crate::fetch::Http;
use crate::ner::EntityType;
use crate::pipeline::{self, Mode, Summary};
use crate::store::{FeedUpsert, Store, StoreError};
use crate::subscriptions::{self, Subscription};

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
    /// Rising entities: mentions in the last window against the window before.
    Trends {
        /// Window length, such as 24h, 7d or 90m.
        #[arg(long, default_value = "24h", value_parser = parse_window)]
        window: Duration,
        /// Only entities of this type.
        #[arg(long = "type", value_name = "TYPE", value_parser = parse_entity_type)]
        kind: Option<EntityType>,
        /// How many entities to list.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Train a model from the shared data and write it where the build embeds it.
    #[command(subcommand)]
    Train(TrainCommand),
    /// Measure a part against a benchmark, with the same metric as its scorer in ../shared/tools.
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// The entity tagger, from CoNLL-2003 train (model selection on valid), with word clusters
    /// and gazetteers built from the shared data. Deterministic: the same data gives the same file.
    Ner {
        #[arg(long, default_value = "../shared/data/ner/conll2003/train.txt")]
        train: PathBuf,
        #[arg(long, default_value = "../shared/data/ner/conll2003/valid.txt")]
        valid: PathBuf,
        /// The shared data folder (gazetteers and unlabelled news text).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value = "models/ner.bin")]
        out: PathBuf,
        /// Feature rows whose weights all stay below this are left out of the model file.
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().prune)]
        prune: f32,
        /// Keep the learned word clusters in this file and reuse them on later runs (they
        /// take the longest to learn).
        #[arg(long)]
        cluster_cache: Option<PathBuf>,
        /// Brown clusters to learn from the unlabelled news (0 = no cluster features).
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().clusters)]
        clusters: usize,
        /// Distributional word classes to learn from the unlabelled news (0 = none).
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().word_classes)]
        word_classes: usize,
        /// Seed of the training-order shuffles.
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().seed)]
        seed: u64,
        /// Perceptrons trained on different shuffles whose weights are averaged.
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().runs)]
        runs: usize,
    },
    /// The category classifier, from topics/bbc and topics/ag_news.
    Category {
        /// The shared data folder.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value = "models/category.bin")]
        out: PathBuf,
    },
    /// The document-frequency table of the keyphrase extractor, from the shared news text.
    Keyphrases {
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value = "models/keyphrase_df.bin")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Entity F1 on CoNLL columns (gold tag last), scored like score_ner.py.
    Ner {
        file: PathBuf,
        /// Also write the input lines with the predicted tag appended as a new last column.
        #[arg(long)]
        predictions: Option<PathBuf>,
        /// A model file to use instead of the embedded one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Main-text F1/precision/recall on a folder shaped like scrapinghub-dev
    /// (html/<id>.html.gz + ground-truth.json), scored like score_extraction.py.
    Extraction {
        dir: PathBuf,
        /// Also write the predictions, {"<id>": {"articleBody": TEXT}}.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
    /// Category accuracy on JSON lines shaped like the topics data ({label, title, text}).
    Category { file: PathBuf },
    /// Keyphrase P/R/F1 at 10 on a folder shaped like 500N-KPCrowd (docsutf8/, keys/).
    Keyphrases {
        dir: PathBuf,
        /// Also write the predictions, one {"id", "keyphrases"} a line.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Add a feed (or update its interval, tags and title).
    Add {
        url: String,
        /// Poll interval, such as 15m or 1h [default: poll.default_interval]
        #[arg(long, value_parser = parse_window)]
        interval: Option<Duration>,
        /// A tag for the feed (repeat for several).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        #[arg(long)]
        title: Option<String>,
    },
    /// List feeds with their state (errors, last success, next check).
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Remove a feed. Its stored articles stay.
    Remove { url: String },
    /// Add the feeds of an OPML file.
    Import { file: PathBuf },
    /// Write the feed list as OPML (to standard output by default).
    Export {
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ArticlesCommand {
    /// Write stored articles, one JSON object a line.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Only articles stored since TIME: RFC 3339 (2026-01-31T00:00:00Z), a date (2026-01-31),
    /// or a duration back from now (24h, 7d).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn parse_window(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration ({e}); try 24h, 7d or 90m"))?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

fn parse_entity_type(s: &str) -> Result<EntityType, String> {
    s.to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("`{s}` is not an entity type: use PER, ORG, LOC or MISC"))
}

fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    if let Ok(d) = humantime::parse_duration(s) {
        return Ok(Utc::now() - chrono::Duration::from_std(d).map_err(|e| e.to_string())?);
    }
    Err(format!(
        "`{s}` is not a time: use RFC 3339, YYYY-MM-DD or a duration such as 24h"
    ))
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

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
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

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let (path, explicit) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from(config::DEFAULT_PATH), false),
    };
    let env: Vec<(String, String)> = std::env::vars().collect();
    let overrides = Overrides {
        database_url: cli.database_url.clone(),
    };
    Ok(Config::load(&path, explicit, &env, &overrides)?)
}

fn init_logging(cfg: &Config) {
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
async fn open_store(cfg: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&cfg.database.url, cfg.database.max_connections).await?;
    sync_config_feeds(cfg, &store).await?;
    Ok(store)
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let cfg = load_config(&cli)?;
    init_logging(&cfg);
    match cli.command {
        Command::Run => run_pipeline(cfg, Mode::Daemon, false).await,
        Command::Once { json } => run_pipeline(cfg, Mode::Once, json).await,
        Command::Migrate => {
            let store = open_store(&cfg).await?;
            println!(
                "database at {} is up to date",
                config::redact_url(&cfg.database.url)
            );
            store.close().await;
            Ok(())
        }
        Command::Feeds(cmd) => feeds(cfg, cmd).await,
        Command::Articles(ArticlesCommand::Export(args)) => export_articles(cfg, args).await,
        Command::Extract { source, url } => extract(cfg, &source, url.as_deref()).await,
        Command::Trends {
            window,
            kind,
            limit,
            format,
        } => trends(cfg, window, kind, limit, format).await,
        Command::Train(cmd) => tokio::task::spawn_blocking(move || train(cmd)).await?,
        Command::Eval(cmd) => tokio::task::spawn_blocking(move || eval(cmd)).await?,
    }
}

/// Training is CPU work for minutes: it runs on a blocking thread and prints its report.
fn train(cmd: TrainCommand) -> anyhow::Result<()> {
    match cmd {
        TrainCommand::Ner {
            train,
            valid,
            data,
            out,
            prune,
            cluster_cache,
            clusters,
            word_classes,
            seed,
            runs,
        } => {
            let opts = crate::ner::train::TrainOptions {
                train,
                valid,
                data_dir: data,
                out,
                prune,
                cluster_cache,
                clusters,
                word_classes,
                seed,
                runs,
                ..Default::default()
            };
            println!("{}", crate::ner::train::train(&opts)?);
        }
        TrainCommand::Category { data, out } => {
            let opts = crate::category::train::TrainOptions {
                data_dir: data,
                out,
                ..Default::default()
            };
            println!("{}", crate::category::train::train(&opts)?);
        }
        TrainCommand::Keyphrases { data, out } => {
            let opts = crate::keyphrases::docfreq::BuildOptions {
                data_dir: data,
                out,
                ..Default::default()
            };
            println!("{}", crate::keyphrases::docfreq::build(&opts)?);
        }
    }
    Ok(())
}

fn eval(cmd: EvalCommand) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Ner {
            file,
            predictions,
            model,
        } => {
            let loaded;
            let tagger = match model {
                Some(path) => {
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("{}: cannot read", path.display()))?;
                    loaded = crate::ner::Tagger::from_bytes(&bytes)
                        .with_context(|| format!("{}: not a tagger model", path.display()))?;
                    &loaded
                }
                None => crate::ner::Tagger::embedded(),
            };
            let score = crate::ner::eval::run(tagger, &file, predictions.as_deref())?;
            println!("{score}");
        }
        EvalCommand::Extraction { dir, predictions } => {
            let (predicted, score) = crate::clean::eval::run(&dir)?;
            if let Some(path) = predictions {
                let doc: serde_json::Map<String, serde_json::Value> = predicted
                    .into_iter()
                    .map(|(id, text)| (id, serde_json::json!({ "articleBody": text })))
                    .collect();
                std::fs::write(&path, serde_json::to_string(&doc)?)
                    .with_context(|| format!("{}: cannot write", path.display()))?;
            }
            println!(
                "F1 {:.4} precision {:.4} recall {:.4} pages {}",
                score.f1, score.precision, score.recall, score.pages
            );
        }
        EvalCommand::Category { file } => {
            let report =
                crate::category::eval::run(crate::category::Classifier::embedded(), &file)?;
            println!("{report}");
        }
        EvalCommand::Keyphrases { dir, predictions } => {
            let params = crate::keyphrases::Params::default();
            let predicted = crate::keyphrases::eval::predict(&dir, &params)?;
            if let Some(path) = predictions {
                let mut ids: Vec<&String> = predicted.keys().collect();
                ids.sort();
                let mut out = std::io::BufWriter::new(
                    std::fs::File::create(&path)
                        .with_context(|| format!("{}: cannot create", path.display()))?,
                );
                for id in ids {
                    let row = serde_json::json!({"id": id, "keyphrases": predicted[id]});
                    writeln!(out, "{row}")?;
                }
                out.flush()?;
            }
            println!("{}", crate::keyphrases::eval::score(&dir, &predicted)?);
        }
    }
    Ok(())
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

async fn run_pipeline(cfg: Config, mode: Mode, json: bool) -> anyhow::Result<()> {
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

async fn feeds(cfg: Config, cmd: FeedsCommand) -> anyhow::Result<()> {
    let store = open_store(&cfg).await?;
    let result = feeds_inner(&cfg, &store, cmd).await;
    store.close().await;
    result
}

async fn feeds_inner(cfg: &Config, store: &Store, cmd: FeedsCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        FeedsCommand::Add {
            url,
            interval,
            tags,
            title,
        } => {
            let url = config::check_feed_url(&url).map_err(anyhow::Error::msg)?;
            if let Some(i) = interval
                && i < cfg.poll.min_interval
            {
                bail!(
                    "--interval {} is shorter than poll.min_interval ({})",
                    humantime::format_duration(i),
                    humantime::format_duration(cfg.poll.min_interval)
                );
            }
            let (_, new) = store
                .upsert_feed(&FeedUpsert {
                    url: url.clone(),
                    title,
                    site_url: None,
                    interval_secs: interval.map(|d| d.as_secs().min(i32::MAX as u64) as i32),
                    tags: (!tags.is_empty()).then_some(tags),
                })
                .await?;
            writeln!(out, "{} {url}", if new { "added" } else { "updated" })?;
        }
        FeedsCommand::List { format } => {
            let feeds = store.list_feeds().await?;
            if format == Format::Json {
                for f in &feeds {
                    writeln!(out, "{}", serde_json::to_string(f)?)?;
                }
                return Ok(());
            }
            writeln!(
                out,
                "{:<60} {:>6} {:<20} {:<20} LAST ERROR",
                "URL", "ERRORS", "LAST SUCCESS", "NEXT CHECK"
            )?;
            let when = |t: Option<DateTime<Utc>>| {
                t.map_or_else(
                    || "-".to_string(),
                    |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
                )
            };
            for f in &feeds {
                writeln!(
                    out,
                    "{:<60} {:>6} {:<20} {:<20} {}",
                    f.url,
                    f.error_count,
                    when(f.last_success_at),
                    when(Some(f.next_check_at)),
                    f.last_error.as_deref().unwrap_or("")
                )?;
            }
        }
        FeedsCommand::Remove { url } => {
            let url = config::check_feed_url(&url).map_err(anyhow::Error::msg)?;
            if !store.remove_feed(&url).await? {
                bail!("no feed {url}");
            }
            if cfg.feeds.iter().any(|f| f.url == url) {
                writeln!(
                    out,
                    "removed {url} (it is listed in the configuration file and comes back at the next start)"
                )?;
            } else {
                writeln!(out, "removed {url}")?;
            }
        }
        FeedsCommand::Import { file } => {
            let xml = std::fs::read_to_string(&file)
                .with_context(|| format!("{}: cannot read", file.display()))?;
            let (subs, problems) = subscriptions::parse(&xml)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let mut added = 0;
            for sub in &subs {
                let (_, new) = store
                    .upsert_feed(&FeedUpsert {
                        url: sub.url.clone(),
                        title: sub.title.clone(),
                        site_url: sub.site_url.clone(),
                        interval_secs: None,
                        tags: (!sub.tags.is_empty()).then(|| sub.tags.clone()),
                    })
                    .await?;
                added += usize::from(new);
            }
            for p in &problems {
                writeln!(out, "skipped: {p}")?;
            }
            writeln!(
                out,
                "{} feeds in {}: {added} added, {} updated",
                subs.len(),
                file.display(),
                subs.len() - added
            )?;
        }
        FeedsCommand::Export { output } => {
            let feeds = store.list_feeds().await?;
            let subs: Vec<Subscription> = feeds
                .into_iter()
                .map(|f| Subscription {
                    url: f.url,
                    title: f.title,
                    site_url: f.site_url,
                    tags: f.tags.0,
                })
                .collect();
            let xml = subscriptions::render(&subs).map_err(anyhow::Error::msg)?;
            match output {
                Some(path) => std::fs::write(&path, xml)
                    .with_context(|| format!("{}: cannot write", path.display()))?,
                None => out.write_all(xml.as_bytes())?,
            }
        }
    }
    Ok(())
}

async fn export_articles(cfg: Config, args: ExportArgs) -> anyhow::Result<()> {
    let ExportFormat::Jsonl = args.format;
    let store = open_store(&cfg).await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut after = 0;
    loop {
        let rows = store.export_page(after, args.since, 500).await?;
        let (Some(first), Some(last)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id))
        else {
            break;
        };
        let mut entities = store.entities_between(first, last).await?;
        let mut keyphrases = store.keyphrases_between(first, last).await?;
        for row in rows {
            let id = row.id;
            let doc = ArticleDoc::from_row(
                row,
                entities.remove(&id).unwrap_or_default(),
                keyphrases.remove(&id).unwrap_or_default(),
            );
            serde_json::to_writer(&mut out, &doc)?;
            out.write_all(b"\n")?;
        }
        after = last;
    }
    out.flush()?;
    store.close().await;
    Ok(())
}

async fn extract(cfg: Config, source: &str, url: Option<&str>) -> anyhow::Result<()> {
    let enricher = Enricher::new(&cfg.entities);
    let (body, content_type, page_url, status) =
        if source.starts_with("http://") || source.starts_with("https://") {
            let http = Http::new(&cfg.http)?;
            let page = http
                .get_page(source)
                .await
                .map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
            (
                page.body.to_vec(),
                page.content_type,
                page.final_url,
                page.status,
            )
        } else {
            let body = read_page_file(Path::new(source))?;
            let page_url = url.map(str::to_string).unwrap_or_default();
            (body, None, page_url, 200)
        };
    let article = tokio::task::spawn_blocking(move || {
        enricher.read_page(&body, content_type.as_deref(), &page_url, status)
    })
    .await?;
    let shown_url = url.unwrap_or(source).to_string();
    let doc = ArticleDoc::from_enriched(&shown_url, article);
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}

/// Reads an HTML file, inflating it when it is gzip (saved pages often are).
fn read_page_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let raw = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| format!("{}: not valid gzip", path.display()))?;
        return Ok(out);
    }
    Ok(raw)
}

async fn trends(
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
