//! Final scores: candidates damped by link density and teaser lists and raised when their
//! text starts under the headline, then ranked; a declared `articleBody` may overrule the
//! ranking. Must not widen the chosen container or pick blocks.

use super::candidates::Tally;
use super::headline::follows_headline;
use super::hints::Hints;
use crate::clean::blocks::Block;
use crate::clean::dom::{Document, NONE, NodeId};

/// The candidates best first, and the one chosen (`NONE` when there is none).
pub struct Ranking {
    pub candidates: Vec<(NodeId, f32)>,
    pub best: NodeId,
    pub best_score: f32,
}

/// Adjusts every candidate's score in place (the sibling rule reads the adjusted scores) and
/// ranks them.
pub fn rank(doc: &Document, all: &[Block], t: &mut Tally, headline: Option<usize>) -> Ranking {
    let mut best = NONE;
    let mut best_score = f32::MIN;
    let mut candidates = Vec::new();
    for i in 0..doc.nodes.len() {
        if !t.touched[i] {
            continue;
        }
        let ld = t.link[i] as f32 / (t.len[i] as f32).max(1.0);
        t.score[i] *= 1.0 - ld;
        if t.articles[i] >= 3 {
            t.score[i] *= 0.5;
        }
        if let Some(h) = headline
            && follows_headline(doc, all, h, i as NodeId)
        {
            t.score[i] *= 1.5;
        }
        candidates.push((i as NodeId, t.score[i]));
        if t.score[i] > best_score {
            best_score = t.score[i];
            best = i as NodeId;
        }
    }
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ranking {
        candidates,
        best,
        best_score,
    }
}

/// Lets the page's declared `articleBody` overrule the ranking (see [`agree_with_body`]).
pub fn prefer_body_agreement(
    doc: &Document,
    all: &[Block],
    r: &mut Ranking,
    t: &Tally,
    hints: &Hints,
) {
    if let Some(body) = hints.article_body
        && r.best != NONE
        && let Some(c) = agree_with_body(
            doc,
            all,
            &r.candidates[..r.candidates.len().min(10)],
            r.best,
            body,
            &t.len,
        )
    {
        r.best = c;
        r.best_score = t.score[c as usize];
    }
}

fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// When the page declares its `articleBody` (schema.org), prefer the candidate whose text
/// agrees with it best, if it agrees clearly better than the top-scoring one. Guarded against
/// truncated bodies (paywall teasers), which would pull towards a single paragraph.
fn agree_with_body(
    doc: &Document,
    all: &[Block],
    candidates: &[(NodeId, f32)],
    best: NodeId,
    body: &str,
    len: &[u32],
) -> Option<NodeId> {
    let body_chars = body.chars().filter(|c| !c.is_whitespace()).count();
    if body_chars < 500 || (body_chars as u32) * 2 < len[best as usize] {
        return None;
    }
    let vocab: std::collections::HashSet<String> = words_of(body).collect();
    let current = agreement(doc, all, &vocab, best);
    let (c, f) = candidates
        .iter()
        .map(|&(c, _)| (c, agreement(doc, all, &vocab, c)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (c != best && f >= 0.6 && f >= current + 0.1).then_some(c)
}

/// F1 of the words of candidate `c`'s text against the vocabulary of the declared body.
fn agreement(
    doc: &Document,
    all: &[Block],
    vocab: &std::collections::HashSet<String>,
    c: NodeId,
) -> f32 {
    let end = doc.node(c).end;
    let start = all.partition_point(|b| b.first < c);
    let mut covered = std::collections::HashSet::new();
    let (mut total, mut inside) = (0usize, 0usize);
    for b in all[start..].iter().take_while(|b| b.first <= end) {
        for w in words_of(&b.text) {
            total += 1;
            if vocab.contains(&w) {
                inside += 1;
                covered.insert(w);
            }
        }
    }
    let p = inside as f32 / total.max(1) as f32;
    let r = covered.len() as f32 / vocab.len().max(1) as f32;
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}
