//! Byte-level scanning for the tokenizer: tag-name delimiters, attribute values, end tags of
//! raw-text elements, comments. Reads bytes only; must not build or touch the tree.

use crate::clean::dom::Tag;

/// After an attribute name ending at `n_end` (`i` at or after it): `= value`, quoted or not.
/// Returns the value's span (empty at `n_end` when there is none) and the offset after it.
pub fn attr_value(bytes: &[u8], mut i: usize, n_end: usize) -> (usize, usize, usize) {
    let len = bytes.len();
    while i < len && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let (v_start, v_end);
    if i < len && bytes[i] == b'=' {
        i += 1;
        while i < len && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < len && (bytes[i] == b'"' || bytes[i] == b'\'') {
            let q = bytes[i];
            v_start = i + 1;
            match memchr::memchr(q, &bytes[v_start..]) {
                Some(o) => {
                    v_end = v_start + o;
                    i = v_end + 1;
                }
                None => {
                    v_end = len;
                    i = len;
                }
            }
        } else {
            v_start = i;
            while i < len && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            v_end = i;
        }
    } else {
        v_start = n_end;
        v_end = n_end;
    }
    (v_start, v_end, i)
}

pub fn is_tag_delim(c: u8) -> bool {
    c == b'>' || c == b'/' || c.is_ascii_whitespace()
}

pub fn tag_name_bytes(tag: Tag) -> &'static [u8] {
    match tag {
        Tag::Script => b"script",
        Tag::Style => b"style",
        Tag::Textarea => b"textarea",
        Tag::Title => b"title",
        Tag::Xmp => b"xmp",
        Tag::Iframe => b"iframe",
        Tag::Noembed => b"noembed",
        Tag::Noframes => b"noframes",
        Tag::Noscript => b"noscript",
        _ => b"plaintext",
    }
}

/// Finds `</name` (any case) followed by a delimiter; returns (content end, offset after `>`).
pub fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> (usize, usize) {
    let mut i = from;
    while let Some(off) = memchr::memmem::find(&bytes[i..], b"</") {
        let at = i + off;
        let n = at + 2;
        if bytes.len() >= n + name.len()
            && bytes[n..n + name.len()].eq_ignore_ascii_case(name)
            && bytes.get(n + name.len()).is_none_or(|&c| is_tag_delim(c))
        {
            return (at, skip_past(bytes, n + name.len(), b">"));
        }
        i = at + 2;
    }
    (bytes.len(), bytes.len())
}

pub fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&bytes[from.min(bytes.len())..], needle).map(|o| from + o)
}

pub fn skip_past(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    find(bytes, from, needle).map_or(bytes.len(), |o| o + needle.len())
}

/// HTML5 comments end at `-->`, and also at `--!>` or right away for `<!-->`/`<!--->`.
pub fn skip_comment(bytes: &[u8], from: usize) -> usize {
    if bytes[from..].starts_with(b">") {
        return from + 1;
    }
    if bytes[from..].starts_with(b"->") {
        return from + 2;
    }
    // Look for the rare `--!>` only before the first `-->`, or every comment would scan to the
    // end of the page when it is absent.
    let close = find(bytes, from, b"-->");
    let limit = close.unwrap_or(bytes.len());
    let bang = memchr::memmem::find(&bytes[from..limit], b"--!>").map(|o| from + o);
    match (close, bang) {
        (_, Some(b)) => b + 4,
        (Some(a), None) => a + 3,
        (None, None) => bytes.len(),
    }
}
