//! Keyphrases of an English news article: unsupervised, one pass over the text, no model beyond
//! a shipped table of word document frequencies. Candidates are runs of up to `max_words`
//! non-stopwords inside a sentence that never cut through a name (names may run to five
//! words); each is scored from its frequency, the rarity of its words in news (idf), how early
//! it first appears and whether the title has it; near-duplicates (same stems in any order, or
//! a phrase that only ever occurs inside a better one) are dropped.
//! It must not return phrases for non-English text, and must not read files at run time.
//! This file is the module's table of contents; the df table builder (`docfreq::build`) is
//! training code that the runtime files never import.

pub mod docfreq;
pub mod eval;
mod extract;
mod params;
mod rank;

pub use extract::{extract, extract_with};
pub use params::{Nested, Params};

#[cfg(test)]
pub(crate) mod tests;
