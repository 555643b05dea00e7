//! Text as the databases accept it. PostgreSQL refuses a NUL character in `text` and `jsonb`,
//! and no reader wants other control characters in a title: they are removed here, on both
//! back ends, so a page that carries them is stored instead of failing forever.

use std::borrow::Cow;

/// Control characters other than tab, line feed and carriage return (C0, DEL and C1).
fn unwanted(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `s` without control characters; borrowed when there were none (the usual case).
pub fn text(s: &str) -> Cow<'_, str> {
    if s.chars().any(unwanted) {
        Cow::Owned(s.chars().filter(|&c| !unwanted(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

pub fn opt(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(text)
}

pub fn list(items: &[String]) -> Vec<String> {
    items.iter().map(|s| text(s).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_go_and_the_rest_stays() {
        assert_eq!(text("a\0b\u{1}c\u{7f}d\u{85}e"), "abcde");
        assert_eq!(text("line\none\ttab\r\n"), "line\none\ttab\r\n");
        assert!(matches!(text("plain Ünïcode"), Cow::Borrowed(_)));
    }
}
