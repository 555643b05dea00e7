//! Feed bytes to [`ParsedFeed`]: feed-rs first, then what lenient readers forgive (a gzip body
//! without Content-Encoding, a byte-order mark or whitespace before the declaration, a wrong
//! or missing encoding declaration, RSS without `version`), then the namespace-free reader of
//! [`super::items`] when feed-rs reads fewer entries than the document has.

use std::borrow::Cow;
use std::io::Read;
use std::time::Duration;

use url::Url;

use super::entry::{RawEntry, clean_text, finish};
use super::{EntryError, ParseError, ParsedFeed, items, json};

/// Largest inflated size of a gzip body served without Content-Encoding.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// Parses feed bytes fetched from `feed_url` (the base of relative links).
pub fn parse(body: &[u8], feed_url: &str) -> Result<ParsedFeed, ParseError> {
    let inflated = inflate(body)?;
    let bytes = skip_preamble(&inflated);
    let mut feed = read(bytes, feed_url)?;
    // What the feed asks, by either convention: the longer wait.
    feed.ttl = feed.ttl.max(update_period(bytes));
    Ok(feed)
}

/// The wait a feed asks for with the RSS syndication module (`sy:updatePeriod`, divided by
/// `sy:updateFrequency`), read from the channel's head (before the first item), whatever
/// prefix the namespace has.
fn update_period(bytes: &[u8]) -> Option<Duration> {
    let head_end = ["<item", "<entry"]
        .iter()
        .filter_map(|tag| memchr::memmem::find(bytes, tag.as_bytes()))
        .min()
        .unwrap_or(bytes.len())
        .min(64 * 1024);
    let head = &bytes[..head_end];
    let value = |name: &str| -> Option<String> {
        let at = memchr::memmem::find(head, format!("{name}>").as_bytes())? + name.len() + 1;
        let rest = &head[at..];
        let end = memchr::memchr(b'<', rest).unwrap_or(rest.len());
        Some(
            String::from_utf8_lossy(&rest[..end])
                .trim()
                .to_ascii_lowercase(),
        )
    };
    let hours: u64 = match value("updatePeriod")?.as_str() {
        "hourly" => 1,
        "daily" => 24,
        "weekly" => 24 * 7,
        "monthly" => 24 * 30,
        "yearly" => 24 * 365,
        _ => return None,
    };
    let frequency = value("updateFrequency")
        .and_then(|f| f.parse::<u64>().ok())
        .filter(|f| *f > 0)
        .unwrap_or(1);
    Some(Duration::from_secs(hours * 3600 / frequency))
}

/// The document's entries: JSON Feed, feed-rs, or the lenient readers.
fn read(bytes: &[u8], feed_url: &str) -> Result<ParsedFeed, ParseError> {
    if bytes.is_empty() {
        return Err(ParseError::NotAFeed("the document is empty".into()));
    }
    if bytes.starts_with(b"{") || bytes.starts_with(b"[") {
        return json::read(bytes, feed_url);
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url))
        .sanitize_content(false)
        .build();
    let strict = guarded_parse(&parser, bytes).map(|f| from_model(f, feed_url));
    if let Ok(feed) = &strict
        && complete(feed)
    {
        return strict;
    }
    // Decoded once for the retries: UTF-8 with a declaration that says so.
    let text = repair_xml(bytes);
    let lenient = match strict {
        Ok(feed) => Ok(feed),
        Err(first) => guarded_parse(&parser, text.as_bytes())
            .map(|f| from_model(f, feed_url))
            .map_err(|_| first),
    };
    if let Ok(feed) = &lenient
        && complete(feed)
    {
        return lenient;
    }
    second_reader(&text, feed_url, lenient)
}

/// A feed-rs result that needs no second opinion: it has entries and none lost its link.
fn complete(feed: &ParsedFeed) -> bool {
    !feed.entries.is_empty() && !feed.rejected.contains(&EntryError::NoLink)
}

/// The namespace-free reader's result when it finds more entries than feed-rs did.
fn second_reader(
    text: &str,
    feed_url: &str,
    first: Result<ParsedFeed, ParseError>,
) -> Result<ParsedFeed, ParseError> {
    let Some(found) = items::read(text) else {
        return match first {
            Ok(feed) => Ok(feed),
            Err(_) if looks_like_html(text) => Err(ParseError::Page),
            Err(e) => Err(name_root(e, text)),
        };
    };
    let base = Url::parse(feed_url).ok();
    let mut read = ParsedFeed {
        title: found
            .title
            .map(|t| clean_text(&t))
            .filter(|t| !t.is_empty()),
        ..Default::default()
    };
    for raw in found.entries {
        match finish(raw, base.as_ref()) {
            Ok(entry) => read.entries.push(entry),
            Err(e) => read.rejected.push(e),
        }
    }
    match first {
        Ok(feed) if feed.entries.len() >= read.entries.len() => Ok(feed),
        Ok(feed) => Ok(ParsedFeed {
            title: feed.title.or(read.title),
            site_url: feed.site_url,
            ttl: feed.ttl,
            ..read
        }),
        // Items were found but none could be read: the entry errors say why.
        Err(e) if read.entries.is_empty() && read.rejected.is_empty() => Err(name_root(e, text)),
        Err(_) => Ok(read),
    }
}

/// feed-rs's "no root element" with the root it found named.
fn name_root(error: ParseError, text: &str) -> ParseError {
    match error {
        ParseError::NotAFeed(why) if why == NO_ROOT => match root_name(text) {
            Some(root) => ParseError::NotAFeed(format!(
                "the root element is <{root}>, not rss, RDF or feed"
            )),
            None => ParseError::Malformed("no XML element in the document".into()),
        },
        other => other,
    }
}

fn root_name(text: &str) -> Option<String> {
    xmlparser::Tokenizer::from(text)
        .map_while(Result::ok)
        .find_map(|t| match t {
            xmlparser::Token::ElementStart { local, .. } => Some(local.as_str().to_string()),
            _ => None,
        })
}

/// An HTML page (a site's home page given as a feed, an error page).
pub(super) fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    head.contains("<!doctype html") || head.contains("<html")
}

/// A gzip body served without Content-Encoding, inflated (bounded).
fn inflate(body: &[u8]) -> Result<Cow<'_, [u8]>, ParseError> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(Cow::Borrowed(body));
    }
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(MAX_INFLATED)
        .read_to_end(&mut inflated)
        .map_err(|e| ParseError::Malformed(format!("gzip body does not inflate: {e}")))?;
    Ok(Cow::Owned(inflated))
}

/// The bytes from the first that is neither ASCII whitespace nor a UTF-8 byte-order mark.
fn skip_preamble(bytes: &[u8]) -> &[u8] {
    let mut rest = bytes;
    loop {
        if let Some(after) = rest.strip_prefix(b"\xEF\xBB\xBF") {
            rest = after;
        } else if let Some((first, after)) = rest.split_first()
            && first.is_ascii_whitespace()
        {
            rest = after;
        } else {
            return rest;
        }
    }
}

/// feed-rs 3.0 panics on some malformed input (an assertion in its Media RSS handler, seen
/// with an unclosed CDATA section); one bad feed must not take the poller down with it.
fn guarded_parse(
    parser: &feed_rs::parser::Parser,
    bytes: &[u8],
) -> Result<feed_rs::model::Feed, ParseError> {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError};
    match quiet_catch_unwind(|| parser.parse(bytes)) {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot))) => {
            Err(ParseError::NotAFeed(NO_ROOT.into()))
        }
        Ok(Err(e)) => Err(ParseError::Malformed(e.to_string())),
        Err(_) => Err(ParseError::Malformed(
            "the feed parser crashed on this document".into(),
        )),
    }
}

thread_local! {
    /// Set while this thread runs code whose panics are caught and reported as errors.
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `catch_unwind` whose caught panic prints nothing: the process's panic hook is wrapped once
/// so that a panic on a thread inside this call is only a debug log line (the caller turns
/// it into an error naming the feed); every other panic is printed as before.
fn quiet_catch_unwind<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(std::cell::Cell::get) {
                tracing::debug!(panic = %info, "the feed parser panicked (caught)");
            } else {
                previous(info);
            }
        }));
    });
    CATCHING.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(false));
    result
}

/// feed-rs's "no root element", said better by [`name_root`] once the text is decoded.
const NO_ROOT: &str = "no rss, RDF or feed root element";

/// The document as UTF-8 (decoded by its byte-order mark, declaration or detection, a lying
/// declaration re-checked) with a declaration saying so, and RSS given its missing `version`.
fn repair_xml(bytes: &[u8]) -> String {
    let mut text = crate::clean::decode::decode(bytes, None, None).text;
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
        let raw = RawEntry {
            link: pick_link(&entry.links).map(str::to_string),
            guid: Some(entry.id),
            title: entry.title.map(|t| t.content),
            published_at: entry.published.or(entry.updated),
        };
        match finish(raw, base.as_ref()) {
            Ok(entry) => out.entries.push(entry),
            Err(e) => out.rejected.push(e),
        }
    }
    out
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
