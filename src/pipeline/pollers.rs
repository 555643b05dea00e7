//! The poll stage: fetches and parses feeds, `poll.concurrency` at a time, and writes new
//! entries as pending articles. A failing feed is recorded on its row; the others go on.
//! Entries that cannot be stored are recorded on the feed too, and never sink the others.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tracing::{debug, info, warn};

use super::context::{Context, Mode};
use super::recorder::Recorder;
use super::stats::add;
use crate::config::redact_url;
use crate::fetch::FetchError;
use crate::model::FeedJob;
use crate::poll::{self, PollError, Polled};
use crate::schedule::{self, ServerHints};
use crate::store::{EntriesStored, PollRecord};

pub async fn pollers(
    ctx: Arc<Context>,
    rx: mpsc::Receiver<FeedJob>,
    recorder: Recorder,
) -> anyhow::Result<()> {
    let concurrency = ctx.cfg.poll.concurrency;
    let result = ReceiverStream::new(rx)
        .map(Ok)
        .try_for_each_concurrent(concurrency, |job| {
            let ctx = ctx.clone();
            let recorder = recorder.clone();
            async move {
                // A stopping run starts no new poll; the feed's lease is released at the end.
                if !ctx.stopping() {
                    poll_one(&ctx, &recorder, &job).await?;
                    ctx.drop_feed(job.feed_id);
                }
                ctx.article_wake.notify_one();
                Ok::<(), anyhow::Error>(())
            }
        })
        .await;
    ctx.polling_done.store(true, Ordering::Release);
    ctx.article_wake.notify_one();
    result
}

async fn poll_one(ctx: &Context, recorder: &Recorder, job: &FeedJob) -> anyhow::Result<()> {
    let started = Utc::now();
    let clock = Instant::now();
    let result = tokio::select! {
        r = poll::poll(&ctx.http, job) => r,
        // Past the stop's grace period: the poll is dropped, the feed is polled next time.
        () = ctx.abort.cancelled() => return Ok(()),
    };
    ctx.counters.latency.poll.record(clock.elapsed());
    let duration_ms = i32::try_from(clock.elapsed().as_millis()).unwrap_or(i32::MAX);
    let now = Utc::now();
    let record = PollRecord {
        started_at: started,
        duration_ms,
        http_status: None,
        outcome: "fetched",
        entries: 0,
        new_entries: 0,
        rejected_entries: 0,
        entry_error: None,
        error: None,
        error_kind: None,
        next_check_at: now,
        etag: None,
        last_modified: None,
        title: None,
        site_url: None,
        adaptive_interval_secs: None,
    };
    match result {
        Ok(polled) => record_success(ctx, recorder, job, polled, record, now).await,
        Err(PollError::Fetch(FetchError::Offline(why))) => postpone(ctx, job, &why, now).await,
        Err(e) => record_error(ctx, recorder, job, &e, record, now).await,
    }
}

/// Our own network is down: the feed is put off, spread over its interval, and nothing is
/// counted against it (the outage itself is logged once, by the client).
async fn postpone(
    ctx: &Context,
    job: &FeedJob,
    why: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let at = schedule::after_outage(
        now,
        job.interval.clamp(ctx.bounds().min, ctx.bounds().max),
        crate::fetch::PROBE_EVERY,
        rand::random::<f64>(),
    );
    ctx.db("put a feed off", || {
        ctx.store.postpone_feed(&ctx.owner, job.feed_id, at)
    })
    .await?;
    add(&ctx.counters.poll.postponed, 1);
    debug!(feed_url = %redact_url(&job.url), stage = "poll", reason = why, "put off while the network is down");
    Ok(())
}

/// Stores the new entries of a fresh feed (none for a 304) and the poll on the feed's row.
async fn record_success(
    ctx: &Context,
    recorder: &Recorder,
    job: &FeedJob,
    polled: Polled,
    mut record: PollRecord,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut interval = job.interval;
    let hints: ServerHints = match polled {
        Polled::NotModified { hints } => {
            record.outcome = "not_modified";
            record.http_status = Some(304);
            debug!(feed_url = %redact_url(&job.url), stage = "poll", "not modified");
            hints
        }
        Polled::Fresh {
            feed,
            validators,
            hints,
            status,
        } => {
            let stored = ctx
                .db("store entries", || {
                    ctx.store.insert_entries(job.feed_id, &feed.entries)
                })
                .await?;
            note_rejections(job, &feed.rejected, &stored, &mut record);
            record.http_status = Some(i32::from(status));
            record.entries = feed.entries.len() as i32;
            record.new_entries = stored.new as i32;
            record.etag = Some(validators.etag);
            record.last_modified = Some(validators.last_modified);
            record.title = feed.title;
            record.site_url = feed.site_url;
            if !job.own_interval {
                let published: Vec<DateTime<Utc>> =
                    feed.entries.iter().filter_map(|e| e.published_at).collect();
                let cfg = &ctx.cfg.poll;
                interval = schedule::adaptive_interval(
                    &published,
                    now,
                    cfg.default_interval,
                    ctx.bounds(),
                );
                record.adaptive_interval_secs =
                    Some(i32::try_from(interval.as_secs()).unwrap_or(i32::MAX));
            }
            info!(feed_url = %redact_url(&job.url), stage = "poll", entries = feed.entries.len(), new = stored.new, "polled");
            hints
        }
    };
    record.next_check_at = schedule::next_after_success(now, interval, &hints, ctx.bounds());
    let (outcome, new_entries) = (record.outcome, record.new_entries);
    if !recorder.record(job.feed_id, record).await? {
        warn!(feed_url = %redact_url(&job.url), stage = "poll", "lease lost before the poll was recorded");
    }
    let counters = &ctx.counters.poll;
    if outcome == "not_modified" {
        add(&counters.not_modified, 1);
    } else {
        add(&counters.polled, 1);
        add(&counters.new_entries, new_entries as usize);
    }
    Ok(())
}

/// Entries the parser or the database refused: counted in the poll record, the first reason
/// kept on the feed, one warning per poll.
fn note_rejections(
    job: &FeedJob,
    parsed: &[poll::EntryError],
    stored: &EntriesStored,
    record: &mut PollRecord,
) {
    let reasons: Vec<String> = parsed
        .iter()
        .map(ToString::to_string)
        .chain(
            stored
                .refused
                .iter()
                .map(|(url, why)| format!("entry {url} refused by the database: {why}")),
        )
        .collect();
    let Some(first) = reasons.first() else {
        return;
    };
    record.rejected_entries = reasons.len() as i32;
    record.entry_error = Some(if reasons.len() == 1 {
        first.clone()
    } else {
        format!("{} entries rejected; first: {first}", reasons.len())
    });
    warn!(feed_url = %redact_url(&job.url), stage = "poll", rejected = reasons.len(), error = %first, "feed entries rejected");
}

/// Records a failed poll on the feed's row, with its backoff.
async fn record_error(
    ctx: &Context,
    recorder: &Recorder,
    job: &FeedJob,
    e: &PollError,
    mut record: PollRecord,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (retry_after, status) = match e {
        PollError::Fetch(f) => (f.retry_after(), f.http_status().map(i32::from)),
        PollError::Parse(_) => (None, None),
    };
    record.outcome = "error";
    record.http_status = status;
    record.error = Some(e.to_string());
    record.error_kind = Some(e.kind().as_str());
    record.next_check_at = schedule::next_after_error(
        now,
        job.interval,
        job.error_count + 1,
        retry_after,
        ctx.bounds(),
        rand::random::<f64>(),
    );
    recorder.record(job.feed_id, record).await?;
    add(&ctx.counters.poll.failed, 1);
    // The list is for the summary of `once`; a daemon has the errors on the feed rows.
    if ctx.mode == Mode::Once
        && let Ok(mut errors) = ctx.counters.poll.errors.lock()
    {
        errors.push((redact_url(&job.url), e.to_string()));
    }
    warn!(feed_url = %redact_url(&job.url), stage = "poll", error = %e, "feed failed");
    Ok(())
}
