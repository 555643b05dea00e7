//! Signs of life: what the run has done so far and what waits where, as a log line every
//! so often (a daemon, or `once` writing to a file) or as a progress bar (`once` on a
//! terminal), with the rate of each stage since the previous report.

use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use tokio::sync::mpsc::WeakSender;
use tokio_util::sync::CancellationToken;
use tracing::info;

use super::context::Context;
use super::stats::{Summary, get};

/// How a run reports its progress.
#[derive(Clone, Debug)]
pub enum Progress {
    /// Nothing between start and end (tests).
    Quiet,
    /// A log line at this interval.
    Lines(Duration),
    /// A progress bar, redrawn several times a second.
    Bar(ProgressBar),
}

/// How many items wait in a channel between two stages.
pub struct Queue(Box<dyn Fn() -> usize + Send + Sync>);

impl Queue {
    pub fn of<T: Send + 'static>(tx: WeakSender<T>) -> Queue {
        Queue(Box::new(move || {
            tx.upgrade()
                .map_or(0, |tx| tx.max_capacity() - tx.capacity())
        }))
    }
}

/// The queues in front of the pollers, fetchers, enrichers and store writer.
pub struct Queues {
    pub poll: Queue,
    pub fetch: Queue,
    pub enrich: Queue,
    pub store: Queue,
}

/// Counts at one moment, for rates between two reports.
#[derive(Clone, Copy)]
struct Moment {
    at: Instant,
    fetched: usize,
    enriched: usize,
    stored: usize,
}

impl Moment {
    fn now(ctx: &Context) -> Moment {
        let c = &ctx.counters;
        Moment {
            at: Instant::now(),
            fetched: get(&c.articles.fetched),
            enriched: get(&c.articles.enriched),
            stored: get(&c.store.stored),
        }
    }

    /// Per-second rates of fetching, enriching and storing since `before`.
    fn rates(&self, before: &Moment) -> (f64, f64, f64) {
        let secs = self.at.duration_since(before.at).as_secs_f64().max(0.001);
        let rate = |now: usize, then: usize| now.saturating_sub(then) as f64 / secs;
        (
            rate(self.fetched, before.fetched),
            rate(self.enriched, before.enriched),
            rate(self.stored, before.stored),
        )
    }
}

pub async fn report(ctx: Arc<Context>, queues: Queues, how: Progress, done: CancellationToken) {
    let every = match &how {
        Progress::Quiet => return,
        Progress::Lines(every) => *every,
        Progress::Bar(_) => Duration::from_millis(250),
    };
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    ticks.tick().await;
    let mut before = Moment::now(&ctx);
    loop {
        tokio::select! {
            () = done.cancelled() => break,
            _ = ticks.tick() => {}
        }
        let now = Moment::now(&ctx);
        match &how {
            Progress::Bar(bar) => draw(&ctx, bar),
            _ => log_line(&ctx, &queues, &now.rates(&before)),
        }
        before = now;
    }
    if let Progress::Bar(bar) = how {
        bar.finish_and_clear();
    }
}

fn log_line(ctx: &Context, queues: &Queues, (fetched, enriched, stored): &(f64, f64, f64)) {
    let s = ctx.counters.summary();
    info!(
        feeds_polled = s.feeds_polled,
        feeds_not_modified = s.feeds_not_modified,
        feeds_failed = s.feeds_failed,
        feeds_postponed = s.feeds_postponed,
        new_entries = s.new_entries,
        articles_stored = s.articles_stored,
        articles_failed = s.articles_failed,
        articles_retry_later = s.articles_retry_later,
        articles_postponed = s.articles_postponed,
        in_flight = ctx.in_flight(),
        queued_poll = (queues.poll.0)(),
        queued_fetch = (queues.fetch.0)(),
        queued_enrich = (queues.enrich.0)(),
        queued_store = (queues.store.0)(),
        fetched_per_s = format!("{fetched:.1}"),
        enriched_per_s = format!("{enriched:.1}"),
        stored_per_s = format!("{stored:.1}"),
        database_down = ctx.db.is_down(),
        network_down = ctx.http.network_down(),
        "progress"
    );
}

fn draw(ctx: &Context, bar: &ProgressBar) {
    let s: Summary = ctx.counters.summary();
    let polled = s.feeds_polled + s.feeds_not_modified + s.feeds_failed + s.feeds_postponed;
    bar.set_length(get(&ctx.counters.poll.claimed) as u64);
    bar.set_position(polled as u64);
    bar.set_message(format!(
        "feeds · {} new entries · articles: {} stored, {} failed, {} in flight{}",
        s.new_entries,
        s.articles_stored,
        s.articles_failed,
        ctx.in_flight(),
        if ctx.db.is_down() {
            " · database unreachable"
        } else {
            ""
        }
    ));
}
