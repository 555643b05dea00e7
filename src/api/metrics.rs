//! `/metrics` in the Prometheus text exposition format (version 0.0.4): this process's
//! pipeline counters (zero under `stringer serve`, which runs no pipeline) and the database's
//! counts, poll latencies and queue depths (the same for every process sharing it), and each
//! sink's delivery figures from the outbox.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::pipeline::Snapshot;
use crate::store::{DbCounts, SinkFigures};

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Writes metric families: `# HELP`, `# TYPE`, then samples.
struct Exposition {
    text: String,
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Exposition {
    fn family(&mut self, name: &str, kind: &str, help: &str) -> &mut Self {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
        self
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.text.push_str(name);
        if !labels.is_empty() {
            let parts: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            let _ = write!(self.text, "{{{}}}", parts.join(","));
        }
        let _ = writeln!(self.text, " {value}");
        self
    }

    /// A family of one unlabelled sample.
    fn single(&mut self, name: &str, kind: &str, help: &str, value: f64) {
        self.family(name, kind, help).sample(name, &[], value);
    }

    /// A family of samples with one label.
    fn labelled(
        &mut self,
        name: &str,
        kind: &str,
        help: &str,
        label: &str,
        rows: &[(String, i64)],
    ) {
        self.family(name, kind, help);
        for (v, n) in rows {
            self.sample(name, &[(label, v)], *n as f64);
        }
    }
}

/// The whole exposition.
pub fn render(process: &Snapshot, db: &DbCounts) -> String {
    let mut out = Exposition {
        text: String::new(),
    };
    process_counters(&mut out, process);
    database_counts(&mut out, db);
    out.text
}

/// Appends the per-sink families (from the outbox, so the same for every process sharing the
/// database): delivered, pending, given up, failed attempts, and the lag (the age at `now` of
/// the oldest undelivered row, 0 when none waits).
pub fn sink_figures(text: &mut String, sinks: &[SinkFigures], now: DateTime<Utc>) {
    let mut out = Exposition {
        text: std::mem::take(text),
    };
    type Figure = fn(&SinkFigures, DateTime<Utc>) -> f64;
    let families: [(&str, &str, &str, Figure); 5] = [
        (
            "stringer_sink_delivered_total",
            "counter",
            "Outbox rows the sink has taken, by sink.",
            |s, _| s.delivered as f64,
        ),
        (
            "stringer_sink_pending",
            "gauge",
            "Outbox rows waiting for the sink, by sink.",
            |s, _| s.pending as f64,
        ),
        (
            "stringer_sink_given_up_total",
            "counter",
            "Outbox rows the sink refused for good (not retried), by sink.",
            |s, _| s.given_up as f64,
        ),
        (
            "stringer_sink_failed_attempts_total",
            "counter",
            "Delivery attempts that failed (and were retried or given up), by sink.",
            |s, _| s.failed as f64,
        ),
        (
            "stringer_sink_lag_seconds",
            "gauge",
            "Age of the oldest outbox row waiting for the sink (0 when none waits), by sink.",
            |s, now| {
                s.oldest_pending
                    .map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
            },
        ),
    ];
    for (name, kind, help, figure) in families {
        out.family(name, kind, help);
        for s in sinks {
            out.sample(name, &[("sink", &s.sink)], figure(s, now));
        }
    }
    *text = out.text;
}

fn process_counters(out: &mut Exposition, s: &Snapshot) {
    let counters = [
        (
            "stringer_feeds_polled_total",
            "Feeds polled by this process (fetched and parsed).",
            s.feeds_polled,
        ),
        (
            "stringer_feeds_not_modified_total",
            "Feed polls answered 304 Not Modified.",
            s.feeds_not_modified,
        ),
        (
            "stringer_feed_entries_new_total",
            "New feed entries written as pending articles.",
            s.new_entries,
        ),
        (
            "stringer_articles_fetched_total",
            "Article pages fetched by this process.",
            s.articles_fetched,
        ),
        (
            "stringer_articles_enriched_total",
            "Article pages cleaned and enriched by this process.",
            s.articles_enriched,
        ),
        (
            "stringer_articles_stored_total",
            "Articles stored by this process.",
            s.articles_stored,
        ),
    ];
    for (name, help, value) in counters {
        out.single(name, "counter", help, value as f64);
    }
    let name = "stringer_errors_total";
    out.family(
        name,
        "counter",
        "Errors of this process's pipeline by stage and kind.",
    )
    .sample(
        name,
        &[("stage", "poll"), ("kind", "feed_failed")],
        s.feeds_failed as f64,
    )
    .sample(
        name,
        &[("stage", "fetch"), ("kind", "article_failed")],
        s.articles_failed as f64,
    )
    .sample(
        name,
        &[("stage", "fetch"), ("kind", "article_retry_later")],
        s.articles_retry_later as f64,
    );
    let name = "stringer_postponed_total";
    out.family(
        name,
        "counter",
        "Feed polls and page fetches put off, without an error counted, while this process's \
         own network was down.",
    )
    .sample(name, &[("stage", "poll")], s.feeds_postponed as f64)
    .sample(name, &[("stage", "fetch")], s.articles_postponed as f64);
    let name = "stringer_stage_duration_seconds";
    out.family(
        name,
        "summary",
        "Time of one step of each stage in this process: a feed poll, a page fetch, a page \
         cleaned and enriched, a batch stored.",
    );
    for (stage, count, secs) in s.latencies {
        out.sample(&format!("{name}_sum"), &[("stage", stage)], secs);
        out.sample(&format!("{name}_count"), &[("stage", stage)], count as f64);
    }
}

fn database_counts(out: &mut Exposition, db: &DbCounts) {
    out.single(
        "stringer_db_feeds",
        "gauge",
        "Feeds in the database.",
        db.feeds as f64,
    );
    out.single(
        "stringer_db_feeds_failing",
        "gauge",
        "Feeds whose latest poll failed.",
        db.feeds_failing as f64,
    );
    out.labelled(
        "stringer_db_articles",
        "gauge",
        "Articles in the database by status.",
        "status",
        &db.articles,
    );
    out.labelled(
        "stringer_db_feed_polls_total",
        "counter",
        "Feed polls in the fetch log by outcome (all processes).",
        "outcome",
        &db.polls,
    );
    out.labelled(
        "stringer_db_feed_poll_errors_total",
        "counter",
        "Failed feed polls in the fetch log by kind (all processes).",
        "kind",
        &db.poll_errors,
    );
    let name = "stringer_feed_poll_duration_seconds";
    out.family(
        name,
        "summary",
        "Feed poll latency (fetch and parse), from the fetch log.",
    )
    .sample(&format!("{name}_sum"), &[], db.poll_ms_sum as f64 / 1000.0)
    .sample(&format!("{name}_count"), &[], db.poll_count as f64);
    let name = "stringer_queue_depth";
    out.family(name, "gauge", "Work waiting in the database, by queue.")
        .sample(name, &[("queue", "articles_due")], db.articles_due as f64)
        .sample(name, &[("queue", "feeds_due")], db.feeds_due as f64)
        .sample(
            name,
            &[("queue", "rollup_hours_dirty")],
            db.dirty_hours as f64,
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_every_family_is_typed() {
        let db = DbCounts {
            articles: vec![("done".into(), 3), ("we\"ird\\\n".into(), 1)],
            ..Default::default()
        };
        let text = render(&Snapshot::default(), &db);
        assert!(
            text.contains("stringer_db_articles{status=\"done\"} 3\n"),
            "{text}"
        );
        assert!(text.contains("status=\"we\\\"ird\\\\\\n\"} 1\n"), "{text}");
        let mut text = text;
        let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let sink = SinkFigures {
            sink: "files".into(),
            delivered: 4,
            pending: 2,
            oldest_pending: Some("2026-12-01T09:59:30Z".parse().unwrap()),
            ..Default::default()
        };
        sink_figures(&mut text, &[sink], now);
        assert!(
            text.contains("stringer_sink_lag_seconds{sink=\"files\"} 30\n"),
            "{text}"
        );
        assert!(text.contains("stringer_sink_pending{sink=\"files\"} 2\n"));
        let families = text.lines().filter(|l| l.starts_with("# TYPE")).count();
        let helps = text.lines().filter(|l| l.starts_with("# HELP")).count();
        assert_eq!(families, helps);
    }
}
