//! Text helpers shared by the readers of an article (category, keyphrases, entities): the word
//! tokenizer, the stop words (the project's English list; the `stop-words` crate's ISO lists for
//! the other languages), the Snowball stemmers and what language a text is in. One of each, so
//! the readers never import each other.
//!
//! Pure: no IO, no state beyond read-only tables built on first use. The entity tagger keeps
//! its own Penn Treebank tokenizer (`ner::tokenize`), because its model was trained on those
//! token boundaries.

pub mod language;
pub mod stopwords;
pub mod tokenize;

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// Porter2 ("English" Snowball) stemmer, shared so it is built once.
pub fn stemmer() -> &'static Stemmer {
    static CELL: OnceLock<Stemmer> = OnceLock::new();
    CELL.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Languages with a Snowball stemmer and a stop-word list: the ones keyphrases are made for.
pub const STEMMED_LANGUAGES: &[&str] = &["en", "de", "fr", "es", "it", "pt", "nl"];

/// The Snowball stemmer of an ISO 639-1 code in [`STEMMED_LANGUAGES`], built once each.
pub fn stemmer_for(code: &str) -> Option<&'static Stemmer> {
    static CELLS: [OnceLock<Stemmer>; 6] = [const { OnceLock::new() }; 6];
    let (i, algorithm) = match code {
        "en" => return Some(stemmer()),
        "de" => (0, Algorithm::German),
        "fr" => (1, Algorithm::French),
        "es" => (2, Algorithm::Spanish),
        "it" => (3, Algorithm::Italian),
        "pt" => (4, Algorithm::Portuguese),
        "nl" => (5, Algorithm::Dutch),
        _ => return None,
    };
    Some(CELLS[i].get_or_init(|| Stemmer::create(algorithm)))
}
