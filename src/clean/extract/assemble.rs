//! Text assembly: the blocks inside the chosen parts, minus link lists, the headline, bylines
//! and datelines around the story, closing calls to action and furniture lines. Must not
//! change which container was chosen.

use super::headline::{normalise_for_match, repeats_title};
use super::hints::Hints;
use super::lines::{is_byline, is_call_to_action, is_dateline, is_furniture_line};
use crate::clean::blocks::{Block, BlockKind};
use crate::clean::dom::{Document, NodeId};

/// The story's blocks in reading order, and the first dateline dropped from above it.
/// `parts` are disjoint subtrees in document order.
pub fn story_blocks(
    doc: &Document,
    all: Vec<Block>,
    parts: &[NodeId],
    hints: &Hints,
) -> (Vec<Block>, Option<String>) {
    // The part that can hold a block is the last one starting at or before the block's owner.
    let inside_parts = |b: &Block| {
        let i = parts.partition_point(|&p| p <= b.owner);
        i > 0 && doc.is_ancestor(parts[i - 1], b.owner)
    };
    let kept: Vec<Block> = all
        .into_iter()
        .filter(|b| inside_parts(b))
        .filter(keep_block)
        .collect();
    drop_headline_and_byline(kept, hints)
}

/// Link lists are navigation; a sentence that happens to cite many sources is not.
fn keep_block(b: &Block) -> bool {
    let ld = b.link_len as f32 / (b.len as f32).max(1.0);
    match b.kind {
        BlockKind::Quote => true,
        BlockKind::Paragraph => ld <= 0.5 || (ld <= 0.8 && b.len >= 60),
        _ => ld <= 0.5,
    }
}

/// Drops what repeats metadata or labels the page rather than tells the story: the headline
/// (a block repeating the page title, which usually has a " - Site" suffix), bylines and
/// datelines before the first paragraph, and short furniture lines anywhere ("Share.",
/// "Advertisement", "Exit mobile version").
fn drop_headline_and_byline(blocks: Vec<Block>, hints: &Hints) -> (Vec<Block>, Option<String>) {
    let title = hints.title.map(normalise_for_match).unwrap_or_default();
    let first_para = blocks
        .iter()
        .position(|b| b.len >= 100 && b.kind != BlockKind::Heading && b.link_len * 4 < b.len)
        .unwrap_or(0);
    let dateline = blocks[..first_para]
        .iter()
        .find(|b| b.kind != BlockKind::TableCell && is_dateline(&b.text))
        .map(|b| b.text.clone());
    let last_para = blocks
        .iter()
        .rposition(|b| b.len >= 100 && b.kind != BlockKind::Heading && b.link_len * 4 < b.len)
        .unwrap_or(blocks.len());
    let total = blocks.len();
    let kept = blocks
        .into_iter()
        .enumerate()
        .filter(|(i, b)| {
            if title.len() >= 8 && b.len < 300 && repeats_title(b, &title, 8) {
                return false;
            }
            let edge = *i < first_para || *i > last_para;
            if edge
                && b.kind != BlockKind::TableCell
                && (is_byline(&b.text) || is_dateline(&b.text))
            {
                return false;
            }
            if *i < first_para && b.kind == BlockKind::Heading && is_h1(b) {
                return false;
            }
            if *i + 3 > total && b.len < 300 && is_call_to_action(&b.text) {
                return false;
            }
            !is_furniture_line(&b.text)
        })
        .map(|(_, b)| b)
        .collect();
    (kept, dateline)
}

fn is_h1(b: &Block) -> bool {
    b.heading_level == 1
}
