//! Feed polling: one conditional GET of a feed and the parse of what came back into
//! [`NewEntry`] values (RSS 0.9x/1.0/2.0, Atom and JSON Feed, through feed-rs).
//!
//! The parse is a pure function of the bytes and the feed URL. Deciding which entries are new
//! is the store's job (a unique canonical URL), not this module's.

use std::io::Read;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::fetch::{FetchError, Http, Outcome, Want};
use crate::model::{FeedJob, NewEntry, Validators};
use crate::schedule::ServerHints;
use crate::urls;

#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub ttl: Option<Duration>,
    pub entries: Vec<NewEntry>,
    /// Entries the feed lists that cannot be stored, with the reason.
    pub rejected: Vec<EntryError>,
}

/// Longest entry link taken, in bytes. Real article URLs stay far below it (browsers and
/// servers commonly stop at 2 to 8 KB); a longer one is junk or an attack.
pub const MAX_LINK_BYTES: usize = 2048;

/// Longest GUID kept as written; a longer one is replaced by a fixed-size digest of itself,
/// so it still identifies the entry but fits any index.
pub const MAX_GUID_BYTES: usize = 512;

/// Why a feed entry cannot become an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry without an http(s) link")]
    NoLink,
    #[error("entry link is not a usable URL: {0}")]
    BadLink(String),
    #[error("entry link of {bytes} bytes is longer than {MAX_LINK_BYTES}: {start}…")]
    LinkTooLong { bytes: usize, start: String },
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
            // Parsing a large feed is CPU work: keep it off the async threads.
            let body = fetched.body.clone();
            let url = fetched.final_url.clone();
            let feed = tokio::task::spawn_blocking(move || parse(&body, &url))
                .await
                .map_err(|e| PollError::Parse(format!("the feed parser failed: {e}")))?
                .map_err(PollError::Parse)?;
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
    let first = match guarded_parse(&parser, bytes) {
        Ok(feed) => return Ok(from_model(feed, feed_url)),
        Err(e) => e,
    };
    // What lenient readers accept and feed-rs does not. Each retry is tried only when the
    // strict parse failed, so a well-formed feed never pays for it.
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let trimmed = &bytes[start..];
    if trimmed.starts_with(b"{") {
        return json_feed(trimmed, feed_url).ok_or(first);
    }
    if start > 0
        && let Ok(feed) = guarded_parse(&parser, trimmed)
    {
        return Ok(from_model(feed, feed_url));
    }
    let repaired = repair_xml(trimmed);
    guarded_parse(&parser, repaired.as_bytes())
        .map(|feed| from_model(feed, feed_url))
        .map_err(|_| first)
}

/// feed-rs 3.0 panics on some malformed input (an assertion in its Media RSS handler, seen
/// with an unclosed CDATA section); one bad feed must not take the poller down with it.
fn guarded_parse(
    parser: &feed_rs::parser::Parser,
    bytes: &[u8],
) -> Result<feed_rs::model::Feed, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(bytes))) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("the feed parser crashed on this document".into()),
    }
}

/// Undeclared or wrongly declared encodings (decoded by detection, declaration dropped) and
/// RSS without its `version` attribute.
fn repair_xml(bytes: &[u8]) -> String {
    let mut text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let declared = declared_encoding(bytes)
                .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
            let encoding = declared.unwrap_or_else(|| detector.guess(None, true));
            let (decoded, _, malformed) = encoding.decode(bytes);
            if malformed && declared.is_some() {
                // The declaration lied: trust the detector instead.
                detector.guess(None, true).decode(bytes).0.into_owned()
            } else {
                decoded.into_owned()
            }
        }
    };
    // The text is UTF-8 now: a declaration naming another encoding would mislead the parser.
    if text.starts_with("<?xml")
        && let Some(end) = text.find("?>")
    {
        text.replace_range(..end + 2, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    }
    if let Some(at) = text.find("<rss")
        && let Some(close) = text[at..].find('>')
        && !text[at..at + close].contains("version=")
    {
        text.insert_str(at + 4, " version=\"2.0\"");
    }
    text
}

fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = std::str::from_utf8(&bytes[..bytes.len().min(200)]).ok()?;
    let decl = &head[..head.find("?>")?];
    let at = decl.find("encoding=")? + "encoding=".len();
    let quote = decl[at..].chars().next()?;
    let rest = &decl[at + 1..];
    Some(rest[..rest.find(quote)?].to_string())
}

/// JSON Feed read leniently (any version string, tags of any shape): id, url, title and
/// dates of each item are all the daemon needs.
fn json_feed(bytes: &[u8], feed_url: &str) -> Option<ParsedFeed> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let items = value.get("items")?.as_array()?;
    let text = |v: &serde_json::Value, key: &str| {
        v.get(key)
            .and_then(|x| x.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let date = |v: &serde_json::Value, key: &str| {
        text(v, key)
            .and_then(|d| DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    let base = Url::parse(feed_url).ok();
    let mut out = ParsedFeed {
        title: text(&value, "title").map(|t| clean_text(&t)),
        site_url: text(&value, "home_page_url"),
        ..Default::default()
    };
    for item in items {
        let link = text(item, "url")
            .or_else(|| text(item, "external_url"))
            .or_else(|| text(item, "id").filter(|id| id.starts_with("http")));
        let url = link.and_then(|l| match &base {
            Some(b) => b.join(&l).ok().map(String::from),
            None => Url::parse(&l).ok().map(String::from),
        });
        let (url, canonical_url) =
            match url.ok_or(EntryError::NoLink).and_then(|u| checked_link(&u)) {
                Ok(link) => link,
                Err(e) => {
                    out.rejected.push(e);
                    continue;
                }
            };
        out.entries.push(NewEntry {
            guid: text(item, "id")
                .or_else(|| {
                    item.get("id")
                        .filter(|v| v.is_number())
                        .map(|v| v.to_string())
                })
                .map(guid_key),
            url,
            canonical_url,
            title: text(item, "title").map(|t| clean_text(&t)),
            published_at: date(item, "date_published").or_else(|| date(item, "date_modified")),
        });
    }
    Some(out)
}

fn from_model(feed: feed_rs::model::Feed, feed_url: &str) -> ParsedFeed {
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
        let (url, canonical_url) = match resolved
            .ok_or(EntryError::NoLink)
            .and_then(|u| checked_link(&u))
        {
            Ok(link) => link,
            Err(e) => {
                out.rejected.push(e);
                continue;
            }
        };
        let guid = Some(entry.id.trim().to_string())
            .filter(|g| !g.is_empty())
            .map(guid_key);
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
    out
}

/// The link and its canonical form, or why the link cannot be taken.
fn checked_link(url: &str) -> Result<(String, String), EntryError> {
    if url.len() > MAX_LINK_BYTES {
        let mut end = 80;
        while !url.is_char_boundary(end) {
            end -= 1;
        }
        return Err(EntryError::LinkTooLong {
            bytes: url.len(),
            start: url[..end].to_string(),
        });
    }
    let canonical = urls::canonicalize(url).ok_or_else(|| EntryError::BadLink(url.to_string()))?;
    Ok((url.to_string(), canonical))
}

/// A GUID as stored: as written when short, else `sha256:` and a digest of it.
fn guid_key(guid: String) -> String {
    if guid.len() <= MAX_GUID_BYTES {
        return guid;
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(guid.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
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
        assert_eq!(feed.rejected, vec![EntryError::NoLink]);
    }

    #[test]
    fn long_links_are_rejected_and_long_guids_digested() {
        let long = format!("https://news.example/{}", "a".repeat(3000));
        let rss = format!(
            "<rss version=\"2.0\"><channel><title>t</title>\
             <item><title>ok</title><link>https://news.example/ok</link><guid>{}</guid></item>\
             <item><title>long</title><link>{long}</link></item></channel></rss>",
            "g".repeat(600)
        );
        let feed = parse(rss.as_bytes(), "https://news.example/feed").unwrap();
        assert_eq!(feed.entries.len(), 1);
        let guid = feed.entries[0].guid.as_deref().unwrap();
        assert!(guid.starts_with("sha256:") && guid.len() == 71, "{guid}");
        assert!(
            matches!(&feed.rejected[..], [EntryError::LinkTooLong { bytes, .. }] if *bytes == long.len()),
            "{:?}",
            feed.rejected
        );
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
    fn undeclared_latin1_is_detected() {
        let rss = "<rss version=\"2.0\"><channel><title>Caf\u{e9} d\u{e9}j\u{e0} vu</title>\
                   <item><title>Pr\u{e9}sident</title><link>https://x.example/1</link></item></channel></rss>";
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(rss);
        let feed = parse(&latin1, "https://x.example/feed").unwrap();
        assert_eq!(feed.title.as_deref(), Some("Caf\u{e9} d\u{e9}j\u{e0} vu"));
        assert_eq!(feed.entries[0].title.as_deref(), Some("Pr\u{e9}sident"));
    }

    #[test]
    fn rss_without_version_is_read() {
        let rss = "<?xml version=\"1.0\"?><rss><channel><title>t</title>\
                   <item><title>a</title><link>https://x.example/a</link></item></channel></rss>";
        assert_eq!(
            parse(rss.as_bytes(), "https://x.example/feed")
                .unwrap()
                .entries
                .len(),
            1
        );
    }

    #[test]
    fn json_feed_is_read_leniently() {
        let json = r#"{"version": "http://jsonfeed.org/version/1", "title": "J",
            "items": [{"id": 7, "url": "https://x.example/7?utm_source=j", "title": "Seven",
                       "tags": "not,a,list", "date_published": "2026-01-02T03:04:05+01:00"},
                      {"id": "no-link"}]}"#;
        let feed = parse(json.as_bytes(), "https://x.example/feed.json").unwrap();
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(feed.rejected, vec![EntryError::NoLink]);
        let e = &feed.entries[0];
        assert_eq!(
            (e.guid.as_deref(), e.canonical_url.as_str()),
            (Some("7"), "https://x.example/7")
        );
        assert_eq!(
            e.published_at.unwrap().to_rfc3339(),
            "2026-01-02T02:04:05+00:00"
        );
    }

    #[test]
    fn a_document_that_crashes_the_parser_is_an_error() {
        let bad = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title>\
                   <item><title><![CD";
        assert!(parse(bad.as_bytes(), "https://x.example/feed").is_err());
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
