//! A small feed reader that needs no namespace: items are elements named `item` or `entry`
//! under any prefix or default namespace, their fields the children named `title`, `link`,
//! `guid`/`id` and a date. It is the second reader, used where feed-rs reads nothing from a
//! document that has items: RSS 0.90 (RDF in the 0.90 namespace), RSS 2.0 in the UserLand
//! namespace, RSS items whose link is an `atom:link` element (as .NET writes them), and
//! documents cut short (the items before the break are kept).
//!
//! It reads items only inside a feed element (`rss`, `RDF`, `feed`, `channel`, any case), so
//! an HTML page is never taken for a feed, while an XHTML page wrapping an Atom feed is read.

use xmlparser::{ElementEnd, Token, Tokenizer};

use super::entry::RawEntry;

/// What the reader found; `None` from [`read`] when there is no feed element.
#[derive(Debug, Default)]
pub(super) struct Items {
    pub title: Option<String>,
    pub entries: Vec<RawEntry>,
    /// The document ended in an XML error after these entries.
    pub broken: Option<String>,
}

const FEED_ROOTS: [&str; 4] = ["rss", "rdf", "feed", "channel"];
const DATE_FIELDS: [&str; 6] = [
    "pubDate",
    "published",
    "date",
    "issued",
    "updated",
    "modified",
];

/// The element being read: its local name, depth, and the `href`/`rel` of a link element.
struct Open {
    name: String,
    href: Option<String>,
    rel: Option<String>,
}

#[derive(Default)]
struct Reader {
    out: Items,
    stack: Vec<Open>,
    /// Depth of the outermost feed element, once inside one.
    feed_depth: Option<usize>,
    /// Depth of the item being read (its element is `stack[depth - 1]`).
    item_depth: Option<usize>,
    item: RawEntry,
    /// The best link so far has the weight of its kind: 2 alternate `href`, 1 other `href`.
    link_weight: u8,
    dates: Vec<(usize, String)>,
    text: String,
}

/// Reads `text` (UTF-8, declaration first). Never panics; stops at the first XML error.
pub(super) fn read(text: &str) -> Option<Items> {
    let mut reader = Reader::default();
    let mut saw_feed = false;
    for token in Tokenizer::from(text) {
        let token = match token {
            Ok(t) => t,
            Err(e) => {
                reader.out.broken = Some(e.to_string());
                break;
            }
        };
        reader.token(token);
        saw_feed |= reader.feed_depth.is_some();
    }
    saw_feed.then_some(reader.out)
}

impl Reader {
    fn token(&mut self, token: Token<'_>) {
        match token {
            Token::ElementStart { local, .. } => self.start(local.as_str()),
            Token::Attribute { local, value, .. } => self.attribute(local.as_str(), value.as_str()),
            Token::ElementEnd { end, .. } => match end {
                ElementEnd::Open => {}
                ElementEnd::Empty | ElementEnd::Close(..) => self.end(),
            },
            Token::Text { text } => self.text.push_str(&unescape(text.as_str())),
            Token::Cdata { text, .. } => self.text.push_str(text.as_str()),
            _ => {}
        }
    }

    fn start(&mut self, name: &str) {
        self.text.clear();
        self.stack.push(Open {
            name: name.to_string(),
            href: None,
            rel: None,
        });
        if self.feed_depth.is_none() && FEED_ROOTS.iter().any(|r| name.eq_ignore_ascii_case(r)) {
            self.feed_depth = Some(self.stack.len());
        }
        let in_feed = self.feed_depth.is_some();
        if in_feed && self.item_depth.is_none() && (name == "item" || name == "entry") {
            self.item_depth = Some(self.stack.len());
            self.item = RawEntry::default();
            self.link_weight = 0;
            self.dates.clear();
        }
    }

    fn attribute(&mut self, name: &str, value: &str) {
        if let Some(open) = self.stack.last_mut() {
            match name {
                "href" => open.href = Some(unescape(value)),
                "rel" => open.rel = Some(value.trim().to_ascii_lowercase()),
                _ => {}
            }
        }
    }

    fn end(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        let text = std::mem::take(&mut self.text);
        let depth = self.stack.len() + 1;
        match self.item_depth {
            Some(d) if d == depth => {
                self.item_depth = None;
                self.item.published_at = self.best_date();
                self.out.entries.push(std::mem::take(&mut self.item));
            }
            Some(d) if d + 1 == depth => self.field(open, text),
            None if open.name == "title"
                && self.out.title.is_none()
                && self.feed_depth.is_some_and(|f| depth <= f + 2) =>
            {
                self.out.title = Some(text.trim().to_string()).filter(|t| !t.is_empty());
            }
            _ => {}
        }
    }

    /// A child element of the item ended.
    fn field(&mut self, open: Open, text: String) {
        let text = text.trim().to_string();
        match open.name.as_str() {
            "title" if self.item.title.is_none() => self.item.title = Some(text),
            "guid" | "id" if self.item.guid.is_none() => self.item.guid = Some(text),
            "link" => self.link(open, text),
            name => {
                if let Some(rank) = DATE_FIELDS.iter().position(|f| *f == name) {
                    self.dates.push((rank, text));
                }
            }
        }
    }

    /// RSS `<link>` text beats any `href`; an alternate (or unlabelled) `href` beats others.
    fn link(&mut self, open: Open, text: String) {
        let (link, weight) = match open.href {
            Some(href) if open.rel.as_deref().is_none_or(|r| r == "alternate") => (href, 2),
            Some(href) => (href, 1),
            None if !text.is_empty() => (text, 3),
            None => return,
        };
        if weight > self.link_weight {
            self.item.link = Some(link);
            self.link_weight = weight;
        }
    }

    /// The first date field in order of preference that parses; a bad date is no date.
    fn best_date(&mut self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.dates.sort_by_key(|(rank, _)| *rank);
        self.dates
            .iter()
            .find_map(|(_, d)| crate::clean::dates::parse(d))
            .map(|d| d.with_timezone(&chrono::Utc))
    }
}

/// XML character references and the HTML named ones feeds use without declaring them.
fn unescape(s: &str) -> String {
    crate::clean::entities::decode(s, false).into_owned()
}
