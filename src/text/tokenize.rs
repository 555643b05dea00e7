//! Splits English news text into word, number and punctuation tokens with sentence numbers.
//! Shared by the keyphrase extractor and the category features.
//! It must not allocate per token, change case or stem: callers decide how to normalise.

/// What a token is; only `Word` and `Number` tokens can be part of a keyphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Number,
    /// Any other character run, including the possessive `'s` split off a word: everything that
    /// ends a phrase candidate.
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub struct Token<'a> {
    pub text: &'a str,
    pub kind: Kind,
    /// Index of the sentence (a newline also ends one: titles and paragraphs have no full stop).
    pub sentence: u32,
    /// First word of its sentence: its capital letter says nothing about being a proper noun.
    pub sentence_start: bool,
}

/// Abbreviations whose full stop does not end a sentence ("Mr. Greenspan said").
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "sen", "rep", "gov", "lt", "col",
    "sgt", "capt", "inc", "corp", "co", "ltd", "vs", "no", "mt", "ft", "jan", "feb", "aug", "sept",
    "oct", "nov", "dec",
];

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’' | '.' | '&' | '_')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’')
}

/// Tokenises `text`. Words keep inner hyphens, apostrophes, dots and ampersands
/// ("state-owned", "U.S.", "AT&T", "3.5"); a trailing possessive `'s` becomes its own `Punct`
/// token so that "China's" yields the candidate "China".
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut sentence = 0u32;
    let mut at_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_alphanumeric() {
            let mut end = start + c.len_utf8();
            let mut all_digits = c.is_numeric();
            while let Some(&(i, d)) = chars.peek() {
                if d.is_alphanumeric() {
                    all_digits &= d.is_numeric();
                    end = i + d.len_utf8();
                    chars.next();
                    continue;
                }
                if is_joiner(d) {
                    // A joiner counts only between two alphanumerics.
                    let mut ahead = chars.clone();
                    ahead.next();
                    if let Some(&(j, e)) = ahead.peek()
                        && e.is_alphanumeric()
                    {
                        chars.next();
                        chars.next();
                        all_digits &= e.is_numeric() && d == '.';
                        end = j + e.len_utf8();
                        continue;
                    }
                }
                break;
            }
            let mut word = &text[start..end];
            // Initialisms ("U.S.") keep their final dot, which then does not end the sentence.
            let initialism = word.len() >= 3
                && word.contains('.')
                && word.split('.').all(|p| p.chars().count() == 1);
            if initialism && let Some(&(i, '.')) = chars.peek() {
                chars.next();
                word = &text[start..=i];
            }
            let possessive = word.len() > 2
                && (word.ends_with("'s") || word.ends_with("’s") || word.ends_with("'S"));
            let (body, suffix) = if possessive {
                let cut = word
                    .char_indices()
                    .rev()
                    .find(|&(_, ch)| is_apostrophe(ch))
                    .map_or(word.len(), |(i, _)| i);
                (&word[..cut], Some(&word[cut..]))
            } else {
                (word, None)
            };
            out.push(Token {
                text: body,
                kind: if all_digits { Kind::Number } else { Kind::Word },
                sentence,
                sentence_start: at_start,
            });
            at_start = false;
            if let Some(s) = suffix {
                out.push(Token {
                    text: s,
                    kind: Kind::Punct,
                    sentence,
                    sentence_start: false,
                });
            }
            continue;
        }
        if c.is_whitespace() {
            if c == '\n' {
                if !at_start {
                    sentence += 1;
                }
                at_start = true;
            }
            continue;
        }
        let end = start + c.len_utf8();
        let ends_sentence = match c {
            '!' | '?' | ';' => true,
            '.' => !follows_abbreviation(&out),
            _ => false,
        };
        out.push(Token {
            text: &text[start..end],
            kind: Kind::Punct,
            sentence,
            sentence_start: false,
        });
        if ends_sentence && !at_start {
            sentence += 1;
            at_start = true;
        }
    }
    out
}

fn follows_abbreviation(out: &[Token<'_>]) -> bool {
    out.last().is_some_and(|t| {
        t.kind == Kind::Word && ABBREVIATIONS.iter().any(|a| t.text.eq_ignore_ascii_case(a))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn keeps_inner_joiners_and_splits_possessive() {
        assert_eq!(
            texts("China's state-owned AT&T (U.S.) rose 3.5%."),
            [
                "China",
                "'s",
                "state-owned",
                "AT&T",
                "(",
                "U.S.",
                ")",
                "rose",
                "3.5",
                "%",
                "."
            ]
        );
    }

    #[test]
    fn numbers_sentences_and_abbreviations() {
        let t = tokens("Mr. Smith won. Then he left\nNew line");
        let smith = t.iter().find(|t| t.text == "Smith").unwrap();
        assert!(!smith.sentence_start, "Mr. must not end a sentence");
        let then = t.iter().find(|t| t.text == "Then").unwrap();
        assert!(then.sentence_start && then.sentence == 1);
        let new = t.iter().find(|t| t.text == "New").unwrap();
        assert!(new.sentence_start && new.sentence == 2);
        assert_eq!(tokens("2024")[0].kind, Kind::Number);
        assert!(tokens("").is_empty());
    }
}
