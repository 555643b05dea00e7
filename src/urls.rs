//! Canonical article URLs: the key under which a story is stored once, whichever feed linked
//! it and whatever tracking decoration the link carried.
//!
//! Pure string work; it must never change what page a URL points at (path case, meaningful
//! query parameters and their order are kept).

use url::Url;

/// Query parameters that only say where a click came from (campaign and click-id trackers).
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "rb_clickid",
    "s_cid",
    "cmpid",
    "ocid",
    "ito",
    "smid",
    "smtyp",
    "xtor",
    "ncid",
    "wt_mc",
    "sr_share",
    "ref_src",
    "ref_url",
    "at_medium",
    "at_campaign",
    "at_custom1",
    "at_custom2",
    "at_custom3",
    "at_custom4",
    "cmp",
    "cid_source",
    "guccounter",
    "guce_referrer",
    "guce_referrer_sig",
    "__twitter_impression",
    "spm",
];

fn is_tracking(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_")
        || lower.starts_with("pk_")
        || lower.starts_with("mtm_")
        || TRACKING_PARAMS.contains(&lower.as_str())
}

/// The canonical form of an absolute http(s) URL: fragment and tracking parameters removed,
/// scheme and host lower-cased (the URL parser does that), default port dropped, an empty query
/// removed. Returns `None` for anything that is not an absolute http(s) URL.
pub fn canonicalize(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    canonicalize_url(&mut url)?;
    Some(url.into())
}

/// As [`canonicalize`], resolving `raw` against `base` first (feeds often carry relative links).
pub fn canonicalize_relative(raw: &str, base: &Url) -> Option<String> {
    let mut url = base.join(raw.trim()).ok()?;
    canonicalize_url(&mut url)?;
    Some(url.into())
}

fn canonicalize_url(url: &mut Url) -> Option<()> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    url.set_fragment(None);
    if let Some(query) = url.query() {
        let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let original_len = url::form_urlencoded::parse(query.as_bytes()).count();
        if kept.is_empty() {
            url.set_query(None);
        } else if kept.len() != original_len {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    Some(())
}

/// Host of a URL, used for per-host politeness limits.
pub fn host_of(raw: &str) -> String {
    Url::parse(raw)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// The source of an article: the registrable domain of its URL by the public suffix list
/// (`www.bbc.co.uk` and `news.bbc.co.uk` are both `bbc.co.uk`), an IP address as itself, and a
/// name the list does not know as the lower-case host. Empty for a URL without a host. Trends,
/// stories and alerts count sources with it.
pub fn source_of(raw: &str) -> String {
    let Ok(url) = Url::parse(raw) else {
        return String::new();
    };
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let host = d.trim_end_matches('.').to_ascii_lowercase();
            psl::domain_str(&host).map_or(host.clone(), str::to_string)
        }
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_registrable_domains() {
        assert_eq!(source_of("https://www.bbc.co.uk/news/x"), "bbc.co.uk");
        assert_eq!(source_of("https://News.BBC.co.uk/y"), "bbc.co.uk");
        assert_eq!(source_of("https://edition.cnn.com/z"), "cnn.com");
        assert_eq!(
            source_of("https://someone.github.io/post"),
            "someone.github.io"
        );
        assert_eq!(source_of("http://127.0.0.2:8080/a"), "127.0.0.2");
        assert_eq!(source_of("http://[::1]/a"), "::1");
        assert_eq!(source_of("not a url"), "");
    }

    #[test]
    fn tracking_parameters_and_fragment_go() {
        assert_eq!(
            canonicalize(
                "https://News.Example.com:443/world/story-1?utm_source=rss&utm_medium=feed#comments"
            )
            .unwrap(),
            "https://news.example.com/world/story-1"
        );
        assert_eq!(
            canonicalize("http://example.com/a?id=7&fbclid=XYZ&page=2").unwrap(),
            "http://example.com/a?id=7&page=2"
        );
    }

    #[test]
    fn meaningful_query_is_kept_as_is() {
        assert_eq!(
            canonicalize("https://example.com/article.php?b=2&a=1").unwrap(),
            "https://example.com/article.php?b=2&a=1"
        );
    }

    #[test]
    fn path_case_is_kept() {
        assert_eq!(
            canonicalize("https://example.com/News/Story").unwrap(),
            "https://example.com/News/Story"
        );
    }

    #[test]
    fn not_http_is_rejected() {
        assert!(canonicalize("mailto:x@example.com").is_none());
        assert!(canonicalize("/relative").is_none());
        assert!(canonicalize("javascript:alert(1)").is_none());
    }

    #[test]
    fn relative_links_resolve_against_the_feed() {
        let base = Url::parse("https://example.com/feeds/rss.xml").unwrap();
        assert_eq!(
            canonicalize_relative("../news/1?utm_campaign=x", &base).unwrap(),
            "https://example.com/news/1"
        );
    }
}
