//! One reader per metadata field, each trying its sources in a fixed order of trust (JSON-LD,
//! `<meta>`, markup, URL) and stopping at the first answer. Must not alter the main text.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::json_ld::{as_text, first_text, image_url, name_of};
use super::people::{markup_authors, push_people, split_names};
use super::sources::Page;
use super::text::{collapse, push_unique};
use super::times::{time_elements, visible_date};
use super::title::strip_site_suffix;
use crate::clean::dates;

/// The site's name, as declared (not filtered for emptiness: the title reads it as is).
pub fn site_name(p: &Page) -> Option<String> {
    p.src
        .metas
        .first(&["og:site_name", "application-name", "twitter:site"])
        .map(str::to_owned)
        .or_else(|| p.article.and_then(|a| a.get("publisher")).and_then(name_of))
        .map(|s| collapse(s.trim_start_matches('@')))
}

/// The headline without its site suffix: JSON-LD, then OpenGraph/Twitter, then `<title>`.
pub fn title(p: &Page, site_name: Option<&str>) -> Option<String> {
    let headline = p
        .ld_str("headline")
        .or_else(|| {
            p.src
                .metas
                .first(&["og:title", "twitter:title", "headline"])
                .map(str::to_owned)
        })
        .or_else(|| p.src.raw_title.clone());
    let title = headline.map(|t| strip_site_suffix(&collapse(&t), site_name, p.url));
    title.filter(|t| !t.is_empty())
}

/// JSON-LD author/creator, then the first `<meta>` author key that names someone, then
/// bylines in the markup.
pub fn authors(p: &Page) -> Vec<String> {
    let mut authors = Vec::new();
    if let Some(a) = p
        .article
        .and_then(|a| a.get("author").or_else(|| a.get("creator")))
    {
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
            for v in p.src.metas.all(key) {
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
        authors = markup_authors(p.doc);
    }
    authors
}

/// JSON-LD `datePublished`, `<meta>`, `<time>`, JSON-LD `dateCreated`, the URL, then a
/// visible date; never a modification time.
pub fn published(p: &Page) -> Option<DateTime<FixedOffset>> {
    p.ld_str("datePublished")
        .and_then(|s| dates::parse(&s))
        .or_else(|| {
            p.src
                .metas
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
        .or_else(|| time_elements(p.doc, &p.src.times, false))
        .or_else(|| p.ld_str("dateCreated").and_then(|s| dates::parse(&s)))
        .or_else(|| p.url.and_then(|u| dates::from_url(u.path())))
        .or_else(|| visible_date(p.doc))
}

/// JSON-LD `dateModified`, `<meta>`, then a `<time>` marked as updated.
pub fn modified(p: &Page) -> Option<DateTime<FixedOffset>> {
    p.ld_str("dateModified")
        .and_then(|s| dates::parse(&s))
        .or_else(|| {
            p.src
                .metas
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
        .or_else(|| time_elements(p.doc, &p.src.times, true))
}

/// `<link rel=canonical>`, `og:url`, then JSON-LD `mainEntityOfPage`, resolved.
pub fn canonical_url(p: &Page) -> Option<String> {
    p.src
        .canonical
        .and_then(|h| p.resolve(h))
        .or_else(|| p.src.metas.first(&["og:url"]).and_then(|h| p.resolve(h)))
        .or_else(|| {
            p.article
                .and_then(|a| {
                    a.get("mainEntityOfPage")
                        .and_then(|m| m.get("@id").and_then(as_text).or_else(|| as_text(m)))
                })
                .and_then(|s| p.resolve(&s))
        })
}

/// OpenGraph/Twitter image, then JSON-LD `image`, resolved.
pub fn image(p: &Page) -> Option<String> {
    p.src
        .metas
        .first(&[
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:image",
            "twitter:image:src",
        ])
        .map(str::to_owned)
        .or_else(|| p.article.and_then(|a| a.get("image")).and_then(image_url))
        .and_then(|s| p.resolve(&s))
}

/// `<meta>` description, then JSON-LD `description`.
pub fn description(p: &Page) -> Option<String> {
    let description = p
        .src
        .metas
        .first(&["og:description", "description", "twitter:description"])
        .map(str::to_owned)
        .or_else(|| p.ld_str("description"))
        .map(|s| collapse(&s));
    description.filter(|s| !s.is_empty())
}

/// `<meta>` section, then the first JSON-LD `articleSection`.
pub fn section(p: &Page) -> Option<String> {
    let section = p
        .src
        .metas
        .first(&[
            "article:section",
            "section",
            "parsely-section",
            "article.section",
        ])
        .map(str::to_owned)
        .or_else(|| {
            p.article
                .and_then(|a| a.get("articleSection"))
                .and_then(first_text)
        })
        .map(|s| collapse(&s));
    section.filter(|s| !s.is_empty())
}

/// `article:tag` metas, then JSON-LD `keywords`, then keyword metas; at most 30 short tags.
pub fn tags(p: &Page) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in p.src.metas.all("article:tag") {
        push_unique(&mut tags, collapse(t));
    }
    if tags.is_empty()
        && let Some(k) = p.article.and_then(|a| a.get("keywords"))
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
        && let Some(k) = p.src.metas.first(&["news_keywords", "keywords"])
    {
        k.split(',')
            .for_each(|t| push_unique(&mut tags, collapse(t)));
    }
    tags.retain(|t| !t.is_empty() && t.chars().count() <= 80);
    tags.truncate(30);
    tags
}
