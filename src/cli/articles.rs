//! `stringer articles export` and `stringer extract`: stored articles, and one page read on
//! demand, as the article objects of the command-line contract.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};

use super::startup::connect_store;
use super::values::parse_since;
use crate::config::Config;
use crate::enrich::Enricher;
use crate::export::{ArticleDoc, Related};
use crate::fetch::Http;
use crate::store::ExportFilter;

#[derive(Debug, Subcommand)]
pub enum ArticlesCommand {
    /// Write stored articles, one JSON object a line.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Only articles stored since TIME (a cursor for incremental exports): RFC 3339
    /// (2026-01-31T00:00:00Z), a date (2026-01-31), or a duration back from now (24h, 7d).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Only articles whose event time (published when plausible, else first seen) is at or
    /// after TIME (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub event_since: Option<DateTime<Utc>>,
    /// Only articles whose event time is before TIME.
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub event_until: Option<DateTime<Utc>>,
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
}

pub async fn export(cfg: Config, args: ExportArgs) -> anyhow::Result<()> {
    let ExportFormat::Jsonl = args.format;
    let store = connect_store(&cfg).await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let filter = ExportFilter {
        since: args.since,
        event_since: args.event_since,
        event_until: args.event_until,
    };
    let mut after = 0;
    loop {
        let rows = store.export_page(after, &filter, 500).await?;
        let (Some(first), Some(last)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id))
        else {
            break;
        };
        let mut entities = store.entities_between(first, last).await?;
        let mut keyphrases = store.keyphrases_between(first, last).await?;
        let mut topics = store.topics_between(first, last).await?;
        for row in rows {
            let id = row.id;
            let related = Related {
                entities: entities.remove(&id).unwrap_or_default(),
                keyphrases: keyphrases.remove(&id).unwrap_or_default(),
                topics: topics.remove(&id).unwrap_or_default(),
            };
            let doc = ArticleDoc::from_row(row, related);
            serde_json::to_writer(&mut out, &doc)?;
            out.write_all(b"\n")?;
        }
        after = last;
    }
    out.flush()?;
    store.close().await;
    Ok(())
}

pub async fn extract(cfg: Config, source: &str, url: Option<&str>) -> anyhow::Result<()> {
    let enricher = Enricher::new(&cfg);
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
            let body = read_page_file(Path::new(source), cfg.http.max_body_bytes)?;
            let page_url = url.map(str::to_string).unwrap_or_default();
            (body, None, page_url, 200)
        };
    let article = tokio::task::spawn_blocking(move || {
        enricher.read_page(&body, content_type.as_deref(), &page_url, status)
    })
    .await?;
    let shown_url = url.unwrap_or(source).to_string();
    if let Some(lang) = article.page.language.as_deref().filter(|l| *l != "en") {
        // The tagger reads English only; say why the list is empty rather than leave a puzzle.
        tracing::info!(
            language = lang,
            "entities are tagged in English text only: none for this page"
        );
    }
    let doc = ArticleDoc::from_enriched(&shown_url, article);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    out.flush()?;
    Ok(())
}

/// Reads an HTML file, inflating it when it is gzip (saved pages often are). A page over
/// `max` bytes (`[http] max_body_bytes`, the cap of fetched pages), before or after inflating,
/// is refused: a page that large is not an article, and reading it would cost minutes and
/// gigabytes.
fn read_page_file(path: &Path, max: u64) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let too_large = || {
        anyhow::anyhow!(
            "{}: larger than {max} bytes ([http] max_body_bytes); not read",
            path.display()
        )
    };
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut raw = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut raw)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    if raw.len() as u64 > max {
        return Err(too_large());
    }
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(raw);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&raw[..])
        .take(max.saturating_add(1))
        .read_to_end(&mut out)
        .with_context(|| format!("{}: not valid gzip", path.display()))?;
    if out.len() as u64 > max {
        return Err(too_large());
    }
    Ok(out)
}
