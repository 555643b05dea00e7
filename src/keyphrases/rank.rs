//! Candidate phrases, their scores, near-duplicate removal and the form each is shown in.
//! It must stay a pure function of its inputs: no global state beyond the stemmer and df table.

use std::collections::HashMap;

use super::docfreq::DocFreq;
use super::params::{Nested, Params};
use crate::text::stemmer;
use crate::text::stopwords::is_stopword;
use crate::text::tokenize::{Kind, Token, tokens};

/// One word of the document, normalised.
struct Word<'a> {
    token: Token<'a>,
    stem: String,
    /// Can be part of a candidate: not a stopword, not a number, longer than one character.
    content: bool,
    in_title: bool,
    /// Sentence index counted over title and text together.
    sentence: u32,
    /// Starts with a capital letter in a sentence that is not all capitals (a shouted headline
    /// says nothing about names).
    capitalised: bool,
    /// Two or more letters, all capitals, in a sentence that is not all capitals.
    acronym: bool,
    /// Part of a name: capitalised inside a sentence, or at a sentence start when the document
    /// mostly capitalises this word elsewhere. Set once the whole document has been seen.
    name_like: bool,
}

/// A name may be longer than `max_words` ("Wuhan Global Sensor Technology"); cutting it would
/// give fragments that are not phrases at all.
const MAX_NAME_WORDS: usize = 5;

#[derive(Default)]
struct Candidate {
    words: usize,
    count: f32,
    first_sentence: u32,
    in_title: bool,
    /// Occurrences not at a sentence start, and how many of them are capitalised.
    inner: u32,
    capitalised: u32,
    /// Surface forms seen inside sentences, with counts, to show the phrase as written.
    forms: HashMap<String, u32>,
    first_form: String,
}

pub fn rank(params: &Params, df: &DocFreq, title: &str, text: &str, n: usize) -> Vec<String> {
    let mut words = words(title, text);
    if words.is_empty() {
        return Vec::new();
    }
    let cased = mark_names(&mut words);
    let candidates = candidates(params, &words);
    let scored = score(params, df, candidates);
    choose(params, &scored, &cased, n)
}

/// Per stem: (capitalised, all) occurrences not at a sentence start. Sets `name_like` on
/// every word from them.
fn mark_names(words: &mut [Word<'_>]) -> HashMap<String, (u32, u32)> {
    let mut cased: HashMap<String, (u32, u32)> = HashMap::new();
    for w in words
        .iter()
        .filter(|w| w.token.kind == Kind::Word && !w.token.sentence_start)
    {
        let e = cased.entry(w.stem.clone()).or_default();
        e.0 += u32::from(w.capitalised || w.acronym);
        e.1 += 1;
    }
    let usually_capitalised =
        |stem: &str| cased.get(stem).is_some_and(|&(caps, all)| 2 * caps > all);
    for w in words.iter_mut() {
        w.name_like = w.acronym
            || (w.capitalised && (!w.token.sentence_start || usually_capitalised(&w.stem)));
    }
    cased
}

/// Every candidate phrase of the document by its stems.
fn candidates(params: &Params, words: &[Word<'_>]) -> HashMap<String, Candidate> {
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
            add(candidates, span);
        }
    }
}

/// Candidates with their scores, best first (ties broken by key so the output does not
/// depend on hash-map order).
fn score(
    params: &Params,
    df: &DocFreq,
    candidates: HashMap<String, Candidate>,
) -> Vec<(f32, String, Candidate)> {
    let mut scored: Vec<(f32, String, Candidate)> = candidates
        .into_iter()
        .map(|(key, c)| {
            let idf: f32 = key.split(' ').map(|s| df.idf(s)).sum::<f32>() / c.words as f32;
            let mut score = c.count.powf(params.tf_power) * idf;
            if ends_verb_like(&c.first_form) {
                score *= params.verb_like;
            }
            score *= 1.0 + params.position / (1.0 + c.first_sentence as f32);
            if c.in_title {
                score *= params.title;
            }
            score *= params.per_word.powi(c.words as i32 - 1);
            (score, key, c)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored
}

/// The `n` best candidates that repeat no better one, as shown.
fn choose(
    params: &Params,
    scored: &[(f32, String, Candidate)],
    cased: &HashMap<String, (u32, u32)>,
    n: usize,
) -> Vec<String> {
    let mut chosen: Vec<(Vec<&str>, f32, String)> = Vec::with_capacity(n);
    for (_, key, c) in scored {
        let stems: Vec<&str> = key.split(' ').collect();
        if chosen
            .iter()
            .any(|(other, count, _)| duplicate(params.nested, (&stems, c.count), (other, *count)))
        {
            continue;
        }
        let shown = display(c, key, cased);
        chosen.push((stems, c.count, shown));
        if chosen.len() == n {
            break;
        }
    }
    chosen.into_iter().map(|(.., s)| s).collect()
}

fn words<'a>(title: &'a str, text: &'a str) -> Vec<Word<'a>> {
    let stemmer = stemmer();
    let mut out = Vec::new();
    let mut offset = 0;
    for (part, in_title) in [(title, true), (text, false)] {
        let toks = tokens(part);
        let sentences = toks.last().map_or(0, |t| t.sentence + 1) as usize;
        let mut has_lower = vec![false; sentences];
        for t in &toks {
            has_lower[t.sentence as usize] |= t.text.chars().any(char::is_lowercase);
        }
        for t in toks {
            let cased = has_lower[t.sentence as usize];
            let lower: String = t.text.chars().flat_map(char::to_lowercase).collect();
            let acronym =
                cased && t.text.chars().count() >= 2 && t.text.chars().all(|c| !c.is_lowercase());
            let capitalised = cased && t.text.starts_with(char::is_uppercase);
            let content = t.kind == Kind::Word
                && t.text.chars().count() > 1
                && (acronym || !is_stopword(&lower));
            let stem = if t.kind == Kind::Punct {
                String::new()
            } else {
                stemmer.stem(&lower).into_owned()
            };
            out.push(Word {
                token: t,
                stem,
                content,
                in_title,
                sentence: offset as u32 + t.sentence,
                capitalised,
                acronym,
                name_like: false,
            });
        }
        offset += sentences;
    }
    out
}

/// Consecutive content words (punctuation is a token of its own, so nothing stands between
/// them) join into one phrase unless a lower-case word runs into a name: "support Russia" and
/// "spokesperson Dmitry Peskov" are a verb or a role before a name, not one noun phrase, while
/// "Chinese companies" (name, then lower case) is.
fn adjacent(a: &Word<'_>, b: &Word<'_>) -> bool {
    a.name_like || !b.name_like
}

fn add(candidates: &mut HashMap<String, Candidate>, span: &[Word<'_>]) {
    let key = span
        .iter()
        .map(|w| w.stem.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let c = candidates.entry(key).or_insert_with(|| Candidate {
        words: span.len(),
        first_sentence: span[0].sentence,
        ..Default::default()
    });
    c.count += 1.0;
    c.in_title |= span[0].in_title;
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

fn ends_verb_like(form: &str) -> bool {
    let last = form.rsplit(' ').next().unwrap_or("");
    last.starts_with(|c: char| c.is_lowercase())
        && ["ing", "ed", "ly"].iter().any(|s| last.ends_with(s))
}

/// Written capitalised in most of its occurrences inside sentences: a name, kept as written.
fn is_name(c: &Candidate) -> bool {
    c.inner > 0 && 2 * c.capitalised > c.inner
}

/// The phrase as most often written inside sentences: as written for a name, otherwise each
/// word lower-cased unless the document mostly writes that word capitalised ("Chinese companies").
fn display(c: &Candidate, key: &str, cased: &HashMap<String, (u32, u32)>) -> String {
    let source = c
        .forms
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map_or(c.first_form.as_str(), |f| f.0.as_str());
    if is_name(c) {
        return source.to_string();
    }
    source
        .split(' ')
        .zip(key.split(' '))
        .map(|(w, stem)| {
            let (caps, inner) = cased.get(stem).copied().unwrap_or((0, 0));
            if inner > 0 && 2 * caps > inner {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether candidate `a` repeats the already chosen `b`; each is `(stems, occurrences)`.
fn duplicate(nested: Nested, (a, a_count): (&[&str], f32), (b, b_count): (&[&str], f32)) -> bool {
    let mut sa: Vec<&str> = a.to_vec();
    let mut sb: Vec<&str> = b.to_vec();
    sa.sort_unstable();
    sb.sort_unstable();
    if sa == sb {
        return true;
    }
    match nested {
        Nested::Keep => false,
        Nested::DropSubsumed => contains(b, a) && a_count <= b_count,
        Nested::DropAll => contains(a, b) || contains(b, a),
    }
}

/// `inner` occurs as a contiguous run in `outer`.
fn contains(outer: &[&str], inner: &[&str]) -> bool {
    inner.len() < outer.len() && outer.windows(inner.len()).any(|w| w == inner)
}
