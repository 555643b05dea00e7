//! OPML to subscriptions: decoded by its byte-order mark or XML declaration (any encoding
//! `encoding_rs` knows), read with `xmlparser`, every stop reported with its line and column.

use std::time::Duration;

use encoding_rs::{Encoding, UTF_8};
use xmlparser::{ElementEnd, Token, Tokenizer};

use super::Subscription;
use crate::config::check_feed_url;

/// Why an OPML document cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {why}")]
pub struct OpmlError {
    pub line: usize,
    pub column: usize,
    pub why: String,
}

/// The feeds of an OPML document. Outlines that cannot be taken (a `xmlUrl` that is not an
/// http(s) URL, an `interval` that is not a duration) are reported in the second list, each
/// with its line, and skipped (a bad interval only drops the interval).
pub fn parse(bytes: &[u8]) -> Result<(Vec<Subscription>, Vec<String>), OpmlError> {
    let text = decode(bytes)?;
    let mut reader = Reader {
        text: &text,
        ..Reader::default()
    };
    reader.run()?;
    Ok((reader.feeds, reader.problems))
}

/// The document as text: a byte-order mark decides, else the XML declaration, else UTF-8.
fn decode(bytes: &[u8]) -> Result<String, OpmlError> {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((encoding, len)) => (encoding, &bytes[len..]),
        None => (declared(bytes)?, bytes),
    };
    let (text, malformed) = encoding.decode_without_bom_handling(body);
    if malformed {
        let at = text.find('\u{FFFD}').unwrap_or(0);
        return Err(error_at(
            &text,
            at,
            format!(
                "bytes that are not {} (the encoding the file declares, or UTF-8 when it declares none)",
                encoding.name()
            ),
        ));
    }
    Ok(text.into_owned())
}

/// The encoding the XML declaration names; UTF-8 when there is none.
fn declared(bytes: &[u8]) -> Result<&'static Encoding, OpmlError> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]);
    let Some(decl) = head
        .strip_prefix("<?xml")
        .and_then(|d| d.find("?>").map(|end| &d[..end]))
    else {
        return Ok(UTF_8);
    };
    let Some(at) = decl.find("encoding") else {
        return Ok(UTF_8);
    };
    let value = decl[at + "encoding".len()..]
        .trim_start()
        .trim_start_matches('=')
        .trim_start();
    let label: String = value
        .chars()
        .skip(1)
        .take_while(|c| *c != '"' && *c != '\'')
        .collect();
    match Encoding::for_label(label.trim().as_bytes()) {
        // A declaration readable as ASCII is not in UTF-16, whatever it says.
        Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => Ok(UTF_8),
        Some(e) => Ok(e),
        None => Err(OpmlError {
            line: 1,
            column: "<?xml".len() + at + 1,
            why: format!("unknown encoding `{label}` in the XML declaration"),
        }),
    }
}

fn error_at(text: &str, offset: usize, why: String) -> OpmlError {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    OpmlError { line, column, why }
}

/// An element that is open, where it opened, and whether it opened a folder.
struct Open {
    name: String,
    offset: usize,
    folder: bool,
}

#[derive(Default)]
struct Reader<'a> {
    text: &'a str,
    stack: Vec<Open>,
    folders: Vec<String>,
    /// The attributes of the `outline` whose start tag is being read.
    outline: Option<Vec<(String, String)>>,
    seen_body: bool,
    feeds: Vec<Subscription>,
    problems: Vec<String>,
}

impl Reader<'_> {
    fn run(&mut self) -> Result<(), OpmlError> {
        let text = self.text;
        for token in Tokenizer::from(text) {
            let token = token.map_err(|e| {
                let pos = e.pos();
                let head: String = text.chars().take(1024).collect();
                let why = if self.stack.is_empty() && head.to_ascii_lowercase().contains("<html") {
                    "an HTML page, not an OPML file".to_string()
                } else {
                    e.to_string().replace(&format!(" at {pos}"), "")
                };
                OpmlError {
                    line: pos.row as usize,
                    column: pos.col as usize,
                    why,
                }
            })?;
            self.token(token)?;
        }
        if let Some(open) = self.stack.last() {
            let (line, column) = self.line_column(open.offset);
            return Err(error_at(
                text,
                text.len(),
                format!(
                    "the file ends before <{}> (line {line}, column {column}) is closed: is it cut short?",
                    open.name
                ),
            ));
        }
        if !self.seen_body {
            return Err(error_at(
                text,
                text.len(),
                "no <opml> element with a <body>: not an OPML file".into(),
            ));
        }
        Ok(())
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let e = error_at(self.text, offset, String::new());
        (e.line, e.column)
    }

    fn token(&mut self, token: Token<'_>) -> Result<(), OpmlError> {
        match token {
            Token::ElementStart { local, span, .. } => self.start(local.as_str(), span.start())?,
            Token::Attribute { local, value, .. } => {
                if let Some(attrs) = self.outline.as_mut() {
                    attrs.push((local.to_string(), unescape(value.as_str())));
                }
            }
            Token::ElementEnd { end, span } => match end {
                ElementEnd::Open => self.outline_done(true),
                ElementEnd::Empty => {
                    self.outline_done(false);
                    self.stack.pop();
                }
                ElementEnd::Close(_, local) => self.close(local.as_str(), span.start())?,
            },
            _ => {}
        }
        Ok(())
    }

    fn start(&mut self, name: &str, offset: usize) -> Result<(), OpmlError> {
        if self.stack.is_empty() && name != "opml" {
            return Err(error_at(
                self.text,
                offset,
                format!("the root element is <{name}>, not <opml>: not an OPML file"),
            ));
        }
        let in_body = self.stack.iter().any(|o| o.name == "body");
        self.seen_body |= name == "body" && self.stack.len() == 1;
        self.stack.push(Open {
            name: name.to_string(),
            offset,
            folder: false,
        });
        if name == "outline" && in_body {
            self.outline = Some(Vec::new());
        }
        Ok(())
    }

    fn close(&mut self, name: &str, offset: usize) -> Result<(), OpmlError> {
        let Some(open) = self.stack.pop() else {
            return Err(error_at(
                self.text,
                offset,
                format!("</{name}> closes nothing"),
            ));
        };
        if open.name != name {
            let (line, column) = self.line_column(open.offset);
            return Err(error_at(
                self.text,
                offset,
                format!(
                    "</{name}> where <{}> (line {line}, column {column}) should be closed",
                    open.name
                ),
            ));
        }
        if open.folder {
            self.folders.pop();
        }
        Ok(())
    }

    /// The start tag of an outline ended: a feed, or a folder when it has children.
    fn outline_done(&mut self, has_children: bool) {
        let Some(attrs) = self.outline.take() else {
            return;
        };
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| printable(v))
                .filter(|v| !v.is_empty())
        };
        // Counted only for a problem: a large file has thousands of outlines.
        let offset = self.stack.last().map_or(0, |o| o.offset);
        let line = |r: &Self| r.line_column(offset).0;
        if let Some(xml_url) = get("xmlUrl") {
            let url = match check_feed_url(&xml_url) {
                Ok(url) => url,
                Err(why) => return self.problems.push(format!("line {}: {why}", line(self))),
            };
            let interval = get("interval").and_then(|i| match parse_interval(&i) {
                Some(d) => Some(d),
                None => {
                    let line = line(self);
                    self.problems.push(format!(
                        "line {line}: interval `{i}` of {url} is not a duration such as 30m (the feed is added without it)"
                    ));
                    None
                }
            });
            let tags = tags(&self.folders, get("category"));
            // OPML requires a text; writers (ours too) put the URL there when there is no title.
            let title = get("title")
                .or_else(|| get("text"))
                .filter(|t| *t != url && Some(t) != get("xmlUrl").as_ref());
            self.feeds.push(Subscription {
                url,
                title,
                site_url: get("htmlUrl"),
                tags,
                interval,
            });
        } else if has_children && let Some(folder) = get("text").or_else(|| get("title")) {
            self.folders.push(folder);
            if let Some(open) = self.stack.last_mut() {
                open.folder = true;
            }
        }
    }
}

/// The folders the feed sits in, then its categories (paths like `/eu` taken as names). A tag
/// never holds a comma (the `category` attribute separates tags with them), so a folder
/// named `a, b` gives two tags, as it would when written back as a category.
fn tags(folders: &[String], category: Option<String>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let names = folders
        .iter()
        .map(String::as_str)
        .chain(category.as_deref());
    for tag in names.flat_map(|c| c.split(',')) {
        let tag = tag.trim().trim_matches('/').trim();
        if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

/// `30m`, `1h 30m` or plain seconds.
fn parse_interval(s: &str) -> Option<Duration> {
    s.parse::<u64>()
        .ok()
        .map(Duration::from_secs)
        .or_else(|| humantime::parse_duration(s).ok())
        .filter(|d| !d.is_zero())
}

/// XML character references (and the HTML named ones files use without declaring them).
fn unescape(s: &str) -> String {
    crate::clean::entities::decode(s, false).into_owned()
}

/// An attribute value without surrounding white space or control characters other than line
/// breaks and tabs (which no feed list means, and which OPML written by `write` leaves out).
fn printable(value: &str) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .collect()
}
