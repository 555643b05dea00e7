//! Three `stringer run` processes on one PostgreSQL against a site of 500 articles in 50 feeds:
//! every page is fetched once and every article stored once; with one daemon killed (SIGKILL)
//! mid-run, the others take its work over when its leases run out and all 500 are stored once.
//! Skipped without PostgreSQL (`scripts/test` provides it; CI requires it).

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use common::daemon::wait_stored;
use common::{Db, Site, TestDb};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, ResponseTemplate};

const FEEDS: usize = 50;
const PER_FEED: usize = 10;
const ARTICLES: i64 = (FEEDS * PER_FEED) as i64;

async fn site_of_500() -> (Site, Vec<String>) {
    let site = Site::start().await;
    let paragraphs = common::story("the shared harbour");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    Mock::given(method("GET"))
        .and(path_regex(r"^/p/\d+\.html$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::article_html("Shared", &refs), "text/html")
                .set_delay(Duration::from_millis(20)),
        )
        .mount(&site.server)
        .await;
    let mut feeds = Vec::new();
    for f in 0..FEEDS {
        let items: Vec<(&str, String)> = (0..PER_FEED)
            .map(|i| ("Story", site.url(&format!("/p/{}.html", f * PER_FEED + i))))
            .collect();
        let p = format!("/feed-{f}.xml");
        site.serve(&p, "application/rss+xml", common::rss(&items))
            .await;
        feeds.push(site.url(&p));
    }
    (site, feeds)
}

/// A daemon's configuration: the shared database, the feeds, its own name, the lease length.
fn write_config(dir: &Path, name: &str, feeds: &[String], lease: &str) -> std::path::PathBuf {
    let mut text = format!(
        "[http]\nallow_private_networks = true\n[poll]\ntick = \"200ms\"\n[articles]\nper_host = 8\n\
         [politeness]\nper_host_rate = \"200/s\"\n[pipeline]\ndaemon_id = \"{name}\"\nlease = \"{lease}\"\n\
         [log]\nlevel = \"warn\"\n"
    );
    for f in feeds {
        text.push_str(&format!("[[feeds]]\nurl = \"{f}\"\n"));
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn start(config: &Path, db_url: &str) -> Child {
    let log = std::fs::File::create(config.with_extension("log")).unwrap();
    common::stringer_command()
        .env("STRINGER_DATABASE_URL", db_url)
        .arg("--config")
        .arg(config)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start stringer run")
}

fn stop(mut child: Child) {
    // SIGTERM: a clean stop.
    let _ = std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
}

/// Three daemons; with `kill_one`, the second is killed once a fifth of the work is done (and
/// leases are short, so its work is taken over soon: 10 s instead of the default 2 minutes).
async fn three_daemons(kill_one: bool) {
    let lease = if kill_one { "10s" } else { "2m" };
    let Some(tdb) = TestDb::new(Db::Postgres).await else {
        eprintln!("no PostgreSQL (STRINGER_TEST_POSTGRES_URL): not run");
        return;
    };
    let (site, feeds) = site_of_500().await;
    let dir = tempfile::tempdir().unwrap();
    // The schema first, so the three do not race to create it.
    let migrate = common::stringer_command()
        .env("STRINGER_DATABASE_URL", &tdb.url)
        .arg("--config")
        .arg(write_config(dir.path(), "setup", &[], lease))
        .arg("migrate")
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    let mut daemons: Vec<Child> = (0..3)
        .map(|i| {
            start(
                &write_config(dir.path(), &format!("d{i}"), &feeds, lease),
                &tdb.url,
            )
        })
        .collect();
    let store = tdb.store().await;
    if kill_one {
        wait_stored(&store, ARTICLES / 5, 120).await;
        let mut victim = daemons.remove(1);
        victim.kill().unwrap(); // SIGKILL: its leases stay until they run out
        victim.wait().unwrap();
    }
    wait_stored(&store, ARTICLES, 180).await;
    for d in daemons {
        stop(d);
    }
    let counts = store.article_counts().await.unwrap();
    assert_eq!(
        (counts.done, counts.pending, counts.failed),
        (ARTICLES, 0, 0)
    );
    let mut twice = Vec::new();
    for i in 0..ARTICLES {
        let n = site.requests_to(&format!("/p/{i}.html")).await.len();
        if n != 1 {
            twice.push((i, n));
        }
    }
    if kill_one {
        // Only pages the killed daemon had in flight may be fetched again, each at most twice.
        assert!(twice.iter().all(|(_, n)| *n == 2), "{twice:?}");
        eprintln!(
            "three daemons, one killed: {ARTICLES} stored once, {} pages fetched again",
            twice.len()
        );
    } else {
        let logs: Vec<String> = (0..3)
            .map(|i| {
                std::fs::read_to_string(dir.path().join(format!("d{i}.log"))).unwrap_or_default()
            })
            .collect();
        assert!(
            twice.is_empty(),
            "pages not fetched exactly once: {twice:?}\n{}",
            logs.join("\n---\n")
        );
    }
    store.close().await;
    tdb.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_daemons_fetch_every_page_once_and_store_every_article_once() {
    three_daemons(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_mid_run_leaves_its_work_to_the_others() {
    three_daemons(true).await;
}
