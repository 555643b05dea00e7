//! Politeness per host: two hosts (127.0.0.1 and localhost, one local server) each get no more
//! than `[politeness] per_host_rate` requests a second, and the host whose robots.txt asks for
//! a `Crawl-delay` gets its pages that far apart, while the other host goes on.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Site, TestDb};
use stringer::enrich::Enricher;
use stringer::fetch::Http;
use stringer::pipeline::{self, Mode};
use tokio_util::sync::CancellationToken;
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// Every request the server answers: host, path, when.
type Log = Arc<Mutex<Vec<(String, String, Instant)>>>;

struct Recorder {
    log: Log,
    page: String,
    feed: String,
}

impl Respond for Recorder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let host = req
            .headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string();
        let path = req.url.path().to_string();
        self.log
            .lock()
            .unwrap()
            .push((host.clone(), path.clone(), Instant::now()));
        match path.as_str() {
            "/robots.txt" if host == "localhost" => ResponseTemplate::new(200)
                .set_body_raw("User-agent: *\nCrawl-delay: 1\n", "text/plain"),
            "/robots.txt" => ResponseTemplate::new(404),
            "/feed.xml" => {
                ResponseTemplate::new(200).set_body_raw(self.feed.clone(), "application/rss+xml")
            }
            _ => ResponseTemplate::new(200).set_body_raw(self.page.clone(), "text/html"),
        }
    }
}

/// The largest number of requests in any one-second window starting at a request (less
/// 50 ms: the server sees requests with some jitter on a loaded machine).
fn most_in_a_second(times: &[Instant]) -> usize {
    let window = Duration::from_millis(950);
    times
        .iter()
        .map(|t| {
            times
                .iter()
                .filter(|u| **u >= *t && **u < *t + window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_each_get_the_configured_rate_and_a_crawl_delay_is_honoured() {
    let site = Site::start().await;
    let port = site.server.address().port();
    let mut items = Vec::new();
    for host in ["127.0.0.1", "localhost"] {
        for i in 0..4 {
            items.push((
                format!("story {host} {i}"),
                format!("http://{host}:{port}/{host}/{i}.html"),
            ));
        }
    }
    let refs: Vec<(&str, String)> = items.iter().map(|(t, l)| (t.as_str(), l.clone())).collect();
    let paragraphs = common::story("the harbour tax");
    let page_refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    let log: Log = Arc::default();
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Recorder {
            log: log.clone(),
            page: common::article_html("A story", &page_refs),
            feed: common::rss(&refs),
        })
        .mount(&site.server)
        .await;

    let tdb = TestDb::new(common::Db::Sqlite).await.unwrap();
    let feed = format!("http://127.0.0.1:{port}/feed.xml");
    let mut cfg = common::with_feeds(common::config(&tdb.url), &[feed]);
    cfg.politeness.per_host_rate = "4/s".into();
    cfg.politeness.per_host_concurrency = Some(4);
    cfg.articles.concurrency = 16;
    let store = tdb.store().await;
    common::sync_feeds(&cfg, &store).await;
    let http = Http::new(&cfg.http)
        .unwrap()
        .with_politeness(&cfg.politeness)
        .unwrap();
    let enricher = Arc::new(Enricher::new(&cfg));
    let started = Instant::now();
    let summary = pipeline::run(
        cfg.clone(),
        store.clone(),
        http,
        enricher,
        Mode::Once,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let took = started.elapsed();
    assert_eq!(summary.articles_stored, 8, "{summary:?}");

    let log = log.lock().unwrap().clone();
    let times = |host: &str, pages_only: bool| -> Vec<Instant> {
        let mut t: Vec<Instant> = log
            .iter()
            .filter(|(h, p, _)| h == host && (!pages_only || p.ends_with(".html")))
            .map(|(_, _, at)| *at)
            .collect();
        t.sort();
        t
    };
    for host in ["127.0.0.1", "localhost"] {
        let all = times(host, false);
        assert!(
            most_in_a_second(&all) <= 4,
            "{host}: {} requests in a second",
            most_in_a_second(&all)
        );
        for pair in all.windows(2) {
            assert!(
                pair[1] - pair[0] >= Duration::from_millis(240),
                "{host}: {:?} apart",
                pair[1] - pair[0]
            );
        }
    }
    let delayed = times("localhost", true);
    assert_eq!(delayed.len(), 4);
    for pair in delayed.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(950),
            "crawl delay not kept: {:?}",
            pair[1] - pair[0]
        );
    }
    // The two hosts went on side by side: the pass took about the crawl-delayed host's time,
    // not the sum of both.
    assert!(took < Duration::from_secs(8), "{took:?}");
    eprintln!(
        "politeness: 127.0.0.1 at most {}/s, localhost at most {}/s, localhost pages {:?} apart at least, pass {took:?}",
        most_in_a_second(&times("127.0.0.1", false)),
        most_in_a_second(&times("localhost", false)),
        delayed.windows(2).map(|p| p[1] - p[0]).min().unwrap()
    );
}
