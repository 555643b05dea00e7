//! Main-text selection: which blocks of a page are the story.
//!
//! Three passes over the tree: mark what can never be content (scripts, hidden elements,
//! navigation landmarks, and elements whose class/id names page furniture such as share bars,
//! comments or related lists); cut the rest into text blocks and score the elements that hold
//! paragraphs (Readability-style: commas and length, damped by link density and by the
//! class/id vocabulary); take the best element and its article-like siblings, and keep their
//! blocks minus link lists, the headline, bylines and furniture lines. Rules are about the
//! shape and vocabulary of web pages in general; nothing here may name a particular site.

use super::blocks::{self, Block};
use super::dom::{Document, NONE, NodeId, Tag};

mod assemble;
mod candidates;
mod furniture;
mod grow;
mod headline;
mod hints;
mod lines;
mod score;

pub use furniture::{Role, class_roles, never_content};
pub use hints::Hints;

use score::Ranking;

/// The selected main text, as blocks in reading order.
pub struct MainText {
    pub blocks: Vec<Block>,
    pub container: NodeId,
    /// The best-scoring candidates, best first (for diagnostics).
    pub candidates: Vec<(NodeId, f32)>,
    /// The first dateline dropped from above the story ("Published 4 March 2021"), a last
    /// resort for the publication time.
    pub dateline: Option<String>,
}

impl MainText {
    pub fn text(&self) -> String {
        blocks::join(self.blocks.iter().map(|b| b.text.as_str()))
    }
}

pub fn main_text(doc: &Document, hints: &Hints) -> MainText {
    let hard = never_content(doc);
    let roles = class_roles(doc);
    let pruned = select(doc, &hard, &roles, true, hints);
    let pruned_len: u32 = pruned.blocks.iter().map(|b| b.len).sum();
    if pruned_len >= 200 {
        return pruned;
    }
    // The furniture vocabulary can hit a wrapper of the whole story; when pruning leaves
    // almost nothing, fall back to scoring without it, as Readability does.
    let full = select(doc, &hard, &roles, false, hints);
    let full_len: u32 = full.blocks.iter().map(|b| b.len).sum();
    if full_len > pruned_len * 3 {
        full
    } else {
        pruned
    }
}

/// One selection: the blocks of the page, every candidate scored, the best one widened to
/// the whole story, and the story's blocks kept.
fn select(doc: &Document, hard: &[bool], roles: &[Role], prune: bool, hints: &Hints) -> MainText {
    let skip = skip_mask(hard, roles, prune);
    let all = blocks::segment(doc, 0, &skip);
    let mut tally = candidates::tally(doc, &all, roles);
    let headline = headline::find_headline(&all, hints);
    let mut ranking = score::rank(doc, &all, &mut tally, headline);
    score::prefer_body_agreement(doc, &all, &mut ranking, &tally, hints);
    let Ranking {
        mut candidates,
        best,
        best_score,
    } = ranking;
    candidates.truncate(6);
    let best = if best == NONE {
        doc.elements(Tag::Body).next().unwrap_or(0)
    } else {
        best
    };
    let best = grow::climb_only_children(doc, best);
    let best = grow::extend_to_cousins(doc, best, &all);
    let parts = grow::with_siblings(doc, best, best_score, &tally, &all);
    let (blocks, dateline) = assemble::story_blocks(doc, all, &parts, hints);
    MainText {
        blocks,
        container: best,
        candidates,
        dateline,
    }
}

/// What segmentation skips: what can never be content, and furniture when pruning.
fn skip_mask(hard: &[bool], roles: &[Role], prune: bool) -> Vec<bool> {
    let mut skip = hard.to_vec();
    if prune {
        for (i, r) in roles.iter().enumerate() {
            if *r == Role::Furniture {
                skip[i] = true;
            }
        }
    }
    skip
}
