//! Tokenizer and sentence splitter for English news text. Tokens are byte ranges into the
//! input, so every entity can be traced back to where it was written. The token boundaries
//! follow the CoNLL-2003 / Penn Treebank conventions the tagger was trained on (possessive
//! "'s" and "n't" split off, punctuation split off, abbreviations and initials keep their
//! period, hyphenated words stay whole). It must not allocate per token beyond the output
//! vectors, and must not normalise or copy the text.

use std::ops::Range;

/// A token: `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// Tokens and sentences (ranges of token indices) of one text.
#[derive(Debug, Clone, Default)]
pub struct Units {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Range<usize>>,
}

/// Abbreviations that keep their final period. Lower-case, without the period. Single
/// letters (initials) and dotted forms like "U.S" are recognised by shape, not listed.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "gov", "sen", "rep", "rev", "lt", "col", "capt", "cpt",
    "sgt", "maj", "adm", "cmdr", "gens", "pres", "supt", "det", "insp", "hon", "messrs", "mme",
    "mlle", "st", "ste", "mt", "ft", "jr", "sr", "inc", "corp", "co", "ltd", "bros", "plc", "llc",
    "cos", "dept", "univ", "assn", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "no", "nos", "vs", "v", "etc", "approx", "est", "fig", "vol", "ave", "blvd", "rd", "hwy",
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky",
    "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa",
    "tenn", "tex", "va", "vt", "wash", "wis", "wyo", "op", "cf", "al", "e.g", "i.e", "a.m", "p.m",
    "u.s", "u.k", "u.n", "e.u",
];

/// Abbreviations that are never the last word of a sentence (titles before a name).
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "gov", "sen", "rep", "rev", "lt", "col", "capt", "cpt",
    "sgt", "maj", "adm", "cmdr", "pres", "supt", "det", "insp", "hon", "messrs", "mme", "mlle",
    "st", "mt", "ft", "no", "nos", "vs", "v",
];

/// Capitalised words that usually begin a new sentence; after an abbreviation such as
/// "U.S." or "Inc." they are the evidence that the abbreviation's period also ends it.
const SENTENCE_STARTERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "but",
    "and",
    "in",
    "on",
    "at",
    "for",
    "his",
    "her",
    "its",
    "their",
    "our",
    "as",
    "if",
    "when",
    "while",
    "after",
    "before",
    "however",
    "meanwhile",
    "officials",
    "some",
    "many",
    "most",
    "what",
    "why",
    "how",
    "who",
    "one",
    "last",
    "earlier",
    "also",
    "still",
    "yet",
];

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '«' | '‹' | '(' | '[' | '{' | '¿' | '¡' | '`' | '„' | '‚' | '*'
    )
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '»'
            | '›'
            | ')'
            | ']'
            | '}'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
            | '*'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

fn is_dash(c: char) -> bool {
    matches!(c, '–' | '—' | '―' | '−')
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '£' | '€' | '¥' | '₹' | '₽')
}

/// Whether `word` (without its final period) is an abbreviation that keeps the period.
fn is_abbreviation(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    // A single letter: an initial ("J. Smith") or a list letter.
    if chars.next().is_none() {
        return first.is_alphabetic();
    }
    // Dotted forms: "U.S", "U.N", "p.m", "Ph.D".
    if word.contains('.')
        && word
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(char::is_alphabetic))
    {
        return true;
    }
    if word.len() > 8 {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 4);
    let mut chunk_start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
            if let Some(s) = chunk_start.take() {
                split_chunk(text, s, i, &mut out);
            }
        } else if chunk_start.is_none() {
            chunk_start = Some(i);
        }
    }
    if let Some(s) = chunk_start {
        split_chunk(text, s, text.len(), &mut out);
    }
    out
}

/// Splits one whitespace-free chunk `text[start..end]` into tokens.
fn split_chunk(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let Some(start) = peel_leading(text, start, end, out) else {
        return;
    };
    let (end, tail) = peel_trailing(text, start, end);
    split_core(text, start, end, out);
    out.extend(tail.into_iter().rev());
}

/// Leading quotes, brackets and currency symbols are tokens of their own: pushes them and
/// returns where the rest starts (`None` when nothing is left).
fn peel_leading(text: &str, mut start: usize, end: usize, out: &mut Vec<Token>) -> Option<usize> {
    loop {
        let rest = &text[start..end];
        let c = rest.chars().next()?;
        if rest.len() == c.len_utf8() {
            break;
        }
        // "'s", "'re" as a whole chunk are clitics, not an opening quote; "'90s" is a year.
        let after = &rest[c.len_utf8()..];
        if is_apostrophe(c) && (is_clitic(after) || after.starts_with(|d: char| d.is_ascii_digit()))
        {
            break;
        }
        if (is_opening(c) || is_currency(c) || is_dash(c)) && !rest.starts_with("'n'") {
            out.push(Token {
                start,
                end: start + c.len_utf8(),
            });
            start += c.len_utf8();
        } else if rest.starts_with("--") {
            out.push(Token {
                start,
                end: start + 2,
            });
            start += 2;
        } else {
            break;
        }
    }
    Some(start)
}

/// Trailing punctuation, peeled from the end: returns where the rest ends and the peeled
/// tokens, last first (the caller pushes them in text order).
fn peel_trailing(text: &str, start: usize, mut end: usize) -> (usize, Vec<Token>) {
    let mut tail: Vec<Token> = Vec::new();
    loop {
        let rest = &text[start..end];
        let Some(c) = rest.chars().next_back() else {
            break;
        };
        if rest.len() == c.len_utf8() {
            break;
        }
        let len = if rest.ends_with("...") && rest.len() > 3 {
            3
        } else if rest.ends_with("--") && rest.len() > 2 {
            2
        } else if c == '.' {
            let body = &rest[..rest.len() - 1];
            if is_abbreviation(body) {
                break;
            }
            1
        } else if c == '%' || is_dash(c) || is_closing(c) {
            // A closing apostrophe after "s" is the plural possessive ("firms’"): still a
            // token of its own, as in the Penn Treebank.
            c.len_utf8()
        } else {
            break;
        };
        tail.push(Token {
            start: end - len,
            end,
        });
        end -= len;
    }
    (end, tail)
}

fn is_clitic(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    matches!(l.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m" | "t")
}

/// Splits the core of a chunk on dashes and clitics ("China's" -> "China" "'s",
/// "don't" -> "do" "n't").
fn split_core(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    if start >= end {
        return;
    }
    if split_at_dash(text, start, end, out)
        || split_nt(text, start, end, out)
        || split_clitic(text, start, end, out)
    {
        return;
    }
    out.push(Token { start, end });
}

/// Dashes between words ("Russia—China", "said--and") separate tokens; hyphens do not.
fn split_at_dash(text: &str, start: usize, end: usize, out: &mut Vec<Token>) -> bool {
    let core = &text[start..end];
    if let Some((i, c)) = core
        .char_indices()
        .find(|&(i, c)| (is_dash(c) || core[i..].starts_with("--")) && i > 0)
    {
        let len = if is_dash(c) { c.len_utf8() } else { 2 };
        if start + i + len < end {
            split_core(text, start, start + i, out);
            out.push(Token {
                start: start + i,
                end: start + i + len,
            });
            split_core(text, start + i + len, end, out);
            return true;
        }
    }
    false
}

/// "n't" ("don't" -> "do" "n't").
fn split_nt(text: &str, start: usize, end: usize, out: &mut Vec<Token>) -> bool {
    let core = &text[start..end];
    let lower_tail: String = core
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| {
            if is_apostrophe(c) {
                '\''
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if lower_tail == "n't" && core.chars().count() > 3 {
        let cut = core
            .char_indices()
            .rev()
            .nth(2)
            .map(|(i, _)| i)
            .unwrap_or(0);
        out.push(Token {
            start,
            end: start + cut,
        });
        out.push(Token {
            start: start + cut,
            end,
        });
        return true;
    }
    false
}

/// Clitics after an apostrophe: 's 're 've 'll 'd 'm.
fn split_clitic(text: &str, start: usize, end: usize, out: &mut Vec<Token>) -> bool {
    let core = &text[start..end];
    if let Some((i, c)) = core.char_indices().rev().find(|&(_, c)| is_apostrophe(c))
        && i > 0
    {
        let after = &core[i + c.len_utf8()..];
        if matches!(
            after.to_ascii_lowercase().as_str(),
            "s" | "re" | "ve" | "ll" | "d" | "m"
        ) && core[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            out.push(Token {
                start,
                end: start + i,
            });
            out.push(Token {
                start: start + i,
                end,
            });
            return true;
        }
    }
    false
}

/// Tokens and sentences of `text`. A sentence ends at a line break, or after ".", "!", "?"
/// (and any closing quotes or brackets) when the next token could begin a sentence.
pub fn units(text: &str) -> Units {
    let tokens = tokenize(text);
    let sentences = split_sentences(text, &tokens);
    Units { tokens, sentences }
}

/// Sentence ranges over `tokens` of `text`.
pub fn split_sentences(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut begin = 0;
    for i in 0..tokens.len() {
        let next = tokens.get(i + 1);
        let cut = match next {
            None => true,
            Some(n) => {
                text[tokens[i].end..n.start].contains('\n') || ends_sentence(text, tokens, i)
            }
        };
        if cut {
            out.push(begin..i + 1);
            begin = i + 1;
        }
    }
    out
}

fn ends_sentence(text: &str, tokens: &[Token], i: usize) -> bool {
    let tok = &text[tokens[i].start..tokens[i].end];
    let next = &text[tokens[i + 1].start..tokens[i + 1].end];
    let next_first = next.chars().next().unwrap_or(' ');
    // Closing quotes and brackets stay with the sentence they close. A straight quote is
    // closing when it is written against the previous token.
    let attached = tokens[i].end == tokens[i + 1].start;
    if next.chars().count() == 1
        && is_closing(next_first)
        && (attached || !matches!(next_first, '"' | '\''))
    {
        return false;
    }
    let terminal = matches!(tok, "." | "!" | "?" | "..." | "…")
        || (tok.chars().count() == 1
            && is_closing(tok.chars().next().unwrap_or(' '))
            && i > 0
            && tokens[i - 1].end == tokens[i].start
            && matches!(
                &text[tokens[i - 1].start..tokens[i - 1].end],
                "." | "!" | "?"
            ));
    let starts = next_first.is_uppercase() || next_first.is_ascii_digit() || is_opening(next_first);
    if terminal {
        return starts;
    }
    // "... in the U.S. The next ..." : the abbreviation's period also ends the sentence.
    if let Some(body) = tok.strip_suffix('.')
        && tok.len() > 2
        && is_abbreviation(body)
    {
        let lower = body.to_ascii_lowercase();
        if TITLES.contains(&lower.as_str()) || body.chars().count() == 1 {
            return false;
        }
        let next_lower = next.to_lowercase();
        return next_first.is_uppercase() && SENTENCE_STARTERS.contains(&next_lower.as_str());
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn splits_possessives_and_punctuation_keeping_abbreviations() {
        assert_eq!(
            words("China’s war, says the U.S. Dr. J. Smith (AP)."),
            vec![
                "China", "’s", "war", ",", "says", "the", "U.S.", "Dr.", "J.", "Smith", "(", "AP",
                ")", "."
            ]
        );
    }

    #[test]
    fn quotes_dashes_numbers_and_hyphenated_names() {
        assert_eq!(
            words("“lethal support” — $900m, 90% of Jean-Claude's 1,000.5 don't"),
            vec![
                "“",
                "lethal",
                "support",
                "”",
                "—",
                "$",
                "900m",
                ",",
                "90",
                "%",
                "of",
                "Jean-Claude",
                "'s",
                "1,000.5",
                "do",
                "n't"
            ]
        );
        assert_eq!(
            words("firms’ involvement"),
            vec!["firms", "’", "involvement"]
        );
        assert_eq!(
            words("Russia—China ties"),
            vec!["Russia", "—", "China", "ties"]
        );
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "Xi Jinping’s visit";
        let toks = tokenize(text);
        assert_eq!(&text[toks[1].start..toks[1].end], "Jinping");
        assert_eq!(&text[toks[2].start..toks[2].end], "’s");
    }

    #[test]
    fn sentences_end_at_terminal_punctuation_and_newlines_but_not_after_titles() {
        let text = "Dr. Smith met Mr. Jones in the U.S. The talks failed. \"Why?\" he said.\nHEADLINE HERE\nNext one";
        let u = units(text);
        let sents: Vec<String> = u
            .sentences
            .iter()
            .map(|r| {
                let a = u.tokens[r.start].start;
                let b = u.tokens[r.end - 1].end;
                text[a..b].to_string()
            })
            .collect();
        assert_eq!(
            sents,
            vec![
                "Dr. Smith met Mr. Jones in the U.S.",
                "The talks failed.",
                "\"Why?\" he said.",
                "HEADLINE HERE",
                "Next one"
            ]
        );
    }
}
