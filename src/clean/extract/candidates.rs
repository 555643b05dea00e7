//! Candidate containers: every element within five levels above a paragraph gets a
//! Readability-style content score (tag, class/id role, commas, length), and every element
//! its text and link lengths and a count of the teaser `<article>`s below it. Must not
//! pick the best candidate or look at the headline.

use super::furniture::Role;
use crate::clean::blocks::{Block, BlockKind};
use crate::clean::dom::{Document, NONE, NodeId, Tag};

/// Per element, by node id: what the blocks inside it add up to.
pub struct Tally {
    /// Text length of the blocks inside.
    pub len: Vec<u32>,
    /// Link text length of the blocks inside.
    pub link: Vec<u32>,
    /// Content score; meaningful only where `touched`.
    pub score: Vec<f32>,
    /// A candidate: some paragraph credited it.
    pub touched: Vec<bool>,
    /// Separate `<article>`s the paragraphs below come from (many make a list of teasers).
    pub articles: Vec<u32>,
}

pub fn tally(doc: &Document, all: &[Block], roles: &[Role]) -> Tally {
    let n = doc.nodes.len();
    let mut t = Tally {
        len: vec![0u32; n],
        link: vec![0u32; n],
        score: vec![0f32; n],
        touched: vec![false; n],
        articles: vec![0u32; n],
    };
    add_lengths(doc, all, &mut t);
    credit_paragraphs(doc, all, roles, &mut t);
    t
}

/// Every block's text and link lengths count for its owner and all the owner's ancestors.
fn add_lengths(doc: &Document, all: &[Block], t: &mut Tally) {
    for b in all {
        let mut cur = b.owner;
        while cur != NONE {
            t.len[cur as usize] += b.len;
            t.link[cur as usize] += b.link_len;
            cur = doc.node(cur).parent;
        }
    }
}

/// Each paragraph credits the five elements above it, less the further up they are.
fn credit_paragraphs(doc: &Document, all: &[Block], roles: &[Role], t: &mut Tally) {
    // Paragraphs each inside their own <article> below a candidate make it a list of teasers.
    let mut last_article = vec![NONE; doc.nodes.len()];
    for b in all {
        if b.len < 25 || b.kind == BlockKind::Heading {
            continue;
        }
        let article = enclosing_article(doc, b.owner);
        let cs = 1.0 + commas(&b.text) as f32 + (b.len as f32 / 100.0).min(3.0);
        // Loose text in a container that also holds blocks is a paragraph of that container
        // (Readability wraps such runs in <p>), so the container itself is the candidate.
        let mut cur = if mixed_container(doc, b.owner) {
            b.owner
        } else {
            doc.node(b.owner).parent
        };
        let mut level = 0;
        while cur != NONE && level < 5 {
            if !t.touched[cur as usize] {
                t.touched[cur as usize] = true;
                t.score[cur as usize] = base_score(doc, cur, roles[cur as usize]);
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            t.score[cur as usize] += cs / div;
            if article != NONE
                && article != cur
                && doc.is_ancestor(cur, article)
                && last_article[cur as usize] != article
            {
                last_article[cur as usize] = article;
                t.articles[cur as usize] += 1;
            }
            cur = doc.node(cur).parent;
            level += 1;
        }
    }
}

/// The `<article>` a block's owner is or sits in, at most eight levels up (`NONE` if none).
fn enclosing_article(doc: &Document, owner: NodeId) -> NodeId {
    std::iter::once(owner)
        .chain(doc.ancestors(owner))
        .take(8)
        .find(|&a| doc.tag(a) == Tag::Article)
        .unwrap_or(NONE)
}

fn mixed_container(doc: &Document, id: NodeId) -> bool {
    matches!(
        doc.tag(id),
        Tag::Div | Tag::Section | Tag::Article | Tag::Main | Tag::Td | Tag::Center | Tag::Other
    ) && doc
        .children(id)
        .any(|c| doc.tag(c).is_block() && doc.tag(c) != Tag::Br)
}

fn base_score(doc: &Document, id: NodeId, role: Role) -> f32 {
    let tag = match doc.tag(id) {
        Tag::Div | Tag::Article | Tag::Main | Tag::Section => 5.0,
        Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
        Tag::Address | Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form => {
            -3.0
        }
        Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6 | Tag::Th => -5.0,
        _ => 0.0,
    };
    let class = match role {
        Role::Story => 25.0,
        Role::Furniture => -25.0,
        Role::Neutral => 0.0,
    };
    tag + class
}

fn commas(s: &str) -> usize {
    s.chars()
        .filter(|&c| matches!(c, ',' | '，' | '、' | '،'))
        .count()
}
