//! Is it them or us? When a request gets no answer at all (DNS, connect, timeout), the watch
//! asks a few hosts that answered recently; if none of them answers either, the daemon's own
//! network is down. While it is down one request goes out per [`PROBE_EVERY`] as the probe and
//! the others fail at once as [`Fault::Ours`], so callers put their feeds and pages off without
//! counting an error against them; the first answer ends the outage. Each change is logged
//! once.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tracing::{info, warn};

/// While down, one request per this long goes out to see whether the network is back.
pub const PROBE_EVERY: Duration = Duration::from_secs(5);
/// A probe's answer is reused this long by other requests failing at the same time.
const PROBE_FRESH: Duration = Duration::from_secs(2);
/// Recently answering origins remembered as probe targets.
const REMEMBERED: usize = 8;
/// Probe targets asked at once.
const PROBED: usize = 3;
/// Without any answering origin to probe (a start with the network down), the network counts
/// as down when this many distinct origins failed within [`FAILURE_WINDOW`] and none answered.
const MIN_FAILED_ORIGINS: usize = 3;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// The longest a probe request may take (less when the client's connect timeout is shorter).
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Whose fault a request without an answer was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The server's (or its name's): others answer.
    Theirs,
    /// Our own network: nobody answers.
    Ours,
}

#[derive(Default)]
struct State {
    down_since: Option<Instant>,
    next_probe: Option<Instant>,
    /// Distinct origins that answered, newest first.
    answered: VecDeque<(String, Instant)>,
    /// Distinct origins that did not answer, newest first.
    failed: VecDeque<(String, Instant)>,
    /// Requests not sent during the current outage.
    held: u64,
}

#[derive(Default)]
pub struct Watch {
    /// How long a probe may take.
    probe_timeout: Duration,
    state: Mutex<State>,
    /// The last probe's time and answer; held while probing so concurrent failures share one.
    probe: tokio::sync::Mutex<Option<(Instant, bool)>>,
}

impl Watch {
    /// A watch whose probes wait at most `connect_timeout` (and never more than 5 s).
    pub fn new(connect_timeout: Duration) -> Watch {
        Watch {
            probe_timeout: connect_timeout.min(PROBE_TIMEOUT),
            ..Watch::default()
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_down(&self) -> bool {
        self.state().down_since.is_some()
    }

    /// Whether a request may go out now: always while the network is up; while it is down,
    /// one per [`PROBE_EVERY`] (it is the probe).
    pub fn admit(&self) -> bool {
        let mut s = self.state();
        if s.down_since.is_none() {
            return true;
        }
        let now = Instant::now();
        if s.next_probe.is_none_or(|at| now >= at) {
            s.next_probe = Some(now + PROBE_EVERY);
            return true;
        }
        s.held += 1;
        false
    }

    /// A server at `origin` answered (any status): the network works.
    pub fn answered(&self, origin: &str) {
        let mut s = self.state();
        remember(&mut s.answered, origin);
        if let Some(since) = s.down_since.take() {
            info!(
                down_for = %humantime::format_duration(Duration::from_secs(since.elapsed().as_secs())),
                requests_held = s.held,
                "the network is back: feeds and pages resume, spread over their intervals"
            );
            s.held = 0;
            s.failed.clear();
        }
    }

    /// Decides whose fault it is that `origin` gave no answer, asking (with `client`) a few
    /// origins that answered recently when the last probe is not fresh.
    pub async fn judge(&self, origin: &str, client: &reqwest::Client) -> Fault {
        let targets: Vec<String> = {
            let mut s = self.state();
            if s.down_since.is_some() {
                return Fault::Ours;
            }
            remember(&mut s.failed, origin);
            s.answered
                .iter()
                .filter(|(o, _)| o != origin)
                .take(PROBED)
                .map(|(o, _)| o.clone())
                .collect()
        };
        let mut last = self.probe.lock().await;
        if self.is_down() {
            return Fault::Ours;
        }
        let up = match *last {
            Some((at, up)) if at.elapsed() < PROBE_FRESH => up,
            _ => {
                let up = if targets.is_empty() {
                    !self.most_origins_failing()
                } else {
                    any_answers(client, &targets, self.probe_timeout).await
                };
                *last = Some((Instant::now(), up));
                up
            }
        };
        if up {
            return Fault::Theirs;
        }
        self.declare_down(targets.len());
        Fault::Ours
    }

    fn most_origins_failing(&self) -> bool {
        let s = self.state();
        let recent = |q: &VecDeque<(String, Instant)>| {
            q.iter()
                .filter(|(_, at)| at.elapsed() < FAILURE_WINDOW)
                .count()
        };
        recent(&s.failed) >= MIN_FAILED_ORIGINS && recent(&s.answered) == 0
    }

    fn declare_down(&self, probed: usize) {
        let mut s = self.state();
        if s.down_since.is_some() {
            return;
        }
        let now = Instant::now();
        s.down_since = Some(now);
        s.next_probe = Some(now + PROBE_EVERY);
        warn!(
            probed,
            "the network looks down (no host answers): feeds and pages wait without an error counted against them; one request every {}s checks for its return",
            PROBE_EVERY.as_secs()
        );
    }
}

/// Moves `origin` to the front of `q`, keeping at most [`REMEMBERED`] distinct origins.
fn remember(q: &mut VecDeque<(String, Instant)>, origin: &str) {
    q.retain(|(o, _)| o != origin);
    q.push_front((origin.to_string(), Instant::now()));
    q.truncate(REMEMBERED);
}

/// Whether any of `origins` gives an HTTP answer (of any status) to a HEAD request.
async fn any_answers(client: &reqwest::Client, origins: &[String], timeout: Duration) -> bool {
    let asks = origins.iter().map(|o| {
        let request = client.head(o.as_str()).timeout(timeout).send();
        Box::pin(async move { request.await.map(|_| ()) })
    });
    futures::future::select_ok(asks).await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed_origin() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", l.local_addr().unwrap());
        drop(l);
        origin
    }

    async fn answering_origin() -> String {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", l.local_addr().unwrap());
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut s, _)) = l.accept().await {
                let mut request = [0u8; 1024];
                let _ = s.read(&mut request).await;
                let _ = s
                    .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        origin
    }

    #[tokio::test]
    async fn a_host_alone_failing_is_its_own_fault() {
        let client = crate::fetch::post_client("test", Duration::from_secs(2)).unwrap();
        let w = Watch::new(Duration::from_secs(2));
        w.answered(&answering_origin().await);
        assert_eq!(w.judge(&closed_origin(), &client).await, Fault::Theirs);
        assert!(!w.is_down() && w.admit());
    }

    #[tokio::test]
    async fn nobody_answering_is_our_outage_until_an_answer() {
        let client = crate::fetch::post_client("test", Duration::from_secs(2)).unwrap();
        let w = Watch::new(Duration::from_secs(2));
        for _ in 0..2 {
            w.answered(&closed_origin());
        }
        assert_eq!(w.judge(&closed_origin(), &client).await, Fault::Ours);
        assert!(w.is_down());
        // The first request after the declaration waits for the probe turn.
        assert!(!w.admit(), "requests are held between probes");
        assert_eq!(w.judge(&closed_origin(), &client).await, Fault::Ours);
        w.answered("http://back.example");
        assert!(!w.is_down() && w.admit());
    }

    #[tokio::test]
    async fn without_probe_targets_many_failing_origins_mean_an_outage() {
        let client = crate::fetch::post_client("test", Duration::from_secs(2)).unwrap();
        let w = Watch::new(Duration::from_secs(2));
        assert_eq!(w.judge("http://a.example", &client).await, Fault::Theirs);
        tokio::time::sleep(PROBE_FRESH).await;
        assert_eq!(w.judge("http://b.example", &client).await, Fault::Theirs);
        tokio::time::sleep(PROBE_FRESH).await;
        assert_eq!(w.judge("http://c.example", &client).await, Fault::Ours);
    }
}
