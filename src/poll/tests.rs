//! The parse of feeds, by case.

use std::time::Duration;

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

const ITEMS: &str = "<item><title>A</title><link>https://x.example/a</link>\
    <pubDate>Tue, 03 Jun 2025 10:00:00 GMT</pubDate></item>\
    <item><title>B</title><link>https://x.example/b</link></item>";

fn entries(doc: &str) -> Vec<String> {
    parse(doc.as_bytes(), "https://x.example/feed")
        .unwrap_or_else(|e| panic!("{e}: {doc}"))
        .entries
        .into_iter()
        .map(|e| e.url)
        .collect()
}

#[test]
fn rss_090_in_its_own_namespace_is_read() {
    let doc = format!(
        "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" \
         xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel><title>Old</title>\
         <link>https://x.example/</link></channel>{ITEMS}</rdf:RDF>"
    );
    assert_eq!(
        entries(&doc),
        ["https://x.example/a", "https://x.example/b"]
    );
    let feed = parse(doc.as_bytes(), "https://x.example/feed").unwrap();
    assert_eq!(feed.title.as_deref(), Some("Old"));
    assert_eq!(
        feed.entries[0].published_at.unwrap().to_rfc3339(),
        "2025-06-03T10:00:00+00:00"
    );
}

#[test]
fn rss_2_in_the_userland_namespace_is_read() {
    let doc = format!(
        "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\"><channel>\
         <title>UL</title>{ITEMS}</channel></rss>"
    );
    assert_eq!(entries(&doc).len(), 2);
}

#[test]
fn rss_items_linked_by_atom_link_are_read() {
    let doc = "<rss version=\"2.0\" xmlns:a10=\"http://www.w3.org/2005/Atom\"><channel><title>N</title>\
        <item><guid isPermaLink=\"false\">1</guid><a10:link href=\"https://x.example/one\"/>\
        <title>One</title><a10:updated>2025-06-03T10:00:00Z</a10:updated></item>\
        <item><guid isPermaLink=\"false\">2</guid><a10:link rel=\"enclosure\" href=\"https://x.example/2.mp3\"/>\
        <a10:link href=\"/two\"/><title>Two</title></item></channel></rss>";
    assert_eq!(
        entries(doc),
        ["https://x.example/one", "https://x.example/two"]
    );
    let feed = parse(doc.as_bytes(), "https://x.example/feed").unwrap();
    assert_eq!(feed.entries[0].guid.as_deref(), Some("1"));
    assert!(feed.entries[0].published_at.is_some());
}

#[test]
fn a_byte_order_mark_and_blank_lines_before_the_declaration_are_forgiven() {
    let doc = format!("\u{feff}\r\n\n  {RSS}");
    assert_eq!(entries(&doc).len(), 2);
}

#[test]
fn relative_links_are_resolved_against_the_feed_url() {
    let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:f</id>\
        <entry><id>urn:1</id><title>r</title><link href=\"../story/1\"/></entry></feed>";
    let feed = parse(atom.as_bytes(), "https://x.example/news/feeds/atom.xml").unwrap();
    assert_eq!(feed.entries[0].url, "https://x.example/news/story/1");
    let rss = "<rss version=\"2.0\"><channel><title>t</title>\
        <item><link>story/2</link></item></channel></rss>";
    let feed = parse(rss.as_bytes(), "https://x.example/news/rss").unwrap();
    assert_eq!(feed.entries[0].url, "https://x.example/news/story/2");
}

#[test]
fn bad_dates_are_no_dates_and_the_entries_stay() {
    let rss = "<rss version=\"2.0\"><channel><title>t</title>\
        <item><link>https://x.example/1</link><pubDate>the day before yesterday</pubDate></item>\
        </channel></rss>";
    let feed = parse(rss.as_bytes(), "https://x.example/feed").unwrap();
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(feed.entries[0].published_at, None);
    let odd = "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\"><channel>\
        <item><link>https://x.example/2</link><pubDate>32 Foo 2025</pubDate></item></channel></rss>";
    let feed = parse(odd.as_bytes(), "https://x.example/feed").unwrap();
    assert_eq!(feed.entries[0].published_at, None);
}

#[test]
fn a_document_cut_short_keeps_its_complete_items() {
    let doc = format!("<rss version=\"2.0\"><channel><title>t</title>{ITEMS}<item><title>cut");
    assert_eq!(entries(&doc).len(), 2);
}

#[test]
fn an_xhtml_page_wrapping_an_atom_feed_is_read() {
    let doc = "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body>\
        <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>W</title>\
        <entry><id>urn:1</id><link rel=\"alternate\" href=\"https://x.example/w\"/></entry>\
        </feed></body></html>";
    assert_eq!(entries(doc), ["https://x.example/w"]);
}

#[test]
fn what_is_not_a_feed_is_said_by_kind() {
    let page = "<!DOCTYPE html><html><head><title>Home</title></head><body><p>hi</body></html>";
    assert!(matches!(
        parse(page.as_bytes(), "https://x.example/"),
        Err(ParseError::Page)
    ));
    let other = "<?xml version=\"1.0\"?><note><to>you</to></note>";
    assert!(matches!(
        parse(other.as_bytes(), "https://x.example/"),
        Err(ParseError::NotAFeed(why)) if why.contains("<note>")
    ));
    assert!(matches!(
        parse(b"{\"items\": [", "https://x.example/"),
        Err(ParseError::Malformed(why)) if why.contains("line 1")
    ));
    assert!(matches!(
        parse(b"{\"version\": 1}", "https://x.example/"),
        Err(ParseError::NotAFeed(_))
    ));
    assert!(matches!(
        parse(b"  ", "https://x.example/"),
        Err(ParseError::NotAFeed(_))
    ));
}

#[test]
fn the_syndication_module_asks_for_a_wait() {
    let feed = |period: &str, frequency: &str| {
        format!(
            r#"<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>T</title>
<sy:updatePeriod>{period}</sy:updatePeriod>{frequency}
<item><title>A</title><link>https://news.example/a</link><description>updatePeriod>weekly</description></item></channel></rss>"#
        )
    };
    let ttl = |doc: String| {
        parse(doc.as_bytes(), "https://news.example/feed")
            .unwrap()
            .ttl
    };
    assert_eq!(ttl(feed("hourly", "")), Some(Duration::from_secs(3600)));
    assert_eq!(
        ttl(feed(
            " daily ",
            "<sy:updateFrequency>4</sy:updateFrequency>"
        )),
        Some(Duration::from_secs(6 * 3600))
    );
    assert_eq!(ttl(feed("sometimes", "")), None);
}
