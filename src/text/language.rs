//! What language a text is in: the checks every reader uses to decide whether it can read an
//! article. It must not read files or hold per-language models of its own.

/// Accepts the forms a language detector or a feed's `<language>` gives: "en", "en-GB", "eng",
/// "English".
pub fn is_english(language: &str) -> bool {
    let l = language.trim();
    let primary = l.split(['-', '_']).next().unwrap_or("");
    primary.eq_ignore_ascii_case("en")
        || primary.eq_ignore_ascii_case("eng")
        || l.eq_ignore_ascii_case("english")
}

/// English function words: a text without them is not English.
const ENGLISH_MARKERS: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was", "said",
    "by", "it", "he", "she", "at", "from", "his", "her", "has", "have", "be", "are", "were", "not",
    "this", "an", "which", "would", "will", "their", "they",
];

/// Whether a text of unknown language reads as English, from the share of English function
/// words in its first 2,000 words.
pub fn looks_english(text: &str) -> bool {
    let mut words = 0usize;
    let mut hits = 0usize;
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(2000)
    {
        words += 1;
        let lower = w.to_lowercase();
        if ENGLISH_MARKERS.contains(&lower.as_str()) {
            hits += 1;
        }
    }
    // Running English prose has roughly a quarter function words; other languages almost
    // none of these. Very short texts give too little evidence either way: count them in.
    words < 8 || hits * 100 >= words * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_codes_and_names() {
        for l in ["en", "en-GB", "EN_us", "eng", "English"] {
            assert!(is_english(l), "{l}");
        }
        for l in ["de", "fr-FR", "deu", "German"] {
            assert!(!is_english(l), "{l}");
        }
    }

    #[test]
    fn english_prose_looks_english_and_german_does_not() {
        assert!(looks_english(
            "The minister said on Monday that the talks with the unions would resume."
        ));
        assert!(!looks_english(
            "Der Minister sagte am Montag, die Gespräche mit den Gewerkschaften würden fortgesetzt."
        ));
    }
}
