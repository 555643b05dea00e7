//! People: author names from JSON-LD values, `<meta>` strings and byline markup, split and
//! cleaned. Must not decide which source wins (that is the authors field's job).

use serde_json::Value;

use super::json_ld::as_text;
use super::text::{collapse, push_unique};
use crate::clean::dom::{Document, NodeId, Tag};

pub fn push_people(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| push_people(x, out)),
        Value::Object(_) => {
            if let Some(n) = v.get("name").and_then(as_text) {
                for name in split_names(&n) {
                    push_unique(out, name);
                }
            }
        }
        Value::String(s) if !s.contains("://") => {
            for name in split_names(s) {
                push_unique(out, name);
            }
        }
        _ => {}
    }
}

/// "By Jane Doe and John Roe, Reuters" -> ["Jane Doe", "John Roe"] (agencies and roles after a
/// comma are kept only when they look like a name).
pub fn split_names(raw: &str) -> Vec<String> {
    let s = collapse(raw);
    let s = without_by_prefix(&s);
    let mut out = Vec::new();
    for part in s
        .split([',', ';', '&', '|'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" y "))
    {
        let p = part
            .trim()
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '.');
        if looks_like_name(p) {
            out.push(p.to_owned());
        }
    }
    out
}

/// `s` without a leading "By ", "Written by ", "von " and the like (compared without case).
fn without_by_prefix(s: &str) -> &str {
    let lower = s.to_lowercase();
    for prefix in [
        "written by ",
        "posted by ",
        "by: ",
        "by ",
        "von ",
        "por ",
        "par ",
        "door ",
    ] {
        if lower.starts_with(prefix) {
            return &s[prefix.len()..];
        }
    }
    s
}

/// A short, capitalised part that names a person, not an address, an organisation or a role.
fn looks_like_name(p: &str) -> bool {
    let words = p.split_whitespace().count();
    if p.is_empty() || words > 5 || p.contains('@') || p.contains("://") || p.chars().count() > 60 {
        return false;
    }
    let pl = p.to_lowercase();
    // "Jane Doe for Example.com", "Example Media": organisations, not people.
    if pl.contains(" for ") || pl.contains(".com") || pl.ends_with(" media") {
        return false;
    }
    if [
        "staff",
        "editor",
        "updated",
        "published",
        "correspondent",
        "reporter",
        "writer",
        "news",
    ]
    .iter()
    .any(|w| pl == *w || pl.ends_with(&format!(" {w}")))
    {
        return false;
    }
    p.chars().next().is_some_and(char::is_uppercase)
}

/// Bylines in the markup: microdata `itemprop=author`, `rel=author` links, `.byline` text.
pub fn markup_authors(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..doc.nodes.len() as NodeId {
        let tag = doc.tag(i);
        if tag == Tag::Text || tag == Tag::Document || tag == Tag::Meta {
            continue;
        }
        let itemprop_author = doc.attr(i, "itemprop").is_some_and(|v| {
            v.split_ascii_whitespace()
                .any(|p| p == "author" || p == "creator")
        });
        let rel_author = tag == Tag::A
            && doc
                .attr(i, "rel")
                .is_some_and(|v| v.split_ascii_whitespace().any(|p| p == "author"));
        if !itemprop_author && !rel_author {
            continue;
        }
        let name_node = doc
            .descendants(i)
            .find(|&d| doc.attr(d, "itemprop") == Some("name"))
            .unwrap_or(i);
        let text = if doc.tag(name_node) == Tag::Meta {
            doc.attr(name_node, "content").unwrap_or("").to_owned()
        } else {
            doc.raw_text(name_node)
        };
        for name in split_names(&text) {
            push_unique(&mut out, name);
        }
        if out.len() >= 5 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_split_and_cleaned() {
        assert_eq!(
            split_names("By Jane Doe and John Roe"),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(split_names("Jane Doe, Staff Writer"), ["Jane Doe"]);
        assert_eq!(
            split_names("https://example.com/jane"),
            Vec::<String>::new()
        );
    }
}
