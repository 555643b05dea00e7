//! Ranking: candidates scored by the learned scorer, near-duplicates removed (same stems in any
//! order, or a phrase that only ever occurs inside a better one), each shown as written.
//! It must stay a pure function of its inputs: no global state beyond the tables it is given.

use std::collections::HashMap;

use super::candidates::{Candidate, candidates, is_name};
use super::docfreq::DocFreq;
use super::features::{DocStats, IDF_MEAN, N, features};
use super::model::Scorer;
use super::params::{Nested, Params};
use super::pos::PosTable;
use super::words::{Lang, mark_names, words};

/// What ranking reads besides the text: the language and the two trained tables.
pub struct Tables<'a> {
    pub lang: &'a Lang,
    pub df: &'a DocFreq,
    pub scorer: &'a Scorer,
    /// Part-of-speech shares, for English.
    pub pos: Option<&'a PosTable>,
}

/// One candidate with its features, before scoring: what training learns from.
pub struct Scored {
    pub key: String,
    pub shown: String,
    pub candidate: Candidate,
    pub x: [f32; N],
}

/// Every candidate of the document with its features and the form it is shown in, by key.
pub fn featurize(params: &Params, tables: &Tables<'_>, title: &str, text: &str) -> Vec<Scored> {
    let mut words = words(tables.lang, tables.pos, title, text);
    if words.is_empty() {
        return Vec::new();
    }
    let cased = mark_names(tables.lang, &mut words);
    let candidates = candidates(params, &words);
    let doc = DocStats {
        sentences: words.last().map_or(0, |w| w.sentence + 1),
        max_count: candidates.values().map(|c| c.count).fold(0.0, f32::max),
        counts: {
            let mut k: Vec<f32> = candidates.values().map(|c| c.count).collect();
            k.sort_by(|a, b| b.total_cmp(a));
            k
        },
        content_words: words.iter().filter(|w| w.content).count(),
        english: tables.lang.code == "en",
    };
    let mut out: Vec<Scored> = candidates
        .into_iter()
        .map(|(key, c)| Scored {
            x: features(tables.df, tables.pos, &doc, &key, &c),
            shown: display(&c, &key, &cased),
            key,
            candidate: c,
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// The `n` best keyphrases of the document, best first.
pub fn rank(
    params: &Params,
    tables: &Tables<'_>,
    title: &str,
    text: &str,
    n: usize,
) -> Vec<String> {
    let candidates = featurize(params, tables, title, text);
    let scored: Vec<(f32, &Scored)> = candidates
        .iter()
        .filter_map(|s| Some((final_score(params, tables.scorer, s)?, s)))
        .collect();
    choose(params, scored, n)
}

/// The learned score of a candidate (plus `Params::repeated_phrase` for a noun phrase of several
/// words that the story repeats), or `None` for a word no person would tag alone: a single
/// lower-case word outside the title that is common in all news ("support", "officials",
/// "concerns": in more than about 4 % of news documents, `Params::generic_idf`). It can still
/// be part of a phrase ("U.S. officials").
pub fn final_score(params: &Params, scorer: &Scorer, s: &Scored) -> Option<f32> {
    let generic = s.candidate.words == 1
        && !is_name(&s.candidate)
        && !s.candidate.in_title
        && s.x[IDF_MEAN] * 10.0 < params.generic_idf;
    let repeated_phrase = s.candidate.words > 1 && s.candidate.count >= 2.0;
    let bonus = if repeated_phrase {
        params.repeated_phrase
    } else {
        0.0
    };
    (!generic).then(|| scorer.score(&s.x) + bonus)
}

/// The `n` best candidates that repeat no better one, as shown.
pub fn choose(params: &Params, mut scored: Vec<(f32, &Scored)>, n: usize) -> Vec<String> {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
    let mut chosen: Vec<(Vec<&str>, f32, &str)> = Vec::with_capacity(n);
    for &(_, s) in &scored {
        let stems: Vec<&str> = s.key.split(' ').collect();
        let count = s.candidate.count;
        if chosen
            .iter()
            .any(|(other, c, _)| duplicate(params.nested, (&stems, count), (other, *c)))
        {
            continue;
        }
        chosen.push((stems, count, &s.shown));
        if chosen.len() == n {
            break;
        }
    }
    chosen.into_iter().map(|(.., s)| s.to_string()).collect()
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
