//! Capitalisation statistics learned from unlabelled news text: how often a word is written
//! with a capital letter when it is not the first word of a sentence. This tells a proper
//! noun at the start of a sentence ("Peskov said") from a common word ("Officials said").
//! Training-time only; the buckets are stored in the model's lexicon.

use crate::ner::hash::{KeyMap, lower_hash};

/// Bucket of every lower-cased word seen at least once after the first position of a
/// sentence that is not a headline in capitals. 0 (absent) means "never seen".
pub fn capitalisation_buckets(sentences: &[Vec<String>]) -> KeyMap<u8> {
    let mut counts: KeyMap<(u32, u32)> = KeyMap::default();
    for s in sentences {
        if !caps_headline(s) {
            count_sentence(s, &mut counts);
        }
    }
    counts
        .into_iter()
        .map(|(k, (n, cap))| (k, bucket(n, cap)))
        .collect()
}

/// No letters at all, or mostly words in capitals: a headline whose case says nothing.
fn caps_headline(s: &[String]) -> bool {
    let letters = s
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    let caps = s
        .iter()
        .filter(|w| {
            w.chars().count() > 1
                && w.chars().any(char::is_alphabetic)
                && !w.chars().any(char::is_lowercase)
        })
        .count();
    letters == 0 || caps * 10 >= letters * 7
}

/// Adds `(occurrences, capitalised occurrences)` of the words of one sentence after its
/// first word.
fn count_sentence(s: &[String], counts: &mut KeyMap<(u32, u32)>) {
    for (i, w) in s.iter().enumerate().skip(1) {
        let Some(first) = w.chars().next() else {
            continue;
        };
        if !first.is_alphabetic() {
            continue;
        }
        // After an opening quote or a colon a capital says nothing about the word.
        let prev = s[i - 1].as_str();
        if matches!(
            prev,
            "\"" | "“" | "'" | "‘" | ":" | "(" | "-" | "." | "?" | "!"
        ) {
            continue;
        }
        let e = counts.entry(lower_hash(w)).or_insert((0, 0));
        e.0 += 1;
        if first.is_uppercase() {
            e.1 += 1;
        }
    }
}

/// 1 or 2 for words seen once (capitalised or not), else 3 + the capitalised share's
/// bucket, + 6 for words seen 20 times or more.
fn bucket(n: u32, cap: u32) -> u8 {
    if n < 2 {
        if cap > 0 { 1 } else { 2 }
    } else {
        let f = cap as f64 / n as f64;
        let fb = if f < 0.02 {
            0
        } else if f < 0.2 {
            1
        } else if f < 0.6 {
            2
        } else if f < 0.9 {
            3
        } else if f < 0.99 {
            4
        } else {
            5
        };
        3 + fb + if n >= 20 { 6 } else { 0 }
    }
}
