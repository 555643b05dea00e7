//! The public entry points of keyphrase extraction: the language check, then ranking
//! against the embedded document-frequency table. It must not read files at run time.

use super::docfreq::DocFreq;
use super::params::Params;
use super::rank;
use crate::text::language::is_english;

/// The `n` best keyphrases, best first: lower-case except names and acronyms as written.
/// Empty for empty text and for a `language` other than English (`None` is taken as English).
pub fn extract(title: &str, text: &str, language: Option<&str>, n: usize) -> Vec<String> {
    extract_with(&Params::default(), title, text, language, n)
}

pub fn extract_with(
    params: &Params,
    title: &str,
    text: &str,
    language: Option<&str>,
    n: usize,
) -> Vec<String> {
    if n == 0 || !language.is_none_or(is_english) {
        return Vec::new();
    }
    rank::rank(params, DocFreq::embedded(), title, text, n)
}
