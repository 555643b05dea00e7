//! When each feed is polled next: at its own configured interval as given; without one, at an
//! interval adapted to how often it publishes; never sooner than the feed asks (`sy:` module).

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Site, TestDb};
use stringer::config::FeedConfig;

/// RSS with `n` items published `gap` apart up to now, and `head` in the channel.
fn dated_rss(site: &Site, name: &str, n: i64, gap: chrono::Duration, head: &str) -> String {
    let now = Utc::now();
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>{name} {i}</title><link>{}</link><pubDate>{}</pubDate></item>",
                site.url(&format!("/{name}/{i}.html")),
                (now - gap * (i as i32 + 1)).to_rfc2822()
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>{name}</title>{head}{items}</channel></rss>"#
    )
}

/// The wait until the feed's next check, in whole minutes (the poll itself takes a moment).
fn waits(feeds: &[stringer::store::FeedRow], url: &str) -> i64 {
    let f = feeds.iter().find(|f| f.url == url).expect("the feed");
    let checked: DateTime<Utc> = f.last_checked_at.expect("polled");
    ((f.next_check_at - checked).num_seconds() as f64 / 60.0).round() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_are_polled_at_their_own_interval_their_publishing_rate_or_what_they_ask() {
    let site = Site::start().await;
    let minutes = chrono::Duration::minutes;
    let feeds = [
        ("wire", 12, minutes(20), ""),
        ("own", 12, minutes(20), ""),
        ("slow", 10, chrono::Duration::hours(12), ""),
        (
            "asks",
            12,
            minutes(20),
            "<sy:updatePeriod>hourly</sy:updatePeriod>",
        ),
    ];
    for (name, n, gap, head) in feeds {
        let body = dated_rss(&site, name, n, gap, head);
        site.serve(&format!("/{name}.xml"), "application/rss+xml", body)
            .await;
    }
    let tdb = TestDb::new(common::Db::Sqlite).await.unwrap();
    let mut cfg = common::config(&tdb.url);
    cfg.feeds = feeds
        .iter()
        .map(|(name, ..)| FeedConfig {
            url: site.url(&format!("/{name}.xml")),
            interval: (*name == "own").then_some(Duration::from_secs(40 * 60)),
            tags: vec![],
            title: None,
        })
        .collect();
    cfg.validate("test").unwrap();
    let store = tdb.store().await;
    common::once(&cfg, &store).await;
    let rows = store.list_feeds().await.unwrap();
    let wait = |name: &str| waits(&rows, &site.url(&format!("/{name}.xml")));
    // An item every 20 minutes: a quarter of that.
    assert_eq!(wait("wire"), 5);
    // The same feed with an interval of its own: that interval, as given.
    assert_eq!(wait("own"), 40);
    // Two items a day: every three hours.
    assert_eq!(wait("slow"), 3 * 60);
    // A wire that asks for an hour gets its hour.
    assert_eq!(wait("asks"), 60);
    let adapted = rows.iter().find(|f| f.url.ends_with("/wire.xml")).unwrap();
    let secs = adapted.adaptive_interval_secs.expect("an adapted interval");
    assert!((295..=305).contains(&secs), "{secs}");
}
