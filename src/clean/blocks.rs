//! Cuts a document subtree into text blocks: the runs of inline text a reader sees as one
//! paragraph, heading, list item or caption, with whitespace normalised.
//!
//! A block remembers the element that owns it and how much of its text sits inside links, so
//! the main-text selection can score blocks without re-reading the tree. This module decides
//! nothing about what is content: it must render every node it is not told to skip.

use super::dom::{Document, NodeId, Tag};

/// What kind of paragraph a block is, from its nearest block-level ancestors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading,
    ListItem,
    Quote,
    Caption,
    Preformatted,
    TableCell,
    Other,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub text: String,
    /// Characters of text (not bytes), excluding spaces.
    pub len: u32,
    /// Characters of text inside `<a href>`.
    pub link_len: u32,
    /// Innermost block-level element around the text.
    pub owner: NodeId,
    pub kind: BlockKind,
    /// Lines broken by `<br>` inside the block.
    pub breaks: u32,
    /// 1-6 for headings, 0 otherwise.
    pub heading_level: u8,
    /// The first text node of the block: blocks are in document order of this field.
    pub first: NodeId,
}

/// Cuts `root`'s subtree into blocks, skipping every subtree whose root is marked in `skip`.
pub fn segment(doc: &Document, root: NodeId, skip: &[bool]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur = Builder::default();
    // Open block elements and open links, each with the last node of its subtree.
    let mut blocks: Vec<(NodeId, NodeId)> = Vec::with_capacity(32);
    let mut link_end: NodeId = 0;
    let mut in_link = false;
    let mut pre_end: Option<NodeId> = None;
    let mut i = root;
    let last = doc.node(root).end;
    let mut owner = root;
    while i <= last {
        while let Some(&(b, end)) = blocks.last() {
            if end >= i {
                break;
            }
            blocks.pop();
            cur.flush(doc, b, &mut out);
            owner = blocks.last().map_or(root, |x| x.0);
        }
        if in_link && i > link_end {
            in_link = false;
        }
        if pre_end.is_some_and(|e| i > e) {
            pre_end = None;
        }
        let node = doc.node(i);
        if skip[i as usize] && i != root {
            i = node.end + 1;
            continue;
        }
        match node.tag {
            Tag::Text => {
                let t = doc.str(node.span);
                cur.push_text(t, in_link, pre_end.is_some(), owner, i);
            }
            Tag::Br => {
                // Two breaks in a row are how older pages separate paragraphs. (Kept as an
                // inner `if`: as a match guard the call's side effect would run twice.)
                let second = cur.line_break(owner);
                if second {
                    cur.flush(doc, owner, &mut out);
                }
            }
            Tag::A if !in_link && doc.attr(i, "href").is_some() => {
                in_link = true;
                link_end = node.end;
            }
            Tag::Img | Tag::Hr | Tag::Wbr => {}
            t if t.is_block() || i == root => {
                cur.flush(doc, owner, &mut out);
                if t == Tag::Pre {
                    pre_end = Some(node.end);
                }
                blocks.push((i, node.end));
                owner = i;
            }
            _ => {}
        }
        i += 1;
    }
    while let Some((b, _)) = blocks.pop() {
        cur.flush(doc, b, &mut out);
    }
    cur.flush(doc, owner, &mut out);
    merge_table_rows(doc, out)
}

/// A data-table row reads as one line ("Weekdays 10:00 to 16:00"), not one paragraph per
/// cell. Layout tables, whose cells hold whole columns of a page, are left alone.
fn merge_table_rows(doc: &Document, blocks: Vec<Block>) -> Vec<Block> {
    let row_of = |b: &Block| {
        let cell = doc.tag(b.owner);
        if matches!(cell, Tag::Td | Tag::Th) && b.len < 200 && !b.text.contains('\n') {
            Some(doc.node(b.owner).parent)
        } else {
            None
        }
    };
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    let mut last_row = None;
    for b in blocks {
        let row = row_of(&b);
        if let (Some(r), Some(prev)) = (row, out.last_mut())
            && last_row == Some(r)
        {
            prev.text.push(' ');
            prev.text.push_str(&b.text);
            prev.len += b.len;
            prev.link_len += b.link_len;
            continue;
        }
        last_row = row;
        out.push(b);
    }
    out
}

#[derive(Default)]
struct Builder {
    text: String,
    len: u32,
    link_len: u32,
    pending_space: bool,
    breaks: u32,
    owner: NodeId,
    first: NodeId,
}

impl Builder {
    fn push_text(&mut self, t: &str, in_link: bool, pre: bool, owner: NodeId, node: NodeId) {
        if self.len == 0 {
            self.owner = owner;
            self.first = node;
        }
        for c in t.chars() {
            if c == '\n' && pre && !self.text.is_empty() {
                self.text.push('\n');
                self.pending_space = false;
                continue;
            }
            if c.is_whitespace() {
                self.pending_space = true;
                continue;
            }
            if matches!(
                c,
                '\u{200B}' | '\u{FEFF}' | '\u{AD}' | '\u{200C}' | '\u{2060}'
            ) {
                continue;
            }
            if self.pending_space && !self.text.is_empty() && !self.text.ends_with('\n') {
                self.text.push(' ');
            }
            self.pending_space = false;
            self.text.push(c);
            self.len += 1;
            if in_link {
                self.link_len += 1;
            }
        }
    }

    /// Returns true on a second break in a row.
    fn line_break(&mut self, owner: NodeId) -> bool {
        if self.text.is_empty() {
            self.owner = owner;
            return false;
        }
        self.pending_space = false;
        if self.text.ends_with('\n') {
            return true;
        }
        self.text.push('\n');
        self.breaks += 1;
        false
    }

    fn flush(&mut self, doc: &Document, owner: NodeId, out: &mut Vec<Block>) {
        while self.text.ends_with('\n') {
            self.text.pop();
        }
        if self.len > 0 {
            let owner = if self.owner != 0 { self.owner } else { owner };
            out.push(Block {
                text: std::mem::take(&mut self.text),
                len: self.len,
                link_len: self.link_len,
                owner,
                kind: kind_of(doc, owner),
                breaks: self.breaks,
                heading_level: heading_level(doc, owner),
                first: self.first,
            });
        } else {
            self.text.clear();
        }
        self.len = 0;
        self.link_len = 0;
        self.breaks = 0;
        self.owner = 0;
        self.pending_space = false;
    }
}

fn heading_level(doc: &Document, owner: NodeId) -> u8 {
    let level = |t: Tag| match t {
        Tag::H1 => 1,
        Tag::H2 => 2,
        Tag::H3 => 3,
        Tag::H4 => 4,
        Tag::H5 => 5,
        Tag::H6 => 6,
        _ => 0,
    };
    std::iter::once(owner)
        .chain(doc.ancestors(owner).take(3))
        .map(|a| level(doc.tag(a)))
        .find(|&l| l > 0)
        .unwrap_or(0)
}

fn kind_of(doc: &Document, owner: NodeId) -> BlockKind {
    let own = doc.tag(owner);
    let kind = |t: Tag| match t {
        Tag::P => Some(BlockKind::Paragraph),
        t if t.is_heading() => Some(BlockKind::Heading),
        Tag::Li | Tag::Dd | Tag::Dt => Some(BlockKind::ListItem),
        Tag::Blockquote => Some(BlockKind::Quote),
        Tag::Figcaption | Tag::Caption => Some(BlockKind::Caption),
        Tag::Pre => Some(BlockKind::Preformatted),
        Tag::Td | Tag::Th => Some(BlockKind::TableCell),
        _ => None,
    };
    if let Some(k) = kind(own) {
        return k;
    }
    doc.ancestors(owner)
        .take(4)
        .find_map(|a| kind(doc.tag(a)))
        .unwrap_or(BlockKind::Other)
}

/// Joins block texts into the output form: paragraphs separated by a blank line.
pub fn join<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for t in texts {
        for para in t.split("\n\n") {
            let para = para.trim();
            if para.is_empty() {
                continue;
            }
            if !s.is_empty() {
                s.push_str("\n\n");
            }
            s.push_str(para);
        }
    }
    s
}
