//! Page metadata: title, authors, published/modified times, canonical URL, site name,
//! language, lead image, description, section and tags.
//!
//! Sources in order of trust: schema.org JSON-LD, then OpenGraph / `article:` / common `<meta>`
//! names, then microdata and `<time>` elements in the markup, then the URL. Published and
//! modified times come from separate fields and never stand in for each other (a page's
//! `dateModified` is not its publication time). Reads the parsed tree only; must not choose
//! or alter the main text.

use chrono::{DateTime, FixedOffset};

use crate::clean::dom::Document;
use crate::text::language::iso639_1;

mod fields;
mod json_ld;
mod people;
mod sources;
mod text;
mod times;
mod title;

pub use json_ld::json_ld_article_body;
pub use people::split_names;
pub use title::strip_site_suffix;

use json_ld::article_body_text;
use sources::{Page, Sources};

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

/// Every field, each from its own reader (`fields.rs` holds each field's order of sources).
pub fn extract(doc: &Document, url: Option<&url::Url>) -> Metadata {
    let src = Sources::scan(doc);
    let page = Page::new(doc, url, &src);
    // The title is cut against the site name as found, before empty names are dropped.
    let site_name = fields::site_name(&page);
    let title = fields::title(&page, site_name.as_deref());
    Metadata {
        title,
        authors: fields::authors(&page),
        published_at: fields::published(&page),
        modified_at: fields::modified(&page),
        canonical_url: fields::canonical_url(&page),
        site_name: site_name.filter(|s| !s.is_empty()),
        language: language(&page),
        image: fields::image(&page),
        description: fields::description(&page),
        section: fields::section(&page),
        tags: fields::tags(&page),
        raw_title: src.raw_title.clone(),
        article_body: page.article.and_then(article_body_text),
    }
}

/// The declared language: `<html lang>`, then `<meta>`, then JSON-LD `inLanguage`. Kept here,
/// beside [`iso639_1`].
fn language(p: &Page) -> Option<String> {
    p.src
        .lang_attr
        .and_then(iso639_1)
        .or_else(|| {
            p.src
                .metas
                .first(&["content-language", "language", "dc.language", "og:locale"])
                .and_then(iso639_1)
        })
        .or_else(|| p.ld_str("inLanguage").and_then(|s| iso639_1(&s)))
}
