//! OPML in and out, by case.

use std::time::Duration;

use super::*;

const NESTED: &str = r#"<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="World">
    <outline text="Example World" type="rss" xmlUrl="https://a.example/world.xml" htmlUrl="https://a.example/"/>
    <outline text="Europe"><outline text="EU desk" xmlUrl="https://b.example/eu.rss#top" category="politics, /eu" interval="2h"/></outline>
  </outline>
  <outline text="Broken" xmlUrl="ftp://nope/feed"/>
  <outline text="Odd" xmlUrl="https://c.example/odd" interval="soon"/>
</body></opml>"#;

#[test]
fn folders_and_categories_become_tags() {
    let (feeds, problems) = parse(NESTED.as_bytes()).unwrap();
    assert_eq!(feeds.len(), 3);
    assert_eq!(feeds[0].url, "https://a.example/world.xml");
    assert_eq!(feeds[0].tags, vec!["World"]);
    assert_eq!(feeds[0].site_url.as_deref(), Some("https://a.example/"));
    assert_eq!(feeds[1].url, "https://b.example/eu.rss", "fragment dropped");
    assert_eq!(feeds[1].tags, vec!["World", "Europe", "politics", "eu"]);
    assert_eq!(feeds[1].interval, Some(Duration::from_secs(7200)));
    assert_eq!(feeds[2].interval, None);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("line 7: ") && problems[0].contains("ftp://nope/feed"));
    assert!(problems[1].starts_with("line 8: ") && problems[1].contains("soon"));
}

#[test]
fn render_is_pretty_and_round_trips_tags_and_intervals() {
    let (feeds, _) = parse(NESTED.as_bytes()).unwrap();
    let xml = render(&feeds);
    assert_eq!(xml.lines().count(), 3 + 6 + feeds.len() - 1, "{xml}");
    assert!(xml.contains("\n    <outline "), "{xml}");
    let (again, problems) = parse(xml.as_bytes()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(again, feeds);
}

#[test]
fn awkward_titles_survive_the_round_trip() {
    let feeds = vec![Subscription {
        url: "https://x.example/f?a=1&b=2".into(),
        title: Some("Q&A <live> \"quoted\"\nnext line".into()),
        site_url: None,
        tags: vec!["a b".into(), "ü".into()],
        interval: Some(Duration::from_secs(90)),
    }];
    let (again, _) = parse(render(&feeds).as_bytes()).unwrap();
    assert_eq!(again, feeds);
}

#[test]
fn a_latin1_file_is_read_by_its_declaration() {
    let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<opml version=\"1.0\"><body>\
        <outline text=\"Caf\u{e9}s\"><outline text=\"Le Monde \u{e0} la une\" xmlUrl=\"https://lemonde.example/rss\"/></outline>\
        </body></opml>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(xml);
    let (feeds, _) = parse(&bytes).unwrap();
    assert_eq!(feeds[0].title.as_deref(), Some("Le Monde \u{e0} la une"));
    assert_eq!(feeds[0].tags, vec!["Caf\u{e9}s"]);
    // The same bytes declared UTF-8 are refused with the place of the first bad byte.
    let at = bytes.windows(10).position(|w| w == b"ISO-8859-1").unwrap();
    let lying = [&bytes[..at], b"UTF-8", &bytes[at + 10..]].concat();
    let e = parse(&lying).unwrap_err();
    assert_eq!((e.line, e.why.contains("UTF-8")), (2, true), "{e}");
}

#[test]
fn utf16_with_a_byte_order_mark_is_read() {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><opml><body><outline text=\"\u{65e5}\" xmlUrl=\"https://j.example/\"/></body></opml>";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in xml.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let (feeds, _) = parse(&bytes).unwrap();
    assert_eq!(feeds[0].title.as_deref(), Some("\u{65e5}"));
}

#[test]
fn what_cannot_be_read_is_said_with_its_line_and_column() {
    let cut = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\">\n<body>\n  <outline text=\"a\" xmlUrl=\"https://a.example/f\"/>\n  <outline text=\"folder\">\n";
    let e = parse(cut.as_bytes()).unwrap_err();
    assert!(
        e.why.contains("<outline> (line 5, column 3)") && e.why.contains("cut short"),
        "{e}"
    );
    assert_eq!(e.line, 6);

    let html = "<!DOCTYPE html>\n<html><head><title>Log in</title></head><body></body></html>";
    let e = parse(html.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.column), (2, 1), "{e}");
    assert!(e.why.contains("<html>"), "{e}");

    let crossed = "<opml>\n<body>\n<outline text=\"x\">\n</body></opml>";
    let e = parse(crossed.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.column), (4, 1), "{e}");
    assert!(
        e.why.contains("</body>") && e.why.contains("line 3, column 1"),
        "{e}"
    );

    let broken = "<opml><body><outline text=\"x\" xmlUrl=https://a/></body></opml>";
    let e = parse(broken.as_bytes()).unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    assert!(e.column > 20, "{e}");

    for nothing in ["", "plain text", "<rss/>", "<opml><head/></opml>"] {
        assert!(parse(nothing.as_bytes()).is_err(), "{nothing}");
    }
    let e = parse(b"<?xml version=\"1.0\" encoding=\"klingon\"?><opml/>").unwrap_err();
    assert!(e.why.contains("klingon"), "{e}");
}

#[test]
fn a_url_that_grows_past_the_limit_when_encoded_is_refused_not_exported() {
    // 1,500 bytes typed, 2,500 once its spaces are percent-encoded: over the 2,048 limit.
    let long = format!("https://d.example/{}", "a b".repeat(500));
    let opml = format!(
        r#"<opml version="2.0"><body><outline text="Long" xmlUrl="{long}"/><outline text="Ok" xmlUrl="https://e.example/f"/></body></opml>"#
    );
    let (feeds, problems) = parse(opml.as_bytes()).unwrap();
    assert_eq!(feeds.len(), 1, "{feeds:?}");
    assert!(problems[0].contains("once percent-encoded"), "{problems:?}");
    let (again, _) = parse(render(&feeds).as_bytes()).unwrap();
    assert_eq!(again, feeds);
}
