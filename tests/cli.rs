//! The `stringer` binary as users run it: commands, exit codes, OPML round trips, the JSON it
//! prints, and a daemon killed with SIGKILL that loses nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::Site;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, ResponseTemplate};

fn stringer() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stringer"));
    // Keep the developer's environment out of the tests.
    for (k, _) in std::env::vars() {
        if k.starts_with("STRINGER_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run stringer")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A config file in `dir` for a SQLite database there and the given feeds.
fn write_config(dir: &Path, feeds: &[String], extra: &str) -> PathBuf {
    let mut text = format!(
        "[database]\nurl = \"sqlite://{}\"\n[http]\nallow_private_networks = true\ntimeout = \"10s\"\n\
         [poll]\ntick = \"200ms\"\n[articles]\nper_host = 4\n[pipeline]\ndaemon_id = \"cli-test\"\n{extra}\n",
        dir.join("stringer.db").display()
    );
    for f in feeds {
        text.push_str(&format!("[[feeds]]\nurl = \"{f}\"\n"));
    }
    let path = dir.join("stringer.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["once", "--help"],
        vec!["migrate", "--help"],
        vec!["feeds", "--help"],
        vec!["feeds", "add", "--help"],
        vec!["feeds", "list", "--help"],
        vec!["feeds", "remove", "--help"],
        vec!["feeds", "import", "--help"],
        vec!["feeds", "export", "--help"],
        vec!["articles", "export", "--help"],
        vec!["extract", "--help"],
        vec!["trends", "--help"],
    ] {
        let o = run(stringer().args(&args));
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn configuration_errors_name_file_key_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[http]\ntimeout = \"10s\"\nmax_body_bytez = 5\n").unwrap();
    let o = run(stringer().arg("--config").arg(&path).arg("migrate"));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml") && err.contains("line 3") && err.contains("max_body_bytez"),
        "{err}"
    );

    std::fs::write(&path, "[[feeds]]\nurl = \"not a url\"\n").unwrap();
    let o = run(stringer().arg("--config").arg(&path).arg("once"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("feeds[0].url"), "{}", stderr(&o));

    let o = run(stringer()
        .arg("--config")
        .arg(dir.path().join("missing.toml"))
        .arg("migrate"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.toml"), "{}", stderr(&o));
}

#[test]
fn database_errors_exit_with_3() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[], "");
    // A database path under a regular file cannot be created.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let url = format!("sqlite://{}/sub/x.db", blocker.display());
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .arg("--database-url")
        .arg(&url)
        .arg("migrate"));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot open database"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn opml_import_then_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[], "");
    let opml = dir.path().join("in.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>x</title></head><body>
 <outline text="World">
  <outline text="Alpha News" title="Alpha News" type="rss" xmlUrl="https://alpha.example/rss" htmlUrl="https://alpha.example/"/>
  <outline text="Beta" type="rss" xmlUrl="https://beta.example/atom.xml" category="politics"/>
 </outline>
 <outline text="Gamma" type="rss" xmlUrl="https://gamma.example/feed.json"/>
</body></opml>"#,
    )
    .unwrap();
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .args(["feeds", "import"])
        .arg(&opml));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("3 added"), "{}", stdout(&o));

    let out = dir.path().join("out.opml");
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .args(["feeds", "export", "--output"])
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let exported = std::fs::read_to_string(&out).unwrap();

    // Import the export into a second database: the same feeds with the same tags.
    let dir2 = tempfile::tempdir().unwrap();
    let cfg2 = write_config(dir2.path(), &[], "");
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg2)
        .args(["feeds", "import"])
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let list = |cfg: &Path| {
        let o = run(stringer()
            .arg("--config")
            .arg(cfg)
            .args(["feeds", "list", "--format", "json"]));
        assert!(o.status.success());
        stdout(&o)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["url"].as_str().unwrap().to_string(),
                    v["title"].clone(),
                    v["tags"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = list(&cfg);
    assert_eq!(first, list(&cfg2), "export:\n{exported}");
    assert_eq!(first.len(), 3);
    let beta = first
        .iter()
        .find(|f| f.0 == "https://beta.example/atom.xml")
        .unwrap();
    assert_eq!(beta.2, serde_json::json!(["World", "politics"]));
}

#[test]
fn feeds_add_list_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[], "");
    let o = run(stringer().arg("--config").arg(&cfg).args([
        "feeds",
        "add",
        "https://news.example/rss",
        "--no-check",
        "--interval",
        "30m",
        "--tag",
        "world",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .args(["feeds", "add", "ftp://x/y"]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("ftp://x/y"), "{}", stderr(&o));
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .args(["feeds", "list", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["interval_secs"], 1800);
    assert_eq!(v["tags"], serde_json::json!(["world"]));
    let o = run(stringer().arg("--config").arg(&cfg).args([
        "feeds",
        "remove",
        "https://news.example/rss",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .args(["feeds", "list", "--format", "json"]));
    assert!(stdout(&o).trim().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_then_export_prints_the_article_objects() {
    let site = Site::start().await;
    site.article("/a.html", "Export story", "export matters")
        .await;
    site.serve(
        "/feed.xml",
        "application/rss+xml",
        common::rss(&[("Export story", site.url("/a.html?utm_source=x"))]),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[site.url("/feed.xml")], "");
    let o = run(stringer().arg("--config").arg(&cfg).arg("once"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 stored"), "{}", stdout(&o));
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .args(["articles", "export", "--format", "jsonl"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    for key in [
        "url",
        "canonical_url",
        "feed_url",
        "title",
        "authors",
        "published_at",
        "language",
        "text",
        "category",
        "keyphrases",
        "entities",
    ] {
        assert!(v.get(key).is_some(), "export lacks {key}: {v}");
    }
    assert_eq!(v["canonical_url"], site.url("/a.html"));
    assert_eq!(v["feed_url"], site.url("/feed.xml"));
    assert!(v["text"].as_str().unwrap().contains("export matters"));
    assert!(v["authors"].is_array() && v["keyphrases"].is_array() && v["entities"].is_array());
    // --since in the future selects nothing.
    let o = run(stringer().arg("--config").arg(&cfg).args([
        "articles",
        "export",
        "--since",
        "2999-01-01",
    ]));
    assert!(o.status.success());
    assert!(stdout(&o).trim().is_empty());
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .args(["trends", "--window", "24h", "--type", "per"]));
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn extract_prints_one_article_object() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let paragraphs = common::story("harbour repairs");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    std::fs::write(&page, common::article_html("Harbour repairs", &refs)).unwrap();
    let cfg = write_config(dir.path(), &[], "");
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .arg("extract")
        .arg(&page)
        .args(["--url", "https://news.example/harbour?utm_medium=x"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["url"], "https://news.example/harbour?utm_medium=x");
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("harbour repairs would continue"),
        "{v}"
    );
    let o = run(stringer()
        .arg("--config")
        .arg(&cfg)
        .arg("extract")
        .arg(dir.path().join("nope.html")));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nope.html"), "{}", stderr(&o));
}

/// A proxy named by the environment is not used: a proxy resolves names itself, so a name
/// that leads into the private network would pass the guard. The "proxy" here hears nothing.
#[test]
fn a_proxy_from_the_environment_is_not_used() {
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[], "");
    let o = run(stringer()
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .arg("--config")
        .arg(&cfg)
        .arg("extract")
        .arg("http://internal.invalid:8080/admin"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        proxy.accept().is_err(),
        "the request went to the environment's proxy"
    );
}

/// A page file over `[http] max_body_bytes`, as it is or once inflated (a gzip bomb), is
/// refused with the file named, not read into memory.
#[test]
fn extract_refuses_a_page_file_over_the_body_cap() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[], "");
    let big = dir.path().join("big.html");
    std::fs::write(&big, "<p>word</p>".repeat(1_000)).unwrap();
    let bomb = dir.path().join("bomb.html.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 1_000_000]).unwrap();
    std::fs::write(&bomb, gz.finish().unwrap()).unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 5_000);
    for page in [&big, &bomb] {
        let o = run(stringer()
            .env("STRINGER_HTTP_MAX_BODY_BYTES", "5000")
            .arg("--config")
            .arg(&cfg)
            .arg("extract")
            .arg(page));
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&page.display().to_string()) && err.contains("larger than 5000 bytes"),
            "{err}"
        );
    }
}

/// The daemon is killed with SIGKILL in the middle of a pass; started again, it ends with every
/// article stored exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_daemon_resumes_and_loses_nothing() {
    const N: usize = 40;
    let site = Site::start().await;
    let mut items = Vec::new();
    for i in 0..N {
        items.push(("Story", site.url(&format!("/k/{i}.html"))));
    }
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let paragraphs = common::story("slow pages");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    Mock::given(method("GET"))
        .and(path_regex(r"^/k/\d+\.html$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::article_html("Slow", &refs), "text/html")
                .set_delay(Duration::from_millis(150)),
        )
        .mount(&site.server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[site.url("/feed.xml")], "");
    let db_url = format!("sqlite://{}", dir.path().join("stringer.db").display());

    let log_path = dir.path().join("daemon.log");
    let mut daemon = stringer()
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let store = stringer::store::Store::connect(&db_url, 1).await.unwrap();
    let started = Instant::now();
    loop {
        let counts = store.article_counts().await.unwrap();
        if counts.done >= 5 {
            assert!(
                counts.done < N as i64,
                "the pass finished before the kill; slow the pages down"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "daemon stored nothing: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    daemon.kill().unwrap(); // SIGKILL
    daemon.wait().unwrap();
    let at_kill = store.article_counts().await.unwrap();
    assert!(at_kill.pending > 0, "{at_kill:?}");

    let o = run(stringer().arg("--config").arg(&cfg).arg("once"));
    assert!(o.status.success(), "{}", stderr(&o));
    let counts = store.article_counts().await.unwrap();
    assert_eq!(
        (counts.done, counts.pending, counts.failed),
        (N as i64, 0, 0)
    );
    let rows = store
        .export_page(0, &stringer::store::ExportFilter::default(), 1000)
        .await
        .unwrap();
    let mut urls: Vec<&str> = rows.iter().map(|r| r.canonical_url.as_str()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), N, "every article once");
    store.close().await;
}

/// SIGTERM stops the daemon cleanly: it exits 0, and every article it took is either stored or
/// back in the queue with no lease held, so the next start picks it up at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_daemon_cleanly() {
    const N: usize = 30;
    let site = Site::start().await;
    let items: Vec<(&str, String)> = (0..N)
        .map(|i| ("Story", site.url(&format!("/t/{i}.html"))))
        .collect();
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let paragraphs = common::story("graceful stops");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    Mock::given(method("GET"))
        .and(path_regex(r"^/t/\d+\.html$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::article_html("Slow", &refs), "text/html")
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&site.server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[site.url("/feed.xml")], "");
    let db_url = format!("sqlite://{}", dir.path().join("stringer.db").display());
    let log_path = dir.path().join("daemon.log");
    let mut daemon = stringer()
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let store = stringer::store::Store::connect(&db_url, 1).await.unwrap();
    let started = Instant::now();
    while store.article_counts().await.unwrap().done < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "daemon stored nothing:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let term = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon did not stop within 30 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    let counts = store.article_counts().await.unwrap();
    assert_eq!(counts.done + counts.pending, N as i64, "{counts:?}");
    let now = chrono::Utc::now();
    let claimable = store
        .claim_articles(
            now,
            "someone-else",
            now + chrono::Duration::minutes(1),
            1000,
        )
        .await
        .unwrap();
    assert_eq!(
        claimable.len() as i64,
        counts.pending,
        "a stopped daemon must hold no leases"
    );
    store.close().await;
}

/// A site whose article pages under `/slow/` answer after `delay`, listed `n` in one feed.
async fn slow_site(n: usize, delay: Duration) -> Site {
    let site = Site::start().await;
    let items: Vec<(&str, String)> = (0..n)
        .map(|i| ("Story", site.url(&format!("/slow/{i}.html"))))
        .collect();
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let paragraphs = common::story("slow sites");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    Mock::given(method("GET"))
        .and(path_regex(r"^/slow/\d+\.html$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::article_html("Slow", &refs), "text/html")
                .set_delay(delay),
        )
        .mount(&site.server)
        .await;
    site
}

async fn page_requests(site: &Site) -> usize {
    site.server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().starts_with("/slow/"))
        .count()
}

/// Against a site answering in 2 s per page, the first SIGINT stops the daemon long before
/// the work it claimed could have finished; the next start completes every article once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sigint_stops_promptly_and_the_next_start_completes_the_rest() {
    const N: usize = 40;
    let site = slow_site(N, Duration::from_secs(2)).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        &[site.url("/feed.xml")],
        "stop_grace = \"3s\"\n",
    );
    let db_url = format!("sqlite://{}", dir.path().join("stringer.db").display());
    let log_path = dir.path().join("daemon.log");
    let mut daemon = stringer()
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while page_requests(&site).await < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no page fetched"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let signalled = Instant::now();
    let int = Command::new("kill")
        .arg("-INT")
        .arg(daemon.id().to_string())
        .status()
        .unwrap();
    assert!(int.success());
    // Claimed: every article (4 at a time from one host, 2 s each: 20 s of work).
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(12),
            "the daemon did not stop within 12 s of SIGINT"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let stop_time = signalled.elapsed();
    eprintln!("stop time after SIGINT: {:.2} s", stop_time.as_secs_f64());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("stopping"), "{log}");

    let store = stringer::store::Store::connect(&db_url, 1).await.unwrap();
    let at_stop = store.article_counts().await.unwrap();
    assert!(at_stop.pending > 0, "{at_stop:?}");
    let o = run(stringer().arg("--config").arg(&cfg).arg("once"));
    assert!(o.status.success(), "{}", stderr(&o));
    let counts = store.article_counts().await.unwrap();
    assert_eq!((counts.done, counts.pending), (N as i64, 0), "{counts:?}");
    store.close().await;
}

/// Output into a pipe whose reader is gone ends quietly with exit 0.
#[test]
fn broken_pipes_end_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let paragraphs = common::story("pipes");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    std::fs::write(&page, common::article_html("Pipes", &refs)).unwrap();
    let cfg = write_config(dir.path(), &[], "");
    let bin = env!("CARGO_BIN_EXE_stringer");
    // Enough rows that `head -1` leaves while export still writes.
    let db = dir.path().join("stringer.db");
    let fill = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
         c.executemany(\"INSERT INTO articles (url_key, canonical_url, url, status, next_attempt_at, discovered_at, text) \
         VALUES (?, ?, ?, 'done', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?)\", \
         [(str(i), 'https://x.example/%d' % i, 'https://x.example/%d' % i, 'text ' * 2000) for i in range(3000)]); c.commit()";
    let o = run(stringer().arg("--config").arg(&cfg).arg("migrate"));
    assert!(o.status.success(), "{}", stderr(&o));
    let filled = Command::new("python3")
        .args(["-c", fill])
        .arg(&db)
        .status()
        .unwrap();
    assert!(filled.success());
    for pipeline in [
        format!(
            "{bin} --config {} extract {} | true",
            cfg.display(),
            page.display()
        ),
        format!(
            "{bin} --config {} articles export | head -1 > /dev/null",
            cfg.display()
        ),
    ] {
        let mut bash = Command::new("bash");
        for (k, _) in std::env::vars() {
            if k.starts_with("STRINGER_") || k == "RUST_LOG" {
                bash.env_remove(k);
            }
        }
        let o = bash
            .arg("-c")
            .arg(format!("{pipeline}; exit ${{PIPESTATUS[0]}}"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{pipeline}: {:?} {}",
            o.status,
            stderr(&o)
        );
        assert_eq!(stderr(&o), "", "{pipeline}");
    }
}

/// A stage that fails for good (here the schema changed under the daemon) stops the whole
/// daemon with an error and a non-zero exit, instead of leaving a process that does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stage_failing_for_good_stops_the_daemon_with_an_error() {
    let site = slow_site(30, Duration::from_millis(100)).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[site.url("/feed.xml")], "");
    let db_url = format!("sqlite://{}", dir.path().join("stringer.db").display());
    let mut daemon = stringer()
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while page_requests(&site).await < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no page fetched"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    common::execute(
        &db_url,
        "ALTER TABLE articles RENAME COLUMN lease_owner TO lease_holder",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon lives on after its stage failed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut log = String::new();
    std::io::Read::read_to_string(daemon.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert_eq!(status.code(), Some(3), "{log}");
    assert!(log.contains("stage failed"), "{log}");
    assert!(log.contains("lease_owner"), "the cause is named: {log}");
}

/// Log lines carry no colour codes when standard error is not a terminal, and PostgreSQL's
/// notices about the migrations table stay out of them.
#[tokio::test]
async fn logs_are_plain_text_and_free_of_library_notices() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[], "");
    let o = run(stringer().arg("--config").arg(&cfg).arg("once"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains('\u{1b}'), "{}", stderr(&o));
    if let Some(pg) = common::TestDb::new(common::Db::Postgres).await {
        for _ in 0..2 {
            let o = run(stringer()
                .arg("--config")
                .arg(&cfg)
                .arg("--database-url")
                .arg(&pg.url)
                .arg("migrate"));
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(!stderr(&o).contains("_sqlx_migrations"), "{}", stderr(&o));
        }
        pg.drop_db().await;
    }
}
