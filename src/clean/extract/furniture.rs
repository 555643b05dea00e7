//! Furniture by markup: what can never be content (scripts, hidden elements, navigation
//! landmarks) and what an element's class/id vocabulary says it is (share bars, comments,
//! related lists versus the story body). Names the roles only; must not score or pick.

use std::collections::HashMap;

use crate::clean::dom::{Document, NONE, NodeId, Tag};

/// What an element's class, id and role say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Neutral,
    Story,
    Furniture,
}

/// Words in class/id names that mark page furniture across the web (CMS themes, ad and
/// comment plug-ins), matched against whole words of the name.
fn is_furniture_word(w: &str) -> bool {
    matches!(
        w,
        "comment"
            | "comments"
            | "commentlist"
            | "disqus"
            | "respond"
            | "replies"
            | "reply"
            | "share"
            | "shares"
            | "sharing"
            | "sharebar"
            | "social"
            | "sociable"
            | "addthis"
            | "addtoany"
            | "sharedaddy"
            | "related"
            | "relatedposts"
            | "recommended"
            | "recommendations"
            | "trending"
            | "popular"
            | "mostread"
            | "newsletter"
            | "subscribe"
            | "subscription"
            | "signup"
            | "cookie"
            | "cookies"
            | "consent"
            | "gdpr"
            | "promo"
            | "promoted"
            | "advert"
            | "advertisement"
            | "advertising"
            | "ad"
            | "ads"
            | "adsense"
            | "adslot"
            | "dfp"
            | "sponsor"
            | "sponsored"
            | "outbrain"
            | "taboola"
            | "sidebar"
            | "widget"
            | "widgets"
            | "breadcrumb"
            | "breadcrumbs"
            | "pagination"
            | "pager"
            | "nav"
            | "navbar"
            | "navigation"
            | "menu"
            | "footer"
            | "masthead"
            | "byline"
            | "author"
            | "authors"
            | "dateline"
            | "popup"
            | "modal"
            | "overlay"
            | "print"
            | "tags"
            | "tag"
            | "meta"
            | "skip"
            | "login"
            | "signin"
            | "rating"
            | "toolbar"
            | "sronly"
            | "header"
            | "banner"
            | "tools"
            | "utility"
            | "follow"
            | "gallery"
            | "slideshow"
            | "carousel"
            | "lightbox"
            | "date"
            | "dates"
            | "timestamp"
            | "rollover"
            | "tooltip"
            | "popover"
            | "hovercard"
            | "caption"
            | "credit"
            | "credits"
            | "figcaption"
    )
}

/// Stems that mark furniture even inside a longer word (`inlinegallery`, `sharebuttons`).
static FURNITURE_STEMS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new("gallery|slideshow|carousel|sidebar|widget|breadcrumb|newsletter|cookie|advert|sponsor|social|share|related|trending|outbrain|taboola|promo|popular|recommend|subscri|byline|disqus").expect("static regex")
});

fn is_story_word(w: &str) -> bool {
    matches!(
        w,
        "article"
            | "body"
            | "content"
            | "entry"
            | "main"
            | "page"
            | "post"
            | "text"
            | "blog"
            | "story"
            | "articlebody"
    )
}

/// Classifies every element by its class/id/itemprop vocabulary.
pub fn class_roles(doc: &Document) -> Vec<Role> {
    let mut out = vec![Role::Neutral; doc.nodes.len()];
    let (before, total) = text_before(doc);
    let h1s: Vec<NodeId> = doc.elements(Tag::H1).collect();
    let wrapper = |id: NodeId| {
        let end = doc.node(id).end as usize;
        let share = (before[end + 1] - before[id as usize]) as f32 / total.max(1) as f32;
        share > 0.8 || (share > 0.5 && h1s.iter().any(|&h| doc.is_ancestor(id, h)))
    };
    let holds_story = holds_story(doc);
    let mut names = NameCache::default();
    for (i, node) in doc.nodes.iter().enumerate() {
        if matches!(node.tag, Tag::Text | Tag::Document | Tag::Html | Tag::Body)
            || (node.attrs.is_empty() && node.tag != Tag::Header)
        {
            continue;
        }
        let id = i as NodeId;
        let (class, ident, itemprop_body) = name_attrs(doc, id);
        if itemprop_body {
            out[i] = Role::Story;
            continue;
        }
        let (named_furniture, story) = names.classify(class, ident);
        let furniture = named_furniture || node.tag == Tag::Header;
        if !furniture && !story {
            continue;
        }
        out[i] = if furniture && !wrapper(id) && !holds_story[i] {
            Role::Furniture
        } else if story {
            Role::Story
        } else {
            Role::Neutral
        };
    }
    out
}

/// Visible text bytes before each node (one more entry for the end), and in all, so any
/// subtree's share of the page is O(1).
fn text_before(doc: &Document) -> (Vec<usize>, usize) {
    let mut before = Vec::with_capacity(doc.nodes.len() + 1);
    let mut total = 0usize;
    for node in &doc.nodes {
        before.push(total);
        if node.tag == Tag::Text
            && !matches!(
                doc.tag(node.parent),
                Tag::Script | Tag::Style | Tag::Noscript | Tag::Template | Tag::Title
            )
        {
            total += (node.span.end - node.span.start) as usize;
        }
    }
    before.push(total);
    (before, total)
}

/// Whether a subtree holds the marked story body or an embedded post; children come after
/// their parent in the arena, so one backward pass fills it.
fn holds_story(doc: &Document) -> Vec<bool> {
    let mut holds_story = vec![false; doc.nodes.len()];
    for i in (0..doc.nodes.len()).rev() {
        let node = &doc.nodes[i];
        if node.tag == Tag::Text {
            continue;
        }
        if !holds_story[i] {
            holds_story[i] = doc.attrs(i as NodeId).any(|(k, v)| {
                (k == "itemprop" && v.eq_ignore_ascii_case("articleBody"))
                    || (k == "class"
                        && node.tag == Tag::Blockquote
                        && ["tweet", "instagram", "tiktok", "embed"]
                            .iter()
                            .any(|w| v.contains(w)))
            });
        }
        if holds_story[i] && node.parent != NONE {
            holds_story[node.parent as usize] = true;
        }
    }
    holds_story
}

/// An element's `class` and `id` (the last of each), and whether it is marked
/// `itemprop=articleBody`.
fn name_attrs(doc: &Document, id: NodeId) -> (&str, &str, bool) {
    let (mut class, mut ident) = ("", "");
    let mut itemprop_body = false;
    for (k, v) in doc.attrs(id) {
        match k {
            "class" => class = v,
            "id" => ident = v,
            "itemprop" if v.eq_ignore_ascii_case("articleBody") => itemprop_body = true,
            _ => {}
        }
    }
    (class, ident, itemprop_body)
}

/// Class names repeat across a page (every menu item, every comment), so each distinct
/// class/id pair is classified once.
#[derive(Default)]
struct NameCache<'a> {
    words: String,
    spans: Vec<(usize, usize)>,
    seen: HashMap<(&'a str, &'a str), (bool, bool), BuildFnv>,
}

impl<'a> NameCache<'a> {
    /// (names furniture, names the story) for a class/id pair.
    fn classify(&mut self, class: &'a str, ident: &'a str) -> (bool, bool) {
        let (words, spans) = (&mut self.words, &mut self.spans);
        *self.seen.entry((class, ident)).or_insert_with(|| {
            words.clear();
            spans.clear();
            split_name(class, words, spans);
            split_name(ident, words, spans);
            let word = |&(a, b): &(usize, usize)| &words[a..b];
            let furniture = spans
                .iter()
                .map(word)
                .any(|w| is_furniture_word(w) || (w.len() >= 5 && FURNITURE_STEMS.is_match(w)));
            (furniture, spans.iter().map(word).any(is_story_word))
        })
    }
}

/// Splits `post-meta entryTitle sr-only` into lower-case words (appended to `buf`, located by
/// `spans`), dropping state flags like `has-sidebar` or `no-comments` that describe a wrapper
/// rather than name a component.
fn split_name(v: &str, buf: &mut String, spans: &mut Vec<(usize, usize)>) {
    const FLAGS: [&str; 10] = [
        "has-", "has_", "with-", "no-", "is-", "show-", "hide-", "enable", "disable", "js-",
    ];
    for token in v.split_ascii_whitespace() {
        let bytes = token.as_bytes();
        let starts =
            |p: &str| bytes.len() >= p.len() && bytes[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        if FLAGS.iter().any(|p| starts(p)) {
            continue;
        }
        if token.eq_ignore_ascii_case("sr-only")
            || starts("screen-reader")
            || starts("visually-hidden")
        {
            let s = buf.len();
            buf.push_str("sronly");
            spans.push((s, buf.len()));
            continue;
        }
        let mut start = buf.len();
        let mut prev_lower = false;
        for c in token.chars() {
            if !c.is_ascii_alphanumeric() {
                if buf.len() > start {
                    spans.push((start, buf.len()));
                }
                start = buf.len();
                prev_lower = false;
                continue;
            }
            if c.is_ascii_uppercase() && prev_lower && buf.len() > start {
                spans.push((start, buf.len()));
                start = buf.len();
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            buf.push(c.to_ascii_lowercase());
        }
        if buf.len() > start {
            spans.push((start, buf.len()));
        }
    }
}

/// Marks subtrees that can never be story text, whatever their size.
pub fn never_content(doc: &Document) -> Vec<bool> {
    let mut skip = vec![false; doc.nodes.len()];
    for (i, node) in doc.nodes.iter().enumerate() {
        skip[i] = match node.tag {
            Tag::Script
            | Tag::Style
            | Tag::Noscript
            | Tag::Template
            | Tag::Svg
            | Tag::Math
            | Tag::Iframe
            | Tag::Object
            | Tag::Embed
            | Tag::Canvas
            | Tag::Head
            | Tag::Title
            | Tag::Select
            | Tag::Button
            | Tag::Input
            | Tag::Textarea
            | Tag::Option
            | Tag::Nav
            | Tag::Dialog
            | Tag::Map
            | Tag::Audio
            | Tag::Video
            | Tag::Aside
            | Tag::Footer => true,
            Tag::Text | Tag::Document => false,
            _ => hidden(doc, i as NodeId),
        };
    }
    skip
}

fn hidden(doc: &Document, id: NodeId) -> bool {
    for (k, v) in doc.attrs(id) {
        match k {
            "hidden" => return true,
            "aria-hidden" if v.eq_ignore_ascii_case("true") => return true,
            "style" => {
                let s = v.to_ascii_lowercase().replace(' ', "");
                if s.contains("display:none") || s.contains("visibility:hidden") {
                    return true;
                }
            }
            "role" => {
                if matches!(
                    v,
                    "navigation"
                        | "contentinfo"
                        | "complementary"
                        | "dialog"
                        | "alertdialog"
                        | "menu"
                        | "menubar"
                        | "search"
                        | "toolbar"
                        | "banner"
                ) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// FNV-1a: the class cache keys are short strings, where SipHash's setup dominates.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type BuildFnv = std::hash::BuildHasherDefault<Fnv>;

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &str) -> Vec<String> {
        let (mut buf, mut spans) = (String::new(), Vec::new());
        split_name(v, &mut buf, &mut spans);
        spans.iter().map(|&(a, b)| buf[a..b].to_owned()).collect()
    }

    #[test]
    fn class_names_split_into_words_without_state_flags() {
        assert_eq!(
            words("relatedArticles post-meta"),
            ["related", "articles", "post", "meta"]
        );
        assert_eq!(
            words("has-sidebar no-comments entry__body"),
            ["entry", "body"]
        );
        assert_eq!(words("sr-only"), ["sronly"]);
    }
}
