//! Checks of `[[alerts]]` and `[[sinks]]`: unique names, exactly one condition per rule, known
//! sinks, valid regular expressions, sensible spike numbers, usable webhook URLs. Each error
//! names the key, such as `alerts[0].spike.factor`.

use std::collections::BTreeSet;
use std::time::Duration;

use url::Url;

use super::alerts::{
    ALERT_FIRED, ARTICLE_EVENTS, AlertConfig, EVENTS, SinkConfig, SinkKind, SpikeConfig,
};
use super::sections::Config;
use super::validate::{Bad, bad, check_matcher};
use super::validate_streams::check_streams;

impl Config {
    pub(super) fn check_alerts(&self) -> Result<(), Bad> {
        let mut names = BTreeSet::new();
        for (i, sink) in self.sinks.iter().enumerate() {
            check_sink(&format!("sinks[{i}]"), sink)?;
            if !names.insert(sink.name.as_str()) {
                return Err(bad(
                    &format!("sinks[{i}].name"),
                    format!("`{}` is used twice", sink.name),
                ));
            }
        }
        let mut rules = BTreeSet::new();
        for (i, rule) in self.alerts.iter().enumerate() {
            let key = format!("alerts[{i}]");
            self.check_rule(&key, rule, &names)?;
            if let Some(s) = rule.sinks.iter().find(|s| {
                self.sinks
                    .iter()
                    .any(|k| &k.name == *s && !k.wants(ALERT_FIRED))
            }) {
                return Err(bad(
                    &format!("{key}.sinks"),
                    format!("the sink `{s}` does not take `{ALERT_FIRED}` (its `events`)"),
                ));
            }
            if !rules.insert(rule.name.as_str()) {
                return Err(bad(
                    &format!("{key}.name"),
                    format!("`{}` is used twice", rule.name),
                ));
            }
        }
        Ok(())
    }

    fn check_rule(&self, key: &str, rule: &AlertConfig, sinks: &BTreeSet<&str>) -> Result<(), Bad> {
        if rule.name.trim().is_empty() {
            return Err(bad(&format!("{key}.name"), "must not be empty"));
        }
        if rule.sinks.is_empty() {
            return Err(bad(
                &format!("{key}.sinks"),
                "name at least one [[sinks]] entry",
            ));
        }
        if let Some(s) = rule.sinks.iter().find(|s| !sinks.contains(s.as_str())) {
            return Err(bad(
                &format!("{key}.sinks"),
                format!("no [[sinks]] entry is named `{s}`"),
            ));
        }
        if rule.cooldown.is_zero() {
            return Err(bad(&format!("{key}.cooldown"), "must be longer than zero"));
        }
        at_most(
            &format!("{key}.cooldown"),
            rule.cooldown,
            CENTURY,
            "100 years",
        )?;
        let regex = rule.title_regex.is_some() || rule.text_regex.is_some();
        match (&rule.matcher, &rule.spike) {
            (Some(_), Some(_)) | (None, None) => Err(bad(
                key,
                "a rule needs exactly one of `match = {...}` and `spike = {...}`",
            )),
            (None, Some(_)) if regex => Err(bad(
                &format!("{key}.title_regex"),
                "title_regex and text_regex go with `match`, not `spike`",
            )),
            (None, Some(spike)) => self.check_spike(&format!("{key}.spike"), spike),
            (Some(m), None) => {
                if !(m.is_empty() && regex) {
                    check_matcher(&format!("{key}.match"), m)?;
                }
                for (field, re) in [
                    ("title_regex", &rule.title_regex),
                    ("text_regex", &rule.text_regex),
                ] {
                    if let Some(re) = re {
                        regex::Regex::new(re).map_err(|e| {
                            bad(
                                &format!("{key}.{field}"),
                                format!("not a regular expression: {e}"),
                            )
                        })?;
                    }
                }
                Ok(())
            }
        }
    }

    fn check_spike(&self, key: &str, s: &SpikeConfig) -> Result<(), Bad> {
        let subjects = usize::from(s.entity.is_some())
            + usize::from(s.topic.is_some())
            + usize::from(s.any_entity);
        if subjects != 1 {
            return Err(bad(
                key,
                "a spike watches exactly one of `entity = \"NAME\"`, `topic = \"NAME\"`, `any_entity = true`",
            ));
        }
        if s.entity.as_deref().is_some_and(|e| e.trim().is_empty()) {
            return Err(bad(&format!("{key}.entity"), "must not be empty"));
        }
        if let Some(t) = &s.topic
            && !self.topics.contains_key(t)
        {
            return Err(bad(
                &format!("{key}.topic"),
                format!("no user topic `{t}` ([topics.{t}])"),
            ));
        }
        if s.min_count < 1 {
            return Err(bad(&format!("{key}.min_count"), "must be at least 1"));
        }
        if s.min_sources < 1 {
            return Err(bad(&format!("{key}.min_sources"), "must be at least 1"));
        }
        if !(s.factor.is_finite() && s.factor >= 1.0) {
            return Err(bad(
                &format!("{key}.factor"),
                "must be a number of at least 1",
            ));
        }
        for (field, d) in [("window", s.window), ("baseline", s.baseline)] {
            if d.is_zero() {
                return Err(bad(&format!("{key}.{field}"), "must be longer than zero"));
            }
        }
        for (field, d) in [
            ("window", s.window),
            ("baseline", s.baseline),
            ("warm_up", s.warm_up),
        ] {
            at_most(&format!("{key}.{field}"), d, CENTURY, "100 years")?;
        }
        Ok(())
    }
}

const HOUR: Duration = Duration::from_secs(3_600);
const DAY: Duration = Duration::from_secs(86_400);
/// The longest window, baseline, warm-up or cooldown: time arithmetic and the databases'
/// dates stay far from their limits.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Refuses a duration longer than `max` (`shown` as the config writes it).
fn at_most(key: &str, d: Duration, max: Duration, shown: &str) -> Result<(), Bad> {
    if d > max {
        return Err(bad(key, format!("must be at most {shown}")));
    }
    Ok(())
}

fn check_sink(key: &str, sink: &SinkConfig) -> Result<(), Bad> {
    if sink.name.trim().is_empty() {
        return Err(bad(&format!("{key}.name"), "must not be empty"));
    }
    if sink.timeout.is_zero() {
        return Err(bad(&format!("{key}.timeout"), "must be longer than zero"));
    }
    at_most(&format!("{key}.timeout"), sink.timeout, HOUR, "1h")?;
    if sink.backoff_max.as_secs() < 1 {
        return Err(bad(&format!("{key}.backoff_max"), "must be at least 1s"));
    }
    at_most(&format!("{key}.backoff_max"), sink.backoff_max, DAY, "1d")?;
    check_events(key, sink)?;
    check_file(key, sink)?;
    let kind = sink.kind;
    let url = format!("{key}.url");
    match (kind, &sink.url) {
        (SinkKind::Webhook | SinkKind::Nats | SinkKind::Redis, None) => Err(bad(
            &url,
            format!("the {kind} sink `{}` needs a url", sink.name),
        )),
        (SinkKind::Webhook, Some(u)) => check_webhook_url(u).map_err(|why| bad(&url, why)),
        (SinkKind::Nats | SinkKind::Redis, Some(_)) => Ok(()),
        (_, Some(_)) => Err(bad(&url, "only webhook, nats and redis sinks have a url")),
        (_, None) => Ok(()),
    }?;
    check_streams(key, sink)?;
    if kind != SinkKind::Webhook && !sink.headers.is_empty() {
        return Err(bad(
            &format!("{key}.headers"),
            "only a webhook sink has headers",
        ));
    }
    for (name, value) in &sink.headers {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            || reqwest::header::HeaderValue::from_str(value).is_err()
        {
            return Err(bad(
                &format!("{key}.headers.{name}"),
                "not a valid HTTP header name and value",
            ));
        }
    }
    Ok(())
}

fn check_events(key: &str, sink: &SinkConfig) -> Result<(), Bad> {
    let events = format!("{key}.events");
    if sink.events.is_empty() {
        return Err(bad(&events, format!("name at least one of {EVENTS:?}")));
    }
    if let Some(e) = sink.events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(bad(
            &events,
            format!("unknown event `{e}` (known: {})", EVENTS.join(", ")),
        ));
    }
    if let Some(m) = &sink.filter {
        check_matcher(&format!("{key}.filter"), m)?;
        if sink.article_events().is_empty() {
            return Err(bad(
                &format!("{key}.filter"),
                format!(
                    "a filter chooses articles: it needs one of {} in `events`",
                    ARTICLE_EVENTS.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn check_file(key: &str, sink: &SinkConfig) -> Result<(), Bad> {
    match (sink.kind, &sink.path) {
        (SinkKind::File, None) => Err(bad(&format!("{key}.path"), "a file sink needs a path")),
        (SinkKind::File, Some(p)) if p.file_name().is_none() => {
            Err(bad(&format!("{key}.path"), "must name a file"))
        }
        (SinkKind::File, Some(_)) if sink.max_bytes < 1024 => {
            Err(bad(&format!("{key}.max_bytes"), "must be at least 1024"))
        }
        (SinkKind::File, Some(_)) if !(1..=100).contains(&sink.keep) => {
            Err(bad(&format!("{key}.keep"), "must be between 1 and 100"))
        }
        (SinkKind::File, Some(_)) => Ok(()),
        (_, Some(_)) => Err(bad(&format!("{key}.path"), "only a file sink has a path")),
        (_, None) => Ok(()),
    }
}

fn check_webhook_url(raw: &str) -> Result<(), String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("must be an http(s) URL with a host".into());
    }
    Ok(())
}
