//! schema.org JSON-LD: parsing the scripts as published, flattening `@graph`/`mainEntity`,
//! picking the article object and reading its values. Must not choose between sources.

use serde_json::Value;

use super::text::collapse;
use crate::clean::dom::{Document, Tag};

/// The `articleBody` of the page's JSON-LD article, as paragraphs joined by blank lines
/// (markup inside it, which some CMSs leave in, is rendered to text).
pub fn json_ld_article_body(doc: &Document) -> Option<String> {
    let mut objects = Vec::new();
    for i in doc.elements(Tag::Script) {
        let is_ld = doc
            .attr(i, "type")
            .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"));
        if let Some(v) = is_ld.then(|| parse_json_ld(&doc.raw_text(i))).flatten() {
            collect_objects(v, &mut objects, 0);
        }
    }
    pick_article(&objects).and_then(article_body_text)
}

pub fn article_body_text(article: &Value) -> Option<String> {
    let body = article.get("articleBody").and_then(as_text)?;
    let text = if body.contains('<') {
        let inner = crate::clean::parse::parse(body);
        let skip = vec![false; inner.nodes.len()];
        let blocks = crate::clean::blocks::segment(&inner, 0, &skip);
        crate::clean::blocks::join(blocks.iter().map(|b| b.text.as_str()))
    } else {
        let paragraphs: Vec<String> = body
            .split('\n')
            .map(collapse)
            .filter(|p| !p.is_empty())
            .collect();
        paragraphs.join("\n\n")
    };
    (!text.is_empty()).then_some(text)
}

/// JSON-LD as published: often wrapped in comments/CDATA, sometimes with raw newlines inside
/// strings (invalid JSON that browsers' consumers tolerate).
pub fn parse_json_ld(text: &str) -> Option<Value> {
    let t = text.trim();
    let t = t.trim_start_matches("<!--").trim_end_matches("-->").trim();
    let t = t
        .trim_start_matches("//<![CDATA[")
        .trim_end_matches("//]]>")
        .trim();
    if let Ok(v) = serde_json::from_str(t) {
        return Some(v);
    }
    let cleaned: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    serde_json::from_str(&cleaned).ok()
}

pub fn collect_objects(v: Value, out: &mut Vec<Value>, depth: u32) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items
            .into_iter()
            .for_each(|i| collect_objects(i, out, depth + 1)),
        Value::Object(mut map) => {
            if let Some(g) = map.remove("@graph") {
                collect_objects(g, out, depth + 1);
            }
            if let Some(m) = map.get("mainEntity").cloned()
                && m.is_object()
            {
                collect_objects(m, out, depth + 1);
            }
            out.push(Value::Object(map));
        }
        _ => {}
    }
}

fn types(v: &Value) -> Vec<&str> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The object describing the article itself: an Article subtype first, then a WebPage.
pub fn pick_article(objects: &[Value]) -> Option<&Value> {
    let rank = |v: &Value| {
        types(v)
            .iter()
            .map(|t| {
                if t.ends_with("Article")
                    || t.ends_with("Posting")
                    || *t == "Report"
                    || *t == "Review"
                {
                    3
                } else if t.ends_with("WebPage") {
                    1
                } else {
                    0
                }
            })
            .max()
            .unwrap_or(0)
    };
    objects
        .iter()
        .filter(|o| rank(o) > 0)
        .max_by_key(|o| (rank(o), o.get("headline").is_some()))
}

pub fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let s = crate::clean::entities::decode(s.trim(), false).into_owned();
            (!s.is_empty()).then_some(s)
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn first_text(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(as_text),
        other => as_text(other),
    }
}

pub fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(name_of),
        Value::Object(_) => v.get("name").and_then(as_text),
        other => as_text(other),
    }
}

pub fn image_url(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(image_url),
        Value::Object(_) => v
            .get("url")
            .or_else(|| v.get("contentUrl"))
            .and_then(as_text),
        other => as_text(other),
    }
}
