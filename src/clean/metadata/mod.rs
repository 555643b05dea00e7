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
    fn languages_normalise_to_two_letters() {
        assert_eq!(iso639_1("en-US").as_deref(), Some("en"));
        assert_eq!(iso639_1("pt_BR").as_deref(), Some("pt"));
        assert_eq!(iso639_1("deu").as_deref(), Some("de"));
        assert_eq!(iso639_1("x"), None);
    }
}
