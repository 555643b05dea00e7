//! What can go wrong with a request, classified by the type of the cause (never by matching
//! its message): each [`FetchError`] has an [`ErrorKind`] and says whether waiting can help.

use chrono::{DateTime, Utc};

use super::guard::{DnsFailure, Refused};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0}")]
    Blocked(String),
    #[error("not a usable URL: {0}")]
    BadUrl(String),
    #[error("HTTP {status}")]
    Status {
        status: u16,
        retry_after: Option<DateTime<Utc>>,
    },
    #[error("body larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("timed out")]
    Timeout,
    #[error("{0}")]
    Dns(String),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Network(String),
    #[error("not what was asked for (Content-Type {0})")]
    NotHtml(String),
    /// A redirect loop, too many redirects, or a redirect without a Location.
    #[error("{0}")]
    Redirect(String),
    #[error("disallowed by robots.txt")]
    Disallowed,
    /// Our own network is down (no host answers); nobody's fault but ours.
    #[error("not tried: the network is down ({0})")]
    Offline(String),
}

/// The classes of failure a feed or a page is counted and shown by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Dns,
    Connect,
    Tls,
    Timeout,
    HttpStatus,
    TooLarge,
    ContentType,
    NotAFeed,
    Parse,
    Robots,
    Blocked,
    BadUrl,
    Network,
    Offline,
    Redirect,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Dns => "dns",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::Timeout => "timeout",
            ErrorKind::HttpStatus => "http_status",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::ContentType => "content_type",
            ErrorKind::NotAFeed => "not_a_feed",
            ErrorKind::Parse => "parse",
            ErrorKind::Robots => "robots",
            ErrorKind::Blocked => "blocked",
            ErrorKind::BadUrl => "bad_url",
            ErrorKind::Network => "network",
            ErrorKind::Offline => "offline",
            ErrorKind::Redirect => "redirect",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FetchError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            FetchError::Blocked(_) => ErrorKind::Blocked,
            FetchError::BadUrl(_) => ErrorKind::BadUrl,
            FetchError::Status { .. } => ErrorKind::HttpStatus,
            FetchError::TooLarge { .. } => ErrorKind::TooLarge,
            FetchError::Timeout => ErrorKind::Timeout,
            FetchError::Dns(_) => ErrorKind::Dns,
            FetchError::Connect(_) => ErrorKind::Connect,
            FetchError::Tls(_) => ErrorKind::Tls,
            FetchError::Network(_) => ErrorKind::Network,
            FetchError::NotHtml(_) => ErrorKind::ContentType,
            FetchError::Disallowed => ErrorKind::Robots,
            FetchError::Offline(_) => ErrorKind::Offline,
            FetchError::Redirect(_) => ErrorKind::Redirect,
        }
    }

    /// Worth trying again later: the server or the network may recover. A page that is gone
    /// (404, 410, any other 4xx but 408, 425 and 429), refused by the guard, not a URL, too
    /// large, not HTML or disallowed will be the same next time.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => {
                *status == 408 || *status == 425 || *status == 429 || *status >= 500
            }
            FetchError::Timeout
            | FetchError::Dns(_)
            | FetchError::Connect(_)
            | FetchError::Tls(_)
            | FetchError::Network(_)
            | FetchError::Offline(_) => true,
            FetchError::Blocked(_)
            | FetchError::BadUrl(_)
            | FetchError::TooLarge { .. }
            | FetchError::NotHtml(_)
            | FetchError::Redirect(_)
            | FetchError::Disallowed => false,
        }
    }

    /// No answer at all came back: the server may be gone, or our own network.
    pub fn is_unanswered(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout
                | FetchError::Dns(_)
                | FetchError::Connect(_)
                | FetchError::Network(_)
        )
    }

    pub fn retry_after(&self) -> Option<DateTime<Utc>> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A reqwest error classified by the types in its cause chain, with the whole chain as the
/// message: reqwest's top-level message alone ("error sending request") hides the cause.
pub(super) fn map_reqwest(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    let message = chain_message(&e);
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    while let Some(c) = cause {
        if let Some(refused) = c.downcast_ref::<Refused>() {
            return FetchError::Blocked(refused.0.clone());
        }
        if c.downcast_ref::<DnsFailure>().is_some() {
            return FetchError::Dns(message);
        }
        if is_tls(c) {
            return FetchError::Tls(message);
        }
        if c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return FetchError::Timeout;
        }
        cause = c.source();
    }
    if e.is_connect() {
        return FetchError::Connect(message);
    }
    FetchError::Network(message)
}

/// A rustls error, directly or inside the `io::Error`s the TLS stream reports it in (nested
/// ones too; an `io::Error`'s `source` skips the error it wraps).
fn is_tls(c: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: &(dyn std::error::Error + 'static) = c;
    loop {
        if current.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        match current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => current = inner,
            None => return false,
        }
    }
}

fn chain_message(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    if let Some(url) = e.url() {
        // The URL is logged next to the error already; keep the message short.
        message = message.replace(&format!(" for url ({url})"), "");
        message = message.replace(url.as_str(), &crate::config::redact_url(url.as_str()));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> FetchError {
        FetchError::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn transient_errors_are_the_retryable_ones() {
        for e in [status(503), status(429), status(408), FetchError::Timeout] {
            assert!(e.is_transient(), "{e}");
        }
        assert!(FetchError::Dns("x".into()).is_transient());
        assert!(FetchError::Connect("x".into()).is_transient());
        for e in [
            status(404),
            status(410),
            status(403),
            FetchError::Blocked("x".into()),
            FetchError::BadUrl("x".into()),
            FetchError::TooLarge { limit: 1 },
            FetchError::NotHtml("image/png".into()),
            FetchError::Disallowed,
        ] {
            assert!(!e.is_transient(), "{e}");
        }
    }

    #[tokio::test]
    async fn client_errors_are_classified_by_their_cause() {
        let http = super::super::Http::new(&crate::config::HttpConfig::default()).unwrap();
        let get = |url: &'static str| {
            let http = http.clone();
            async move {
                http.get(url, super::super::Want::Page, &Default::default())
                    .await
                    .unwrap_err()
            }
        };
        assert_eq!(get("http://[::1/x").await.kind(), ErrorKind::BadUrl);
        assert_eq!(get("http://127.0.0.1:9/x").await.kind(), ErrorKind::Blocked);
        assert_eq!(get("ftp://a.example/x").await.kind(), ErrorKind::Blocked);
        // A port nothing listens on any more.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", closed.local_addr().unwrap());
        drop(closed);
        let cfg = crate::config::HttpConfig {
            allow_private_networks: true,
            ..Default::default()
        };
        let open = super::super::Http::new(&cfg).unwrap();
        let e = open
            .get(&url, super::super::Want::Page, &Default::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
        assert!(e.is_transient());
    }
}
