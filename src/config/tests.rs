//! Unit tests of loading and validating the configuration.

use std::path::Path;
use std::time::Duration;

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    let mut c = Config::from_toml(text, "test.toml")?;
    c.validate("test.toml")?;
    Ok(c)
}

#[test]
fn defaults_are_valid() {
    let c = parse("").unwrap();
    assert_eq!(c.http.max_body_bytes, 10 * 1024 * 1024);
    assert!(!c.http.allow_private_networks);
    assert!(c.database.url.starts_with("sqlite://"));
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let err = parse("[http]\ntimeout = \"5s\"\nuser_agen = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("test.toml: line 3"), "{err}");
    assert!(err.contains("user_agen"), "{err}");
}

#[test]
fn bad_duration_names_key_and_reason() {
    let err = parse("[http]\ntimeout = \"soon\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("http.timeout"), "{err}");
    assert!(err.contains("not a duration"), "{err}");
}

#[test]
fn bad_feed_url_is_reported_with_its_index() {
    let err = parse("[[feeds]]\nurl = \"https://a.example/rss\"\n[[feeds]]\nurl = \"ftp://x/y\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("feeds[1].url"), "{err}");
    assert!(err.contains("not an http(s) URL"), "{err}");
}

#[test]
fn env_overrides_file_and_flag_overrides_env() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "[http]\ntimeout = \"5s\"\n").unwrap();
    let env = vec![
        ("STRINGER_HTTP_TIMEOUT".to_string(), "7s".to_string()),
        ("STRINGER_HTTP_ALLOW_PRIVATE_NETWORKS".into(), "true".into()),
        ("STRINGER_DATABASE_URL".into(), "sqlite://env.db".into()),
    ];
    let c = Config::load(
        &path,
        true,
        &env,
        &Overrides {
            database_url: Some("sqlite://flag.db".into()),
        },
    )
    .unwrap();
    assert_eq!(c.http.timeout, Duration::from_secs(7));
    assert!(c.http.allow_private_networks);
    assert_eq!(c.database.url, "sqlite://flag.db");
}

#[test]
fn bad_env_value_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "").unwrap();
    let env = vec![("STRINGER_POLL_CONCURRENCY".to_string(), "many".to_string())];
    let err = Config::load(&path, true, &env, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("STRINGER_POLL_CONCURRENCY"), "{err}");
    assert!(err.contains("poll.concurrency"), "{err}");
}

#[test]
fn missing_explicit_file_is_an_error() {
    let err = Config::load(
        Path::new("/nonexistent/x.toml"),
        true,
        &[],
        &Overrides::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("/nonexistent/x.toml"), "{err}");
}

#[test]
fn password_is_redacted_in_debug() {
    let c = parse("[database]\nurl = \"postgres://u:hunter2@db/x\"\n").unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn server_listens_on_loopback_unless_public_is_allowed() {
    assert!(parse("").unwrap().server.listen.is_none());
    let c = parse("[server]\nlisten = \"127.0.0.1:8080\"\n").unwrap();
    assert_eq!(c.server.listen.as_deref(), Some("127.0.0.1:8080"));
    let err = parse("[server]\nlisten = \"0.0.0.0:8080\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("server.listen"), "{err}");
    assert!(err.contains("allow_public"), "{err}");
    parse("[server]\nlisten = \"0.0.0.0:8080\"\nallow_public = true\n").unwrap();
    let err = parse("[server]\nlisten = \"localhost\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("server.listen") && err.contains("not an address"),
        "{err}"
    );
    let err = parse("[server]\nport = 8080\n").unwrap_err().to_string();
    assert!(err.contains("port"), "{err}");
}

#[test]
fn alert_rules_and_sinks_are_checked_with_the_key_named() {
    const SINKS: &str = "[[sinks]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/in\"\nheaders = { Authorization = \"Bearer x\" }\n";
    let ok = parse(&format!(
        "{SINKS}[[alerts]]\nname = \"a\"\nsinks = [\"hook\"]\nmatch = {{ any = [\"sanction\"] }}\ntitle_regex = '\\d+'\n\
         [[alerts]]\nname = \"b\"\nsinks = [\"hook\"]\nspike = {{ entity = \"Janet Yellen\", factor = 2 }}\n"
    ))
    .unwrap();
    assert_eq!(ok.alerts[0].cooldown, Duration::from_secs(6 * 3600));
    assert_eq!(ok.alerts[1].spike.as_ref().unwrap().min_sources, 2);
    assert!(
        !format!("{ok:?}").contains("Bearer"),
        "header values stay out of output"
    );
    for (rule, key) in [
        (
            "sinks = [\"hook\"]\nmatch = { any = [\"x\"] }\nspike = { any_entity = true }",
            "key `alerts[0]`",
        ),
        ("sinks = [\"hook\"]", "key `alerts[0]`"),
        (
            "sinks = [\"nope\"]\nmatch = { any = [\"x\"] }",
            "key `alerts[0].sinks`",
        ),
        (
            "sinks = [\"hook\"]\nmatch = { any = [\"x\"] }\ntitle_regex = \"(\"",
            "key `alerts[0].title_regex`",
        ),
        ("sinks = [\"hook\"]\nmatch = {}", "key `alerts[0].match`"),
        (
            "sinks = [\"hook\"]\nspike = { entity = \"X\", factor = 0.5 }",
            "key `alerts[0].spike.factor`",
        ),
        (
            "sinks = [\"hook\"]\nspike = { entity = \"X\", any_entity = true }",
            "key `alerts[0].spike`",
        ),
        (
            "sinks = [\"hook\"]\nspike = { topic = \"missing\" }",
            "key `alerts[0].spike.topic`",
        ),
        (
            "sinks = [\"hook\"]\ncooldown = \"10000y\"\nmatch = { any = [\"x\"] }",
            "key `alerts[0].cooldown`",
        ),
        (
            "sinks = [\"hook\"]\nspike = { entity = \"X\", baseline = \"300000y\" }",
            "key `alerts[0].spike.baseline`",
        ),
        (
            "sinks = [\"hook\"]\ncooldown = \"0s\"\nmatch = { any = [\"x\"] }",
            "key `alerts[0].cooldown`",
        ),
    ] {
        let err = parse(&format!("{SINKS}[[alerts]]\nname = \"r\"\n{rule}\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{rule}: {err}");
    }
    for (sink, key) in [
        ("kind = \"webhook\"", "key `sinks[0].url`"),
        (
            "kind = \"webhook\"\nurl = \"ftp://x/\"",
            "key `sinks[0].url`",
        ),
        ("kind = \"log\"\nurl = \"http://x/\"", "key `sinks[0].url`"),
        (
            "kind = \"webhook\"\nurl = \"http://x/\"\ntimeout = \"18446744073709551615s\"",
            "key `sinks[0].timeout`",
        ),
        (
            "kind = \"webhook\"\nurl = \"http://x/\"\nheaders = { \"bad name\" = \"v\" }",
            "key `sinks[0].headers.bad name`",
        ),
    ] {
        let err = parse(&format!("[[sinks]]\nname = \"s\"\n{sink}\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{sink}: {err}");
    }
    let err = parse("[[sinks]]\nname = \"s\"\nkind = \"carrier-pigeon\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("sinks[0].kind"), "{err}");
}

#[test]
fn sink_events_filters_and_files_are_checked_with_the_key_named() {
    let c = parse(
        "[[sinks]]\nname = \"a\"\nkind = \"log\"\n\
         [[sinks]]\nname = \"f\"\nkind = \"file\"\npath = \"/tmp/x.ndjson\"\n\
         events = [\"article.stored\"]\nfilter = { any = [\"sanction\"] }\n",
    )
    .unwrap();
    assert_eq!(c.sinks[0].events, ["alert.fired"]);
    assert!(c.sinks[1].wants("article.stored") && !c.sinks[1].wants("alert.fired"));
    assert_eq!(
        (c.sinks[1].max_bytes, c.sinks[1].keep),
        (100 * 1024 * 1024, 5)
    );
    for (sink, key) in [
        (
            "kind = \"log\"\nevents = [\"story.deleted\"]",
            "key `sinks[0].events`",
        ),
        ("kind = \"log\"\nevents = []", "key `sinks[0].events`"),
        ("kind = \"log\"\nfilter = {}", "key `sinks[0].filter`"),
        (
            "kind = \"log\"\nfilter = { any = [\"x\"] }",
            "key `sinks[0].filter`",
        ),
        ("kind = \"file\"", "key `sinks[0].path`"),
        ("kind = \"log\"\npath = \"/tmp/x\"", "key `sinks[0].path`"),
        (
            "kind = \"file\"\npath = \"/tmp/x\"\nmax_bytes = 10",
            "key `sinks[0].max_bytes`",
        ),
        (
            "kind = \"file\"\npath = \"/tmp/x\"\nkeep = 0",
            "key `sinks[0].keep`",
        ),
    ] {
        let err = parse(&format!("[[sinks]]\nname = \"s\"\n{sink}\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{sink}: {err}");
    }
    let err = parse(
        "[[sinks]]\nname = \"s\"\nkind = \"log\"\nevents = [\"article.stored\"]\n\
         [[alerts]]\nname = \"r\"\nsinks = [\"s\"]\nmatch = { any = [\"x\"] }\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("alerts[0].sinks"), "{err}");
}

#[test]
fn the_default_file_runs_with_no_alerts() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_PATH)).unwrap();
    let c = parse(&text).unwrap();
    assert!(c.alerts.is_empty() && c.sinks.is_empty());
}

#[test]
fn http_allow_hosts_contact_and_proxy_are_checked() {
    let c = parse(
        "[http]\nallow_hosts = [\"10.0.0.0/8\", \"feeds.intranet.example\"]\n\
         contact_url = \"https://news.example/reader\"\nproxy = \"http://u:pw@proxy.example:3128\"\n",
    )
    .unwrap();
    assert!(
        c.http
            .agent()
            .ends_with("(self-hosted news reader; +https://news.example/reader)")
    );
    for (text, key) in [
        (
            "allow_hosts = [\"10.0.0.0/8\", \"http://x\"]",
            "http.allow_hosts[1]",
        ),
        ("contact_url = \"call me\"", "http.contact_url"),
        ("proxy = \"ftp://u:pw@proxy.example\"", "http.proxy"),
    ] {
        let err = parse(&format!("[http]\n{text}\n")).unwrap_err().to_string();
        assert!(err.contains(key), "{err}");
        assert!(!err.contains(":pw@"), "{err}");
    }
}
