//! JSON Feed read leniently (any version string, tags of any shape): id, url, title and dates
//! of each item are all the daemon needs.

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::entry::{RawEntry, clean_text, finish};
use super::{ParseError, ParsedFeed};

/// The feed, or why the bytes are not JSON (with the line and column) or not a JSON Feed.
pub(super) fn read(bytes: &[u8], feed_url: &str) -> Result<ParsedFeed, ParseError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ParseError::Malformed(format!("not valid JSON: {e}")))?;
    let items = value
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::NotAFeed("JSON without a list of `items`".into()))?;
    let base = Url::parse(feed_url).ok();
    let mut out = ParsedFeed {
        title: text(&value, "title").map(|t| clean_text(&t)),
        site_url: text(&value, "home_page_url"),
        ..Default::default()
    };
    for item in items {
        let raw = RawEntry {
            link: text(item, "url").or_else(|| text(item, "external_url")),
            guid: text(item, "id").or_else(|| {
                item.get("id")
                    .filter(|v| v.is_number())
                    .map(Value::to_string)
            }),
            title: text(item, "title"),
            published_at: date(item, "date_published").or_else(|| date(item, "date_modified")),
        };
        match finish(raw, base.as_ref()) {
            Ok(entry) => out.entries.push(entry),
            Err(e) => out.rejected.push(e),
        }
    }
    Ok(out)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A date that does not parse is no date (the entry is kept).
fn date(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    text(v, key)
        .and_then(|d| DateTime::parse_from_rfc3339(&d).ok())
        .map(|d| d.with_timezone(&Utc))
}
