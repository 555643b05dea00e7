//! Main-text selection: which blocks of a page are the story.
//!
//! Three passes over the tree: mark what can never be content (scripts, hidden elements,
//! navigation landmarks, and elements whose class/id names page furniture such as share bars,
//! comments or related lists); cut the rest into text blocks and score the elements that hold
//! paragraphs (Readability-style: commas and length, damped by link density and by the
//! class/id vocabulary); take the best element and its article-like siblings, and keep their
//! blocks minus link lists, the headline, bylines and furniture lines. Rules are about the
//! shape and vocabulary of web pages in general; nothing here may name a particular site.

use super::blocks::{self, Block, BlockKind};
use super::dom::{Document, NONE, NodeId, Tag};

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

/// Hints from the page's metadata that help recognise the headline.
#[derive(Default)]
pub struct Hints<'a> {
    pub title: Option<&'a str>,
    /// The schema.org `articleBody` the page declares, if any.
    pub article_body: Option<&'a str>,
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

fn select(doc: &Document, hard: &[bool], roles: &[Role], prune: bool, hints: &Hints) -> MainText {
    let n = doc.nodes.len();
    let mut skip = hard.to_vec();
    if prune {
        for (i, r) in roles.iter().enumerate() {
            if *r == Role::Furniture {
                skip[i] = true;
            }
        }
    }
    let all = blocks::segment(doc, 0, &skip);
    let mut len = vec![0u32; n];
    let mut link = vec![0u32; n];
    let mut score = vec![0f32; n];
    let mut touched = vec![false; n];
    for b in &all {
        let mut cur = b.owner;
        while cur != NONE {
            len[cur as usize] += b.len;
            link[cur as usize] += b.link_len;
            cur = doc.node(cur).parent;
        }
    }
    // Paragraphs each inside their own <article> below a candidate make it a list of teasers.
    let mut last_article = vec![NONE; n];
    let mut articles = vec![0u32; n];
    for b in &all {
        if b.len < 25 || b.kind == BlockKind::Heading {
            continue;
        }
        let article = std::iter::once(b.owner)
            .chain(doc.ancestors(b.owner))
            .take(8)
            .find(|&a| doc.tag(a) == Tag::Article)
            .unwrap_or(NONE);
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
            if !touched[cur as usize] {
                touched[cur as usize] = true;
                score[cur as usize] = base_score(doc, cur, roles[cur as usize]);
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[cur as usize] += cs / div;
            if article != NONE
                && article != cur
                && doc.is_ancestor(cur, article)
                && last_article[cur as usize] != article
            {
                last_article[cur as usize] = article;
                articles[cur as usize] += 1;
            }
            cur = doc.node(cur).parent;
            level += 1;
        }
    }
    let headline = find_headline(&all, hints);
    let mut best = NONE;
    let mut best_score = f32::MIN;
    let mut candidates = Vec::new();
    for i in 0..n {
        if !touched[i] {
            continue;
        }
        let ld = link[i] as f32 / (len[i] as f32).max(1.0);
        score[i] *= 1.0 - ld;
        if articles[i] >= 3 {
            score[i] *= 0.5;
        }
        if let Some(h) = headline
            && follows_headline(doc, &all, h, i as NodeId)
        {
            score[i] *= 1.5;
        }
        candidates.push((i as NodeId, score[i]));
        if score[i] > best_score {
            best_score = score[i];
            best = i as NodeId;
        }
    }
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
    if let Some(body) = hints.article_body
        && best != NONE
        && let Some(c) = agree_with_body(
            doc,
            &all,
            &candidates[..candidates.len().min(10)],
            best,
            body,
            &len,
        )
    {
        best = c;
        best_score = score[c as usize];
    }
    candidates.truncate(6);
    if best == NONE {
        best = doc.elements(Tag::Body).next().unwrap_or(0);
    }
    // An only child says nothing its parent does not, and the parent's siblings may hold
    // the rest of the story (Readability does the same).
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
    let best = extend_to_cousins(doc, best, &all);
    let parts = with_siblings(
        doc, best, best_score, &score, &touched, &len, &link, &all, &articles,
    );
    // `parts` are disjoint subtrees in document order: the one that can hold a block is the
    // last one starting at or before the block's owner.
    let inside_parts = |b: &Block| {
        let i = parts.partition_point(|&p| p <= b.owner);
        i > 0 && doc.is_ancestor(parts[i - 1], b.owner)
    };
    let kept: Vec<Block> = all
        .into_iter()
        .filter(|b| inside_parts(b))
        .filter(keep_block)
        .collect();
    let (kept, dateline) = drop_headline_and_byline(kept, hints);
    MainText {
        blocks: kept,
        container: best,
        candidates,
        dateline,
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
    let agreement = |c: NodeId| {
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
    };
    let current = agreement(best);
    let (c, f) = candidates
        .iter()
        .map(|&(c, _)| (c, agreement(c)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (c != best && f >= 0.6 && f >= current + 0.1).then_some(c)
}

/// Index of the block that is the page's headline: the one repeating the title, else the
/// first `<h1>`.
fn find_headline(all: &[Block], hints: &Hints) -> Option<usize> {
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
fn follows_headline(doc: &Document, all: &[Block], h: usize, c: NodeId) -> bool {
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

/// Long stories are often cut into chunks with ads between them, so the chunks are cousins,
/// not siblings. Climb to an ancestor when what it adds is mostly article-like paragraphs.
fn extend_to_cousins(doc: &Document, best: NodeId, all: &[Block]) -> NodeId {
    // (good text, other text, separate <article>s the good text outside `best` comes from)
    let inside = |anc: NodeId| {
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
    };
    let (g0, o0, _) = inside(best);
    let mut chosen = best;
    let mut cur = best;
    for _ in 0..4 {
        let p = doc.node(cur).parent;
        if p == NONE || matches!(doc.tag(p), Tag::Body | Tag::Html | Tag::Document) {
            break;
        }
        cur = p;
        let (g, o, teasers) = inside(cur);
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

/// Readability's sibling rule: a story is often split across siblings (lead, body, pull
/// quotes); take those scoring near the best one, or reading like paragraphs.
#[allow(clippy::too_many_arguments)]
fn with_siblings(
    doc: &Document,
    best: NodeId,
    best_score: f32,
    score: &[f32],
    touched: &[bool],
    len: &[u32],
    link: &[u32],
    all: &[Block],
    articles: &[u32],
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
        let l = len[s as usize];
        if l == 0 {
            continue;
        }
        if articles[s as usize] >= 2 {
            continue;
        }
        if touched[s as usize] && score[s as usize] >= threshold {
            parts.push(s);
            continue;
        }
        // Paragraph-like siblings (a standfirst, a lead paragraph) belong to the story.
        let ld = link[s as usize] as f32 / l as f32;
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
        if !headingish
            && (standfirst
                || (l > 80 && ld < 0.25 && sentence && doc.tag(s) == Tag::P)
                || (l <= 80 && ld == 0.0 && doc.tag(s) == Tag::P && sentence))
        {
            parts.push(s);
        }
    }
    parts
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

static CALL_TO_ACTION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?ix) ^(copyright|©) | \b(
            follow\s(us|him|her|them|me)\b | ^follow\s.{0,60}\bon\s(facebook|twitter|instagram)
          | subscribe\s(to|now|for) | sign\sup\s(for|to|now) | newsletter | click\shere
          | (email|e-mail)\s\S+@\S+ | like\sus\son\sfacebook | download\s(our|the)\sapp
          | delivered\s(to\syour|through\syour) | share\s(it|this)\swith | join\sour | check\sout\sour
          | contributed\s(reporting|to\sthis\sreport) | (additional\s)?reporting\sby | editing\sby
          | all\srights\sreserved
        )",
    )
    .expect("static regex")
});

/// Closing lines that ask the reader to do something (follow, subscribe, click) rather than
/// tell the story; only checked among the last blocks, where sites append them.
fn is_call_to_action(text: &str) -> bool {
    CALL_TO_ACTION.is_match(text)
}

fn is_h1(b: &Block) -> bool {
    b.heading_level == 1
}

fn is_byline(text: &str) -> bool {
    if text.chars().count() > 100 {
        return false;
    }
    let lower = text.trim_start().to_lowercase();
    [
        "by ",
        "by:",
        "written by",
        "posted by",
        "author:",
        "authors:",
        "por ",
        "par ",
        "von ",
        "door ",
        "av ",
        "di ",
        "от ",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

fn is_dateline(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let chars = text.chars().count();
    if words <= 12 && chars <= 90 {
        return super::dates::looks_like_date(text);
    }
    // A longer meta line: "05/10/2018 - Posted by: Jane Doe - Category: Health - Tags: ...".
    words <= 30 && chars <= 200 && META_LINE.is_match(text) && super::dates::looks_like_date(text)
}

static META_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\b(posted|published|publicado|publié|veröffentlicht|tags?|categor[a-z]*|author|autor)\b\s*:?",
    )
    .expect("static regex")
});

/// Short lines that label page furniture on most sites, compared without case and punctuation.
const FURNITURE_LINES: &[&str] = &[
    "advertisement",
    "advertising",
    "ad",
    "ads",
    "sponsored",
    "sponsored content",
    "share",
    "share this",
    "share this article",
    "share this story",
    "share this post",
    "share on facebook",
    "share on twitter",
    "tweet",
    "email",
    "print",
    "comments",
    "comment",
    "leave a comment",
    "leave a reply",
    "read more",
    "continue reading",
    "related",
    "related posts",
    "related articles",
    "related stories",
    "trending now",
    "trending",
    "you may also like",
    "more stories",
    "recommended",
    "recommended for you",
    "most popular",
    "most read",
    "exit mobile version",
    "skip to content",
    "skip to main content",
    "this slideshow requires javascript",
    "media playback is unsupported on your device",
    "tell us what you think",
    "click to share",
    "follow us",
    "subscribe",
    "sign up",
    "loading",
    "close",
    "menu",
    "next",
    "previous",
    "back to top",
    "view comments",
    "show comments",
    "image",
    "photo",
    "video",
    "play video",
    "watch",
    "listen",
    "enlarge",
    "enlarge this image",
    "toggle caption",
    "hide caption",
    "expand",
    "copy link",
    "link copied",
    "whatsapp",
    "facebook",
    "twitter",
    "linkedin",
    "pinterest",
    "reddit",
    "flipboard",
    "messenger",
    "sms",
];

const FURNITURE_PREFIXES: &[&str] = &[
    "image copyright",
    "image caption",
    "media caption",
    "image credit",
    "photo credit",
    "read more:",
    "related:",
    "see also:",
    "sign up for",
    "subscribe to",
    "click here to",
    "follow us on",
    "share this",
    "share on",
    "advertisement -",
    "story continues below",
    "article continues below",
    "also read:",
    "read also:",
    "also read ",
    "related article:",
    "related story:",
    "recommended reading",
    "you might also like",
    "you may also like",
    "don't miss:",
    "must read:",
    "click to share",
    "scroll to continue",
    "continue reading below",
];

static URL_OR_SHORTCODE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"https?://\S+|www\.\S+|\[/?[A-Za-z_-]+(\s[^\]]*=[^\]]*)?\]")
        .expect("static regex")
});

/// Lines that are mostly bare URLs or CMS shortcodes (`[button link=...]`) are markup
/// leaking through, not prose.
fn is_mostly_urls(text: &str) -> bool {
    if !text.contains("://") && !text.contains("www.") && !text.contains('[') {
        return false;
    }
    let covered: usize = URL_OR_SHORTCODE.find_iter(text).map(|m| m.len()).sum();
    covered * 2 > text.len()
}

fn is_furniture_line(text: &str) -> bool {
    if is_mostly_urls(text) {
        return true;
    }
    if text.len() > 120 {
        return false;
    }
    let lower = text.trim().to_lowercase();
    if FURNITURE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    if text.len() > 60 {
        return false;
    }
    let bare: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    bare.is_empty() || FURNITURE_LINES.contains(&bare.as_str())
}

/// True when the block says what the (normalised) title says, or its first half or more
/// (titles carry a " - Site" suffix).
fn repeats_title(b: &Block, title: &str, min: usize) -> bool {
    // Cheap length bounds first: most blocks are far longer or shorter than any title.
    let chars = b.len as usize;
    if chars * 4 + 16 < title.len() || chars > title.len() + 64 {
        return false;
    }
    let t = normalise_for_match(&b.text);
    t.len() >= min && (t == title || (title.starts_with(&t) && t.len() * 2 >= title.len()))
}

fn normalise_for_match(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
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
    // Visible text bytes before each node, so any subtree's share of the page is O(1).
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
    let h1s: Vec<NodeId> = doc.elements(Tag::H1).collect();
    let wrapper = |id: NodeId| {
        let end = doc.node(id).end as usize;
        let share = (before[end + 1] - before[id as usize]) as f32 / total.max(1) as f32;
        share > 0.8 || (share > 0.5 && h1s.iter().any(|&h| doc.is_ancestor(id, h)))
    };
    // Whether a subtree holds the marked story body or an embedded post; children come after
    // their parent in the arena, so one backward pass fills it.
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
    let mut words = String::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    // Class names repeat across a page (every menu item, every comment), so classify each
    // distinct class/id pair once.
    let mut seen: std::collections::HashMap<(&str, &str), (bool, bool), BuildFnv> =
        Default::default();
    for (i, node) in doc.nodes.iter().enumerate() {
        if matches!(node.tag, Tag::Text | Tag::Document | Tag::Html | Tag::Body)
            || (node.attrs.is_empty() && node.tag != Tag::Header)
        {
            continue;
        }
        let id = i as NodeId;
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
        if itemprop_body {
            out[i] = Role::Story;
            continue;
        }
        let (named_furniture, story) = *seen.entry((class, ident)).or_insert_with(|| {
            words.clear();
            spans.clear();
            split_name(class, &mut words, &mut spans);
            split_name(ident, &mut words, &mut spans);
            let word = |&(a, b): &(usize, usize)| &words[a..b];
            let furniture = spans
                .iter()
                .map(word)
                .any(|w| is_furniture_word(w) || (w.len() >= 5 && FURNITURE_STEMS.is_match(w)));
            (furniture, spans.iter().map(word).any(is_story_word))
        });
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

    #[test]
    fn furniture_lines_are_recognised_and_prose_is_not() {
        for line in [
            "Share.",
            "Exit mobile version",
            "ADVERTISEMENT",
            "Read more: Rates rise again",
            "© 2021",
        ] {
            assert!(is_furniture_line(line) || is_call_to_action(line), "{line}");
        }
        for line in [
            "Share prices fell.",
            "He said he would read more books.",
            "Advertising revenue rose 4%.",
        ] {
            assert!(
                !is_furniture_line(line) && !is_call_to_action(line),
                "{line}"
            );
        }
        assert!(is_mostly_urls(
            "https://example.com/a.jpg https://example.com/b.jpg"
        ));
        assert!(!is_mostly_urls(
            "See the report at https://example.com/r for the full numbers and tables."
        ));
    }

    #[test]
    fn meta_lines_are_datelines() {
        assert!(is_dateline(
            "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: sad arrombamento veiculo"
        ));
    }
}
