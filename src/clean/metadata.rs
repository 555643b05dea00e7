//! Page metadata: title, authors, published/modified times, canonical URL, site name,
//! language, lead image, description, section and tags.
//!
//! Sources in order of trust: schema.org JSON-LD, then OpenGraph / `article:` / common `<meta>`
//! names, then microdata and `<time>` elements in the markup, then the URL. Published and
//! modified times come from separate fields and never stand in for each other (a page's
//! `dateModified` is not its publication time). Reads the parsed tree only; must not choose
//! or alter the main text.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::dates;
use super::dom::{Document, NodeId, Tag};

/// Everything found about the page, before the main text is attached.
#[derive(Debug, Default, Clone)]
pub struct Metadata {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub modified_at: Option<DateTime<FixedOffset>>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
    /// Declared language, ISO 639-1.
    pub language: Option<String>,
    pub image: Option<String>,
    pub description: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    /// The `<title>` element as written, for recognising the headline in the body.
    pub raw_title: Option<String>,
    /// The JSON-LD `articleBody` as paragraphs, a hint (and fallback) for the main text.
    pub article_body: Option<String>,
}

/// `<meta>` values by key (property/name/itemprop/http-equiv, lower-cased), in page order.
struct Metas<'a>(Vec<(String, &'a str)>);

impl<'a> Metas<'a> {
    fn first(&self, keys: &[&str]) -> Option<&'a str> {
        keys.iter().find_map(|k| {
            self.0
                .iter()
                .find(|(n, v)| n == k && !v.trim().is_empty())
                .map(|(_, v)| v.trim())
        })
    }

    fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.0
            .iter()
            .filter(move |(n, _)| n == key)
            .map(|(_, v)| v.trim())
    }
}

pub fn extract(doc: &Document, url: Option<&url::Url>) -> Metadata {
    let mut metas = Vec::new();
    let mut canonical = None;
    let mut base_href = None;
    let mut ld_objects = Vec::new();
    let mut raw_title = None;
    let mut times: Vec<NodeId> = Vec::new();
    let mut lang_attr = None;
    for i in 0..doc.nodes.len() as NodeId {
        match doc.tag(i) {
            Tag::Meta => {
                let content = doc.attr(i, "content");
                for key in ["property", "name", "itemprop", "http-equiv"] {
                    if let (Some(k), Some(c)) = (doc.attr(i, key), content) {
                        metas.push((k.trim().to_ascii_lowercase(), c));
                    }
                }
            }
            Tag::Link => {
                let rel = doc.attr(i, "rel").unwrap_or("");
                if canonical.is_none()
                    && rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    canonical = doc.attr(i, "href");
                }
            }
            Tag::Base if base_href.is_none() => base_href = doc.attr(i, "href"),
            Tag::Script => {
                let ty = doc.attr(i, "type").unwrap_or("");
                if ty.to_ascii_lowercase().contains("ld+json") {
                    let text = doc.raw_text(i);
                    if let Some(v) = parse_json_ld(&text) {
                        collect_objects(v, &mut ld_objects, 0);
                    }
                }
            }
            Tag::Title if raw_title.is_none() => raw_title = Some(collapse(&doc.raw_text(i))),
            Tag::Time => times.push(i),
            Tag::Html if lang_attr.is_none() => {
                lang_attr = doc.attr(i, "lang").or(doc.attr(i, "xml:lang"))
            }
            _ => {}
        }
    }
    let metas = Metas(metas);
    let base = match (url, base_href) {
        (Some(u), Some(b)) => u.join(b).ok(),
        (Some(u), None) => Some(u.clone()),
        (None, Some(b)) => url::Url::parse(b).ok(),
        (None, None) => None,
    };
    let resolve = |href: &str| -> Option<String> {
        let href = href.trim();
        if href.is_empty() {
            return None;
        }
        match &base {
            Some(b) => b.join(href).ok().map(String::from),
            None => url::Url::parse(href).ok().map(String::from),
        }
    };
    let article = pick_article(&ld_objects);
    let ld_str = |key: &str| article.and_then(|a| a.get(key)).and_then(as_text);

    let site_name = metas
        .first(&["og:site_name", "application-name", "twitter:site"])
        .map(str::to_owned)
        .or_else(|| article.and_then(|a| a.get("publisher")).and_then(name_of))
        .map(|s| collapse(s.trim_start_matches('@')));

    let headline = ld_str("headline")
        .or_else(|| {
            metas
                .first(&["og:title", "twitter:title", "headline"])
                .map(str::to_owned)
        })
        .or_else(|| raw_title.clone());
    let title = headline.map(|t| strip_site_suffix(&collapse(&t), site_name.as_deref(), url));

    let mut authors = Vec::new();
    if let Some(a) = article.and_then(|a| a.get("author").or_else(|| a.get("creator"))) {
        push_people(a, &mut authors);
    }
    if authors.is_empty() {
        for key in [
            "author",
            "article:author",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "byl",
            "dcterms.creator",
        ] {
            for v in metas.all(key) {
                if !v.contains("://") {
                    for name in split_names(v) {
                        push_unique(&mut authors, name);
                    }
                }
            }
            if !authors.is_empty() {
                break;
            }
        }
    }
    if authors.is_empty() {
        authors = markup_authors(doc);
    }

    let published_at = ld_str("datePublished")
        .and_then(|s| dates::parse(&s))
        .or_else(|| {
            metas
                .first(&[
                    "article:published_time",
                    "og:article:published_time",
                    "datepublished",
                    "article.published",
                    "published_time",
                    "publishdate",
                    "pubdate",
                    "date",
                    "dc.date.issued",
                    "dc.date",
                    "dcterms.created",
                    "dcterms.date",
                    "sailthru.date",
                    "parsely-pub-date",
                    "publish-date",
                    "release_date",
                    "og:published_time",
                ])
                .and_then(dates::parse)
        })
        .or_else(|| time_elements(doc, &times, false))
        .or_else(|| ld_str("dateCreated").and_then(|s| dates::parse(&s)))
        .or_else(|| url.and_then(|u| dates::from_url(u.path())))
        .or_else(|| visible_date(doc));
    let modified_at = ld_str("dateModified")
        .and_then(|s| dates::parse(&s))
        .or_else(|| {
            metas
                .first(&[
                    "article:modified_time",
                    "og:updated_time",
                    "og:article:modified_time",
                    "datemodified",
                    "dcterms.modified",
                    "last-modified",
                    "lastmod",
                    "revised",
                ])
                .and_then(dates::parse)
        })
        .or_else(|| time_elements(doc, &times, true));

    let canonical_url = canonical
        .and_then(resolve)
        .or_else(|| metas.first(&["og:url"]).and_then(resolve))
        .or_else(|| {
            article
                .and_then(|a| {
                    a.get("mainEntityOfPage")
                        .and_then(|m| m.get("@id").and_then(as_text).or_else(|| as_text(m)))
                })
                .and_then(|s| resolve(&s))
        });

    let language = lang_attr
        .and_then(iso639_1)
        .or_else(|| {
            metas
                .first(&["content-language", "language", "dc.language", "og:locale"])
                .and_then(iso639_1)
        })
        .or_else(|| ld_str("inLanguage").and_then(|s| iso639_1(&s)));

    let image = metas
        .first(&[
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:image",
            "twitter:image:src",
        ])
        .map(str::to_owned)
        .or_else(|| article.and_then(|a| a.get("image")).and_then(image_url))
        .and_then(|s| resolve(&s));

    let description = metas
        .first(&["og:description", "description", "twitter:description"])
        .map(str::to_owned)
        .or_else(|| ld_str("description"))
        .map(|s| collapse(&s));

    let section = metas
        .first(&[
            "article:section",
            "section",
            "parsely-section",
            "article.section",
        ])
        .map(str::to_owned)
        .or_else(|| {
            article
                .and_then(|a| a.get("articleSection"))
                .and_then(first_text)
        })
        .map(|s| collapse(&s));

    let mut tags: Vec<String> = Vec::new();
    for t in metas.all("article:tag") {
        push_unique(&mut tags, collapse(t));
    }
    if tags.is_empty()
        && let Some(k) = article.and_then(|a| a.get("keywords"))
    {
        match k {
            Value::Array(items) => items
                .iter()
                .filter_map(as_text)
                .for_each(|t| push_unique(&mut tags, t)),
            other => {
                if let Some(s) = as_text(other) {
                    s.split(',')
                        .for_each(|t| push_unique(&mut tags, collapse(t)));
                }
            }
        }
    }
    if tags.is_empty()
        && let Some(k) = metas.first(&["news_keywords", "keywords"])
    {
        k.split(',')
            .for_each(|t| push_unique(&mut tags, collapse(t)));
    }
    tags.retain(|t| !t.is_empty() && t.chars().count() <= 80);
    tags.truncate(30);

    Metadata {
        title: title.filter(|t| !t.is_empty()),
        authors,
        published_at,
        modified_at,
        canonical_url,
        site_name: site_name.filter(|s| !s.is_empty()),
        language,
        image,
        description: description.filter(|s| !s.is_empty()),
        section: section.filter(|s| !s.is_empty()),
        tags,
        raw_title,
        article_body: article.and_then(article_body_text),
    }
}

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

fn article_body_text(article: &Value) -> Option<String> {
    let body = article.get("articleBody").and_then(as_text)?;
    let text = if body.contains('<') {
        let inner = super::parse::parse(body);
        let skip = vec![false; inner.nodes.len()];
        let blocks = super::blocks::segment(&inner, 0, &skip);
        super::blocks::join(blocks.iter().map(|b| b.text.as_str()))
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

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_unique(list: &mut Vec<String>, item: String) {
    let item = collapse(&item);
    if !item.is_empty() && !list.iter().any(|x| x.eq_ignore_ascii_case(&item)) {
        list.push(item);
    }
}

/// JSON-LD as published: often wrapped in comments/CDATA, sometimes with raw newlines inside
/// strings (invalid JSON that browsers' consumers tolerate).
fn parse_json_ld(text: &str) -> Option<Value> {
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

fn collect_objects(v: Value, out: &mut Vec<Value>, depth: u32) {
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
fn pick_article(objects: &[Value]) -> Option<&Value> {
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

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let s = super::entities::decode(s.trim(), false).into_owned();
            (!s.is_empty()).then_some(s)
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn first_text(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(as_text),
        other => as_text(other),
    }
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(name_of),
        Value::Object(_) => v.get("name").and_then(as_text),
        other => as_text(other),
    }
}

fn image_url(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(image_url),
        Value::Object(_) => v
            .get("url")
            .or_else(|| v.get("contentUrl"))
            .and_then(as_text),
        other => as_text(other),
    }
}

fn push_people(v: &Value, out: &mut Vec<String>) {
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
    let lower = s.to_lowercase();
    let mut s = s.as_str();
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
            s = &s[prefix.len()..];
            break;
        }
    }
    let mut out = Vec::new();
    for part in s
        .split([',', ';', '&', '|'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" y "))
    {
        let p = part
            .trim()
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '.');
        let words = p.split_whitespace().count();
        if p.is_empty()
            || words > 5
            || p.contains('@')
            || p.contains("://")
            || p.chars().count() > 60
        {
            continue;
        }
        let pl = p.to_lowercase();
        // "Jane Doe for Example.com", "Example Media": organisations, not people.
        if pl.contains(" for ") || pl.contains(".com") || pl.ends_with(" media") {
            continue;
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
            continue;
        }
        if !p.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        out.push(p.to_owned());
    }
    out
}

/// Bylines in the markup: microdata `itemprop=author`, `rel=author` links, `.byline` text.
fn markup_authors(doc: &Document) -> Vec<String> {
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

/// Last resort: the text of a small element named like a publication date
/// (`<span class="post-date">March 4, 2021</span>`), outside comments and teasers.
fn visible_date(doc: &Document) -> Option<DateTime<FixedOffset>> {
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
fn time_elements(
    doc: &Document,
    times: &[NodeId],
    modified: bool,
) -> Option<DateTime<FixedOffset>> {
    let is_modified = |t: NodeId| {
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
    };
    let is_published = |t: NodeId| {
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
    };
    let parsed = |t: NodeId| {
        // Times in comment threads, teasers and sidebars belong to other texts.
        let elsewhere = in_other_text(doc, t);
        if elsewhere {
            None
        } else {
            doc.attr(t, "datetime").and_then(dates::parse)
        }
    };
    if modified {
        return times
            .iter()
            .copied()
            .filter(|&t| is_modified(t))
            .find_map(parsed);
    }
    times
        .iter()
        .copied()
        .filter(|&t| is_published(t))
        .find_map(parsed)
        .or_else(|| {
            times
                .iter()
                .copied()
                .filter(|&t| !is_modified(t))
                .find_map(parsed)
        })
}

/// Removes a " - Site Name" / " | Site" suffix (or prefix) from a title.
pub fn strip_site_suffix(title: &str, site: Option<&str>, url: Option<&url::Url>) -> String {
    const SEPS: [&str; 7] = [" | ", " - ", " – ", " — ", " :: ", " · ", " » "];
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let site_n = site.map(norm).unwrap_or_default();
    let host_n = url
        .and_then(|u| u.host_str())
        .map(|h| {
            h.trim_start_matches("www.")
                .split('.')
                .next()
                .unwrap_or("")
                .to_lowercase()
        })
        .unwrap_or_default();
    let is_site = |part: &str| {
        let p = norm(part);
        !p.is_empty()
            && ((!site_n.is_empty() && (p == site_n || site_n.contains(&p) || p.contains(&site_n)))
                || (host_n.len() >= 3
                    && (p.contains(&host_n) || host_n.contains(&p) && p.len() >= 4)))
    };
    for sep in SEPS {
        if let Some(idx) = title.rfind(sep) {
            let (head, tail) = (&title[..idx], &title[idx + sep.len()..]);
            if is_site(tail) && head.chars().count() >= 10 {
                return strip_site_suffix(head.trim(), site, url);
            }
        }
        if let Some(idx) = title.find(sep) {
            let (head, tail) = (&title[..idx], &title[idx + sep.len()..]);
            if is_site(head) && tail.chars().count() >= 10 {
                return tail.trim().to_owned();
            }
        }
    }
    // No known site name: a short last part after " | " is still the usual site suffix.
    if let Some(idx) = title.rfind(" | ") {
        let tail = &title[idx + 3..];
        if tail.split_whitespace().count() <= 4 && title[..idx].chars().count() >= 15 {
            return title[..idx].trim().to_owned();
        }
    }
    title.to_owned()
}

/// `en-US`, `en_GB`, `eng`, `English` -> `en`.
pub fn iso639_1(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_lowercase();
    let primary = s.split(['-', '_', ',', ' ', ';']).next().unwrap_or("");
    if primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return Some(primary.to_owned());
    }
    if primary.len() == 3 {
        return from_639_3(primary).map(str::to_owned);
    }
    let by_name = match primary {
        "english" => "en",
        "french" | "français" => "fr",
        "german" | "deutsch" => "de",
        "spanish" | "español" => "es",
        "portuguese" | "português" => "pt",
        "italian" | "italiano" => "it",
        "russian" => "ru",
        "japanese" => "ja",
        "chinese" => "zh",
        _ => return None,
    };
    Some(by_name.to_owned())
}

/// ISO 639-3 (what whatlang reports) to ISO 639-1.
pub fn from_639_3(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "rus" => "ru",
        "cmn" | "zho" | "chi" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" | "fre" => "fr",
        "deu" | "ger" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" | "nor" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" | "dut" => "nl",
        "hun" => "hu",
        "ces" | "cze" => "cs",
        "ell" | "gre" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" | "rum" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" | "fas" | "per" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" | "bur" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" | "slo" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" | "arm" => "hy",
        "cym" => "cy",
        "epo" => "eo",
        "msa" | "zsm" => "ms",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_their_site_suffix() {
        let u = url::Url::parse("https://www.example-news.com/x").ok();
        assert_eq!(
            strip_site_suffix(
                "Rates rise again - Example News",
                Some("Example News"),
                u.as_ref()
            ),
            "Rates rise again"
        );
        assert_eq!(
            strip_site_suffix("Rates rise again | Example-News.com", None, u.as_ref()),
            "Rates rise again"
        );
        assert_eq!(
            strip_site_suffix(
                "Example News: Rates - a history",
                Some("Example News"),
                u.as_ref()
            ),
            "Example News: Rates - a history"
        );
        assert_eq!(
            strip_site_suffix("Obama - Biden ticket returns", Some("Daily Planet"), None),
            "Obama - Biden ticket returns"
        );
    }

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

    #[test]
    fn languages_normalise_to_two_letters() {
        assert_eq!(iso639_1("en-US").as_deref(), Some("en"));
        assert_eq!(iso639_1("pt_BR").as_deref(), Some("pt"));
        assert_eq!(iso639_1("deu").as_deref(), Some("de"));
        assert_eq!(iso639_1("x"), None);
    }
}
