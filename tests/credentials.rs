//! Credentials are never printed: database URLs with a password in every form (user info,
//! `?password=`, an unparsable port, a bad IPv6 host) failing in each way, and feed URLs with
//! a password or a token, through every command that prints URLs. `feeds export` writes them
//! only when asked with `--include-credentials`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::Site;

const SECRET: &str = "S3cretPw9";

fn run(config: &Path, db: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = common::stringer_command();
    cmd.arg("--config").arg(config);
    if let Some(db) = db {
        cmd.env("STRINGER_DATABASE_URL", db);
    }
    let mut child = cmd
        .args(args)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stringer");
    // A command waiting out an unreachable database is stopped after a while: what it printed
    // until then counts.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    child.wait_with_output().unwrap()
}

fn assert_hidden(o: &Output, what: &str) {
    for (name, stream) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains(SECRET),
            "{what}: the secret is in {name}:\n{text}"
        );
    }
}

fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("stringer.toml");
    let text = format!(
        "[database]\nurl = \"sqlite://{}\"\n[http]\nallow_private_networks = true\ntimeout = \"5s\"\n{extra}\n",
        dir.join("stringer.db").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn database_passwords_never_appear_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let urls = [
        format!("postgres://reader:{SECRET}@127.0.0.1:1/news"),
        format!("postgres://reader:{SECRET}@localhost:99999/news"),
        format!("postgres://reader:{SECRET}@[::1x]:5432/news"),
        format!("postgres://reader:{SECRET}@data base/news"),
        format!("postgres://reader@127.0.0.1:1/news?password={SECRET}&sslmode=disable"),
        format!("postgres://reader@localhost:99999/news?password={SECRET}"),
        format!("mysql://reader:{SECRET}@127.0.0.1/news"),
    ];
    let commands: [&[&str]; 11] = [
        &["migrate"],
        &["feeds", "list"],
        &["feeds", "export"],
        &["articles", "export"],
        &["once"],
        &["run"],
        &["trends"],
        &["entity", "Reuters"],
        &["stories"],
        &["alerts", "list"],
        &["sinks", "status"],
    ];
    for url in &urls {
        for args in commands {
            let o = run(&config, Some(url), args);
            assert!(!o.status.success(), "{url} {args:?} succeeded");
            assert_hidden(&o, &format!("{url} with {args:?}"));
        }
        // The same URL in the configuration file.
        let file = write_config(dir.path(), "");
        let text = std::fs::read_to_string(&file).unwrap().replacen(
            "url = \"sqlite://",
            &format!("url = \"{url}\"\n# was \"sqlite://"),
            1,
        );
        std::fs::write(&file, text).unwrap();
        let o = run(&file, None, &["feeds", "list"]);
        assert!(!o.status.success());
        assert_hidden(&o, &format!("{url} in the configuration file"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_credentials_are_redacted_everywhere_but_an_export_that_asks_for_them() {
    let site = Site::start().await;
    let items = vec![("Locked story", site.url("/story.html"))];
    site.serve("/private.xml", "application/rss+xml", common::rss(&items))
        .await;
    site.serve("/tokened.xml", "application/rss+xml", common::rss(&items))
        .await;
    site.article("/story.html", "Locked story", "the harbour tax")
        .await;
    let with_password = site
        .url("/private.xml")
        .replace("http://", &format!("http://reader:{SECRET}@"));
    let with_token = format!("{}?token={SECRET}", site.url("/tokened.xml"));
    let failing = site
        .url("/missing.xml")
        .replace("http://", &format!("http://reader:{SECRET}@"));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    for url in [&with_password, &with_token] {
        let o = run(&config, None, &["feeds", "add", url]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_hidden(&o, "feeds add");
    }
    let o = run(&config, None, &["feeds", "add", &failing]);
    assert!(!o.status.success());
    assert_hidden(&o, "feeds add of a failing URL");
    let o = run(&config, None, &["feeds", "add", &failing, "--no-check"]);
    assert_hidden(&o, "feeds add --no-check");

    let o = run(&config, None, &["once"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_hidden(&o, "once");
    for args in [
        &["feeds", "list"][..],
        &["feeds", "list", "--format", "json"],
        &["feeds", "export"],
        &["articles", "export"],
    ] {
        let o = run(&config, None, args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_hidden(&o, &format!("{args:?}"));
        if args[0] == "feeds" {
            assert!(
                String::from_utf8_lossy(&o.stdout).contains("***"),
                "{args:?}"
            );
        }
    }
    let o = run(&config, None, &["feeds", "export", "--include-credentials"]);
    let exported = String::from_utf8_lossy(&o.stdout);
    assert!(
        exported.contains(&format!("reader:{SECRET}@")),
        "{exported}"
    );
    assert!(exported.contains(&format!("token={SECRET}")), "{exported}");

    // Refused by the private-network guard: the refusal names the URL, redacted.
    let guarded = write_config(dir.path(), "").with_file_name("guarded.toml");
    let text = std::fs::read_to_string(dir.path().join("stringer.toml"))
        .unwrap()
        .replace(
            "allow_private_networks = true",
            "allow_private_networks = false",
        );
    std::fs::write(&guarded, text).unwrap();
    let o = run(&guarded, None, &["feeds", "add", &with_password]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("private"));
    assert_hidden(&o, "feeds add refused by the guard");
    let o = run(&config, None, &["feeds", "remove", &with_token]);
    assert!(o.status.success());
    assert_hidden(&o, "feeds remove");
}
