//! HTML tokenizer and tree builder for [`Document`]: fast, forgiving, allocation-light.
//!
//! Follows the HTML5 parsing rules where they change what text ends up where (implied end
//! tags for `p`, `li`, `dt`/`dd`, table cells, raw-text elements, void elements, scoped end
//! tags, foreign content) and approximates the rest (no adoption agency, no foster parenting),
//! because the cleaner needs the same text blocks a browser shows, not a conforming DOM.
//! It never fails and never panics on any input; it must not rearrange nodes after appending
//! them (the pre-order layout of [`Document`] relies on that).

use super::dom::{Attr, Document, NONE, Node, NodeId, Tag, TextRef};
use super::entities;

mod scan;

use scan::{attr_value, find, find_end_tag, is_tag_delim, skip_comment, skip_past, tag_name_bytes};

/// Deeper nesting than this is flattened: nothing real needs it and it bounds stack use.
const MAX_DEPTH: usize = 512;

pub fn parse(source: String) -> Document {
    let mut b = Builder {
        doc: Document {
            nodes: Vec::with_capacity(source.len() / 40 + 16),
            attrs: Vec::with_capacity(source.len() / 60 + 16),
            source,
            extra: String::new(),
        },
        stack: Vec::with_capacity(64),
        foreign: 0,
        seen_body: false,
    };
    b.doc.nodes.push(Node {
        tag: Tag::Document,
        parent: NONE,
        first_child: NONE,
        last_child: NONE,
        next_sibling: NONE,
        end: 0,
        attrs: 0..0,
        span: TextRef::default(),
    });
    b.stack.push(0);
    b.run();
    while b.stack.len() > 1 {
        b.pop();
    }
    let last = b.doc.nodes.len() as NodeId - 1;
    b.doc.nodes[0].end = last;
    b.doc
}

struct Builder {
    doc: Document,
    stack: Vec<NodeId>,
    /// Depth inside `<svg>`/`<math>`, where `/>` really closes an element.
    foreign: u32,
    seen_body: bool,
}

struct StartTag {
    tag: Tag,
    name: TextRef,
    attrs: std::ops::Range<u32>,
    self_closing: bool,
}

impl Builder {
    fn run(&mut self) {
        let len = self.doc.source.len();
        let mut pos = 0usize;
        let mut text_start = 0usize;
        while pos < len {
            let Some(off) = memchr::memchr(b'<', &self.doc.source.as_bytes()[pos..]) else {
                break;
            };
            let lt = pos + off;
            let bytes = self.doc.source.as_bytes();
            let next = bytes.get(lt + 1).copied().unwrap_or(0);
            if next.is_ascii_alphabetic() {
                self.flush_text(text_start, lt);
                let (start, after) = self.read_start_tag(lt + 1);
                pos = self.start_tag(start, after);
                text_start = pos;
            } else if next == b'/' {
                let n2 = bytes.get(lt + 2).copied().unwrap_or(0);
                self.flush_text(text_start, lt);
                if n2.is_ascii_alphabetic() {
                    let (name, after) = self.read_end_tag(lt + 2);
                    self.end_tag(&name);
                    pos = after;
                } else {
                    pos = skip_past(self.doc.source.as_bytes(), lt + 2, b">");
                }
                text_start = pos;
            } else if next == b'!' {
                self.flush_text(text_start, lt);
                let bytes = self.doc.source.as_bytes();
                if bytes[lt..].starts_with(b"<!--") {
                    pos = skip_comment(bytes, lt + 4);
                } else if bytes[lt..].starts_with(b"<![CDATA[") {
                    let end = find(bytes, lt + 9, b"]]>").unwrap_or(len);
                    self.flush_text(lt + 9, end);
                    pos = (end + 3).min(len);
                } else {
                    pos = skip_past(bytes, lt + 2, b">");
                }
                text_start = pos;
            } else if next == b'?' {
                self.flush_text(text_start, lt);
                pos = skip_past(self.doc.source.as_bytes(), lt + 2, b">");
                text_start = pos;
            } else {
                pos = lt + 1;
            }
        }
        self.flush_text(text_start, len);
    }

    fn flush_text(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        let span = self.text_ref(start, end, false);
        self.append(Tag::Text, span, 0..0);
    }

    fn append(&mut self, tag: Tag, span: TextRef, attrs: std::ops::Range<u32>) -> NodeId {
        let id = self.doc.nodes.len() as NodeId;
        let parent = *self.stack.last().unwrap_or(&0);
        self.doc.nodes.push(Node {
            tag,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            end: id,
            attrs,
            span,
        });
        let p = &mut self.doc.nodes[parent as usize];
        let prev = p.last_child;
        p.last_child = id;
        if prev == NONE {
            p.first_child = id;
        } else {
            self.doc.nodes[prev as usize].next_sibling = id;
        }
        id
    }

    fn pop(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let id = self.stack.pop().unwrap_or(0);
        let last = self.doc.nodes.len() as NodeId - 1;
        self.doc.nodes[id as usize].end = last;
        if matches!(self.doc.nodes[id as usize].tag, Tag::Svg | Tag::Math) {
            self.foreign = self.foreign.saturating_sub(1);
        }
    }

    /// Pops up to and including `stack[idx]`.
    fn pop_to(&mut self, idx: usize) {
        while self.stack.len() > idx.max(1) {
            self.pop();
        }
    }

    fn top_tag(&self) -> Tag {
        self.doc.nodes[*self.stack.last().unwrap_or(&0) as usize].tag
    }

    /// Stack index of the nearest open element matching `want`, searching down from the top
    /// and giving up at an element for which `stop` holds.
    fn find_open(&self, want: impl Fn(Tag) -> bool, stop: impl Fn(Tag) -> bool) -> Option<usize> {
        for idx in (1..self.stack.len()).rev() {
            let t = self.doc.nodes[self.stack[idx] as usize].tag;
            if want(t) {
                return Some(idx);
            }
            if stop(t) {
                return None;
            }
        }
        None
    }

    /// Closes the nearest open element matching `want` inside the current table.
    fn close_in_table(&mut self, want: impl Fn(Tag) -> bool) {
        if let Some(i) = self.find_open(want, |t| t == Tag::Table) {
            self.pop_to(i);
        }
    }

    fn close_p(&mut self) {
        if let Some(i) = self.find_open(|t| t == Tag::P, Tag::is_scope_boundary) {
            self.pop_to(i);
        }
    }

    fn start_tag(&mut self, st: StartTag, after: usize) -> usize {
        let tag = st.tag;
        if self.ignored_document_tag(tag) {
            return after;
        }
        if self.foreign == 0 {
            self.close_implied(tag);
        }
        let void = tag.is_void() || (self.foreign > 0 && st.self_closing);
        if (void || self.stack.len() >= MAX_DEPTH) && (tag == Tag::Other || !tag.is_raw_text()) {
            self.append(tag, st.name, st.attrs);
            return after;
        }
        let id = self.append(tag, st.name, st.attrs);
        self.stack.push(id);
        if matches!(tag, Tag::Svg | Tag::Math) {
            self.foreign += 1;
        }
        if tag.is_raw_text() && self.foreign == 0 {
            return self.raw_text(tag, after);
        }
        after
    }

    /// True for a start tag to ignore: `<html>` or `<head>` while one is open, a second
    /// `<body>`. A first `<body>` closes an open `<head>`.
    fn ignored_document_tag(&mut self, tag: Tag) -> bool {
        match tag {
            Tag::Html | Tag::Head
                if self
                    .stack
                    .iter()
                    .any(|&i| self.doc.nodes[i as usize].tag == tag) =>
            {
                return true;
            }
            Tag::Body => {
                if self.seen_body {
                    return true;
                }
                self.seen_body = true;
                if let Some(i) = self.find_open(|t| t == Tag::Head, |_| false) {
                    self.pop_to(i);
                }
            }
            _ => {}
        }
        false
    }

    /// The end tags a start tag implies (outside foreign content): an open `<p>`, list
    /// items, `<dt>`/`<dd>`, options, table rows and cells, headings, links.
    fn close_implied(&mut self, tag: Tag) {
        if tag.closes_p() {
            self.close_p();
        }
        match tag {
            Tag::Li => {
                let found = self.find_open(
                    |t| t == Tag::Li,
                    |t| {
                        matches!(t, Tag::Ul | Tag::Ol | Tag::Menu)
                            || t.is_scope_boundary()
                            || (t.closes_p() && !matches!(t, Tag::Div | Tag::P | Tag::Address))
                    },
                );
                if let Some(i) = found {
                    self.pop_to(i);
                }
            }
            Tag::Dt | Tag::Dd => {
                let found = self.find_open(
                    |t| matches!(t, Tag::Dt | Tag::Dd),
                    |t| {
                        t == Tag::Dl
                            || t.is_scope_boundary()
                            || (t.closes_p() && !matches!(t, Tag::Div | Tag::P | Tag::Address))
                    },
                );
                if let Some(i) = found {
                    self.pop_to(i);
                }
            }
            Tag::Option | Tag::Optgroup if self.top_tag() == Tag::Option => {
                self.pop();
            }
            Tag::Tr => self.close_in_table(|t| t == Tag::Tr),
            Tag::Td | Tag::Th => self.close_in_table(|t| matches!(t, Tag::Td | Tag::Th)),
            Tag::Tbody | Tag::Thead | Tag::Tfoot => {
                self.close_in_table(|t| t == Tag::Tr);
                self.close_in_table(|t| matches!(t, Tag::Tbody | Tag::Thead | Tag::Tfoot));
            }
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6
                if self.top_tag().is_heading() =>
            {
                self.pop();
            }
            Tag::A => {
                // A nested link closes the open one when only inline markup lies between.
                if let Some(i) = self.find_open(|t| t == Tag::A, |t| t.is_block()) {
                    self.pop_to(i);
                }
            }
            _ => {}
        }
    }

    /// The text of a raw-text element (`<script>`, `<title>`, ...) up to its end tag, then the
    /// element closed; returns the offset to go on from.
    fn raw_text(&mut self, tag: Tag, after: usize) -> usize {
        let bytes = self.doc.source.as_bytes();
        let name = tag_name_bytes(tag);
        let (content_end, resume) = if tag == Tag::Plaintext {
            (bytes.len(), bytes.len())
        } else {
            find_end_tag(bytes, after, name)
        };
        if content_end > after {
            if matches!(tag, Tag::Title | Tag::Textarea) {
                self.flush_text(after, content_end);
            } else {
                let span = TextRef {
                    start: after as u32,
                    end: content_end as u32,
                    decoded: false,
                };
                self.append(Tag::Text, span, 0..0);
            }
        }
        self.pop();
        resume
    }

    fn end_tag(&mut self, name: &[u8]) {
        let tag = Tag::from_lower(name);
        match tag {
            Tag::Br => {
                self.append(Tag::Br, TextRef::default(), 0..0);
            }
            Tag::Html | Tag::Body => {}
            Tag::P => self.close_p(),
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6 => {
                if let Some(i) = self.find_open(Tag::is_heading, Tag::is_scope_boundary) {
                    self.pop_to(i);
                }
            }
            Tag::Li => {
                if let Some(i) = self.find_open(
                    |t| t == Tag::Li,
                    |t| t.is_scope_boundary() || matches!(t, Tag::Ul | Tag::Ol),
                ) {
                    self.pop_to(i);
                }
            }
            Tag::Table => {
                if let Some(i) = self.find_open(|t| t == Tag::Table, |t| t == Tag::Html) {
                    self.pop_to(i);
                }
            }
            Tag::Td | Tag::Th | Tag::Tr | Tag::Tbody | Tag::Thead | Tag::Tfoot | Tag::Caption => {
                if let Some(i) = self.find_open(|t| t == tag, |t| t == Tag::Table) {
                    self.pop_to(i);
                }
            }
            Tag::Svg | Tag::Math => {
                if let Some(i) = self.find_open(|t| t == tag, |t| t == Tag::Html) {
                    self.pop_to(i);
                }
            }
            Tag::Other => self.close_custom(name),
            t if t.closes_p() || t.is_block() || self.foreign > 0 => {
                if let Some(i) = self.find_open(|x| x == t, Tag::is_scope_boundary) {
                    self.pop_to(i);
                }
            }
            t => {
                // Inline end tag: close it only if no block lies in between (a rough stand-in
                // for the adoption agency algorithm, which would otherwise reparent blocks).
                if let Some(i) = self.find_open(|x| x == t, |x| x.closes_p() || x.is_block()) {
                    self.pop_to(i);
                }
            }
        }
    }

    /// Custom elements (`<amp-img>`, `<my-card>`) are often used as containers: close the
    /// nearest one with the same name, but never across a table cell.
    fn close_custom(&mut self, name: &[u8]) {
        let found = (1..self.stack.len()).rev().find_map(|idx| {
            let id = self.stack[idx];
            let t = self.doc.nodes[id as usize].tag;
            if t == Tag::Other && self.doc.name(id).as_bytes() == name {
                Some(Some(idx))
            } else if t.is_scope_boundary() || (self.foreign == 0 && t == Tag::Svg) {
                Some(None)
            } else {
                None
            }
        });
        if let Some(Some(i)) = found {
            self.pop_to(i);
        }
    }

    /// Reads `<name attrs...>` starting at the name; returns the tag and the offset after `>`.
    fn read_start_tag(&mut self, start: usize) -> (StartTag, usize) {
        let bytes = self.doc.source.as_bytes();
        let len = bytes.len();
        let mut i = start;
        while i < len && !is_tag_delim(bytes[i]) {
            i += 1;
        }
        let name = self.lower_ref(start, i);
        let tag = Tag::from_lower(self.doc.str(name).as_bytes());
        let attrs_start = self.doc.attrs.len() as u32;
        let mut self_closing = false;
        loop {
            let bytes = self.doc.source.as_bytes();
            while i < len && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                self_closing = bytes[i] == b'/';
                i += 1;
            }
            if i >= len {
                break;
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            self_closing = false;
            let n_start = i;
            i += 1; // a leading '=' belongs to the name (HTML5 §13.2.5.32)
            while i < len
                && !matches!(bytes[i], b'=' | b'>' | b'/')
                && !bytes[i].is_ascii_whitespace()
            {
                i += 1;
            }
            let n_end = i;
            let (v_start, v_end, next) = attr_value(bytes, i, n_end);
            i = next;
            let name = self.lower_ref(n_start, n_end);
            let value = self.text_ref(v_start, v_end, true);
            self.doc.attrs.push(Attr { name, value });
        }
        let attrs = attrs_start..self.doc.attrs.len() as u32;
        (
            StartTag {
                tag,
                name,
                attrs,
                self_closing,
            },
            i,
        )
    }

    /// Reads `name ...>` of an end tag; returns the lower-cased name and the offset after `>`.
    fn read_end_tag(&self, start: usize) -> (Vec<u8>, usize) {
        let bytes = self.doc.source.as_bytes();
        let mut i = start;
        while i < bytes.len() && !is_tag_delim(bytes[i]) {
            i += 1;
        }
        let name = bytes[start..i].to_ascii_lowercase();
        (name, skip_past(bytes, i, b">"))
    }

    fn lower_ref(&mut self, start: usize, end: usize) -> TextRef {
        let raw = &self.doc.source[start..end];
        if raw.bytes().any(|c| c.is_ascii_uppercase()) {
            let s = self.doc.extra.len();
            for c in raw.chars() {
                self.doc.extra.push(c.to_ascii_lowercase());
            }
            TextRef {
                start: s as u32,
                end: self.doc.extra.len() as u32,
                decoded: true,
            }
        } else {
            TextRef {
                start: start as u32,
                end: end as u32,
                decoded: false,
            }
        }
    }

    /// The source range as it reads: itself when it holds no character reference, else its
    /// decoded copy in `extra` (`attribute` selects the attribute-value decoding rules).
    fn text_ref(&mut self, start: usize, end: usize, attribute: bool) -> TextRef {
        let raw = &self.doc.source[start..end];
        if memchr::memchr(b'&', raw.as_bytes()).is_some() {
            let s = self.doc.extra.len();
            entities::decode_into(raw, attribute, &mut self.doc.extra);
            TextRef {
                start: s as u32,
                end: self.doc.extra.len() as u32,
                decoded: true,
            }
        } else {
            TextRef {
                start: start as u32,
                end: end as u32,
                decoded: false,
            }
        }
    }
}

#[cfg(test)]
mod tests;
