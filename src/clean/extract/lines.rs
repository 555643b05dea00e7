//! Line-level furniture: short labels ("Share.", "Advertisement"), label prefixes, calls to
//! action, bylines, datelines and URL dumps, judged from a block's text alone. Must not look
//! at the tree or at a block's position.

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
pub fn is_call_to_action(text: &str) -> bool {
    CALL_TO_ACTION.is_match(text)
}

pub fn is_byline(text: &str) -> bool {
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

pub fn is_dateline(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let chars = text.chars().count();
    if words <= 12 && chars <= 90 {
        return crate::clean::dates::looks_like_date(text);
    }
    // A longer meta line: "05/10/2018 - Posted by: Jane Doe - Category: Health - Tags: ...".
    words <= 30
        && chars <= 200
        && META_LINE.is_match(text)
        && crate::clean::dates::looks_like_date(text)
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

pub fn is_furniture_line(text: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
