//! `stringer generate`: fill an empty database with synthetic articles and mentions for the
//! benchmarks (see `generate`).

use std::io::Write;
use std::time::Instant;

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::Args;
use indicatif::ProgressBar;

use super::startup::open_store;
use super::values::parse_time;
use crate::config::Config;
use crate::generate::{Plan, fill};

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Articles to generate.
    #[arg(long, default_value_t = 100_000)]
    pub articles: usize,
    /// Days the articles spread over, back from now.
    #[arg(long, default_value_t = 30)]
    pub days: i64,
    /// Entities per article (mentions = articles × this).
    #[arg(long, default_value_t = 10)]
    pub entities: usize,
    /// Distinct entity names, drawn by a Zipf law.
    #[arg(long, default_value_t = 20_000)]
    pub vocabulary: usize,
    /// Distinct sources (registrable domains).
    #[arg(long, default_value_t = 200)]
    pub sources: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The newest event time instead of now (RFC 3339; for benchmarks that query a fixed clock).
    #[arg(long, hide = true, value_parser = parse_time)]
    pub now: Option<DateTime<Utc>>,
}

pub async fn run(cfg: Config, args: GenerateArgs, bar: ProgressBar) -> anyhow::Result<()> {
    let store = open_store(&cfg).await?;
    let counts = store.article_counts().await?;
    if counts.done + counts.pending + counts.failed > 0 {
        bail!(
            "the database holds articles already: `generate` fills an empty database only \
             (give another with --database-url)"
        );
    }
    let plan = Plan {
        articles: args.articles,
        days: args.days,
        entities_per_article: args.entities,
        vocabulary: args.vocabulary,
        sources: args.sources,
        seed: args.seed,
        now: args.now.unwrap_or_else(Utc::now),
    };
    bar.set_length(plan.articles as u64);
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    let started = Instant::now();
    let stored = fill(&store, &plan, |n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    store.close().await;
    writeln!(
        std::io::stdout().lock(),
        "generated {stored} articles with {} mentions over {} days in {:.1} s",
        stored * plan.entities_per_article,
        plan.days,
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
