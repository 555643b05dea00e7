//! Title cleanup: removing a " - Site Name" suffix (or prefix) from a headline. Must not
//! choose which headline source is used.

/// Removes a " - Site Name" / " | Site" suffix (or prefix) from a title.
pub fn strip_site_suffix(title: &str, site: Option<&str>, url: Option<&url::Url>) -> String {
    const SEPS: [&str; 7] = [" | ", " - ", " – ", " — ", " :: ", " · ", " » "];
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let site_n = site.map(norm).unwrap_or_default();
    let host_n = url
        .and_then(|u| u.host_str())
        .map(|h| {
            h.trim_start_matches("www.")
                .split('.')
                .next()
                .unwrap_or("")
                .to_lowercase()
        })
        .unwrap_or_default();
    let is_site = |part: &str| {
        let p = norm(part);
        !p.is_empty()
            && ((!site_n.is_empty() && (p == site_n || site_n.contains(&p) || p.contains(&site_n)))
                || (host_n.len() >= 3
                    && (p.contains(&host_n) || host_n.contains(&p) && p.len() >= 4)))
    };
    for sep in SEPS {
        if let Some(idx) = title.rfind(sep) {
            let (head, tail) = (&title[..idx], &title[idx + sep.len()..]);
            if is_site(tail) && head.chars().count() >= 10 {
                return strip_site_suffix(head.trim(), site, url);
            }
        }
        if let Some(idx) = title.find(sep) {
            let (head, tail) = (&title[..idx], &title[idx + sep.len()..]);
            if is_site(head) && tail.chars().count() >= 10 {
                return tail.trim().to_owned();
            }
        }
    }
    // No known site name: a short last part after " | " is still the usual site suffix.
    if let Some(idx) = title.rfind(" | ") {
        let tail = &title[idx + 3..];
        if tail.split_whitespace().count() <= 4 && title[..idx].chars().count() >= 15 {
            return title[..idx].trim().to_owned();
        }
    }
    title.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_their_site_suffix() {
        let u = url::Url::parse("https://www.example-news.com/x").ok();
        assert_eq!(
            strip_site_suffix(
                "Rates rise again - Example News",
                Some("Example News"),
                u.as_ref()
            ),
            "Rates rise again"
        );
        assert_eq!(
            strip_site_suffix("Rates rise again | Example-News.com", None, u.as_ref()),
            "Rates rise again"
        );
        assert_eq!(
            strip_site_suffix(
                "Example News: Rates - a history",
                Some("Example News"),
                u.as_ref()
            ),
            "Example News: Rates - a history"
        );
        assert_eq!(
            strip_site_suffix("Obama - Biden ticket returns", Some("Daily Planet"), None),
            "Obama - Biden ticket returns"
        );
    }
}
