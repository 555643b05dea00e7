//! Feed polling: one conditional GET of a feed and the parse of what came back into
//! [`NewEntry`] values (RSS 0.9x/1.0/2.0, Atom and JSON Feed, through feed-rs).
//!
//! The parse is a pure function of the bytes and the feed URL. Deciding which entries are new
//! is the store's job (a unique canonical URL), not this module's.

use std::io::Read;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::fetch::{FetchError, Http, Outcome, Validators, Want};
use crate::schedule::ServerHints;
use crate::urls;

/// A feed's due check, handed from the scheduler to a poller.
#[derive(Debug, Clone)]
pub struct FeedJob {
    pub feed_id: i64,
    pub url: String,
    pub interval: Duration,
    pub error_count: u32,
    pub validators: Validators,
}

/// One story a feed links to, before its page is fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub guid: Option<String>,
    /// The link as the feed gave it, made absolute.
    pub url: String,
    /// The dedup key: see [`urls::canonicalize`].
    pub canonical_url: String,
    pub title: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub ttl: Option<Duration>,
    pub entries: Vec<NewEntry>,
    /// Entries dropped because they had no usable http(s) link.
    pub skipped: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("not a feed: {0}")]
    Parse(String),
}

/// What one poll produced.
#[derive(Debug)]
pub enum Polled {
    NotModified {
        hints: ServerHints,
    },
    Fresh {
        feed: ParsedFeed,
        validators: Validators,
        hints: ServerHints,
        status: u16,
    },
}

/// Fetches `job.url` conditionally and parses the body.
pub async fn poll(http: &Http, job: &FeedJob) -> Result<Polled, PollError> {
    match http.get(&job.url, Want::Feed, &job.validators).await? {
        Outcome::NotModified { hints } => Ok(Polled::NotModified { hints }),
        Outcome::Fetched(fetched) => {
            let feed = parse(&fetched.body, &fetched.final_url).map_err(PollError::Parse)?;
            let hints = ServerHints {
                ttl: feed.ttl,
                ..fetched.hints
            };
            Ok(Polled::Fresh {
                feed,
                validators: fetched.validators,
                hints,
                status: fetched.status,
            })
        }
    }
}

/// Parses feed bytes. Bytes (not text) go to feed-rs so the XML declaration's encoding is
/// honoured. Two common real-world defects are forgiven: a gzip body served without
/// Content-Encoding, and whitespace before the XML declaration.
pub fn parse(body: &[u8], feed_url: &str) -> Result<ParsedFeed, String> {
    let mut inflated = Vec::new();
    let mut bytes = body;
    if body.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(body)
            .take(64 * 1024 * 1024)
            .read_to_end(&mut inflated)
            .map_err(|e| format!("gzip body does not inflate: {e}"))?;
        bytes = &inflated;
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url))
        .sanitize_content(false)
        .build();
    let feed = match parser.parse(bytes) {
        Ok(feed) => feed,
        Err(first) => {
            let start = bytes
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(bytes.len());
            if start == 0 {
                return Err(first.to_string());
            }
            parser
                .parse(&bytes[start..])
                .map_err(|_| first.to_string())?
        }
    };
    let base = Url::parse(feed_url).ok();
    let mut out = ParsedFeed {
        title: feed
            .title
            .as_ref()
            .map(|t| clean_text(&t.content))
            .filter(|t| !t.is_empty()),
        site_url: feed
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .map(|l| l.href.clone()),
        ttl: feed.ttl.map(|m| Duration::from_secs(u64::from(m) * 60)),
        ..Default::default()
    };
    for entry in feed.entries {
        let link = pick_link(&entry.links)
            .or_else(|| Some(entry.id.as_str()).filter(|id| id.starts_with("http")));
        let resolved = link.and_then(|l| match &base {
            Some(b) => b.join(l.trim()).ok().map(String::from),
            None => Url::parse(l.trim()).ok().map(String::from),
        });
        let Some(url) = resolved else {
            out.skipped += 1;
            continue;
        };
        let Some(canonical_url) = urls::canonicalize(&url) else {
            out.skipped += 1;
            continue;
        };
        let guid = Some(entry.id.trim().to_string()).filter(|g| !g.is_empty());
        out.entries.push(NewEntry {
            guid,
            url,
            canonical_url,
            title: entry
                .title
                .map(|t| clean_text(&t.content))
                .filter(|t| !t.is_empty()),
            published_at: entry.published.or(entry.updated),
        });
    }
    Ok(out)
}

/// The story link: an `alternate` (or unlabelled) link to a page, else the first link.
fn pick_link(links: &[feed_rs::model::Link]) -> Option<&str> {
    links
        .iter()
        .find(|l| {
            l.rel.as_deref().is_none_or(|r| r == "alternate")
                && l.media_type
                    .as_deref()
                    .is_none_or(|m| m.contains("html") || m.is_empty())
        })
        .or_else(|| links.first())
        .map(|l| l.href.as_str())
}

/// Titles arrive with entities, stray tags and runs of whitespace.
fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>World &amp; More</title><link>https://news.example/</link><ttl>30</ttl>
<item><title>One</title><link>https://news.example/one?utm_source=rss</link><guid>id-1</guid>
<pubDate>Tue, 03 Jun 2025 10:00:00 +0200</pubDate></item>
<item><title>Relative</title><link>/two</link></item>
<item><title>No link</title><description>x</description></item>
</channel></rss>"#;

    #[test]
    fn rss_entries_are_absolute_and_canonical() {
        let feed = parse(RSS.as_bytes(), "https://news.example/feed.xml").unwrap();
        assert_eq!(feed.title.as_deref(), Some("World & More"));
        assert_eq!(feed.ttl, Some(Duration::from_secs(1800)));
        assert_eq!(feed.entries.len(), 2);
        let one = &feed.entries[0];
        assert_eq!(one.url, "https://news.example/one?utm_source=rss");
        assert_eq!(one.canonical_url, "https://news.example/one");
        assert_eq!(one.guid.as_deref(), Some("id-1"));
        assert_eq!(
            one.published_at.unwrap().to_rfc3339(),
            "2025-06-03T08:00:00+00:00"
        );
        assert_eq!(feed.entries[1].canonical_url, "https://news.example/two");
        assert_eq!(feed.skipped, 1);
    }

    #[test]
    fn whitespace_before_declaration_is_forgiven() {
        let padded = format!("\n\n  {RSS}");
        assert_eq!(
            parse(padded.as_bytes(), "https://news.example/f")
                .unwrap()
                .entries
                .len(),
            2
        );
    }

    #[test]
    fn gzip_without_content_encoding_is_inflated() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(RSS.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        assert_eq!(
            parse(&bytes, "https://news.example/f")
                .unwrap()
                .entries
                .len(),
            2
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(
            parse(
                b"<html><body>not a feed</body></html>",
                "https://x.example/"
            )
            .is_err()
        );
        assert!(parse(b"", "https://x.example/").is_err());
    }
}
