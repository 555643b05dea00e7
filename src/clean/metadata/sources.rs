//! One pass over the tree gathering every metadata source (`<meta>`, canonical link, `<base>`,
//! JSON-LD, `<title>`, `<time>`, `lang`). It only collects; it must not decide any field.

use serde_json::Value;

use super::json_ld::{as_text, collect_objects, parse_json_ld, pick_article};
use super::text::collapse;
use crate::clean::dom::{Document, NodeId, Tag};

/// `<meta>` values by key (property/name/itemprop/http-equiv, lower-cased), in page order.
pub struct Metas<'a>(Vec<(String, &'a str)>);

impl<'a> Metas<'a> {
    pub fn first(&self, keys: &[&str]) -> Option<&'a str> {
        keys.iter().find_map(|k| {
            self.0
                .iter()
                .find(|(n, v)| n == k && !v.trim().is_empty())
                .map(|(_, v)| v.trim())
        })
    }

    pub fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.0
            .iter()
            .filter(move |(n, _)| n == key)
            .map(|(_, v)| v.trim())
    }
}

/// Everything one pass over the tree found, in page order.
pub struct Sources<'a> {
    pub metas: Metas<'a>,
    /// The first `<link rel=canonical>` href.
    pub canonical: Option<&'a str>,
    /// The first `<base href>`.
    pub base_href: Option<&'a str>,
    /// Every JSON-LD object, `@graph` and `mainEntity` flattened.
    pub ld_objects: Vec<Value>,
    /// The first `<title>`, whitespace collapsed.
    pub raw_title: Option<String>,
    /// Every `<time>` element.
    pub times: Vec<NodeId>,
    /// The `lang` (or `xml:lang`) of the first `<html>`.
    pub lang_attr: Option<&'a str>,
}

impl<'a> Sources<'a> {
    pub fn scan(doc: &'a Document) -> Self {
        let mut found = Sources {
            metas: Metas(Vec::new()),
            canonical: None,
            base_href: None,
            ld_objects: Vec::new(),
            raw_title: None,
            times: Vec::new(),
            lang_attr: None,
        };
        for i in 0..doc.nodes.len() as NodeId {
            found.visit(doc, i);
        }
        found
    }

    fn visit(&mut self, doc: &'a Document, i: NodeId) {
        match doc.tag(i) {
            Tag::Meta => {
                let content = doc.attr(i, "content");
                for key in ["property", "name", "itemprop", "http-equiv"] {
                    if let (Some(k), Some(c)) = (doc.attr(i, key), content) {
                        self.metas.0.push((k.trim().to_ascii_lowercase(), c));
                    }
                }
            }
            Tag::Link => {
                let rel = doc.attr(i, "rel").unwrap_or("");
                if self.canonical.is_none()
                    && rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    self.canonical = doc.attr(i, "href");
                }
            }
            Tag::Base if self.base_href.is_none() => self.base_href = doc.attr(i, "href"),
            Tag::Script => {
                let ty = doc.attr(i, "type").unwrap_or("");
                if ty.to_ascii_lowercase().contains("ld+json") {
                    let text = doc.raw_text(i);
                    if let Some(v) = parse_json_ld(&text) {
                        collect_objects(v, &mut self.ld_objects, 0);
                    }
                }
            }
            Tag::Title if self.raw_title.is_none() => {
                self.raw_title = Some(collapse(&doc.raw_text(i)))
            }
            Tag::Time => self.times.push(i),
            Tag::Html if self.lang_attr.is_none() => {
                self.lang_attr = doc.attr(i, "lang").or(doc.attr(i, "xml:lang"))
            }
            _ => {}
        }
    }
}

/// The sources as the field readers see them, with the page's base URL and its JSON-LD
/// article object.
pub struct Page<'a> {
    pub doc: &'a Document,
    pub url: Option<&'a url::Url>,
    pub src: &'a Sources<'a>,
    /// The JSON-LD object describing the article itself, if any.
    pub article: Option<&'a Value>,
    base: Option<url::Url>,
}

impl<'a> Page<'a> {
    pub fn new(doc: &'a Document, url: Option<&'a url::Url>, src: &'a Sources<'a>) -> Self {
        let base = match (url, src.base_href) {
            (Some(u), Some(b)) => u.join(b).ok(),
            (Some(u), None) => Some(u.clone()),
            (None, Some(b)) => url::Url::parse(b).ok(),
            (None, None) => None,
        };
        Page {
            doc,
            url,
            src,
            article: pick_article(&src.ld_objects),
            base,
        }
    }

    /// A link as an absolute URL, against `<base href>` or the page URL.
    pub fn resolve(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() {
            return None;
        }
        match &self.base {
            Some(b) => b.join(href).ok().map(String::from),
            None => url::Url::parse(href).ok().map(String::from),
        }
    }

    /// A text value of the JSON-LD article.
    pub fn ld_str(&self, key: &str) -> Option<String> {
        self.article.and_then(|a| a.get(key)).and_then(as_text)
    }
}
