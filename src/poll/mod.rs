//! Feed polling: one conditional GET of a feed and the parse of what came back into
//! [`NewEntry`] values (RSS 0.90/0.91/0.92/1.0/2.0 in any namespace, Atom 0.3/1.0, JSON Feed).
//!
//! `parse` (feed-rs, then the lenient retries), `items` (the namespace-free second reader),
//! `json` (JSON Feed), `entry` (links resolved and checked the same way for every reader),
//! `discover` (the feeds an HTML page advertises, for a page given as a feed).
//! The parse is a pure function of the bytes and the feed URL. Deciding which entries are new
//! is the store's job (a unique canonical URL), not this module's.

pub mod discover;
mod entry;
mod items;
mod json;
mod parse;

use std::time::Duration;

use crate::fetch::{ErrorKind, FetchError, Fetched, Http, Outcome, Want};
use crate::model::{FeedJob, NewEntry, Validators};
use crate::schedule::ServerHints;

pub use parse::parse;

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

/// Why a document is not a feed this module can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Another kind of document (XML with another root, JSON without items, nothing).
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// An HTML page, such as a site's home page given as its feed.
    #[error("not a feed: an HTML page")]
    Page,
    /// An HTML page that advertises no feed with `<link rel="alternate">`.
    #[error("not a feed: an HTML page that advertises no feed")]
    PageWithoutFeed,
    /// A feed that is broken beyond reading.
    #[error("the feed does not parse: {0}")]
    Malformed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
}

impl PollError {
    /// The class of the failure, as feeds are counted and shown by.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PollError::Fetch(f) => f.kind(),
            PollError::Parse(ParseError::Malformed(_)) => ErrorKind::Parse,
            PollError::Parse(_) => ErrorKind::NotAFeed,
        }
    }
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

/// Fetches `job.url` conditionally and parses the body. A page that is HTML is polled
/// through the first feed it advertises (autodiscovery), fetched unconditionally.
pub async fn poll(http: &Http, job: &FeedJob) -> Result<Polled, PollError> {
    let fetched = match http.get(&job.url, Want::Feed, &job.validators).await? {
        Outcome::NotModified { hints } => return Ok(Polled::NotModified { hints }),
        Outcome::Fetched(fetched) => fetched,
    };
    match parse_off_thread(&fetched).await {
        Ok(feed) => Ok(fresh(feed, fetched)),
        Err(ParseError::Page) => {
            let links = discover::feed_links(
                &fetched.body,
                fetched.content_type.as_deref(),
                &fetched.final_url,
            );
            let first = links.first().ok_or(ParseError::PageWithoutFeed)?;
            let advertised = get(http, first).await?;
            let feed = parse_off_thread(&advertised).await?;
            // The page's validators would not tell whether the feed changed.
            Ok(fresh(
                feed,
                Fetched {
                    validators: Validators::default(),
                    ..advertised
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// What a URL offered to `feeds add` turns out to be.
#[derive(Debug)]
pub enum Found {
    /// A feed, read as the daemon will read it.
    Feed(ParsedFeed),
    /// An HTML page, with the feeds it advertises (maybe none).
    Page(Vec<String>),
}

/// Fetches `url` once and says whether it is a feed or a page advertising feeds.
pub async fn inspect(http: &Http, url: &str) -> Result<Found, PollError> {
    let fetched = get(http, url).await?;
    match parse_off_thread(&fetched).await {
        Ok(feed) => Ok(Found::Feed(feed)),
        Err(ParseError::Page) => Ok(Found::Page(discover::feed_links(
            &fetched.body,
            fetched.content_type.as_deref(),
            &fetched.final_url,
        ))),
        Err(e) => Err(e.into()),
    }
}

/// An unconditional GET of a feed.
async fn get(http: &Http, url: &str) -> Result<Fetched, PollError> {
    match http.get(url, Want::Feed, &Validators::default()).await? {
        Outcome::Fetched(fetched) => Ok(fetched),
        // Only possible if a server ignores that no validators were sent.
        Outcome::NotModified { .. } => Err(FetchError::Status {
            status: 304,
            retry_after: None,
        }
        .into()),
    }
}

/// Parsing a large feed is CPU work: it is kept off the async threads.
async fn parse_off_thread(fetched: &Fetched) -> Result<ParsedFeed, ParseError> {
    let body = fetched.body.clone();
    let url = fetched.final_url.clone();
    tokio::task::spawn_blocking(move || parse(&body, &url))
        .await
        .map_err(|e| ParseError::Malformed(format!("the feed parser failed: {e}")))?
}

fn fresh(feed: ParsedFeed, fetched: Fetched) -> Polled {
    let hints = ServerHints {
        ttl: feed.ttl,
        ..fetched.hints
    };
    Polled::Fresh {
        feed,
        validators: fetched.validators,
        hints,
        status: fetched.status,
    }
}

#[cfg(test)]
mod tests;
