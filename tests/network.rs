//! Our own network goes down: every host stops answering for a while, then comes back. The
//! daemon says so once, counts no error against any feed, puts its work off, and when the
//! network returns resumes polling spread out, not in one burst.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TestDb;
use stringer::enrich::Enricher;
use stringer::fetch::Http;
use stringer::pipeline::{self, Mode};
use stringer::store::Store;
use tokio_util::sync::CancellationToken;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const HOSTS: usize = 4;
const FEEDS_PER_HOST: usize = 5;

/// The time of every feed request any host answered.
type Polls = Arc<Mutex<Vec<Instant>>>;

/// One news host: `/feedN.xml` lists `generation` stories per feed, each a page on the host.
struct Host {
    origin: String,
    polls: Polls,
    generation: Arc<AtomicUsize>,
}

impl Respond for Host {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let p = req.url.path();
        if p == "/robots.txt" {
            return ResponseTemplate::new(404);
        }
        if let Some(feed) = p.strip_prefix("/feed").and_then(|f| f.strip_suffix(".xml")) {
            self.polls.lock().unwrap().push(Instant::now());
            let items: Vec<(String, String)> = (0..self.generation.load(Ordering::SeqCst))
                .map(|g| {
                    (
                        format!("Story {g} of feed {feed}"),
                        format!("{}/{feed}/{g}.html", self.origin),
                    )
                })
                .collect();
            let refs: Vec<(&str, String)> =
                items.iter().map(|(t, l)| (t.as_str(), l.clone())).collect();
            return ResponseTemplate::new(200)
                .set_body_raw(common::rss(&refs), "application/rss+xml");
        }
        let paragraphs = common::story(&format!("the harbour tax {p}"));
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        ResponseTemplate::new(200).set_body_raw(
            common::article_html(&format!("Story {p}"), &refs),
            "text/html",
        )
    }
}

/// Starts (or restarts) the host on `addr`.
async fn serve(addr: SocketAddr, polls: &Polls, generation: &Arc<AtomicUsize>) -> MockServer {
    let listener = std::net::TcpListener::bind(addr).expect("the host's port is free again");
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Host {
            origin: format!("http://{addr}"),
            polls: polls.clone(),
            generation: generation.clone(),
        })
        .mount(&server)
        .await;
    server
}

/// Everything the process logs, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn tail(&self, n: usize) -> String {
        let text = String::from_utf8_lossy(&self.0.lock().unwrap()).to_string();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    fn lines_with(&self, needle: &str) -> usize {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .filter(|l| l.contains(needle))
            .count()
    }
}

async fn wait_for(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < limit,
            "{what} did not happen in {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn stored(store: &Store) -> i64 {
    store.article_counts().await.unwrap().done
}

async fn feed_errors(store: &Store) -> i32 {
    let feeds = store.list_feeds().await.unwrap();
    feeds.iter().map(|f| f.error_count).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_of_our_own_network_is_logged_once_blames_no_feed_and_ends_without_a_burst() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_env_filter("stringer=debug")
        .init();

    let polls: Polls = Arc::default();
    let generation = Arc::new(AtomicUsize::new(1));
    let mut addrs = Vec::new();
    let mut hosts = Vec::new();
    for _ in 0..HOSTS {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = free.local_addr().unwrap();
        drop(free);
        hosts.push(serve(addr, &polls, &generation).await);
        addrs.push(addr);
    }
    let feeds: Vec<String> = addrs
        .iter()
        .flat_map(|a| (0..FEEDS_PER_HOST).map(move |f| format!("http://{a}/feed{f}.xml")))
        .collect();

    let tdb = TestDb::new(common::Db::Sqlite).await.unwrap();
    let mut cfg = common::with_feeds(common::config(&tdb.url), &feeds);
    for f in &mut cfg.feeds {
        f.interval = Some(Duration::from_secs(6));
    }
    cfg.poll.min_interval = Duration::from_secs(1);
    cfg.poll.concurrency = 32;
    cfg.politeness.per_host_rate = "100/s".into();
    cfg.http.connect_timeout = Duration::from_secs(2);
    cfg.http.timeout = Duration::from_secs(3);
    cfg.validate("test").unwrap();
    let store = tdb.store().await;
    common::sync_feeds(&cfg, &store).await;
    let http = Http::new(&cfg.http)
        .unwrap()
        .with_politeness(&cfg.politeness)
        .unwrap();
    let stop = CancellationToken::new();
    let daemon = tokio::spawn(pipeline::run(
        cfg.clone(),
        store.clone(),
        http,
        Arc::new(Enricher::new(&cfg)),
        Mode::Daemon,
        stop.clone(),
    ));

    let all = (HOSTS * FEEDS_PER_HOST) as i64;
    wait_for(
        "the first stories stored",
        Duration::from_secs(60),
        async || stored(&store).await == all,
    )
    .await;

    // The network goes: no host answers, for longer than a feed's interval.
    drop(hosts);
    let outage = Duration::from_secs(20);
    tokio::time::sleep(outage).await;
    assert_eq!(
        log.lines_with("the network looks down"),
        1,
        "the outage is logged once: {}",
        log.tail(40)
    );
    assert_eq!(
        feed_errors(&store).await,
        0,
        "no feed is blamed for our outage"
    );
    assert_eq!(log.lines_with("feed failed"), 0);
    assert_eq!(log.lines_with("article fetch failed"), 0);

    // It comes back, with a new story in every feed.
    generation.store(2, Ordering::SeqCst);
    let back = Instant::now();
    let mut hosts = Vec::new();
    for addr in &addrs {
        hosts.push(serve(*addr, &polls, &generation).await);
    }
    wait_for(
        "the new stories stored",
        Duration::from_secs(60),
        async || stored(&store).await == 2 * all,
    )
    .await;
    assert_eq!(log.lines_with("the network is back"), 1);
    assert_eq!(feed_errors(&store).await, 0);

    let after: Vec<Instant> = polls
        .lock()
        .unwrap()
        .iter()
        .copied()
        .filter(|t| *t >= back)
        .collect();
    let busiest = after
        .iter()
        .map(|t| {
            after
                .iter()
                .filter(|u| **u >= *t && **u < *t + Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        busiest <= FEEDS_PER_HOST * HOSTS / 2,
        "{busiest} of {all} feeds polled within one second of the return"
    );
    eprintln!(
        "outage: {} feed polls after the return, at most {busiest} in any second",
        after.len()
    );
    stop.cancel();
    daemon.await.unwrap().unwrap();
    drop(hosts);
}
