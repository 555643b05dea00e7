//! Feed autodiscovery: the feeds an HTML page advertises with
//! `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json" href="…">`, in page
//! order, resolved against the page's `<base href>` or its URL. Pure: bytes in, URLs out.

use url::Url;

use crate::clean::dom::Tag;
use crate::clean::{decode, parse};

/// The media types of the feeds a page can advertise.
const FEED_TYPES: [&str; 5] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
    "application/json",
];

/// The feed URLs `html` (fetched from `page_url`) advertises, without repeats; only http(s).
pub fn feed_links(html: &[u8], content_type: Option<&str>, page_url: &str) -> Vec<String> {
    let doc = parse::parse(decode::decode(html, content_type, None).text);
    let page = Url::parse(page_url).ok();
    let base = doc
        .elements(Tag::Base)
        .find_map(|id| doc.attr(id, "href"))
        .and_then(|href| match &page {
            Some(p) => p.join(href.trim()).ok(),
            None => Url::parse(href.trim()).ok(),
        })
        .or(page);
    let mut found: Vec<String> = Vec::new();
    for id in doc.elements(Tag::Link) {
        let rel = doc.attr(id, "rel").unwrap_or_default().to_ascii_lowercase();
        let kind = doc
            .attr(id, "type")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let media = kind.split(';').next().unwrap_or_default().trim();
        if !rel.split_ascii_whitespace().any(|r| r == "alternate") || !FEED_TYPES.contains(&media) {
            continue;
        }
        let Some(href) = doc
            .attr(id, "href")
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            continue;
        };
        let resolved = match &base {
            Some(b) => b.join(href),
            None => Url::parse(href),
        };
        if let Ok(url) = resolved
            && matches!(url.scheme(), "http" | "https")
            && !found.iter().any(|f| f == url.as_str())
        {
            found.push(url.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertised_feeds_are_found_in_order_and_resolved() {
        let html = br#"<!doctype html><html><head><title>Home</title>
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" type="application/rss+xml" title="All" href="/feed.xml">
            <LINK REL="Alternate" TYPE="application/atom+xml" HREF="atom.xml">
            <link rel="alternate" type="application/feed+json; charset=utf-8" href="https://cdn.example/f.json">
            <link rel="alternate" type="application/rss+xml" href="/feed.xml">
            <link rel="alternate" hreflang="de" href="/de/">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            </head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-tag">x</a></body></html>"#;
        assert_eq!(
            feed_links(html, None, "https://news.example/section/index.html"),
            [
                "https://news.example/feed.xml",
                "https://news.example/section/atom.xml",
                "https://cdn.example/f.json"
            ]
        );
    }

    #[test]
    fn the_base_element_moves_relative_links() {
        let html = br#"<html><head><base href="https://static.example/news/">
            <link rel="alternate" type="application/atom+xml" href="atom"></head></html>"#;
        assert_eq!(
            feed_links(html, None, "https://news.example/"),
            ["https://static.example/news/atom"]
        );
        assert!(feed_links(b"<p>no head at all", None, "https://x.example/").is_empty());
        assert!(feed_links(b"", None, "not a url").is_empty());
    }
}
