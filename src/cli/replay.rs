//! `stringer sinks replay NAME --since TIME`: queues `article.stored` again, for one sink, for
//! every stored article whose event time or stored time is at or after TIME (and that the
//! sink's filter matches), as outbox rows the daemon's worker for that sink delivers. The
//! envelope ids are those of the original events (same article, same stored text), so a
//! consumer that has seen an article drops the copy. A progress bar on a terminal, log lines
//! otherwise.

use chrono::{DateTime, Utc};
use clap::Args;
use indicatif::ProgressBar;
use tracing::info;

use super::startup::connect_store;
use super::values::parse_since;
use crate::config::{ARTICLE_STORED, Config};
use crate::matcher::{Matcher, Subject};
use crate::ner::normalise_key;
use crate::sinks::article_doc;
use crate::store::Store;

/// Articles read and queued per transaction.
const PAGE: i64 = 500;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The `[[sinks]]` entry to send to (it must take `article.stored`).
    pub name: String,
    /// Stored articles whose event time or stored time is at or after TIME: RFC 3339, a date,
    /// or a duration back from now (`7d`).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub since: DateTime<Utc>,
}

pub async fn run(cfg: Config, args: ReplayArgs, bar: ProgressBar) -> anyhow::Result<()> {
    let Some(sink) = cfg.sinks.iter().find(|s| s.name == args.name) else {
        anyhow::bail!("no [[sinks]] entry is named `{}`", args.name);
    };
    if !sink.wants(ARTICLE_STORED) {
        anyhow::bail!(
            "the sink `{}` does not take `{ARTICLE_STORED}`: add it to its `events`",
            sink.name
        );
    }
    let filter = sink.filter.as_ref().map(Matcher::new);
    let store = connect_store(&cfg).await?;
    let total = store.replay_count(args.since).await?;
    bar.set_length(total.max(0) as u64);
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if terminal {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    info!(sink = %sink.name, since = %args.since, articles = total, "replaying stored articles");
    let (mut after, mut seen, mut queued) = (0i64, 0u64, 0u64);
    loop {
        let page = store.replay_page(args.since, after, PAGE).await?;
        let Some(&(last, _)) = page.last() else {
            break;
        };
        after = last;
        seen += page.len() as u64;
        let page = match &filter {
            Some(m) => matching(&store, m, page).await?,
            None => page,
        };
        store.queue_articles(&sink.name, &page, Utc::now()).await?;
        queued += page.len() as u64;
        bar.set_position(seen);
        if !terminal {
            info!(sink = %sink.name, read = seen, of = total, queued, "replay progress");
        }
    }
    bar.finish_and_clear();
    store.close().await;
    info!(sink = %sink.name, read = seen, queued, "replay queued; the daemon's worker delivers it");
    println!("{queued}");
    Ok(())
}

/// The articles of `page` the sink's filter matches, on what is stored (a feed's tags are
/// not: a filter on `tags` matches none on replay).
async fn matching(
    store: &Store,
    filter: &Matcher,
    page: Vec<(i64, String)>,
) -> anyhow::Result<Vec<(i64, String)>> {
    let mut kept = Vec::with_capacity(page.len());
    for (id, version) in page {
        let Some((doc, _)) = article_doc(store, id).await? else {
            continue;
        };
        let keys: Vec<String> = doc
            .entities
            .iter()
            .map(|e| normalise_key(&e.name))
            .collect();
        let subject = Subject {
            title: doc.title.as_deref().unwrap_or(""),
            text: &doc.text,
            language: doc.language.as_deref(),
            category: doc.category.as_deref(),
            tags: &[],
            entity_keys: &keys,
        };
        if filter.matches(&subject).is_some() {
            kept.push((id, version));
        }
    }
    Ok(kept)
}
