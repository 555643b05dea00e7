//! Turns a title and text into hashed sparse term counts: word unigrams and bigrams, and
//! character n-grams inside words (the top bit of a key says which block a term is in).
//! It must stay byte-for-byte stable: the committed model's keys are these hashes, so any change
//! here needs a retrained model. It must not weight terms (that is the model's job).

use crate::text::stopwords::is_stopword;
use crate::text::tokenize::{Kind, tokens};

/// How terms are formed; stored in the model file so classification matches training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureConfig {
    pub bigrams: bool,
    /// Title terms are counted this many times: a headline is dense with topic words.
    pub title_repeat: u8,
    /// Stopwords are left out of unigrams and bigrams skip over them.
    pub drop_stopwords: bool,
    /// When non-zero, every term also gets a copy tagged "long" (text of more than this many
    /// words) or "short" (feed-summary-like). Shared copies carry what both kinds of text agree
    /// on; tagged copies learn what differs (feature augmentation, Daumé III 2007). The kind is
    /// read off the text itself, never off which dataset a row came from.
    pub long_text_words: u16,
    /// Character n-grams of lengths `char_min..=char_max` inside each word (with `<` and `>`
    /// marking its ends) when `char_max > 0`; they share evidence between forms of a word
    /// ("sanction", "sanctions", "sanctioned") and help on short texts.
    pub char_min: u8,
    pub char_max: u8,
    /// Percent of a document vector's squared length given to the character block (each block
    /// is L2-normalised on its own, so long words do not crowd out the word terms).
    pub char_share: u8,
}

/// Set on the keys of character n-grams, clear on word terms.
pub const CHAR_BLOCK: u32 = 0x8000_0000;

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            bigrams: false,
            title_repeat: 2,
            drop_stopwords: true,
            long_text_words: 0,
            char_min: 0,
            char_max: 0,
            char_share: 0,
        }
    }
}

/// FNV-1a (64 bit) folded to 32 bits: stable across platforms and Rust versions, unlike `std`'s hasher.
fn hash(parts: &[&str]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (h ^ (h >> 32)) as u32 & !CHAR_BLOCK
}

/// Lower-cased term; every number becomes one term, since the value says nothing about the topic.
fn normalise(text: &str, kind: Kind, buf: &mut String) {
    buf.clear();
    if kind == Kind::Number {
        buf.push('#');
        return;
    }
    for c in text.chars() {
        if c == '’' {
            buf.push('\'');
        } else {
            buf.extend(c.to_lowercase());
        }
    }
}

/// Sorted `(term hash, count)` pairs.
pub fn term_counts(cfg: &FeatureConfig, title: &str, text: &str) -> Vec<(u32, f32)> {
    let mut keys: Vec<u32> = Vec::with_capacity(text.len() / 3);
    let words = add_terms(cfg, text, &mut keys);
    for _ in 0..cfg.title_repeat {
        add_terms(cfg, title, &mut keys);
    }
    if cfg.long_text_words > 0 {
        let tag = if words > usize::from(cfg.long_text_words) {
            LONG
        } else {
            SHORT
        };
        let shared = keys.len();
        for i in 0..shared {
            keys.push(keys[i] ^ tag);
        }
    }
    keys.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(keys.len());
    for k in keys {
        match out.last_mut() {
            Some((last, n)) if *last == k => *n += 1.0,
            _ => out.push((k, 1.0)),
        }
    }
    out
}

/// Tags mixed into a term's hash for its long-text and short-text copies.
const LONG: u32 = 0x1e37_79b9;
const SHORT: u32 = 0x7f4a_7c15;

/// Each distinct untagged term of a document with its hash, for explaining a decision.
pub fn named_terms(cfg: &FeatureConfig, title: &str, text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for part in [title, text] {
        let mut prev: Option<String> = None;
        let mut cur = String::new();
        for t in tokens(part) {
            if t.kind == Kind::Punct {
                prev = None;
                continue;
            }
            normalise(t.text, t.kind, &mut cur);
            if cfg.drop_stopwords && is_stopword(&cur) {
                continue;
            }
            out.push((cur.clone(), hash(&[&cur])));
            if let Some(p) = prev.as_deref().filter(|_| cfg.bigrams) {
                out.push((format!("{p} {cur}"), hash(&[p, &cur])));
            }
            prev = Some(cur.clone());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The hash of a term's copy tagged for text of `words` word tokens (itself when untagged).
pub fn tagged(cfg: &FeatureConfig, key: u32, words: usize) -> u32 {
    match cfg.long_text_words {
        0 => key,
        n if words > usize::from(n) => key ^ LONG,
        _ => key ^ SHORT,
    }
}

/// Word tokens of `text`, counted as the long/short tag counts them.
pub fn word_count(text: &str) -> usize {
    tokens(text)
        .iter()
        .filter(|t| t.kind != Kind::Punct)
        .count()
}

/// Pushes the terms of `text` and returns how many word tokens it has (stopwords included).
fn add_terms(cfg: &FeatureConfig, text: &str, keys: &mut Vec<u32>) -> usize {
    let mut words = 0;
    let mut prev = String::new();
    let mut have_prev = false;
    let mut cur = String::new();
    for t in tokens(text) {
        if t.kind == Kind::Punct {
            have_prev = false;
            continue;
        }
        words += 1;
        normalise(t.text, t.kind, &mut cur);
        if cfg.drop_stopwords && is_stopword(&cur) {
            continue;
        }
        keys.push(hash(&[&cur]));
        if cfg.char_max > 0 && t.kind == Kind::Word {
            add_char_ngrams(cfg, &cur, keys);
        }
        if cfg.bigrams && have_prev {
            keys.push(hash(&[&prev, &cur]));
        }
        std::mem::swap(&mut prev, &mut cur);
        have_prev = true;
    }
    words
}

/// Pushes the character n-grams of one lower-cased word, framed as `<word>`.
fn add_char_ngrams(cfg: &FeatureConfig, word: &str, keys: &mut Vec<u32>) {
    let mut framed: Vec<char> = Vec::with_capacity(word.len() + 2);
    framed.push('<');
    framed.extend(word.chars());
    framed.push('>');
    let mut buf = String::new();
    let lo = usize::from(cfg.char_min.max(1));
    for n in lo..=usize::from(cfg.char_max) {
        if framed.len() < n {
            // A word shorter than the shortest n-gram is one term: the whole framed word.
            if n == lo {
                buf.clear();
                buf.extend(&framed);
                keys.push(hash(&["#c", &buf]) | CHAR_BLOCK);
            }
            break;
        }
        for w in framed.windows(n) {
            buf.clear();
            buf.extend(w);
            keys.push(hash(&["#c", &buf]) | CHAR_BLOCK);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable() {
        // Pinned: the committed model's keys depend on these exact values.
        assert_eq!(hash(&["sanctions"]), hash(&["sanctions"]));
        assert_ne!(hash(&["a", "b"]), hash(&["ab"]));
        assert_eq!(hash(&[""]), 0xcbf2_9ce4_u32 ^ 0x8422_2325);
    }

    #[test]
    fn counts_title_twice_and_skips_stopwords() {
        let cfg = FeatureConfig {
            bigrams: false,
            title_repeat: 2,
            drop_stopwords: true,
            long_text_words: 0,
            ..FeatureConfig::default()
        };
        let c = term_counts(&cfg, "Goal", "The goal.");
        assert_eq!(c, vec![(hash(&["goal"]), 3.0)]);
        let cfg = FeatureConfig {
            bigrams: true,
            ..cfg
        };
        assert_eq!(term_counts(&cfg, "", "red card, red card").len(), 3);
    }

    #[test]
    fn long_and_short_texts_get_distinct_tagged_copies() {
        let cfg = FeatureConfig {
            bigrams: false,
            title_repeat: 0,
            drop_stopwords: true,
            long_text_words: 3,
            ..FeatureConfig::default()
        };
        let short = term_counts(&cfg, "", "goal");
        let long = term_counts(&cfg, "", "goal goal goal goal");
        assert_eq!(short.len(), 2);
        assert_eq!(long.len(), 2);
        assert_eq!(
            short[0].0.min(short[1].0),
            hash(&["goal"]).min(hash(&["goal"]) ^ SHORT)
        );
        assert!(long.iter().any(|&(k, _)| k == hash(&["goal"]) ^ LONG));
    }
}
