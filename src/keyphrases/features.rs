//! The features of a candidate phrase that the learned scorer weighs: how often and where it
//! occurs, how rare its words are in news, whether it reads as a name or a noun phrase. Pure
//! arithmetic over a candidate; it must not know the weights.

use super::candidates::{Candidate, ends_verb_like, is_name};
use super::docfreq::DocFreq;
use super::pos::{PosTable, UNKNOWN};

/// Names of the features, in vector order; the model file lists them so a mismatch is caught.
pub const NAMES: &[&str] = &[
    "log_count",
    "rel_count",
    "idf_mean",
    "idf_min",
    "tfidf",
    "first_pos",
    "early",
    "title",
    "two_words",
    "three_plus",
    "name",
    "caps_ratio",
    "acronym",
    "verb_like",
    "spread",
    "det_ratio",
    "verbal_ratio",
    "whole_ratio",
    "short",
    "unseen",
    "short_doc",
    "noun",
    "verb",
    "adj",
    "adj_first",
    "multi_count",
    "count_rank",
    "top_ten",
    "early_count",
];

pub const N: usize = 29;

/// Where the mean idf of the phrase's words (divided by ten) sits in the vector.
pub const IDF_MEAN: usize = 2;

/// What the features need to know of the whole document.
pub struct DocStats {
    pub sentences: u32,
    /// Occurrences of the most frequent candidate.
    pub max_count: f32,
    /// Every candidate's count, highest first.
    pub counts: Vec<f32>,
    /// Content words in the document.
    pub content_words: usize,
    pub english: bool,
}

pub fn features(
    df: &DocFreq,
    pos: Option<&PosTable>,
    doc: &DocStats,
    key: &str,
    c: &Candidate,
) -> [f32; N] {
    let idfs: Vec<f32> = key.split(' ').map(|s| df.idf(s)).collect();
    let idf_mean = idfs.iter().sum::<f32>() / idfs.len() as f32;
    let idf_min = idfs.iter().copied().fold(f32::INFINITY, f32::min);
    let unseen = idfs.iter().any(|&i| i >= df.max_idf() - 1e-4);
    let log_count = c.count.ln_1p();
    // How many candidates occur more often.
    let rank = doc.counts.partition_point(|&k| k > c.count);
    let sentences = doc.sentences.max(1) as f32;
    let count = c.count.max(1.0);
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let last_len = c
        .first_form
        .rsplit(' ')
        .next()
        .map_or(0, |w| w.chars().count());
    let tag = |w: Option<&str>| match (pos, w) {
        (Some(t), Some(w)) => t.of(&w.to_lowercase()),
        _ => UNKNOWN,
    };
    let head = tag(c.first_form.rsplit(' ').next());
    let first = if c.words > 1 {
        tag(c.first_form.split(' ').next()).adj
    } else {
        0.0
    };
    [
        log_count,
        c.count / doc.max_count.max(1.0),
        idf_mean / 10.0,
        idf_min / 10.0,
        log_count * idf_mean / 10.0,
        c.first_sentence as f32 / sentences,
        1.0 / (1.0 + c.first_sentence as f32),
        flag(c.in_title),
        flag(c.words == 2),
        flag(c.words >= 3),
        flag(is_name(c)),
        if c.inner > 0 {
            c.capitalised as f32 / c.inner as f32
        } else {
            0.0
        },
        flag(c.acronym),
        flag(doc.english && ends_verb_like(&c.first_form)),
        (c.last_sentence - c.first_sentence) as f32 / sentences,
        c.after_determiner as f32 / count,
        c.after_verbal as f32 / count,
        c.whole_run as f32 / count,
        flag(last_len <= 3),
        flag(unseen),
        flag(doc.content_words < 40),
        head.noun,
        head.verb,
        head.adj,
        first,
        flag(c.words > 1) * log_count,
        1.0 / (1.0 + rank as f32),
        flag(rank < 10),
        log_count / (1.0 + c.first_sentence as f32),
    ]
}
