//! Candidate phrases of a document: runs of up to `max_words` content words inside a sentence
//! that never cut through a name (names may run to five words), keyed by their stems, with
//! what the features need to know of their occurrences. Pure; it must not score anything.

use std::collections::HashMap;

use super::params::Params;
use super::words::Word;

/// A name may be longer than `max_words` ("Wuhan Global Sensor Technology"); cutting it would
/// give fragments that are not phrases at all.
const MAX_NAME_WORDS: usize = 5;

#[derive(Default)]
pub struct Candidate {
    pub words: usize,
    pub count: f32,
    pub first_sentence: u32,
    pub last_sentence: u32,
    pub in_title: bool,
    /// Occurrences not at a sentence start, and how many of them are capitalised.
    pub inner: u32,
    pub capitalised: u32,
    /// Occurrences right after an article or possessive, and after a verb marker.
    pub after_determiner: u32,
    pub after_verbal: u32,
    /// Occurrences that are a whole run of content words (not part of a longer one).
    pub whole_run: u32,
    /// Every word is an acronym.
    pub acronym: bool,
    /// Surface forms seen inside sentences, with counts, to show the phrase as written.
    pub forms: HashMap<String, u32>,
    pub first_form: String,
}

/// Every candidate phrase of the document by its stems.
pub fn candidates(params: &Params, words: &[Word<'_>]) -> HashMap<String, Candidate> {
    let mut candidates: HashMap<String, Candidate> = HashMap::new();
    let mut i = 0;
    while i < words.len() {
        if !words[i].content {
            i += 1;
            continue;
        }
        // A run of content words in one sentence, with no punctuation between them.
        let mut end = i + 1;
        while end < words.len()
            && words[end].content
            && words[end].sentence == words[i].sentence
            && adjacent(&words[end - 1], &words[end])
        {
            end += 1;
        }
        add_run(params, &words[i..end], &mut candidates);
        i = end;
    }
    candidates
}

/// Consecutive content words (punctuation is a token of its own, so nothing stands between
/// them) join into one phrase unless a lower-case word runs into a name: "support Russia" and
/// "spokesperson Dmitry Peskov" are a verb or a role before a name, not one noun phrase, while
/// "Chinese companies" (name, then lower case) is.
fn adjacent(a: &Word<'_>, b: &Word<'_>) -> bool {
    a.name_like || !b.name_like
}

/// The candidates of one run of content words: spans never cut through a name; a span of
/// names alone may be longer.
fn add_run(params: &Params, run: &[Word<'_>], candidates: &mut HashMap<String, Candidate>) {
    let end = run.len();
    let starts = |k: usize| k == 0 || !run[k].name_like || !run[k - 1].name_like;
    let ends = |k: usize| k + 1 == end || !run[k].name_like || !run[k + 1].name_like;
    for start in (0..end).filter(|&k| starts(k)) {
        for last in (start..end).filter(|&k| ends(k)) {
            let span = &run[start..=last];
            let limit = if span.iter().all(|w| w.name_like) {
                MAX_NAME_WORDS
            } else {
                params.max_words
            };
            if span.len() > limit {
                break;
            }
            if span.len() > 1 && !noun_phrase(span) {
                continue;
            }
            add(candidates, span, span.len() == end);
        }
    }
}

/// Several words make a phrase only as a noun phrase: nouns and adjectives, ending in a noun
/// ("economic sanctions", not "imposed economic sanctions" or "providing military").
fn noun_phrase(span: &[Word<'_>]) -> bool {
    span.iter().all(|w| w.nominal || w.name_like)
        && span.last().is_some_and(|w| w.noun || w.name_like)
}

fn add(candidates: &mut HashMap<String, Candidate>, span: &[Word<'_>], whole_run: bool) {
    let key = span
        .iter()
        .map(|w| w.stem.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let c = candidates.entry(key).or_insert_with(|| Candidate {
        words: span.len(),
        first_sentence: span[0].sentence,
        acronym: span.iter().all(|w| w.acronym),
        ..Default::default()
    });
    c.count += 1.0;
    c.last_sentence = span[0].sentence;
    c.in_title |= span[0].in_title;
    c.after_determiner += u32::from(span[0].after_determiner);
    c.after_verbal += u32::from(span[0].after_verbal);
    c.whole_run += u32::from(whole_run);
    let form = span
        .iter()
        .map(|w| w.token.text)
        .collect::<Vec<_>>()
        .join(" ");
    if c.first_form.is_empty() {
        c.first_form.clone_from(&form);
    }
    if !span[0].token.sentence_start {
        c.inner += 1;
        if span
            .iter()
            .all(|w| w.capitalised || w.token.text.starts_with(char::is_numeric))
        {
            c.capitalised += 1;
        }
        *c.forms.entry(form).or_default() += 1;
    }
}

/// Written capitalised in most of its occurrences inside sentences: a name, kept as written.
pub fn is_name(c: &Candidate) -> bool {
    c.inner > 0 && 2 * c.capitalised > c.inner
}

/// Ends in a lower-case word that looks like a verb or adverb ("-ing", "-ed", "-ly"): without
/// a part-of-speech tagger, the cheap cue that a phrase is not a noun phrase (English only).
pub fn ends_verb_like(form: &str) -> bool {
    let last = form.rsplit(' ').next().unwrap_or("");
    last.starts_with(|c: char| c.is_lowercase())
        && ["ing", "ed", "ly"].iter().any(|s| last.ends_with(s))
}
