//! Headline anchoring: which block is the headline, whether a candidate's text starts right
//! under it, and whether a block repeats the title. Must not change any score itself.

use super::hints::Hints;
use crate::clean::blocks::{Block, BlockKind};
use crate::clean::dom::{Document, NodeId};

/// Index of the block that is the page's headline: the one repeating the title, else the
/// first `<h1>`.
pub fn find_headline(all: &[Block], hints: &Hints) -> Option<usize> {
    let title = hints.title.map(normalise_for_match).unwrap_or_default();
    if title.chars().count() >= 5 {
        let found = all
            .iter()
            .position(|b| b.len < 300 && repeats_title(b, &title, 5));
        if found.is_some() {
            return found;
        }
    }
    all.iter().position(|b| b.heading_level == 1)
}

/// True when the first paragraph of candidate `c` comes right after the headline: the story
/// body sits under its headline, teasers and sidebars do not. Wrappers that merely contain
/// the headline gain nothing unless their own text starts there too.
pub fn follows_headline(doc: &Document, all: &[Block], h: usize, c: NodeId) -> bool {
    let end = doc.node(c).end;
    let start = all.partition_point(|b| b.first < c).max(h + 1);
    let Some(offset) = all[start.min(all.len())..]
        .iter()
        .take_while(|b| b.first <= end)
        .position(|b| b.len >= 50 && !matches!(b.kind, BlockKind::Heading | BlockKind::Caption))
    else {
        return false;
    };
    let first = start + offset;
    // Room for a standfirst, a picture caption and a byline between headline and body.
    let gap: u32 = all[h + 1..first].iter().map(|b| b.len).sum();
    gap <= 400
}

/// True when the block says what the (normalised) title says, or its first half or more
/// (titles carry a " - Site" suffix).
pub fn repeats_title(b: &Block, title: &str, min: usize) -> bool {
    // Cheap length bounds first: most blocks are far longer or shorter than any title.
    let chars = b.len as usize;
    if chars * 4 + 16 < title.len() || chars > title.len() + 64 {
        return false;
    }
    let t = normalise_for_match(&b.text);
    t.len() >= min && (t == title || (title.starts_with(&t) && t.len() * 2 >= title.len()))
}

pub fn normalise_for_match(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
