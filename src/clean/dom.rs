//! The compact document tree the cleaner reads: one arena of nodes in document order.
//!
//! Nodes are appended in pre-order and never moved, so every subtree is the contiguous index
//! range `id..=end(id)`; walks are linear scans, never recursion. Text and attribute values are
//! ranges into the decoded source (or into a side buffer when references had to be decoded).
//! This module must not know about articles, scores or metadata: it only stores markup.

use std::ops::Range;

/// Index of a node in [`Document::nodes`].
pub type NodeId = u32;
/// Sentinel for "no node" in the link fields.
pub const NONE: NodeId = u32::MAX;

macro_rules! tags {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// Element names the cleaner treats specially; everything else is [`Tag::Other`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Tag { Document, Text, Other, $($variant),* }

        impl Tag {
            /// Looks up a lower-case element name.
            pub fn from_lower(name: &[u8]) -> Tag {
                match name { $($name => Tag::$variant,)* _ => Tag::Other }
            }
        }
    };
}

tags! {
    A = b"a", Abbr = b"abbr", Address = b"address", Area = b"area", Article = b"article",
    Aside = b"aside", Audio = b"audio", B = b"b", Base = b"base", Bdi = b"bdi", Bdo = b"bdo",
    Big = b"big", Blockquote = b"blockquote", Body = b"body", Br = b"br", Button = b"button",
    Canvas = b"canvas", Caption = b"caption", Center = b"center", Cite = b"cite", Code = b"code",
    Col = b"col", Colgroup = b"colgroup", Dd = b"dd", Del = b"del", Details = b"details",
    Dfn = b"dfn", Dialog = b"dialog", Dir = b"dir", Div = b"div", Dl = b"dl", Dt = b"dt",
    Em = b"em", Embed = b"embed", Fieldset = b"fieldset", Figcaption = b"figcaption",
    Figure = b"figure", Font = b"font", Footer = b"footer", Form = b"form", Frame = b"frame",
    Frameset = b"frameset", H1 = b"h1", H2 = b"h2", H3 = b"h3", H4 = b"h4", H5 = b"h5",
    H6 = b"h6", Head = b"head", Header = b"header", Hgroup = b"hgroup", Hr = b"hr",
    Html = b"html", I = b"i", Iframe = b"iframe", Img = b"img", Input = b"input", Ins = b"ins",
    Kbd = b"kbd", Keygen = b"keygen", Label = b"label", Legend = b"legend", Li = b"li",
    Link = b"link", Listing = b"listing", Main = b"main", Map = b"map", Mark = b"mark",
    Math = b"math", Menu = b"menu", Meta = b"meta", Nav = b"nav", Noembed = b"noembed",
    Noframes = b"noframes", Noscript = b"noscript", Object = b"object", Ol = b"ol",
    Optgroup = b"optgroup", Option = b"option", Output = b"output", P = b"p", Param = b"param",
    Picture = b"picture", Plaintext = b"plaintext", Pre = b"pre", Progress = b"progress",
    Q = b"q", Rp = b"rp", Rt = b"rt", Ruby = b"ruby", S = b"s", Samp = b"samp",
    Script = b"script", Search = b"search", Section = b"section", Select = b"select",
    Small = b"small", Source = b"source", Span = b"span", Strike = b"strike",
    Strong = b"strong", Style = b"style", Sub = b"sub", Summary = b"summary", Sup = b"sup",
    Svg = b"svg", Table = b"table", Tbody = b"tbody", Td = b"td", Template = b"template",
    Textarea = b"textarea", Tfoot = b"tfoot", Th = b"th", Thead = b"thead", Time = b"time",
    Title = b"title", Tr = b"tr", Track = b"track", Tt = b"tt", U = b"u", Ul = b"ul",
    Var = b"var", Video = b"video", Wbr = b"wbr", Xmp = b"xmp",
}

impl Tag {
    /// Elements that never have content (HTML5 §13.1.2).
    pub fn is_void(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Area | Base
                | Br
                | Col
                | Embed
                | Hr
                | Img
                | Input
                | Keygen
                | Link
                | Meta
                | Param
                | Source
                | Track
                | Wbr
                | Frame
        )
    }

    /// Elements whose content is not markup: the tokenizer skips to the matching end tag.
    pub fn is_raw_text(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Script
                | Style
                | Textarea
                | Title
                | Xmp
                | Iframe
                | Noembed
                | Noframes
                | Noscript
                | Plaintext
        )
    }

    /// Start tags that close an open `<p>` (HTML5 "in body" insertion mode).
    pub fn closes_p(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Address
                | Article
                | Aside
                | Blockquote
                | Center
                | Details
                | Dialog
                | Dir
                | Div
                | Dl
                | Fieldset
                | Figcaption
                | Figure
                | Footer
                | Header
                | Hgroup
                | Main
                | Menu
                | Nav
                | Ol
                | P
                | Search
                | Section
                | Summary
                | Ul
                | H1
                | H2
                | H3
                | H4
                | H5
                | H6
                | Pre
                | Listing
                | Form
                | Table
                | Hr
                | Xmp
                | Dd
                | Dt
                | Li
                | Plaintext
        )
    }

    /// Elements that start a new paragraph of output text.
    pub fn is_block(self) -> bool {
        use Tag::*;
        self.closes_p()
            || matches!(
                self,
                Body | Html
                    | Tr
                    | Td
                    | Th
                    | Caption
                    | Thead
                    | Tbody
                    | Tfoot
                    | Br
                    | Legend
                    | Option
                    | Textarea
                    | Video
                    | Audio
                    | Picture
                    | Iframe
                    | Canvas
                    | Object
            )
    }

    pub fn is_heading(self) -> bool {
        matches!(
            self,
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6
        )
    }

    /// Boundaries that an implied end tag (for `p`, `li`, `a`, ...) must not cross.
    pub fn is_scope_boundary(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Table | Td | Th | Caption | Html | Template | Object | Button | Svg | Math
        )
    }
}

/// One node: an element, a text run or the document root.
#[derive(Clone, Debug)]
pub struct Node {
    pub tag: Tag,
    pub parent: NodeId,
    pub first_child: NodeId,
    pub last_child: NodeId,
    pub next_sibling: NodeId,
    /// Last descendant (itself when it has none): the subtree is `id..=end`.
    pub end: NodeId,
    /// Element: its attributes in [`Document::attrs`]. Text: unused.
    pub attrs: Range<u32>,
    /// Element: its name in the source. Text: its content, see [`TextRef`].
    pub span: TextRef,
}

/// Where a string lives: the source itself, or the side buffer of decoded text.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextRef {
    pub start: u32,
    pub end: u32,
    pub decoded: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Attr {
    /// Lower-cased name, in [`Document::extra`] when the source had upper case.
    pub name: TextRef,
    pub value: TextRef,
}

/// A parsed page.
#[derive(Debug, Default)]
pub struct Document {
    pub source: String,
    /// Decoded text and lower-cased names that could not be borrowed from `source`.
    pub extra: String,
    pub nodes: Vec<Node>,
    pub attrs: Vec<Attr>,
}

impl Document {
    pub fn str(&self, r: TextRef) -> &str {
        let buf = if r.decoded { &self.extra } else { &self.source };
        &buf[r.start as usize..r.end as usize]
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn tag(&self, id: NodeId) -> Tag {
        self.nodes[id as usize].tag
    }

    /// Text content of a text node; empty for elements.
    pub fn text(&self, id: NodeId) -> &str {
        let n = &self.nodes[id as usize];
        if n.tag == Tag::Text {
            self.str(n.span)
        } else {
            ""
        }
    }

    /// Lower-case element name (also for tags outside [`Tag`]).
    pub fn name(&self, id: NodeId) -> &str {
        let n = &self.nodes[id as usize];
        match n.tag {
            Tag::Text | Tag::Document => "",
            _ => self.str(n.span),
        }
    }

    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        let n = &self.nodes[id as usize];
        self.attrs[n.attrs.start as usize..n.attrs.end as usize]
            .iter()
            .find(|a| self.str(a.name) == name)
            .map(|a| self.str(a.value))
    }

    pub fn attrs(&self, id: NodeId) -> impl Iterator<Item = (&str, &str)> {
        let n = &self.nodes[id as usize];
        self.attrs[n.attrs.start as usize..n.attrs.end as usize]
            .iter()
            .map(|a| (self.str(a.name), self.str(a.value)))
    }

    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            doc: self,
            next: self.nodes[id as usize].first_child,
        }
    }

    /// Ancestors from the parent up to the root.
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let mut cur = self.nodes[id as usize].parent;
        std::iter::from_fn(move || {
            if cur == NONE {
                return None;
            }
            let out = cur;
            cur = self.nodes[cur as usize].parent;
            Some(out)
        })
    }

    /// All descendants in document order, excluding `id` itself.
    pub fn descendants(&self, id: NodeId) -> Range<NodeId> {
        id + 1..self.nodes[id as usize].end + 1
    }

    pub fn is_ancestor(&self, anc: NodeId, id: NodeId) -> bool {
        anc <= id && id <= self.nodes[anc as usize].end
    }

    /// Elements with the given tag, in document order.
    pub fn elements(&self, tag: Tag) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len() as NodeId).filter(move |&i| self.nodes[i as usize].tag == tag)
    }

    /// Concatenated raw text of a subtree (no whitespace normalisation).
    pub fn raw_text(&self, id: NodeId) -> String {
        let mut s = String::new();
        for i in self.descendants(id) {
            if self.nodes[i as usize].tag == Tag::Text {
                s.push_str(self.text(i));
            }
        }
        s
    }
}

pub struct Children<'a> {
    doc: &'a Document,
    next: NodeId,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let out = self.next;
        self.next = self.doc.nodes[out as usize].next_sibling;
        Some(out)
    }
}
