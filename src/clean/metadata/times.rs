//! Dates in the markup: `<time datetime>` elements marked as published or modified, and
//! visible date text in elements named like a date. Must not read JSON-LD or `<meta>`.

use chrono::{DateTime, FixedOffset};

use crate::clean::dates;
use crate::clean::dom::{Document, NodeId, Tag};

/// Last resort: the text of a small element named like a publication date
/// (`<span class="post-date">March 4, 2021</span>`), outside comments and teasers.
pub fn visible_date(doc: &Document) -> Option<DateTime<FixedOffset>> {
    for i in 0..doc.nodes.len() as NodeId {
        let node = doc.node(i);
        if matches!(
            node.tag,
            Tag::Text | Tag::Document | Tag::Meta | Tag::Script | Tag::Style
        ) || node.end - i > 12
        {
            continue;
        }
        let named = [
            doc.attr(i, "class"),
            doc.attr(i, "id"),
            doc.attr(i, "itemprop"),
        ]
        .into_iter()
        .flatten()
        .any(|v| {
            let v = v.to_ascii_lowercase();
            (v.contains("date") || v.contains("publish") || v.contains("posted"))
                && !v.contains("updat")
                && !v.contains("modif")
        });
        if !named || in_other_text(doc, i) {
            continue;
        }
        let text = doc.raw_text(i);
        if let Some(d) = (text.len() <= 120).then(|| dates::parse(&text)).flatten() {
            return Some(d);
        }
    }
    None
}

/// Inside a comment thread, teaser list or sidebar: dates there belong to other texts.
fn in_other_text(doc: &Document, id: NodeId) -> bool {
    doc.ancestors(id).any(|a| {
        matches!(doc.tag(a), Tag::Aside | Tag::Footer | Tag::Nav)
            || [doc.attr(a, "class"), doc.attr(a, "id")]
                .into_iter()
                .flatten()
                .any(|c| {
                    let c = c.to_ascii_lowercase();
                    [
                        "comment",
                        "related",
                        "sidebar",
                        "widget",
                        "teaser",
                        "recommend",
                    ]
                    .iter()
                    .any(|w| c.contains(w))
                })
    })
}

/// `<time datetime>`: the first marked (itemprop, class, or a label like "Updated") as
/// published or modified as asked; for published, the first unmarked one too.
pub fn time_elements(
    doc: &Document,
    times: &[NodeId],
    modified: bool,
) -> Option<DateTime<FixedOffset>> {
    let parsed = |t: NodeId| time_value(doc, t);
    if modified {
        return times
            .iter()
            .copied()
            .filter(|&t| marked_modified(doc, t))
            .find_map(parsed);
    }
    times
        .iter()
        .copied()
        .filter(|&t| marked_published(doc, t))
        .find_map(parsed)
        .or_else(|| {
            times
                .iter()
                .copied()
                .filter(|&t| !marked_modified(doc, t))
                .find_map(parsed)
        })
}

/// A `<time>` whose own names, its parent's class or its label say "modified"/"updated".
fn marked_modified(doc: &Document, t: NodeId) -> bool {
    let own = [doc.attr(t, "itemprop"), doc.attr(t, "class")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let parent = doc.node(t).parent;
    let context = format!("{own} {}", doc.attr(parent, "class").unwrap_or("")).to_lowercase();
    let label = doc.raw_text(parent).to_lowercase();
    context.contains("modif")
        || context.contains("updat")
        || label.trim_start().starts_with("updated")
}

/// A `<time>` marked as the publication time (itemprop, class or the `pubdate` attribute).
fn marked_published(doc: &Document, t: NodeId) -> bool {
    let own = [
        doc.attr(t, "itemprop"),
        doc.attr(t, "class"),
        doc.attr(t, "pubdate"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase();
    own.contains("publish") || own.contains("pubdate") || doc.attr(t, "pubdate").is_some()
}

/// The `datetime` of a `<time>`, unless it sits in another text.
fn time_value(doc: &Document, t: NodeId) -> Option<DateTime<FixedOffset>> {
    // Times in comment threads, teasers and sidebars belong to other texts.
    let elsewhere = in_other_text(doc, t);
    if elsewhere {
        None
    } else {
        doc.attr(t, "datetime").and_then(dates::parse)
    }
}
