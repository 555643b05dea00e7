//! The fixed knobs of keyphrase extraction: candidate length and what happens to nested
//! phrases. Plain settings: it must not compute anything. (How candidates are weighed is
//! learned: `model`.)

/// Candidate knobs, public so that evaluation can sweep them; `Params::default()` is the tuned set.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Longest candidate, in words (names may run to five).
    pub max_words: usize,
    /// What happens to a phrase nested in (or holding) a better-ranked one; phrases with the
    /// same stems in another order are always dropped.
    pub nested: Nested,
    /// A single lower-case word outside the title whose idf in news is below this is not shown
    /// alone (4.25: in more than about 4 % of news documents): "support", "officials".
    pub generic_idf: f32,
    /// Added to the learned log-odds of a noun phrase of several words seen at least twice:
    /// KPCrowd's annotators favour single words, a reader wants the phrase where the story
    /// repeats one ("Chinese companies"). 0.75 costs nothing measurable on KPCrowd (5-fold CV
    /// F1@10 0.2035 against 0.2059) and triples the multi-word share of the output (3 % to 8 %).
    pub repeated_phrase: f32,
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
            nested: Nested::DropSubsumed,
            generic_idf: 4.25,
            repeated_phrase: 0.75,
        }
    }
}
