//! Values of query parameters and command-line options, checked the same way for both: window
//! lengths, times, entity types, buckets and bounded counts. Each error names the parameter.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::EntityType;

/// A parameter with a value that is not allowed, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter `{param}`: {message}")]
pub struct ParamError {
    pub param: String,
    pub message: String,
}

impl ParamError {
    pub fn new(param: &str, message: impl Into<String>) -> ParamError {
        ParamError {
            param: param.to_string(),
            message: message.into(),
        }
    }
}

/// The width of a timeline's buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Hour,
    Day,
}

impl Bucket {
    pub fn parse(s: &str) -> Result<Bucket, String> {
        match s.to_ascii_lowercase().as_str() {
            "hour" => Ok(Bucket::Hour),
            "day" => Ok(Bucket::Day),
            _ => Err(format!("`{s}` is not a bucket: use hour or day")),
        }
    }
}

/// A window length such as 24h, 7d or 90m: longer than zero.
pub fn window(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration ({e}); try 24h, 7d or 90m"))?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

pub fn entity_type(s: &str) -> Result<EntityType, String> {
    s.to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("`{s}` is not an entity type: use PER, ORG, LOC or MISC"))
}

/// An RFC 3339 time.
pub fn time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{s}` is not an RFC 3339 time ({e})"))
}

/// A time as RFC 3339, a date (YYYY-MM-DD, midnight UTC) or a duration before `now`.
pub fn since(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = time(s) {
        return Ok(t);
    }
    if let Some(d) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        return Ok(d.and_utc());
    }
    if let Ok(d) = humantime::parse_duration(s.trim()) {
        return Ok(window_start(now, d));
    }
    Err(format!(
        "`{s}` is not a time: use RFC 3339, YYYY-MM-DD or a duration such as 24h"
    ))
}

/// The start of a window of `length` ending at `end`, never before 1970 (nothing is older,
/// and a window of 99999999999 days is a question, not an error).
pub fn window_start(end: DateTime<Utc>, length: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(length)
        .ok()
        .and_then(|d| end.checked_sub_signed(d))
        .unwrap_or(DateTime::UNIX_EPOCH)
        .max(DateTime::UNIX_EPOCH)
}

/// A whole number in `min..=max`.
pub fn bounded(s: &str, min: i64, max: i64) -> Result<i64, String> {
    let n: i64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number"))?;
    if n < min || n > max {
        return Err(format!("{n} is out of range: use {min} to {max}"));
    }
    Ok(n)
}

/// The query string's parameters, each allowed at most once and only if `allowed` names it.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    pub fn parse(query: Option<&str>, allowed: &[&str]) -> Result<Params, ParamError> {
        let mut values = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if !allowed.contains(&k.as_ref()) {
                return Err(ParamError::new(
                    &k,
                    format!(
                        "unknown parameter; this endpoint takes {}",
                        allowed.join(", ")
                    ),
                ));
            }
            if values.insert(k.to_string(), v.to_string()).is_some() {
                return Err(ParamError::new(&k, "given more than once"));
            }
        }
        Ok(Params { values })
    }

    /// The raw value, `None` when absent or empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The value parsed by `parse`, or `default` when absent.
    pub fn get<T>(
        &self,
        name: &str,
        default: T,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ParamError> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => parse(&v).map_err(|m| ParamError::new(name, m)),
        }
    }

    /// The value parsed by `parse`, `None` when absent.
    pub fn opt<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ParamError> {
        self.text(name)
            .map(|v| parse(&v).map_err(|m| ParamError::new(name, m)))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_counts_are_checked() {
        assert_eq!(window("7d").unwrap(), Duration::from_secs(7 * 86400));
        assert!(window("0s").is_err());
        assert!(window("soon").is_err());
        assert!(window("99999999999999999999999d").is_err());
        assert_eq!(bounded("20", 1, 500), Ok(20));
        assert!(bounded("0", 1, 500).is_err());
        assert!(bounded("99999999999999999999", 1, 500).is_err());
        let far = window_start(Utc::now(), Duration::from_secs(u64::MAX));
        assert_eq!(far, DateTime::UNIX_EPOCH);
    }

    #[test]
    fn unknown_and_repeated_parameters_are_named() {
        let e = Params::parse(Some("window=1h&colour=red"), &["window"]).unwrap_err();
        assert_eq!(e.param, "colour");
        let e = Params::parse(Some("window=1h&window=2h"), &["window"]).unwrap_err();
        assert_eq!(e.param, "window");
        let p = Params::parse(Some("window=&limit=5"), &["window", "limit"]).unwrap();
        assert_eq!(p.text("window"), None);
        assert_eq!(p.get("limit", 1, |s| bounded(s, 1, 9)), Ok(5));
    }
}
