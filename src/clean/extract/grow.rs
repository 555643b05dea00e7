//! From the best candidate to the whole story: climb past only children, take in cousins
//! (a story cut into chunks by ads) and Readability's article-like siblings. Must not score
//! candidates or filter blocks.

use super::candidates::Tally;
use crate::clean::blocks::{Block, BlockKind};
use crate::clean::dom::{Document, NONE, NodeId, Tag};

/// An only child says nothing its parent does not, and the parent's siblings may hold
/// the rest of the story (Readability does the same).
pub fn climb_only_children(doc: &Document, best: NodeId) -> NodeId {
    let mut best = best;
    while best != 0 {
        let p = doc.node(best).parent;
        if p == NONE || matches!(doc.tag(p), Tag::Html | Tag::Body | Tag::Document) {
            break;
        }
        let kids = doc
            .children(p)
            .filter(|&c| !matches!(doc.tag(c), Tag::Text))
            .count();
        if kids != 1 {
            break;
        }
        best = p;
    }
    best
}

/// Long stories are often cut into chunks with ads between them, so the chunks are cousins,
/// not siblings. Climb to an ancestor when what it adds is mostly article-like paragraphs.
pub fn extend_to_cousins(doc: &Document, best: NodeId, all: &[Block]) -> NodeId {
    let (g0, o0, _) = text_under(doc, all, best, best);
    let mut chosen = best;
    let mut cur = best;
    for _ in 0..4 {
        let p = doc.node(cur).parent;
        if p == NONE || matches!(doc.tag(p), Tag::Body | Tag::Html | Tag::Document) {
            break;
        }
        cur = p;
        let (g, o, teasers) = text_under(doc, all, best, cur);
        // Paragraphs from other <article>s are other stories (a list of teasers), not chunks.
        if teasers >= 2 {
            break;
        }
        let extra_good = g.saturating_sub(g0) as f32;
        let extra_other = o.saturating_sub(o0) as f32;
        if extra_good >= (g0 as f32 * 0.2).max(300.0) && extra_other <= extra_good * 0.3 {
            chosen = cur;
        }
    }
    chosen
}

/// Under `anc`: (good text, other text, separate <article>s the good text outside `best`
/// comes from).
fn text_under(doc: &Document, all: &[Block], best: NodeId, anc: NodeId) -> (u32, u32, u32) {
    let (mut good, mut other, mut teasers) = (0u32, 0u32, 0u32);
    let mut last_article = NONE;
    for b in all {
        if b.owner == anc || doc.is_ancestor(anc, b.owner) {
            let ld = b.link_len as f32 / b.len.max(1) as f32;
            if b.len >= 80 && ld < 0.25 && b.kind != BlockKind::Heading {
                good += b.len;
                if !doc.is_ancestor(best, b.owner) {
                    let article = std::iter::once(b.owner)
                        .chain(doc.ancestors(b.owner))
                        .take_while(|&a| a != anc)
                        .find(|&a| doc.tag(a) == Tag::Article);
                    if let Some(a) = article.filter(|&a| a != last_article) {
                        last_article = a;
                        teasers += 1;
                    }
                }
            } else if ld >= 0.5 || b.len < 80 {
                other += b.len;
            }
        }
    }
    (good, other, teasers)
}

/// Readability's sibling rule: a story is often split across siblings (lead, body, pull
/// quotes); take those scoring near the best one, or reading like paragraphs.
pub fn with_siblings(
    doc: &Document,
    best: NodeId,
    best_score: f32,
    t: &Tally,
    all: &[Block],
) -> Vec<NodeId> {
    let parent = doc.node(best).parent;
    if parent == NONE {
        return vec![best];
    }
    let threshold = (best_score * 0.2).max(10.0);
    let mut parts = Vec::new();
    for s in doc.children(parent) {
        if s == best {
            parts.push(s);
            continue;
        }
        let l = t.len[s as usize];
        if l == 0 {
            continue;
        }
        if t.articles[s as usize] >= 2 {
            continue;
        }
        if t.touched[s as usize] && t.score[s as usize] >= threshold {
            parts.push(s);
            continue;
        }
        if paragraph_like(doc, s, best, l, t.link[s as usize], all) {
            parts.push(s);
        }
    }
    parts
}

/// Paragraph-like siblings (a standfirst, a lead paragraph) belong to the story. `l` and
/// `link` are the sibling's text and link lengths.
fn paragraph_like(
    doc: &Document,
    s: NodeId,
    best: NodeId,
    l: u32,
    link: u32,
    all: &[Block],
) -> bool {
    let ld = link as f32 / l as f32;
    // Blocks are in document order, so a subtree's blocks are one contiguous run.
    let end = doc.node(s).end;
    let start = all.partition_point(|b| b.first < s);
    let own: Vec<&Block> = all[start..].iter().take_while(|b| b.first <= end).collect();
    let sentence = own
        .iter()
        .any(|b| b.text.ends_with(['.', '!', '?', '"', '”', '。']));
    let headingish = own.iter().all(|b| b.kind == BlockKind::Heading);
    // A standfirst right before the body, named as such ("summary", "lead", "standfirst").
    let standfirst = s < best
        && l > 80
        && ld < 0.25
        && sentence
        && [doc.attr(s, "class"), doc.attr(s, "id")]
            .into_iter()
            .flatten()
            .any(|v| {
                let v = v.to_ascii_lowercase();
                ["summary", "standfirst", "lead", "intro", "excerpt", "dek"]
                    .iter()
                    .any(|w| v.contains(w))
            });
    !headingish
        && (standfirst
            || (l > 80 && ld < 0.25 && sentence && doc.tag(s) == Tag::P)
            || (l <= 80 && ld == 0.0 && doc.tag(s) == Tag::P && sentence))
}
