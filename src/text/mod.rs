//! Text helpers shared by the readers of an article (category, keyphrases, entities): the word
//! tokenizer, the English stop words, the stemmer and what language a text is in. One of each,
//! so the readers never import each other.
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
