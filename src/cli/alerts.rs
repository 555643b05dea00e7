//! `stringer alerts list|test`: the alerts fired, and a dry run of one rule over what is
//! stored (what would have fired, and when), recording nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::bail;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::Subcommand;
use serde_json::{Value, json};

use super::startup::connect_store;
use super::topics::subject_of;
use super::values::{Format, parse_since, parse_time, parse_window};
use crate::alerts::{MatchRule, cooldown};
use crate::config::{AlertConfig, Config, SpikeConfig};
use crate::store::{AlertRow, Store};

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Alerts fired, newest first.
    List {
        /// Only alerts fired since TIME: RFC 3339, a date, or a duration back from now (24h).
        #[arg(long, value_name = "TIME", value_parser = parse_since)]
        since: Option<DateTime<Utc>>,
        /// Show at most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A dry run of one rule over the stored articles: what would have fired, when. A match
    /// rule is tried on every stored article; a spike rule is checked every hour of --over.
    Test {
        name: String,
        /// Spike rules: the period checked, ending now.
        #[arg(long, default_value = "7d", value_parser = parse_window)]
        over: Duration,
        /// Show at most this many firings (the count covers all).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The end of the period instead of now (RFC 3339; for tests and backfills).
        #[arg(long, hide = true, value_parser = parse_time)]
        now: Option<DateTime<Utc>>,
    },
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub async fn run(cfg: Config, cmd: AlertsCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        AlertsCommand::List {
            since,
            limit,
            format,
        } => {
            let store = connect_store(&cfg).await?;
            let rows = store
                .alerts_since(since.unwrap_or(DateTime::UNIX_EPOCH), limit.max(0))
                .await?;
            store.close().await;
            list(&mut out, &rows, format)?;
        }
        AlertsCommand::Test {
            name,
            over,
            limit,
            format,
            now,
        } => {
            let Some(rule) = cfg.alerts.iter().find(|a| a.name == name) else {
                bail!("no alert rule `{name}` in the configuration ([[alerts]] name = \"{name}\")");
            };
            let store = connect_store(&cfg).await?;
            let fires = match &rule.spike {
                Some(spike) => {
                    let now = now.unwrap_or_else(Utc::now);
                    store.refresh_all_rollups().await?;
                    test_spike(&store, rule, spike, now, over).await?
                }
                None => test_match(&store, rule).await?,
            };
            store.close().await;
            report(&mut out, rule, &fires, limit, format)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn list(out: &mut impl Write, rows: &[AlertRow], format: Format) -> anyhow::Result<()> {
    let docs: Vec<Value> = rows
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "rule": a.rule, "kind": a.kind, "subject": a.subject,
                "fired_at": time(a.fired_at), "matched": a.matched.0, "articles": a.articles.0,
                "details": a.details.0,
            })
        })
        .collect();
    if format == Format::Json {
        writeln!(out, "{}", serde_json::to_string(&docs)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<8} {:<20} {:<24} {:<6} {:<40} MATCHED",
        "ID", "FIRED", "RULE", "KIND", "SUBJECT"
    )?;
    for a in rows {
        writeln!(
            out,
            "{:<8} {:<20} {:<24} {:<6} {:<40} {}",
            a.id,
            time(a.fired_at),
            a.rule,
            a.kind,
            a.subject,
            a.matched.0.join(", ")
        )?;
    }
    if rows.is_empty() {
        writeln!(out, "(no alerts)")?;
    }
    Ok(())
}

/// Every stored article the rule matches: each is its own subject, so each fires once.
async fn test_match(store: &Store, rule: &AlertConfig) -> anyhow::Result<Vec<Value>> {
    let Some(matcher) = MatchRule::new(rule) else {
        bail!("alert rule `{}` cannot be compiled", rule.name);
    };
    let (mut after, mut fires) = (0, Vec::new());
    loop {
        let page = store.subjects_page(after, 500).await?;
        let Some(last) = page.last().map(|r| r.id) else {
            break;
        };
        for row in &page {
            let subject = subject_of(row);
            if let Some(why) = matcher.matches(&subject) {
                fires.push(json!({
                    "at": row.event_time.map(time), "subject": format!("article:{}", row.id),
                    "url": row.url, "title": row.title, "matched": why,
                }));
            }
        }
        after = last;
    }
    Ok(fires)
}

/// The rule checked at every hour of `over` ending at `now`, each subject's firings kept
/// apart by the cooldown as the daemon keeps them.
async fn test_spike(
    store: &Store,
    rule: &AlertConfig,
    spike: &SpikeConfig,
    now: DateTime<Utc>,
    over: Duration,
) -> anyhow::Result<Vec<Value>> {
    let hours = (over.as_secs() / 3600).min(24 * 366) as i64;
    let mut hits: BTreeMap<String, Vec<(DateTime<Utc>, Value)>> = BTreeMap::new();
    for h in (0..=hours).rev() {
        let at = now - chrono::Duration::hours(h);
        for c in crate::spikes::firing(store, spike, at).await? {
            let doc = json!({
                "at": time(at), "subject": c.counts.subject, "articles": c.counts.articles,
                "sources": c.counts.sources, "expected": c.counts.expected,
            });
            hits.entry(c.counts.subject.clone())
                .or_default()
                .push((at, doc));
        }
    }
    let mut fires = Vec::new();
    for list in hits.into_values() {
        let times: Vec<DateTime<Utc>> = list.iter().map(|(t, _)| *t).collect();
        let kept = cooldown::firings(&times, rule.cooldown);
        fires.extend(
            list.into_iter()
                .filter(|(t, _)| kept.contains(t))
                .map(|(_, d)| d),
        );
    }
    fires.sort_by(|a, b| a["at"].as_str().cmp(&b["at"].as_str()));
    Ok(fires)
}

fn report(
    out: &mut impl Write,
    rule: &AlertConfig,
    fires: &[Value],
    limit: usize,
    format: Format,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let doc = json!({"rule": rule.name, "fires": fires.len(), "alerts": &fires[..fires.len().min(limit)]});
        writeln!(out, "{doc}")?;
        return Ok(());
    }
    for f in fires.iter().take(limit) {
        let at = f["at"].as_str().unwrap_or("-");
        let what = match f.get("url") {
            Some(url) => format!(
                "{}\t{}\t{}",
                url.as_str().unwrap_or(""),
                f["title"].as_str().unwrap_or(""),
                join(&f["matched"])
            ),
            None => format!(
                "{}\tarticles {}\tsources {}\texpected {:.2}",
                f["subject"].as_str().unwrap_or(""),
                f["articles"],
                f["sources"],
                f["expected"].as_f64().unwrap_or(0.0)
            ),
        };
        writeln!(out, "{at}\t{what}")?;
    }
    writeln!(
        out,
        "rule {} would have fired {} time(s)",
        rule.name,
        fires.len()
    )?;
    Ok(())
}

fn join(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}
