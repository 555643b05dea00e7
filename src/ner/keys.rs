//! The normalised key of an entity name: equal for the same entity across articles, whatever
//! the case, diacritics, possessive or leading article. Pure string work.

use unicode_normalization::UnicodeNormalization;

/// Lower case, no diacritics, straight quotes, no possessive "'s", no leading "the", no
/// dots in abbreviations ("U.S." -> "us"), single spaces.
pub fn normalise_key(name: &str) -> String {
    let mut s: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            '’' | '‘' | '`' | '´' | 'ʼ' => '\'',
            '–' | '—' | '‐' | '‑' | '−' => '-',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    for suffix in ["'s", "'"] {
        if let Some(x) = s.strip_suffix(suffix) {
            s = x.to_string();
            break;
        }
    }
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| {
            // "u.s." -> "us", but keep dots inside numbers ("3.5").
            if w.chars().any(char::is_alphabetic) {
                w.replace('.', "")
            } else {
                w.to_string()
            }
        })
        .filter(|w| !w.is_empty())
        .collect();
    let skip = usize::from(words.len() > 1 && words[0] == "the");
    words[skip..].join(" ")
}
