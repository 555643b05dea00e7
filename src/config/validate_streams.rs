//! Checks of the streaming sinks' keys: a `nats` sink's server URL, subject prefix and stream
//! name, a `redis` sink's server URL, stream key and length. Errors name the key and never
//! print a password of the URL.

use url::Url;

use super::alerts::{SinkConfig, SinkKind};
use super::redact::redact_url;
use super::validate::{Bad, bad};

pub(super) fn check_streams(key: &str, sink: &SinkConfig) -> Result<(), Bad> {
    let only = |field: &str, kinds: &str| bad(&format!("{key}.{field}"), format!("only {kinds}"));
    if sink.kind != SinkKind::Nats && sink.subject_prefix.is_some() {
        return Err(only("subject_prefix", "a nats sink has a subject_prefix"));
    }
    if !matches!(sink.kind, SinkKind::Nats | SinkKind::Redis) && sink.stream.is_some() {
        return Err(only("stream", "nats and redis sinks have a stream"));
    }
    if sink.kind != SinkKind::Redis && sink.max_len.is_some() {
        return Err(only("max_len", "a redis sink has a max_len"));
    }
    let url = sink.url.as_deref().unwrap_or_default();
    match sink.kind {
        SinkKind::Nats => check_nats(key, sink, url),
        SinkKind::Redis => check_redis(key, sink, url),
        _ => Ok(()),
    }
}

fn check_nats(key: &str, sink: &SinkConfig, url: &str) -> Result<(), Bad> {
    check_server_url(url, &["nats", "tls"]).map_err(|why| bad(&format!("{key}.url"), why))?;
    if let Some(prefix) = &sink.subject_prefix
        && !prefix.split('.').all(is_subject_token)
    {
        return Err(bad(
            &format!("{key}.subject_prefix"),
            "must be dot-separated words of letters, digits, `-` and `_` (no wildcards)",
        ));
    }
    if let Some(stream) = &sink.stream
        && !is_stream_name(stream)
    {
        return Err(bad(
            &format!("{key}.stream"),
            "a JetStream stream name: letters, digits, `-` and `_`, at most 255",
        ));
    }
    Ok(())
}

fn check_redis(key: &str, sink: &SinkConfig, url: &str) -> Result<(), Bad> {
    check_server_url(url, &["redis"]).map_err(|why| bad(&format!("{key}.url"), why))?;
    if sink
        .stream
        .as_deref()
        .is_some_and(|s| s.trim().is_empty() || s.chars().any(char::is_control))
    {
        return Err(bad(&format!("{key}.stream"), "must be a non-empty key"));
    }
    if sink.max_len == Some(0) {
        return Err(bad(&format!("{key}.max_len"), "must be at least 1"));
    }
    Ok(())
}

/// A server URL with one of `schemes` and a host; the error shows it without its password.
fn check_server_url(raw: &str, schemes: &[&str]) -> Result<(), String> {
    let shown = redact_url(raw);
    let url = Url::parse(raw).map_err(|e| format!("`{shown}` is not a URL: {e}"))?;
    if !schemes.contains(&url.scheme()) || url.host_str().is_none_or(str::is_empty) {
        let wanted: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
        return Err(format!(
            "`{shown}` must be a {} URL with a host",
            wanted.join(" or ")
        ));
    }
    Ok(())
}

fn is_subject_token(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn is_stream_name(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn check(sink: &str) -> Result<(), String> {
        let text = format!("[[sinks]]\nname = \"s\"\n{sink}\n");
        let mut cfg = Config::from_toml(&text, "test").map_err(|e| e.to_string())?;
        cfg.validate("test").map_err(|e| e.to_string())
    }

    #[test]
    fn streaming_sinks_need_a_server_and_sane_keys() {
        assert!(check("kind = \"nats\"\nurl = \"nats://127.0.0.1:4222\"").is_ok());
        assert!(
            check("kind = \"nats\"\nurl = \"nats://u:pw@h:4222\"\nsubject_prefix = \"news.eu\"\nstream = \"NEWS\"")
                .is_ok()
        );
        assert!(
            check("kind = \"redis\"\nurl = \"redis://127.0.0.1:6379/0\"\nmax_len = 10").is_ok()
        );
        let err = check("kind = \"nats\"").unwrap_err();
        assert!(
            err.contains("sinks[0].url") && err.contains("nats sink `s`"),
            "{err}"
        );
        let err = check("kind = \"nats\"\nurl = \"http://u:hunter2@h:4222\"").unwrap_err();
        assert!(err.contains("nats://") && !err.contains("hunter2"), "{err}");
        let err = check("kind = \"redis\"\nurl = \"rediss://:hunter2@h\"").unwrap_err();
        assert!(
            err.contains("sinks[0].url") && !err.contains("hunter2"),
            "{err}"
        );
        let err =
            check("kind = \"nats\"\nurl = \"nats://h\"\nsubject_prefix = \"a.>\"").unwrap_err();
        assert!(err.contains("sinks[0].subject_prefix"), "{err}");
        let err = check("kind = \"nats\"\nurl = \"nats://h\"\nstream = \"a.b\"").unwrap_err();
        assert!(err.contains("sinks[0].stream"), "{err}");
        let err = check("kind = \"redis\"\nurl = \"redis://h\"\nmax_len = 0").unwrap_err();
        assert!(err.contains("sinks[0].max_len"), "{err}");
        let err = check("kind = \"log\"\nmax_len = 5").unwrap_err();
        assert!(err.contains("sinks[0].max_len"), "{err}");
        let err = check("kind = \"file\"\npath = \"x\"\nsubject_prefix = \"a\"").unwrap_err();
        assert!(err.contains("sinks[0].subject_prefix"), "{err}");
    }
}
