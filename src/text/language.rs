//! What language a text is in: detection on the text (whatlang), language codes normalised to
//! ISO 639-1, and the checks every reader uses to decide whether it can read an article. It
//! must not read files.

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

/// The language of a text and how sure detection is of it (0 to 1); `None` for less than 40
/// bytes of text, too little for a guess to mean anything.
pub fn detect(text: &str) -> Option<(String, f32)> {
    if text.len() < 40 {
        return None;
    }
    // A few thousand characters decide the language as well as the whole text does.
    let mut end = text.len().min(4000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    let code = from_639_3(info.lang().code())?;
    Some((code.to_owned(), info.confidence() as f32))
}

/// Text from which detection is trusted over what a page declares (bytes).
pub const TEXT_DECIDES_FROM: usize = 200;

/// Detection confidence from which it is trusted over what a page declares.
pub const TEXT_DECIDES_ABOVE: f32 = 0.5;

/// The language of an article and the confidence in it. The text decides: a declared
/// language (`<html lang>`, meta tags, JSON-LD) is a hint that detection on the extracted text
/// overrides when there is enough text ([`TEXT_DECIDES_FROM`]) and detection is confident
/// ([`TEXT_DECIDES_ABOVE`]); a page that says `lang="en"` over German text is German. The
/// confidence is detection's when detection decided or agrees, `None` when only the
/// declaration speaks.
pub fn decide(declared: Option<String>, text: &str) -> (Option<String>, Option<f32>) {
    let detected = detect(text);
    match (declared, detected) {
        (_, Some((code, conf)))
            if text.len() >= TEXT_DECIDES_FROM && conf >= TEXT_DECIDES_ABOVE =>
        {
            (Some(code), Some(conf))
        }
        (Some(declared), Some((code, conf))) if code == declared => (Some(declared), Some(conf)),
        (Some(declared), _) => (Some(declared), None),
        (None, Some((code, conf))) => (Some(code), Some(conf)),
        (None, None) => (None, None),
    }
}

/// `en-US`, `en_GB`, `eng`, `English` -> `en`.
pub fn iso639_1(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_lowercase();
    let primary = s.split(['-', '_', ',', ' ', ';']).next().unwrap_or("");
    if primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return Some(primary.to_owned());
    }
    if primary.len() == 3 {
        return from_639_3(primary).map(str::to_owned);
    }
    let by_name = match primary {
        "english" => "en",
        "french" | "français" => "fr",
        "german" | "deutsch" => "de",
        "spanish" | "español" => "es",
        "portuguese" | "português" => "pt",
        "italian" | "italiano" => "it",
        "russian" => "ru",
        "japanese" => "ja",
        "chinese" => "zh",
        _ => return None,
    };
    Some(by_name.to_owned())
}

/// ISO 639-3 (what whatlang reports) to ISO 639-1.
pub fn from_639_3(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "rus" => "ru",
        "cmn" | "zho" | "chi" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" | "fre" => "fr",
        "deu" | "ger" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" | "nor" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" | "dut" => "nl",
        "hun" => "hu",
        "ces" | "cze" => "cs",
        "ell" | "gre" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" | "rum" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" | "fas" | "per" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" | "bur" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" | "slo" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" | "arm" => "hy",
        "cym" => "cy",
        "epo" => "eo",
        "msa" | "zsm" => "ms",
        _ => return None,
    })
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
    fn the_text_decides_over_a_declared_language() {
        let german = "Die Bundesregierung hat am Mittwoch neue Regeln für den Export von \
            Rüstungsgütern beschlossen. Nach Angaben des Wirtschaftsministeriums sollen die \
            Genehmigungen künftig strenger geprüft werden, vor allem bei Lieferungen in Länder \
            außerhalb der Europäischen Union.";
        let (lang, conf) = decide(Some("en".into()), german);
        assert_eq!(lang.as_deref(), Some("de"));
        assert!(conf.unwrap() >= TEXT_DECIDES_ABOVE);
        assert_eq!(
            decide(Some("fr".into()), "Bonjour."),
            (Some("fr".into()), None)
        );
        assert_eq!(decide(None, ""), (None, None));
    }

    #[test]
    fn languages_normalise_to_two_letters() {
        assert_eq!(iso639_1("en-US").as_deref(), Some("en"));
        assert_eq!(iso639_1("pt_BR").as_deref(), Some("pt"));
        assert_eq!(iso639_1("deu").as_deref(), Some("de"));
        assert_eq!(iso639_1("x"), None);
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
