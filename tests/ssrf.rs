//! Strangers' links stay outside: with the guard on, no spelling of a loopback address, no
//! name that resolves to one, no redirect from an allowed host and no configured proxy gets a
//! single connection through to a server on this machine.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use stringer::config::HttpConfig;
use stringer::fetch::{ErrorKind, Http, Want};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server that counts every connection and keeps each request's first line; it answers
/// every request with `answer`.
#[derive(Clone, Default)]
struct Target {
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Target {
    async fn listen(listener: TcpListener, answer: String) -> Target {
        let t = Target::default();
        let seen = t.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                seen.connections.fetch_add(1, Ordering::SeqCst);
                let mut buf = vec![0u8; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                let first = text.lines().next().unwrap_or_default().to_string();
                seen.requests.lock().unwrap().push(first);
                let _ = socket.write_all(answer.as_bytes()).await;
            }
        });
        t
    }

    fn reached(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn ok_answer(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn redirect_answer(to: &str) -> String {
    format!(
        "HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    )
}

/// The loopback target on every local address (IPv6 and IPv4 where the machine has both).
async fn loopback_target() -> (Target, u16) {
    let listener = match TcpListener::bind("[::]:0").await {
        Ok(l) => l,
        Err(_) => TcpListener::bind("0.0.0.0:0").await.unwrap(),
    };
    let port = listener.local_addr().unwrap().port();
    (Target::listen(listener, ok_answer("secret")).await, port)
}

/// The machine's own name, when it resolves to a non-public address (as it usually does via
/// /etc/hosts): a name, not a literal, that leads to this machine.
async fn own_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim().to_string();
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 80))
        .await
        .ok()?
        .collect();
    let local = !addrs.is_empty() && addrs.iter().all(|a| stringer::fetch::is_non_public(a.ip()));
    local.then_some(name)
}

fn forms(port: u16) -> Vec<String> {
    [
        "127.0.0.1",
        "[::1]",
        "0.0.0.0",
        "2130706433",
        "0x7f000001",
        "0x7f.0.0.1",
        "017700000001",
        "127.1",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "localhost",
        "LOCALHOST.",
        "api.localhost",
    ]
    .iter()
    .map(|h| format!("http://{h}:{port}/secret"))
    .collect()
}

async fn refused(http: &Http, url: &str) {
    match http.get(url, Want::Page, &Default::default()).await {
        Ok(_) => panic!("{url} was fetched"),
        Err(e) => assert_eq!(e.kind(), ErrorKind::Blocked, "{url}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_reaches_loopback_in_any_form_by_any_way() {
    let (target, port) = loopback_target().await;
    let mut urls = forms(port);
    if let Some(name) = own_name().await {
        urls.push(format!("http://{name}:{port}/secret"));
    }

    // Directly.
    let http = Http::new(&HttpConfig::default()).unwrap();
    for url in &urls {
        refused(&http, url).await;
    }

    // Through redirects from a host the configuration allows (127.0.0.2): every form of
    // loopback it points at is refused at the hop.
    let allowed = HttpConfig {
        allow_hosts: vec!["127.0.0.2".into()],
        ..HttpConfig::default()
    };
    let http = Http::new(&allowed).unwrap();
    for url in &urls {
        let hop = TcpListener::bind("127.0.0.2:0").await.unwrap();
        let hop_port = hop.local_addr().unwrap().port();
        let redirector = Target::listen(hop, redirect_answer(url)).await;
        refused(&http, &format!("http://127.0.0.2:{hop_port}/go")).await;
        assert_eq!(redirector.reached(), 1, "the allowed host itself is asked");
    }

    // Through a configured proxy (on loopback, trusted by the user): forbidden names and
    // addresses are refused before the proxy is asked; a public address goes through it.
    let proxy_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy_listener.local_addr().unwrap());
    let proxy = Target::listen(proxy_listener, ok_answer("via proxy")).await;
    let proxied = HttpConfig {
        proxy: Some(proxy_url),
        ..HttpConfig::default()
    };
    let http = Http::new(&proxied).unwrap();
    for url in &urls {
        refused(&http, url).await;
    }
    assert_eq!(proxy.reached(), 0, "{:?}", proxy.requests.lock().unwrap());
    let public = "http://93.184.216.34/page";
    let fetched = http
        .get_page(public)
        .await
        .expect("a public page through the proxy");
    assert_eq!(&fetched.body[..], b"via proxy");
    assert_eq!(
        proxy.requests.lock().unwrap().as_slice(),
        [format!("GET {public} HTTP/1.1")]
    );

    assert_eq!(
        target.reached(),
        0,
        "the loopback server was reached: {:?}",
        target.requests.lock().unwrap()
    );
    eprintln!(
        "ssrf: {} forms refused directly, after a redirect from an allowed host, and with a proxy",
        urls.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_private_host_is_fetched_and_its_neighbour_is_not() {
    let listener = TcpListener::bind("127.0.0.2:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let site = Target::listen(listener, ok_answer("intranet news")).await;
    let cfg = HttpConfig {
        allow_hosts: vec!["127.0.0.2/32".into()],
        ..HttpConfig::default()
    };
    let http = Http::new(&cfg).unwrap();
    let page = http
        .get_page(&format!("http://127.0.0.2:{port}/"))
        .await
        .expect("the allowed host");
    assert_eq!(&page.body[..], b"intranet news");
    refused(&http, &format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(site.reached(), 1);
}
