//! Keyphrases of a news article in English, German, French, Spanish, Italian, Portuguese or
//! Dutch: one pass over the text. Candidates (`candidates`) are runs of up to `max_words`
//! non-stopwords (`words`: the language's stemmer and stop words) inside a sentence that never
//! cut through a name (names may run to five words); each gets features (`features`: frequency,
//! rarity of its words in news from a shipped df table, position, title, name and noun-phrase
//! cues) that a learned logistic regression (`model`, trained by `learn` on the KPCrowd dev
//! documents) turns into a score; near-duplicates (same stems in any order, or a phrase that
//! only ever occurs inside a better one) are dropped (`rank`).
//! It must not return phrases for languages it has no stemmer for, and must not read files at
//! run time. This file is the module's table of contents; the df table builder
//! (`docfreq::build`) and `learn` are training code that the runtime files never import.

mod candidates;
pub mod docfreq;
pub mod eval;
mod extract;
mod features;
pub mod learn;
pub mod model;
mod params;
pub mod pos;
mod rank;
mod words;

pub use extract::{explain, extract, extract_with};
pub use params::{Nested, Params};

#[cfg(test)]
pub(crate) mod tests;
