//! The daemon against a PostgreSQL that goes away: stopped for a long while, restarted again
//! and again, and with its connections killed every half second. Each time the daemon keeps
//! running, keeps fetching whenever the database answers, and ends with every article stored
//! once. Each test starts its own PostgreSQL (`initdb`, `pg_ctl`, a free port) and never
//! touches a shared one.
//!
//! CI runs shorter outages than the issue's; `scripts/outage-drill` runs the full lengths:
//! `STRINGER_OUTAGE_STOP_SECS` (default 35), `STRINGER_OUTAGE_RESTARTS` (default 4) and
//! `STRINGER_OUTAGE_KILL_SECS` (default 20).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Site;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

fn env_secs(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The newest installed PostgreSQL server programs.
fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A PostgreSQL server of the test's own, in a temporary folder, on a free port.
struct TestPg {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl TestPg {
    fn start() -> TestPg {
        let bin = pg_bin().expect("PostgreSQL server programs under /usr/lib/postgresql");
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            // initdb and postgres refuse to run as root: the cluster belongs to `postgres`.
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = TestPg { dir, bin, port };
        pg.run(
            "initdb",
            &["-A", "trust", "-U", "postgres", "--no-sync", "-D"],
            true,
        );
        pg.up();
        pg.psql("CREATE DATABASE stringer");
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&str], with_data: bool) {
        let exe = self.bin.join(program);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args);
        if with_data {
            cmd.arg(self.data());
        }
        let out = cmd.stdout(Stdio::null()).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn up(&self) {
        let log = self.dir.path().join("server.log");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "-w",
                "-t",
                "60",
                "-l",
                &log.to_string_lossy(),
                "-o",
                &opts,
                "start",
                "-D",
            ],
            true,
        );
    }

    /// Stops the server the hard way, as a crash or a host failure would.
    fn down(&self) {
        self.run("pg_ctl", &["-w", "-m", "immediate", "stop", "-D"], true);
    }

    fn psql(&self, sql: &str) {
        let port = self.port.to_string();
        self.run(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                sql,
            ],
            false,
        );
    }

    /// Ends every connection to the daemon's database.
    fn kill_connections(&self) {
        self.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = 'stringer' AND pid <> pg_backend_pid()",
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/stringer", self.port)
    }
}

impl Drop for TestPg {
    fn drop(&mut self) {
        let _ = Command::new(if is_root() { "runuser" } else { "true" })
            .args(if is_root() {
                vec!["-u", "postgres", "--"]
            } else {
                vec![]
            })
            .arg(self.bin.join("pg_ctl"))
            .args(["-m", "immediate", "stop", "-D"])
            .arg(self.data())
            .output();
    }
}

/// A feed that publishes one more article every `every`, up to `total`, listing them all.
struct Newsroom {
    started: Instant,
    every: Duration,
    total: usize,
    base: String,
}

impl Newsroom {
    fn published(&self) -> usize {
        let n = (self.started.elapsed().as_millis() / self.every.as_millis().max(1)) as usize + 1;
        n.min(self.total)
    }
}

impl Respond for Newsroom {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let items: Vec<(&str, String)> = (0..self.published())
            .map(|i| ("Story", format!("{}/n/{i}.html", self.base)))
            .collect();
        ResponseTemplate::new(200).set_body_raw(common::rss(&items), "application/rss+xml")
    }
}

async fn newsroom(site: &Site, every: Duration, total: usize) {
    let paragraphs = common::story("outages");
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    Mock::given(method("GET"))
        .and(path_regex(r"^/n/\d+\.html$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::article_html("Story", &refs), "text/html")
                .set_delay(Duration::from_millis(20)),
        )
        .mount(&site.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(Newsroom {
            started: Instant::now(),
            every,
            total,
            base: site.server.uri(),
        })
        .mount(&site.server)
        .await;
}

fn write_config(dir: &Path, db_url: &str, feed: &str) -> PathBuf {
    let text = format!(
        "[database]\nurl = \"{db_url}\"\nmax_connections = 4\n\
         [http]\nallow_private_networks = true\ntimeout = \"10s\"\n\
         [poll]\ntick = \"200ms\"\nmin_interval = \"1s\"\n\
         [articles]\nper_host = 4\nretry_delay = \"1s\"\n\
         [pipeline]\nlease = \"20s\"\n\
         [log]\nlevel = \"info\"\nprogress_interval = \"5s\"\n\
         [[feeds]]\nurl = \"{feed}\"\ninterval = \"1s\"\n"
    );
    let path = dir.join("stringer.toml");
    std::fs::write(&path, text).unwrap();
    path
}

struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn start(config: &Path, dir: &Path) -> Daemon {
        let log = dir.join("daemon.log");
        let child = common::stringer_command()
            .arg("--config")
            .arg(config)
            .arg("run")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Daemon { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the test if the daemon has exited.
    fn assert_alive(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!(
                "the daemon exited ({status}) during the outage:\n{}",
                self.log()
            );
        }
    }

    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.log()
    }
}

/// How many articles are stored, counted through a connection of the test's own; `None`
/// while the database does not answer.
async fn stored(url: &str) -> Option<i64> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.ok()?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'done'")
        .fetch_one(&mut conn)
        .await
        .ok()?;
    let _ = conn.close().await;
    Some(n)
}

async fn wait_for_stored(url: &str, at_least: i64, within: Duration, daemon: &mut Daemon) -> i64 {
    let deadline = Instant::now() + within;
    loop {
        daemon.assert_alive();
        let n = stored(url).await.unwrap_or(0);
        if n >= at_least {
            return n;
        }
        assert!(
            Instant::now() < deadline,
            "only {n} of {at_least} articles stored:\n{}",
            daemon.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every published article stored exactly once, none pending or failed.
async fn assert_every_article_once(url: &str, total: usize) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT canonical_url, status FROM articles")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut urls: Vec<&str> = rows.iter().map(|(u, _)| u.as_str()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), total, "each article once");
    assert!(rows.iter().all(|(_, s)| s == "done"), "all done: {rows:?}");
}

/// The scenario around an outage: the daemon runs, `outage` happens, and afterwards the
/// daemon stores everything the newsroom published.
async fn survive(
    name: &str,
    outage_secs: u64,
    says_so: bool,
    outage: impl FnOnce(Arc<TestPg>, &mut Daemon),
) {
    if pg_bin().is_none() {
        eprintln!("no PostgreSQL server programs: {name} not run");
        return;
    }
    let pg = Arc::new(TestPg::start());
    let site = Site::start().await;
    let every = Duration::from_millis(500);
    let total = ((outage_secs + 20) * 2) as usize;
    newsroom(&site, every, total).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &pg.url(), &site.url("/feed.xml"));
    let mut daemon = Daemon::start(&config, dir.path());
    let before = wait_for_stored(&pg.url(), 3, Duration::from_secs(60), &mut daemon).await;
    let started = Instant::now();
    let pg2 = pg.clone();
    let daemon = tokio::task::block_in_place(move || {
        outage(pg2, &mut daemon);
        daemon
    });
    let mut daemon = daemon;
    eprintln!(
        "{name}: outage of {:.0} s over, {before} articles stored before it",
        started.elapsed().as_secs_f64()
    );
    wait_for_stored(
        &pg.url(),
        total as i64,
        Duration::from_secs(90),
        &mut daemon,
    )
    .await;
    let log = daemon.stop();
    assert_every_article_once(&pg.url(), total).await;
    if says_so {
        assert!(log.contains("database unreachable"), "{name}: {log}");
        assert!(log.contains("database back"), "{name}: {log}");
    }
    eprintln!("{name}: {total} articles, each stored once");
}

/// Checks every half second, for `secs`, that the daemon is alive.
fn watch(daemon: &mut Daemon, secs: u64) {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        daemon.assert_alive();
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_for_a_long_while() {
    let secs = env_secs("STRINGER_OUTAGE_STOP_SECS", 35);
    survive("stopped", secs, true, |pg, daemon| {
        pg.down();
        watch(daemon, secs);
        pg.up();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_again_and_again() {
    let restarts = env_secs("STRINGER_OUTAGE_RESTARTS", 4);
    survive("restarted", restarts * 5, false, |pg, daemon| {
        for i in 0..restarts {
            pg.down();
            watch(daemon, 2 + i % 2);
            pg.up();
            watch(daemon, 2);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_killed_every_half_second() {
    let secs = env_secs("STRINGER_OUTAGE_KILL_SECS", 20);
    survive("connections killed", secs, false, |pg, daemon| {
        let until = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < until {
            pg.kill_connections();
            daemon.assert_alive();
            std::thread::sleep(Duration::from_millis(500));
        }
    })
    .await;
}
