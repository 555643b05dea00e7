//! `stringer topics list|test`: the user topics of the configuration, and which stored
//! articles a topic's matcher takes, with what matched.

use std::io::Write;

use anyhow::bail;
use clap::Subcommand;

use super::startup::connect_store;
use crate::config::Config;
use crate::matcher::{Matcher, Subject};
use crate::store::SubjectRow;

#[derive(Debug, Subcommand)]
pub enum TopicsCommand {
    /// The topics of the configuration.
    List,
    /// Which stored articles a topic matches, and what matched in each.
    Test {
        name: String,
        /// Show at most this many matching articles.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

pub async fn run(cfg: Config, cmd: TopicsCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        TopicsCommand::List => {
            for (name, m) in &cfg.topics {
                writeln!(out, "{name}: {}", serde_json::to_string(&describe(m))?)?;
            }
        }
        TopicsCommand::Test { name, limit } => {
            let Some(spec) = cfg.topics.get(&name) else {
                bail!("no topic `{name}` in the configuration ([topics.{name}])");
            };
            test(&cfg, &Matcher::new(spec), limit, &mut out).await?;
        }
    }
    out.flush()?;
    Ok(())
}

/// What the matcher reads of a stored article.
pub(super) fn subject_of(row: &SubjectRow) -> Subject<'_> {
    Subject {
        title: &row.title,
        text: &row.text,
        language: row.language.as_deref(),
        category: row.category.as_deref(),
        tags: &row.tags,
        entity_keys: &row.entity_keys,
    }
}

fn describe(m: &crate::config::MatcherConfig) -> serde_json::Value {
    serde_json::json!({
        "any": m.any, "all": m.all, "none": m.none, "entities": m.entities,
        "categories": m.categories, "tags": m.tags, "languages": m.languages,
    })
}

async fn test(
    cfg: &Config,
    matcher: &Matcher,
    limit: usize,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let store = connect_store(cfg).await?;
    let (mut after, mut seen, mut hits) = (0, 0usize, 0usize);
    loop {
        let page = store.subjects_page(after, 500).await?;
        let Some(last) = page.last().map(|r| r.id) else {
            break;
        };
        for row in &page {
            seen += 1;
            let subject = subject_of(row);
            if let Some(why) = matcher.matches(&subject) {
                hits += 1;
                if hits <= limit {
                    writeln!(out, "{}\t{}\t{}", row.url, row.title, why.join(", "))?;
                }
            }
        }
        after = last;
    }
    store.close().await;
    writeln!(out, "{hits} of {seen} stored articles match")?;
    Ok(())
}
