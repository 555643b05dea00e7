//! Secrets kept out of output: the password of a URL's user info and the values of query
//! parameters that carry credentials (`password`, `token`, `api_key`, …) are replaced before a
//! URL is printed or logged, whether or not the URL parses (a typo in the port or the host
//! must not print the password in the error that reports it).

use url::Url;

/// What replaces a secret.
const MASK: &str = "***";

/// `postgres://user:secret@host/db?sslpassword=x` -> `postgres://user:***@host/db?sslpassword=***`.
pub fn redact_url(url: &str) -> String {
    let cautious = Url::parse(url).is_err();
    redact_query(&redact_userinfo(url, cautious))
}

/// True when `url` carries a secret that [`redact_url`] would hide.
pub fn has_credentials(url: &str) -> bool {
    redact_url(url) != url
}

/// The password of the user info replaced. For a URL that does not parse the user info is
/// taken up to the last `@` before the query, so a password with a stray `/` or `#` is still
/// covered.
fn redact_userinfo(url: &str, cautious: bool) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let at = if cautious {
        let query = rest.find('?').unwrap_or(rest.len());
        rest[..query].rfind('@')
    } else {
        let authority = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        rest[..authority].rfind('@')
    };
    let Some(at) = at else {
        return url.to_string();
    };
    let userinfo = &rest[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_string();
    };
    format!(
        "{}{}:{MASK}{}",
        &url[..scheme_end],
        &userinfo[..colon],
        &rest[at..]
    )
}

/// The values of secret query parameters replaced; everything else as written.
fn redact_query(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_string();
    };
    let end = url[q..].find('#').map_or(url.len(), |i| q + i);
    let mut out = url[..=q].to_string();
    for (i, pair) in url[q + 1..end].split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, value)) if !value.is_empty() && is_secret(key) => {
                out.push_str(key);
                out.push('=');
                out.push_str(MASK);
            }
            _ => out.push_str(pair),
        }
    }
    out.push_str(&url[end..]);
    out
}

/// Query keys whose values are credentials, by name (`%`-encoded names are decoded first).
fn is_secret(key: &str) -> bool {
    let key = percent_decoded(key).to_ascii_lowercase().replace('-', "_");
    const EXACT: [&str; 12] = [
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "auth",
        "key",
        "sig",
        "signature",
        "session",
        "sessionid",
    ];
    const SUFFIXES: [&str; 6] = [
        "password",
        "token",
        "secret",
        "_key",
        "apikey",
        "credential",
    ];
    EXACT.contains(&key.as_str()) || SUFFIXES.iter().any(|s| key.ends_with(s))
}

fn percent_decoded(s: &str) -> String {
    url::form_urlencoded::parse(s.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_every_form() {
        for (url, shown) in [
            (
                "postgres://u:s3cret@db.example/x",
                "postgres://u:***@db.example/x",
            ),
            (
                "postgres://u:s3cret@localhost:99999/db",
                "postgres://u:***@localhost:99999/db",
            ),
            (
                "postgres://u:s3cret@[::1x]:5432/db",
                "postgres://u:***@[::1x]:5432/db",
            ),
            (
                "postgres://u:s3cret@local host/db",
                "postgres://u:***@local host/db",
            ),
            (
                "postgres://u:pa/ss#w@host:x/db",
                "postgres://u:***@host:x/db",
            ),
            (
                "postgres://u@h/db?password=s3cret&sslmode=require",
                "postgres://u@h/db?password=***&sslmode=require",
            ),
            (
                "https://feeds.example/rss?api_key=abc&x=1#top",
                "https://feeds.example/rss?api_key=***&x=1#top",
            ),
            (
                "https://feeds.example/rss?AccessToken=abc",
                "https://feeds.example/rss?AccessToken=***",
            ),
            (
                "https://me:pw@feeds.example/@news/rss",
                "https://me:***@feeds.example/@news/rss",
            ),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
            assert!(has_credentials(url), "{url}");
        }
    }

    #[test]
    fn urls_without_secrets_are_left_as_written() {
        for url in [
            "https://medium.com/@someone/feed",
            "https://user@feeds.example/rss",
            "https://feeds.example/rss?page=2&keyword=x&key=",
            "sqlite://stringer.db",
            "not a url at all",
        ] {
            assert_eq!(redact_url(url), url);
            assert!(!has_credentials(url), "{url}");
        }
    }
}
