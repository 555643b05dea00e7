//! The daemon against a hostile server, next to healthy feeds: a slow drip, silence, a gzip
//! bomb, a body larger than the cap with and without a length, the wrong Content-Type,
//! redirect loops and chains, a truncated answer, mis-declared charsets, pages given as feeds,
//! broken XML, a 404, a refused connection, TLS spoken to plain HTTP and a name that does not
//! resolve. The healthy feeds' articles are all stored, and every bad case ends as the error
//! kind it should be. The process's peak RSS is printed for the note.

mod common;

use std::io::Write;
use std::time::Duration;

use common::{Site, TestDb};
use stringer::store::ArticleState;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const RSS_HEAD: &str =
    r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Hostile</title>"#;

fn head(status: &str, headers: &[(&str, String)]) -> String {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out
}

fn gzip_of_zeros(bytes: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..bytes >> 20 {
        gz.write_all(&zeros).unwrap();
    }
    gz.finish().unwrap()
}

/// Plays the case its path names.
async fn play(mut socket: TcpStream, bomb: std::sync::Arc<Vec<u8>>) {
    let mut buf = vec![0u8; 8192];
    let n = socket.read(&mut buf).await.unwrap_or(0);
    let request = String::from_utf8_lossy(&buf[..n]).to_string();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let rss = |t: &str| ("content-type", format!("application/rss+xml{t}"));
    let _ = match path.as_str() {
        "/drip.xml" | "/drip.html" => {
            let ct = if path.ends_with(".html") {
                ("content-type", "text/html".into())
            } else {
                rss("")
            };
            let _ = socket.write_all(head("200 OK", &[ct]).as_bytes()).await;
            for _ in 0..600 {
                if socket.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Ok(())
        }
        "/silent.xml" => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            Ok(())
        }
        "/bomb.xml" => {
            let h = head(
                "200 OK",
                &[
                    rss(""),
                    ("content-encoding", "gzip".into()),
                    ("content-length", bomb.len().to_string()),
                ],
            );
            let _ = socket.write_all(h.as_bytes()).await;
            socket.write_all(&bomb).await
        }
        "/huge.xml" => {
            let h = head(
                "200 OK",
                &[rss(""), ("content-length", "10000000000".into())],
            );
            socket.write_all(h.as_bytes()).await
        }
        "/endless.xml" => {
            let _ = socket
                .write_all(head("200 OK", &[rss("")]).as_bytes())
                .await;
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..64 {
                if socket.write_all(&chunk).await.is_err() {
                    break;
                }
            }
            Ok(())
        }
        "/image.xml" => {
            let h = head(
                "200 OK",
                &[
                    ("content-type", "image/png".into()),
                    ("content-length", "4".into()),
                ],
            );
            socket.write_all(format!("{h}\u{89}PNG").as_bytes()).await
        }
        "/report.pdf" => {
            let h = head(
                "200 OK",
                &[
                    ("content-type", "application/pdf".into()),
                    ("content-length", "8".into()),
                ],
            );
            socket.write_all(format!("{h}%PDF-1.7").as_bytes()).await
        }
        "/loop-a.xml" => redirect(&mut socket, "/loop-b.xml").await,
        "/loop-b.xml" => redirect(&mut socket, "/loop-a.xml").await,
        p if p.starts_with("/chain") => {
            let n: u32 = p
                .trim_start_matches("/chain")
                .trim_end_matches(".xml")
                .parse()
                .unwrap_or(0);
            redirect(&mut socket, &format!("/chain{}.xml", n + 1)).await
        }
        "/truncated.xml" => {
            let h = head("200 OK", &[rss(""), ("content-length", "5000".into())]);
            socket
                .write_all(format!("{h}{RSS_HEAD}<item><title>cut").as_bytes())
                .await
        }
        "/latin1.xml" => {
            // Declared UTF-8, written in ISO-8859-1: "Müller" and "café" as single bytes.
            let mut body = RSS_HEAD.as_bytes().to_vec();
            body.extend_from_slice(b"<item><title>M\xfcller opens a caf\xe9</title><link>/latin1/story.html</link></item></channel></rss>");
            let h = head(
                "200 OK",
                &[
                    rss("; charset=utf-8"),
                    ("content-length", body.len().to_string()),
                ],
            );
            let _ = socket.write_all(h.as_bytes()).await;
            socket.write_all(&body).await
        }
        "/page.xml" => {
            let body = "<!doctype html><html><head><title>Just a page</title></head><body><p>No feed here.</p></body></html>";
            let h = head(
                "200 OK",
                &[
                    ("content-type", "text/html".into()),
                    ("content-length", body.len().to_string()),
                ],
            );
            socket.write_all(format!("{h}{body}").as_bytes()).await
        }
        "/broken.xml" => {
            let body = format!("{RSS_HEAD}<item><title>Unclosed <b>tags</title></channel>");
            let h = head(
                "200 OK",
                &[rss(""), ("content-length", body.len().to_string())],
            );
            socket.write_all(format!("{h}{body}").as_bytes()).await
        }
        _ => {
            socket
                .write_all(head("404 Not Found", &[("content-length", "0".into())]).as_bytes())
                .await
        }
    };
}

async fn redirect(socket: &mut TcpStream, to: &str) -> std::io::Result<()> {
    let h = head(
        "302 Found",
        &[("location", to.into()), ("content-length", "0".into())],
    );
    socket.write_all(h.as_bytes()).await
}

async fn hostile_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let bomb = std::sync::Arc::new(gzip_of_zeros(64 << 20));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(play(socket, bomb.clone()));
        }
    });
    origin
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_feeds_are_stored_and_every_hostile_case_ends_as_its_error_kind() {
    let hostile = hostile_server().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        drop(l);
        a
    };
    let plain_port = hostile.rsplit(':').next().unwrap();
    let cases: Vec<(String, &str)> = vec![
        (format!("{hostile}/drip.xml"), "timeout"),
        (format!("{hostile}/silent.xml"), "timeout"),
        (format!("{hostile}/bomb.xml"), "too_large"),
        (format!("{hostile}/huge.xml"), "too_large"),
        (format!("{hostile}/endless.xml"), "too_large"),
        (format!("{hostile}/image.xml"), "content_type"),
        (format!("{hostile}/loop-a.xml"), "redirect"),
        (format!("{hostile}/chain0.xml"), "redirect"),
        (format!("{hostile}/truncated.xml"), "network"),
        (format!("{hostile}/page.xml"), "not_a_feed"),
        (format!("{hostile}/broken.xml"), "parse"),
        (format!("{hostile}/missing.xml"), "http_status"),
        (format!("http://{closed}/feed.xml"), "connect"),
        (format!("https://127.0.0.1:{plain_port}/tls.xml"), "tls"),
        ("http://no-such-host.invalid/feed.xml".to_string(), "dns"),
    ];

    // The healthy site: three feeds of two stories each; one feed also links a PDF and a page
    // that drips (its articles fail: the PDF for good, the drip to be retried).
    let site = Site::start().await;
    let mut healthy = Vec::new();
    for f in 0..3 {
        let mut items: Vec<(String, String)> = (0..2)
            .map(|i| {
                (
                    format!("Story {f}-{i}"),
                    site.url(&format!("/{f}/{i}.html")),
                )
            })
            .collect();
        for (i, _) in items.clone().iter().enumerate() {
            site.article(
                &format!("/{f}/{i}.html"),
                &format!("Story {f}-{i}"),
                &format!("the harbour tax {f} {i}"),
            )
            .await;
        }
        if f == 0 {
            items.push(("A report".into(), format!("{hostile}/report.pdf")));
            items.push(("A drip".into(), format!("{hostile}/drip.html")));
        }
        let refs: Vec<(&str, String)> =
            items.iter().map(|(t, l)| (t.as_str(), l.clone())).collect();
        site.serve(
            &format!("/feed{f}.xml"),
            "application/rss+xml",
            common::rss(&refs),
        )
        .await;
        healthy.push(site.url(&format!("/feed{f}.xml")));
    }
    let latin1 = format!("{hostile}/latin1.xml");

    let tdb = TestDb::new(common::Db::Sqlite).await.unwrap();
    let urls: Vec<String> = cases
        .iter()
        .map(|(u, _)| u.clone())
        .chain(healthy.iter().cloned())
        .chain([latin1.clone()])
        .collect();
    let mut cfg = common::with_feeds(common::config(&tdb.url), &urls);
    cfg.http.max_body_bytes = 1 << 20;
    cfg.http.timeout = Duration::from_secs(3);
    cfg.http.connect_timeout = Duration::from_secs(2);
    cfg.articles.max_attempts = 3;
    cfg.poll.concurrency = 32;
    cfg.politeness.per_host_rate = "50/s".into();
    cfg.validate("test").unwrap();
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;

    let feeds = store.list_feeds().await.unwrap();
    let mut wrong = Vec::new();
    for (url, kind) in &cases {
        let f = feeds.iter().find(|f| &f.url == url).expect("the feed");
        if f.last_error_kind.as_deref() != Some(*kind) {
            wrong.push(format!(
                "{url}: expected {kind}, got {:?} ({:?})",
                f.last_error_kind, f.last_error
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for url in healthy.iter().chain([&latin1]) {
        let f = feeds.iter().find(|f| &f.url == url).unwrap();
        assert_eq!(f.error_count, 0, "{url}: {:?}", f.last_error);
    }
    assert_eq!(summary.articles_stored, 6, "{summary:?}");
    let pdf = format!("{hostile}/report.pdf");
    assert!(matches!(
        store.article_state(&pdf).await.unwrap(),
        Some(ArticleState { ref status, .. }) if status == "failed"
    ));
    let drip = format!("{hostile}/drip.html");
    let drip_state = store
        .article_state(&drip)
        .await
        .unwrap()
        .expect("the drip's article");
    assert_eq!(drip_state.status, "pending", "a timeout is retried later");
    eprintln!(
        "hostile: {} cases classified, {} healthy articles stored, peak RSS {} MiB",
        cases.len(),
        summary.articles_stored,
        peak_rss_kib() / 1024
    );
}
