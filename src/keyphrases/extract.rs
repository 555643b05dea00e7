//! The public entry points of keyphrase extraction: the language check, then ranking
//! against the embedded document-frequency table and scorer. It must not read files at run time.

use super::docfreq::DocFreq;
use super::model::Scorer;
use super::params::Params;
use super::pos::PosTable;
use super::rank::{self, Tables};
use super::words::Lang;

/// The `n` best keyphrases, best first: lower-case except names and acronyms as written.
/// Empty for empty text and for a `language` without a stemmer and stop words here (English,
/// German, French, Spanish, Italian, Portuguese, Dutch; `None` is taken as English).
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
    let Some(lang) = Lang::of(language.unwrap_or("en")) else {
        return Vec::new();
    };
    if n == 0 {
        return Vec::new();
    }
    let tables = Tables {
        lang: &lang,
        df: DocFreq::embedded(),
        scorer: Scorer::embedded(),
        pos: (lang.code == "en").then(PosTable::embedded),
    };
    rank::rank(params, &tables, title, text, n)
}

/// Every candidate with its learned score, best first, before near-duplicates are removed: for
/// inspecting the ranking.
pub fn explain(title: &str, text: &str, language: Option<&str>) -> Vec<(f32, String)> {
    let Some(lang) = Lang::of(language.unwrap_or("en")) else {
        return Vec::new();
    };
    let tables = Tables {
        lang: &lang,
        df: DocFreq::embedded(),
        scorer: Scorer::embedded(),
        pos: (lang.code == "en").then(PosTable::embedded),
    };
    let params = Params::default();
    let mut out: Vec<(f32, String)> = rank::featurize(&params, &tables, title, text)
        .into_iter()
        .filter_map(|s| Some((rank::final_score(&params, tables.scorer, &s)?, s.shown)))
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    out
}
