//! Bytes of a fetched page to a Rust `String`, picking the character encoding like a browser.
//!
//! Order of trust: a byte-order mark, then the HTTP `Content-Type` charset, then a
//! `<meta charset>` / `http-equiv` / XML declaration near the top, then statistical detection
//! (chardetng). Declarations are checked against the bytes, because servers and templates
//! often lie: a page declared UTF-8 that is not valid UTF-8, or declared as a legacy encoding
//! that does not decode cleanly, is re-detected. The output is always valid UTF-8; this module
//! must not look at markup beyond the charset declarations.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How far into the page to look for a charset declaration. The HTML5 prescan stops at 1024
/// bytes, but many real pages put a long `<head>` of scripts and styles before the meta tag.
const PRESCAN_BYTES: usize = 8192;

/// The decoded text and the encoding that produced it.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
}

/// Decodes `bytes`. `content_type` is the HTTP header value; `tld` (like `b"jp"`) helps the
/// detector when nothing trustworthy is declared.
pub fn decode(bytes: &[u8], content_type: Option<&str>, tld: Option<&[u8]>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..]);
    }
    let declared = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .or_else(|| prescan(&bytes[..bytes.len().min(PRESCAN_BYTES)]))
        .map(|e| {
            // A byte-oriented document cannot really be UTF-16 (HTML5 §13.2.3.3); labels like
            // x-user-defined map to what browsers use.
            e.output_encoding()
        });
    let utf8 = std::str::from_utf8(bytes).is_ok();
    match declared {
        Some(enc) if enc == UTF_8 => {
            if utf8 {
                return finish(UTF_8, bytes);
            }
            finish(detect(bytes, tld), bytes)
        }
        Some(enc) => {
            // Valid multi-byte UTF-8 is vanishingly unlikely to be meant as a legacy encoding.
            if utf8 && !bytes.is_ascii() && !is_utf8_lookalike(enc) {
                return finish(UTF_8, bytes);
            }
            let (_, had_errors) = enc.decode_without_bom_handling(bytes);
            if had_errors {
                let guess = detect(bytes, tld);
                if guess != enc && !guess.decode_without_bom_handling(bytes).1 {
                    return finish(guess, bytes);
                }
            }
            finish(enc, bytes)
        }
        None => {
            if utf8 {
                return finish(UTF_8, bytes);
            }
            finish(detect(bytes, tld), bytes)
        }
    }
}

/// ISO-2022-JP and friends are 7-bit, so "valid UTF-8" says nothing about them.
fn is_utf8_lookalike(enc: &'static Encoding) -> bool {
    enc == encoding_rs::ISO_2022_JP || enc == encoding_rs::REPLACEMENT
}

fn detect(bytes: &[u8], tld: Option<&[u8]>) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let enc = det.guess(tld, false);
    if enc == encoding_rs::REPLACEMENT {
        WINDOWS_1252
    } else {
        enc
    }
}

fn finish(enc: &'static Encoding, bytes: &[u8]) -> Decoded {
    if enc == UTF_8
        && let Ok(s) = std::str::from_utf8(bytes)
    {
        return Decoded {
            text: s.to_owned(),
            encoding: UTF_8,
        };
    }
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: enc,
    }
}

/// The `charset` parameter of a `Content-Type` value (RFC 9110 §8.3).
pub fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(|c| c == '"' || c == '\''))
            .filter(|v| !v.is_empty())
    })
}

/// Looks for `<meta charset>`, `<meta http-equiv=content-type content="...charset=...">` or
/// `<?xml ... encoding="...">` in the first bytes, skipping comments.
fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    if head.starts_with(b"<?xml") {
        let end = memchr::memchr(b'>', head).unwrap_or(head.len());
        if let Some(v) = attr_value(&head[..end], b"encoding")
            && let Some(e) = Encoding::for_label(v)
        {
            return Some(e);
        }
    }
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &head[i..]) {
        let at = i + off;
        let rest = &head[at..];
        if rest.starts_with(b"<!--") {
            i = memchr::memmem::find(&rest[4..], b"-->").map_or(head.len(), |o| at + 4 + o + 3);
            continue;
        }
        let end = memchr::memchr(b'>', rest).map_or(head.len(), |o| at + o);
        let tag = &head[at..end];
        i = (end + 1).min(head.len());
        if tag.len() < 6
            || !tag[1..5].eq_ignore_ascii_case(b"meta")
            || !tag[5].is_ascii_whitespace()
        {
            continue;
        }
        if let Some(v) = attr_value(tag, b"charset")
            && let Some(e) = Encoding::for_label(v)
        {
            return Some(e);
        }
        let is_ct =
            attr_value(tag, b"http-equiv").is_some_and(|v| v.eq_ignore_ascii_case(b"content-type"));
        if is_ct && let Some(content) = attr_value(tag, b"content") {
            let content = String::from_utf8_lossy(content);
            if let Some(l) = charset_param(&format!(";{content}"))
                && let Some(e) = Encoding::for_label(l.as_bytes())
            {
                return Some(e);
            }
        }
    }
    None
}

/// Value of attribute `name` inside the bytes of one tag (case-insensitive name).
fn attr_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i + name.len() < tag.len() {
        let off = memchr::memchr2(name[0], name[0].to_ascii_uppercase(), &tag[i..])?;
        let at = i + off;
        i = at + 1;
        let before_ok = at > 0
            && (tag[at - 1].is_ascii_whitespace() || tag[at - 1] == b'"' || tag[at - 1] == b'\'');
        if !before_ok
            || tag.len() < at + name.len()
            || !tag[at..at + name.len()].eq_ignore_ascii_case(name)
        {
            continue;
        }
        let mut j = at + name.len();
        while j < tag.len() && tag[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= tag.len() || tag[j] != b'=' {
            continue;
        }
        j += 1;
        while j < tag.len() && tag[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= tag.len() {
            return None;
        }
        let q = tag[j];
        if q == b'"' || q == b'\'' {
            let start = j + 1;
            let end = memchr::memchr(q, &tag[start..]).map_or(tag.len(), |o| start + o);
            return Some(&tag[start..end]);
        }
        let start = j;
        while j < tag.len() && !tag[j].is_ascii_whitespace() && tag[j] != b'/' && tag[j] != b';' {
            j += 1;
        }
        return Some(&tag[start..j]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_meta_then_detection() {
        let latin = b"<html><head><meta charset=\"iso-8859-1\"></head><p>caf\xe9</p>";
        assert!(decode(latin, None, None).text.contains("café"));
        let ct = decode(
            b"<p>caf\xe9</p>",
            Some("text/html; charset=windows-1252"),
            None,
        );
        assert!(ct.text.contains("café"));
        let sjis = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"><p>\x93\xfa\x96\x7b</p>";
        assert!(decode(sjis, None, None).text.contains("日本"));
    }

    #[test]
    fn lying_utf8_declaration_is_redetected() {
        let text = "<meta charset=utf-8><p>Le caf\u{e9} \u{e9}tait d\u{e9}j\u{e0} ferm\u{e9} \u{e0} cette heure-l\u{e0}.</p>";
        let (bytes, _, _) = WINDOWS_1252.encode(text);
        let out = decode(&bytes, None, None);
        assert!(out.text.contains("déjà fermé"), "{}", out.text);
    }

    #[test]
    fn utf8_bytes_under_a_legacy_label_stay_utf8() {
        let page = "<meta charset=\"iso-8859-1\"><p>Zürich – “quoted”</p>";
        let out = decode(page.as_bytes(), Some("text/html; charset=ISO-8859-1"), None);
        assert_eq!(out.text, page);
        assert_eq!(out.encoding, UTF_8);
    }

    #[test]
    fn bom_wins_and_is_removed() {
        let out = decode(
            b"\xef\xbb\xbf<p>x</p>",
            Some("text/html; charset=iso-8859-1"),
            None,
        );
        assert_eq!(out.text, "<p>x</p>");
    }
}
