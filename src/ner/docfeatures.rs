//! Document-level features for the second tagging pass: what the first pass said about
//! the other mentions of the same word in the same document ("Yellen" after "Janet
//! Yellen", "JAPAN" in a headline after "Japan" in the text), and the words around those
//! other mentions. It must not look at gold labels; at training time the first-pass labels
//! come from models that never saw the document (cross-validation), so the features are as
//! noisy as at run time.

use super::attrs::{Attrs, Case};
use super::hash::{KeyMap, key, lower_hash, pair};
use super::labels::{N_LABELS, kind_of};

const T_DOC_LABEL: u64 = 200;
const T_DOC_TYPE: u64 = 201;
const T_DOC_ONLY_O: u64 = 202;
const T_HIST: u64 = 203;
const T_SELF: u64 = 204;
const T_DOC_TYPE_CASE: u64 = 205;
const T_DOC_PAIR: u64 = 206;
const T_AGG_M1: u64 = 207;
const T_AGG_P1: u64 = 208;
const T_COORD_LEFT: u64 = 209;
const T_AGG_M2: u64 = 211;
const T_AGG_P2: u64 = 212;
const T_COORD_RIGHT: u64 = 210;
const T_LOWER_ELSEWHERE: u64 = 213;

/// Other mentions whose contexts are pooled into a token's features (the first ones).
const MAX_AGGREGATED: usize = 8;

/// Feature keys of every token of a document, flat.
#[derive(Debug, Default)]
pub struct DocFeatures {
    keys: Vec<u64>,
    /// `keys[offsets[i]..offsets[i + 1]]` for the `i`-th token of the document.
    offsets: Vec<u32>,
    /// Index of the first token of each sentence.
    sentence_start: Vec<usize>,
}

impl DocFeatures {
    pub fn token(&self, sentence: usize, t: usize) -> &[u64] {
        let i = self.sentence_start[sentence] + t;
        &self.keys[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Label counts of one word over a document.
#[derive(Clone, Copy, Default)]
struct Tally {
    labels: [u16; N_LABELS],
    total: u16,
}

fn capitalised(a: &Attrs) -> bool {
    matches!(a.case, Case::Initial | Case::AllUpper | Case::Mixed)
}

/// What the first pass said about each word of a document, gathered before any token's
/// features are written.
#[derive(Default)]
struct DocStats {
    tally: KeyMap<Tally>,
    /// Where each capitalised word occurs, for pooling the contexts of its other mentions
    /// (Ratinov & Roth's "context aggregation": "his mother Mamatuyeva" helps every later
    /// "Mamatuyeva").
    mentions: KeyMap<Vec<(u32, u32)>>,
    /// Words the document also writes in lower case: a capitalised "Win" in a headline or
    /// at a sentence start is then most likely the common word.
    lower_case: KeyMap<u16>,
}

impl DocStats {
    fn new(attrs: &[Vec<Attrs>], labels: &[Vec<u8>]) -> DocStats {
        let mut st = DocStats::default();
        for (s, (sa, sl)) in attrs.iter().zip(labels).enumerate() {
            for (t, (a, &l)) in sa.iter().zip(sl).enumerate() {
                if a.case == Case::Lower {
                    let c = st.lower_case.entry(a.lower).or_default();
                    *c = c.saturating_add(1);
                }
                if !capitalised(a) || a.len < 2 {
                    continue;
                }
                let e = st.tally.entry(a.lower).or_default();
                e.labels[l as usize] = e.labels[l as usize].saturating_add(1);
                e.total = e.total.saturating_add(1);
                let m = st.mentions.entry(a.lower).or_default();
                if m.len() <= MAX_AGGREGATED {
                    m.push((s as u32, t as u32));
                }
            }
        }
        st
    }
}

/// Document features of every token; `labels` are the first-pass labels.
pub fn document_features(attrs: &[Vec<Attrs>], labels: &[Vec<u8>], out: &mut DocFeatures) {
    out.keys.clear();
    out.offsets.clear();
    out.offsets.push(0);
    out.sentence_start.clear();
    let st = DocStats::new(attrs, labels);
    // Members of a list share a type: "Hikvision, Wuhan Global Sensor Technology and ...".
    let joiners = [
        lower_hash(","),
        lower_hash("and"),
        lower_hash("or"),
        lower_hash("&"),
    ];
    // Label of the previous mention of each word, while walking the document in order.
    let mut history: KeyMap<u8> = KeyMap::default();
    let mut agg: Vec<u64> = Vec::new();
    for (s, (sa, sl)) in attrs.iter().zip(labels).enumerate() {
        out.sentence_start.push(out.offsets.len() - 1);
        for (t, (a, &l)) in sa.iter().zip(sl).enumerate() {
            if capitalised(a) && a.len >= 2 {
                label_votes(&st, a, l, sl, t, &mut out.keys);
                if let Some(m) = st.mentions.get(&a.lower) {
                    aggregate_contexts(attrs, m, (s, t), &mut agg);
                    out.keys.extend_from_slice(&agg);
                }
                coordination(sa, sl, t, &joiners, &mut out.keys);
                if let Some(&n) = st.lower_case.get(&a.lower) {
                    out.keys
                        .push(key(T_LOWER_ELSEWHERE, pair(n.min(3) as u64, a.case as u64)));
                }
                if let Some(&h) = history.get(&a.lower) {
                    out.keys.push(key(T_HIST, h as u64));
                }
                history.insert(a.lower, l);
            }
            out.keys.push(key(T_SELF, l as u64));
            out.offsets.push(out.keys.len() as u32);
        }
    }
}

/// How the other mentions of the word were labelled: the majority label, the types seen,
/// and the majority label after the previous token's label. `l` is this mention's label.
fn label_votes(st: &DocStats, a: &Attrs, l: u8, sl: &[u8], t: usize, keys: &mut Vec<u64>) {
    let tl = st.tally.get(&a.lower).copied().unwrap_or_default();
    // Counts of the other mentions: this one's own label is left out.
    let mut others = tl.labels;
    others[l as usize] -= 1;
    let n_others = tl.total - 1;
    if n_others == 0 {
        return;
    }
    let best = (0..N_LABELS)
        .max_by_key(|&y| (others[y], N_LABELS - y))
        .unwrap_or(0);
    keys.push(key(T_DOC_LABEL, best as u64));
    let mut types = [0u16; 5];
    for (y, &c) in others.iter().enumerate() {
        let k = kind_of(y as u8).map_or(0, |k| k as usize + 1);
        types[k] += c;
    }
    if types[0] == n_others {
        keys.push(key(T_DOC_ONLY_O, 0));
    }
    for (k, &c) in types.iter().enumerate().skip(1) {
        if c > 0 {
            let share = if c * 2 > n_others { 1 } else { 0 };
            keys.push(key(T_DOC_TYPE, (k as u64) << 1 | share));
            keys.push(key(T_DOC_TYPE_CASE, pair(k as u64, a.case as u64)));
        }
    }
    let prev_l = if t > 0 { sl[t - 1] } else { 255 };
    keys.push(key(T_DOC_PAIR, pair(best as u64, prev_l as u64)));
}

/// The words around the other mentions `m` of the token at `(s, t)`, sorted and deduplicated
/// into `agg`.
fn aggregate_contexts(
    attrs: &[Vec<Attrs>],
    m: &[(u32, u32)],
    (s, t): (usize, usize),
    agg: &mut Vec<u64>,
) {
    agg.clear();
    let others = m
        .iter()
        .filter(|&&(os, ot)| (os as usize, ot as usize) != (s, t));
    for &(os, ot) in others.take(MAX_AGGREGATED) {
        let sent = &attrs[os as usize];
        let ot = ot as usize;
        let before = if ot > 0 { sent[ot - 1].lower } else { 1 };
        let after = sent.get(ot + 1).map_or(2, |x| x.lower);
        agg.push(key(T_AGG_M1, before));
        agg.push(key(T_AGG_P1, after));
        let before2 = if ot > 1 { sent[ot - 2].lower } else { 1 };
        let after2 = sent.get(ot + 2).map_or(2, |x| x.lower);
        agg.push(key(T_AGG_M2, before2));
        agg.push(key(T_AGG_P2, after2));
    }
    agg.sort_unstable();
    agg.dedup();
}

/// The type of an entity joined to token `t` by ",", "and", "or" or "&", on either side.
fn coordination(sa: &[Attrs], sl: &[u8], t: usize, joiners: &[u64; 4], keys: &mut Vec<u64>) {
    let ends_entity = |l: u8| l != 0 && (l - 1) % 4 >= 2;
    let starts_entity = |l: u8| l != 0 && matches!((l - 1) % 4, 0 | 3);
    if t >= 2 && joiners.contains(&sa[t - 1].lower) && ends_entity(sl[t - 2]) {
        keys.push(key(
            T_COORD_LEFT,
            kind_of(sl[t - 2]).map_or(0, |k| k as u64),
        ));
    }
    if t + 2 < sa.len() && joiners.contains(&sa[t + 1].lower) && starts_entity(sl[t + 2]) {
        keys.push(key(
            T_COORD_RIGHT,
            kind_of(sl[t + 2]).map_or(0, |k| k as u64),
        ));
    }
}
