//! A feed list as a pretty-printed OPML 2.0 document, one `outline` a line.

use std::fmt::Write;

use super::Subscription;

/// An OPML 2.0 document listing `feeds`.
pub fn render(feeds: &[Subscription]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    \
         <title>Stringer feeds</title>\n  </head>\n  <body>\n",
    );
    for feed in feeds {
        let title = feed.title.as_deref().unwrap_or(&feed.url);
        let _ = write!(
            out,
            "    <outline type=\"rss\" text=\"{}\" title=\"{}\" xmlUrl=\"{}\"",
            escape(title),
            escape(title),
            escape(&feed.url)
        );
        if let Some(site) = &feed.site_url {
            let _ = write!(out, " htmlUrl=\"{}\"", escape(site));
        }
        if !feed.tags.is_empty() {
            let _ = write!(out, " category=\"{}\"", escape(&feed.tags.join(",")));
        }
        if let Some(interval) = feed.interval {
            let _ = write!(
                out,
                " interval=\"{}\"",
                humantime::format_duration(interval)
            );
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// Text safe inside a double-quoted attribute, line breaks and tabs kept as references.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
