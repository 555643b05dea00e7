//! Keyphrases of an English news article: unsupervised, one pass over the text, no model beyond
//! a shipped table of word document frequencies. Candidates are runs of up to `max_words`
//! non-stopwords inside a sentence that never cut through a name (names may run to five
//! words); each is scored from its frequency, the rarity of its words in news (idf), how early
//! it first appears and whether the title has it; near-duplicates (same stems in any order, or
//! a phrase that only ever occurs inside a better one) are dropped.
//! It must not return phrases for non-English text, and must not read files at run time.

pub mod docfreq;
pub mod eval;
mod rank;

use crate::text::language::is_english;

/// Scoring knobs, public so that evaluation can sweep them; `Params::default()` is the tuned set.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Longest candidate, in words.
    pub max_words: usize,
    /// Frequency enters as `count ^ tf_power`.
    pub tf_power: f32,
    /// Multiplier for phrases ending in a lower-case word that looks like a verb or adverb
    /// ("-ing", "-ed", "-ly"): without a part-of-speech tagger, the cheap cue that a phrase
    /// is not a noun phrase.
    pub verb_like: f32,
    /// Score multiplier `1 + position / (1 + index of the first sentence holding the phrase)`.
    pub position: f32,
    /// Multiplier for phrases that occur in the title.
    pub title: f32,
    /// Multiplier per extra word of a phrase (1 word: 1, 2 words: this, 3 words: squared ...).
    /// 1 is best on KPCrowd, whose gold phrases are 72 % single words; raise it for more
    /// multi-word phrases at some cost there (1.25: F1@10 0.172, 28 % multi-word).
    pub per_word: f32,
    /// What happens to a phrase nested in (or holding) a better-ranked one; phrases with the
    /// same stems in another order are always dropped.
    pub nested: Nested,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nested {
    /// Keep both ("Chinese", "Chinese companies").
    Keep,
    /// Drop the shorter phrase when it never occurs outside the longer one ("Global Sensor"
    /// inside "Wuhan Global Sensor"): it adds nothing the longer one does not say.
    DropSubsumed,
    /// Drop any phrase that contains or is contained in a better-ranked one.
    DropAll,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_words: 3,
            tf_power: 1.0,
            verb_like: 0.5,
            position: 1.0,
            title: 1.5,
            per_word: 1.0,
            nested: Nested::DropSubsumed,
        }
    }
}

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
    rank::rank(params, docfreq::DocFreq::embedded(), title, text, n)
}

#[cfg(test)]
pub(crate) mod tests;
