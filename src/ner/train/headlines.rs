//! Title Case copies of CoNLL's all-capitals headlines, so the tagger also learns the Title
//! Case headlines of web articles. Training only; it must not change labels or tokens.

use crate::ner::conll::Document;

/// Function words that AP-style Title Case headlines leave in lower case.
const HEADLINE_SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "by", "with", "as", "from",
];

/// "JAPAN GET LUCKY WIN" -> "Japan Get Lucky Win"; two-letter words ("UK", "EU") stay
/// upper case like acronyms in real headlines; `small` lower-cases function words.
fn title_case(word: &str, small: bool) -> String {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters <= 2 && !HEADLINE_SMALL_WORDS.contains(&word.to_lowercase().as_str()) {
        return word.to_string();
    }
    let lower = word.to_lowercase();
    if small && HEADLINE_SMALL_WORDS.contains(&lower.as_str()) {
        return lower;
    }
    let mut out = String::with_capacity(word.len());
    for (i, c) in lower.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// CoNLL headlines are in capitals; web headlines are mostly in Title Case, which the
/// model would otherwise never see. Each training document whose first sentence is an
/// all-capitals headline gets a Title Case copy of it right after it (same labels), so the
/// document features link it to the text as they do for a real article's title.
pub fn with_title_case_headlines(docs: &[Document]) -> Vec<Document> {
    docs.iter()
        .enumerate()
        .map(|(d, doc)| {
            let mut doc = doc.clone();
            let Some(first) = doc.sentences.first() else {
                return doc;
            };
            let letters: Vec<&String> = first
                .words
                .iter()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .collect();
            let caps = letters
                .iter()
                .filter(|w| !w.chars().any(char::is_lowercase))
                .count();
            // Every other document: its headline's Title Case form replaces the capitals
            // (a copy next to it would count its mentions twice in the document features).
            if letters.len() >= 3 && caps == letters.len() && d % 2 == 1 {
                let words = first
                    .words
                    .iter()
                    .map(|w| title_case(w, d % 4 == 1))
                    .collect();
                doc.sentences[0].words = words;
            }
            doc
        })
        .collect()
}
