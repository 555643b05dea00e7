//! The words of an article as keyphrase extraction sees them: tokens with their stem, whether
//! they can be part of a phrase, where they are and whether they look like part of a name, for
//! one of the languages with a stemmer and a stop-word list. Pure; it must not score anything.

use std::collections::HashMap;

use rust_stemmers::Stemmer;

use super::pos::PosTable;
use crate::text::stopwords::is_stopword_in;
use crate::text::tokenize::{Kind, Token, tokens};
use crate::text::{STEMMED_LANGUAGES, stemmer_for};

/// What a language brings: its stemmer, stop words and the words that show the next word is a
/// noun (articles, possessives) or a verb (infinitive marker, modals).
pub struct Lang {
    pub code: &'static str,
    pub stemmer: &'static Stemmer,
    determiners: &'static [&'static str],
    verbal: &'static [&'static str],
    /// Every noun starts with a capital (German): a capital says nothing about a name.
    pub capital_nouns: bool,
}

impl Lang {
    /// The language of an ISO 639-1 code ("en", "de-AT", "fra" ...), if keyphrases are made for it.
    pub fn of(language: &str) -> Option<Lang> {
        let iso = crate::text::language::iso639_1(language)?;
        let code = *STEMMED_LANGUAGES.iter().find(|c| **c == iso)?;
        let (determiners, verbal): (&[&str], &[&str]) = match code {
            "en" => (
                &[
                    "the", "a", "an", "its", "his", "her", "their", "our", "this", "these",
                    "those", "of",
                ],
                &[
                    "to", "will", "would", "can", "could", "should", "may", "might", "must", "not",
                    "did", "does", "do", "also",
                ],
            ),
            "de" => (
                &[
                    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem",
                    "einer", "eines",
                ],
                &[
                    "zu", "wird", "werden", "kann", "können", "soll", "sollen", "nicht",
                ],
            ),
            "fr" => (
                &[
                    "le", "la", "les", "l", "un", "une", "des", "du", "de", "sa", "son", "ses",
                ],
                &["ne", "pas", "va", "peut", "doit"],
            ),
            "es" => (
                &[
                    "el", "la", "los", "las", "un", "una", "unos", "unas", "del", "de", "su",
                ],
                &["no", "puede", "debe", "va"],
            ),
            "it" => (
                &[
                    "il", "lo", "la", "i", "gli", "le", "un", "una", "uno", "del", "della", "dei",
                    "di",
                ],
                &["non", "può", "deve"],
            ),
            "pt" => (
                &[
                    "o", "a", "os", "as", "um", "uma", "do", "da", "dos", "das", "de",
                ],
                &["não", "pode", "deve", "vai"],
            ),
            _ => (
                &["de", "het", "een", "van"],
                &["te", "zal", "kan", "moet", "niet"],
            ),
        };
        Some(Lang {
            code,
            stemmer: stemmer_for(code)?,
            determiners,
            verbal,
            capital_nouns: code == "de",
        })
    }

    fn is_stopword(&self, lower: &str) -> bool {
        is_stopword_in(self.code, lower).unwrap_or(false)
    }
}

/// One word of the document, normalised.
pub struct Word<'a> {
    pub token: Token<'a>,
    pub stem: String,
    /// Can be part of a candidate: not a stopword, not a number or a counter ("0shares"),
    /// longer than one character.
    pub content: bool,
    pub in_title: bool,
    /// Sentence index counted over title and text together.
    pub sentence: u32,
    /// Starts with a capital letter in a sentence that is not all capitals (a shouted headline
    /// says nothing about names).
    pub capitalised: bool,
    /// Two or more letters, all capitals, in a sentence that is not all capitals.
    pub acronym: bool,
    /// Part of a name: capitalised inside a sentence, or at a sentence start when the document
    /// mostly capitalises this word elsewhere. Set once the whole document has been seen.
    pub name_like: bool,
    /// The word before, in the same sentence, is an article or possessive (a noun follows) or
    /// an infinitive marker or modal (a verb follows).
    pub after_determiner: bool,
    pub after_verbal: bool,
    /// Can stand inside a noun phrase (mostly a noun or adjective, or capitalised), and can end
    /// one (mostly a noun, or capitalised); always true without a part-of-speech table.
    pub nominal: bool,
    pub noun: bool,
}

/// The words of the title, then the text; sentences numbered across both.
pub fn words<'a>(
    lang: &Lang,
    pos: Option<&PosTable>,
    title: &'a str,
    text: &'a str,
) -> Vec<Word<'a>> {
    let mut out: Vec<Word<'a>> = Vec::new();
    let mut offset = 0;
    for (part, in_title) in [(title, true), (text, false)] {
        let toks = tokens(part);
        let sentences = toks.last().map_or(0, |t| t.sentence + 1) as usize;
        let mut has_lower = vec![false; sentences];
        for t in &toks {
            has_lower[t.sentence as usize] |= t.text.chars().any(char::is_lowercase);
        }
        let mut prev: Option<(u32, String)> = None;
        for t in toks {
            let cased = has_lower[t.sentence as usize];
            let lower: String = t.text.chars().flat_map(char::to_lowercase).collect();
            let acronym =
                cased && t.text.chars().count() >= 2 && t.text.chars().all(|c| !c.is_lowercase());
            let capitalised = cased && t.text.starts_with(char::is_uppercase);
            let counter = t.text.starts_with(|c: char| c.is_ascii_digit());
            let content = t.kind == Kind::Word
                && !counter
                && t.text.chars().count() > 1
                && (acronym || !lang.is_stopword(&lower));
            let stem = if t.kind == Kind::Punct {
                String::new()
            } else {
                lang.stemmer.stem(&lower).into_owned()
            };
            let before = prev
                .as_ref()
                .filter(|(s, _)| *s == t.sentence)
                .map(|(_, w)| w.as_str());
            let after_determiner = before.is_some_and(|b| lang.determiners.contains(&b));
            let after_verbal = before.is_some_and(|b| lang.verbal.contains(&b));
            let tag = pos
                .filter(|_| !capitalised && !acronym)
                .map(|p| p.of(&lower));
            let nominal = tag.is_none_or(|p| p.noun + p.adj >= 0.5);
            let noun = tag.is_none_or(|p| p.noun >= 0.5);
            out.push(Word {
                token: t,
                stem,
                content,
                in_title,
                sentence: offset as u32 + t.sentence,
                capitalised,
                acronym,
                name_like: false,
                after_determiner,
                after_verbal,
                nominal,
                noun,
            });
            prev = Some((t.sentence, lower));
        }
        // The text starts at sentence 1 even without a title: the lead is never the headline.
        offset += sentences.max(1);
    }
    out
}

/// Per stem: (capitalised, all) occurrences not at a sentence start. Sets `name_like` on
/// every word from them.
pub fn mark_names(lang: &Lang, words: &mut [Word<'_>]) -> HashMap<String, (u32, u32)> {
    let mut cased: HashMap<String, (u32, u32)> = HashMap::new();
    for w in words
        .iter()
        .filter(|w| w.token.kind == Kind::Word && !w.token.sentence_start)
    {
        let e = cased.entry(w.stem.clone()).or_default();
        e.0 += u32::from(w.capitalised || w.acronym);
        e.1 += 1;
    }
    let usually_capitalised =
        |stem: &str| cased.get(stem).is_some_and(|&(caps, all)| 2 * caps > all);
    for w in words.iter_mut() {
        w.name_like = w.acronym
            || (!lang.capital_nouns
                && w.capitalised
                && (!w.token.sentence_start || usually_capitalised(&w.stem)));
    }
    cased
}
