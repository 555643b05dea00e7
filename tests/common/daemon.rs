//! A `stringer run` daemon in a test: its configuration over a local site, the process, its
//! command line, its `/metrics`, and what its sinks wrote (the stream and sink stories).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use stringer::store::Store;

use super::Site;

/// A feed at `/s/feed.xml` of `(title, subject)` story pages; its URL.
pub async fn feed_site(site: &Site, pages: &[(String, String)]) -> String {
    feed_site_at(site, "/s", pages).await
}

/// A feed at `DIR/feed.xml` of `(title, subject)` story pages at `DIR/N.html`; its URL.
pub async fn feed_site_at(site: &Site, dir: &str, pages: &[(String, String)]) -> String {
    let mut items = Vec::new();
    for (i, (title, subject)) in pages.iter().enumerate() {
        let p = format!("{dir}/{i}.html");
        site.article(&p, title, subject).await;
        items.push((title.as_str(), site.url(&p)));
    }
    let feed = format!("{dir}/feed.xml");
    site.serve(&feed, "application/rss+xml", super::rss(&items))
        .await;
    site.url(&feed)
}

pub fn write_config(dir: &Path, db_url: &str, extra: &str) -> PathBuf {
    let text = format!(
        "[database]\nurl = \"{db_url}\"\nmax_connections = 4\n[http]\nallow_private_networks = true\ntimeout = \"10s\"\n\
         [poll]\ntick = \"200ms\"\n[articles]\nper_host = 4\n[pipeline]\ndaemon_id = \"sinks-test\"\nworkers = 2\n\
         [server]\nlisten = \"127.0.0.1:0\"\n[log]\nprogress_interval = \"1s\"\n{extra}\n"
    );
    let path = dir.join("stringer.toml");
    std::fs::write(&path, &text).unwrap();
    let mut cfg = stringer::config::Config::from_toml(&text, "test").unwrap();
    cfg.validate("test").expect("a valid test configuration");
    path
}

pub fn start_daemon(config: &Path, log: &Path) -> Child {
    super::stringer_command()
        .arg("--config")
        .arg(config)
        .arg("run")
        .env("RUST_LOG", "stringer=debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

pub fn cli(config: &Path, args: &[&str]) -> String {
    let o = super::stringer_command()
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

pub async fn wait_stored(store: &Store, n: i64, secs: u64) {
    let start = Instant::now();
    loop {
        let counts = store.article_counts().await.unwrap();
        if counts.done >= n {
            return;
        }
        assert!(start.elapsed().as_secs() < secs, "stored {counts:?} of {n}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every envelope in the file sink's file and its rotations.
pub fn file_lines(path: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for n in (1..=20).rev() {
        let rotated = PathBuf::from(format!("{}.{n}", path.display()));
        if let Ok(text) = std::fs::read_to_string(rotated) {
            out.extend(text.lines().map(|l| serde_json::from_str(l).unwrap()));
        }
    }
    if let Ok(text) = std::fs::read_to_string(path) {
        out.extend(text.lines().map(|l| serde_json::from_str(l).unwrap()));
    }
    out
}

pub async fn wait_lines(path: &Path, n: usize, secs: u64) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let lines = file_lines(path);
        let ids: BTreeSet<&str> = lines.iter().map(|e| e["id"].as_str().unwrap()).collect();
        if ids.len() >= n {
            return lines;
        }
        assert!(
            start.elapsed().as_secs() < secs,
            "{} of {n} in the file",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Envelope id by article URL, checking that every delivery of one article has one id.
pub fn ids_by_url(envelopes: &[Value]) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for e in envelopes {
        assert_eq!(e["event"], "article.stored", "{e}");
        let url = e["data"]["url"].as_str().unwrap().to_string();
        let id = e["id"].as_str().unwrap().to_string();
        let before = ids.insert(url.clone(), id.clone());
        assert!(before.is_none_or(|b| b == id), "two ids for {url}");
    }
    ids
}

/// The port `run` serves on, from its log.
pub async fn listen_port(log: &Path) -> u16 {
    for _ in 0..200 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(at) = text.find("listening on 127.0.0.1:") {
            let digits: String = text[at + 23..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(port) = digits.parse() {
                return port;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no listening address in the log");
}

/// The value of metric `name` for `sink` on the daemon's `/metrics` at `port`.
pub async fn sink_metric(port: u16, name: &str, sink: &str) -> Option<f64> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let prefix = format!("{name}{{sink=\"{sink}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|v| v.trim().parse().ok())
}
