//! `stringer run` with `[server] listen`: the API beside the pipeline, on SQLite and, when
//! `STRINGER_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod common;

use std::net::TcpStream;
use std::time::Duration;

use common::server::Server;
use common::{Db, TestDb};

on_both_backends!(run_with_a_listen_address_serves_its_own_counters_and_stops_on_sigterm);

/// `stringer run` with `[server] listen` serves beside the pipeline: `/metrics` counts the
/// polls of this process and each stage's step times, and SIGTERM stops both. An address
/// beyond loopback is refused at start, naming the key.
async fn run_with_a_listen_address_serves_its_own_counters_and_stops_on_sigterm(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = common::Site::start().await;
    site.serve("/feed.xml", "application/rss+xml", common::rss(&[]))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("run.toml");
    let write = |listen: &str| {
        let text = format!(
            "[http]\nallow_private_networks = true\n[server]\nlisten = \"{listen}\"\n\
             [[feeds]]\nurl = \"{}\"\n",
            site.url("/feed.xml")
        );
        std::fs::write(&config, text).unwrap();
    };
    write("0.0.0.0:0");
    let refused = common::stringer_command()
        .env("STRINGER_DATABASE_URL", &tdb.url)
        .args(["--config", &config.display().to_string(), "run"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "a configuration error");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("server.listen") && err.contains("allow_public"),
        "{err}"
    );

    write("127.0.0.1:0");
    let path = config.display().to_string();
    let mut server = Server::spawn(&tdb.url, dir, &path, &["run"]);
    let polled = |server: &Server| {
        let (_, text) = server.get("/metrics");
        (text.contains("stringer_feeds_polled_total 1")
            && text.contains("stringer_db_feed_polls_total{outcome=\"fetched\"} 1"))
        .then_some(text)
    };
    let mut text = None;
    for _ in 0..100 {
        text = polled(&server);
        if text.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let Some(text) = text else {
        panic!(
            "the daemon's poll is not in its /metrics; its log: {:#?}",
            server.log.lock().unwrap()
        );
    };
    assert!(
        text.contains("stringer_stage_duration_seconds_count{stage=\"poll\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("stringer_db_feed_polls_total{outcome=\"fetched\"} 1"),
        "{text}"
    );
    assert_eq!(server.json("/healthz")["status"], "ok");
    let pid = server.child.id().to_string();
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(term.success());
    let mut status = None;
    for _ in 0..150 {
        status = server.child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status = status.expect("the daemon and its server stop within 30 s of SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(
        TcpStream::connect(server.addr).is_err(),
        "the server stopped with it"
    );
    drop(server);
    tdb.drop_db().await;
}
