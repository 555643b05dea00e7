//! The scoring knobs of keyphrase extraction and their tuned defaults. Plain settings: it
//! must not compute anything.

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
