//! HTTP: the one client builder, the one capped body reader and the one private-network guard.
//!
//! Every byte Stringer downloads comes through [`Http::get`]. The private-network check runs
//! after DNS resolution, in the resolver the client dials with (so a public name that resolves to
//! 127.0.0.1 is caught), and on literal IP addresses in URLs and redirects. Bodies are read
//! chunk by chunk and abandoned past `max_body_bytes`, after decompression, so a small gzip bomb
//! cannot fill memory. This module does not parse what it fetches.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, redirect};

use crate::config::HttpConfig;
use crate::model::Validators;
use crate::schedule::{self, ServerHints};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0}")]
    Blocked(String),
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
    Network(String),
    #[error("not a web page (Content-Type {0})")]
    NotHtml(String),
    #[error("disallowed by robots.txt")]
    Disallowed,
}

impl FetchError {
    /// Worth trying again later: the server or the network may recover.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => {
                *status == 408 || *status == 425 || *status == 429 || *status >= 500
            }
            FetchError::Timeout | FetchError::Network(_) => true,
            FetchError::Blocked(_)
            | FetchError::TooLarge { .. }
            | FetchError::NotHtml(_)
            | FetchError::Disallowed => false,
        }
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

/// A response with a body, as far as the caller needs it.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    /// URL after redirects.
    pub final_url: String,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub hints: ServerHints,
    pub body: Bytes,
}

#[derive(Debug)]
pub enum Outcome {
    /// 304: what we have is current.
    NotModified {
        hints: ServerHints,
    },
    Fetched(Fetched),
}

/// What kind of document is being asked for; sets the Accept header.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    Feed,
    Page,
    Text,
}

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    max_body_bytes: u64,
    allow_private: bool,
}

impl Http {
    pub fn new(cfg: &HttpConfig) -> anyhow::Result<Http> {
        install_crypto_provider();
        let allow_private = cfg.allow_private_networks;
        let max_redirects = cfg.max_redirects;
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error(format!("more than {max_redirects} redirects"));
            }
            if let Err(why) = check_url_host(attempt.url(), allow_private) {
                return attempt.error(why);
            }
            attempt.follow()
        });
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .redirect(policy)
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .build()?;
        Ok(Http {
            client,
            max_body_bytes: cfg.max_body_bytes,
            allow_private,
        })
    }

    /// GET `url`, conditional on `validators`. Non-2xx statuses other than 304 are errors.
    pub async fn get(
        &self,
        url: &str,
        want: Want,
        validators: &Validators,
    ) -> Result<Outcome, FetchError> {
        let parsed =
            url::Url::parse(url).map_err(|e| FetchError::Network(format!("bad URL: {e}")))?;
        check_url_host(&parsed, self.allow_private).map_err(FetchError::Blocked)?;
        let accept = match want {
            Want::Feed => {
                "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
            }
            Want::Page => "text/html, application/xhtml+xml;q=0.9, */*;q=0.8",
            Want::Text => "text/plain, */*;q=0.5",
        };
        let mut request = self.client.get(parsed).header(header::ACCEPT, accept);
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, lm);
        }
        let mut response = request.send().await.map_err(map_reqwest)?;
        let now = Utc::now();
        let status = response.status();
        let headers = response.headers().clone();
        let hints = hints_from(&headers, now);
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified { hints });
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after: header_str(&headers, header::RETRY_AFTER)
                    .and_then(|v| schedule::parse_retry_after(v, now)),
            });
        }
        if let Some(len) = response.content_length()
            && len > self.max_body_bytes
        {
            return Err(FetchError::TooLarge {
                limit: self.max_body_bytes,
            });
        }
        let final_url = response.url().to_string();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(map_reqwest)? {
            if (body.len() + chunk.len()) as u64 > self.max_body_bytes {
                return Err(FetchError::TooLarge {
                    limit: self.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Outcome::Fetched(Fetched {
            status: status.as_u16(),
            final_url,
            content_type: header_str(&headers, header::CONTENT_TYPE).map(str::to_string),
            validators: Validators {
                etag: header_str(&headers, header::ETAG).map(str::to_string),
                last_modified: header_str(&headers, header::LAST_MODIFIED).map(str::to_string),
            },
            hints,
            body: Bytes::from(body),
        }))
    }

    /// GET a web page: unconditional, and only HTML (or an unlabelled body) is accepted.
    pub async fn get_page(&self, url: &str) -> Result<Fetched, FetchError> {
        match self.get(url, Want::Page, &Validators::default()).await? {
            Outcome::Fetched(page) => {
                if let Some(ct) = &page.content_type {
                    let mime = ct
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase();
                    let htmlish = mime.is_empty()
                        || mime == "text/html"
                        || mime == "application/xhtml+xml"
                        || mime == "text/plain"
                        || mime == "application/octet-stream";
                    if !htmlish {
                        return Err(FetchError::NotHtml(ct.clone()));
                    }
                }
                Ok(page)
            }
            // Only possible if a server ignores that we sent no validators.
            Outcome::NotModified { .. } => Err(FetchError::Status {
                status: 304,
                retry_after: None,
            }),
        }
    }
}

/// reqwest is built without a default TLS crypto provider (to stay on `ring`); install it once.
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Fails only if another provider was installed first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn hints_from(headers: &HeaderMap, now: DateTime<Utc>) -> ServerHints {
    ServerHints {
        ttl: None,
        max_age: header_str(headers, header::CACHE_CONTROL).and_then(schedule::parse_max_age),
        expires: header_str(headers, header::EXPIRES).and_then(schedule::parse_http_date),
        retry_after: header_str(headers, header::RETRY_AFTER)
            .and_then(|v| schedule::parse_retry_after(v, now)),
    }
}

/// The whole error chain: reqwest's top-level message alone ("error sending request") hides
/// the cause a user needs (refused, DNS, TLS, blocked address).
fn map_reqwest(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
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
    if message.contains("refused: ") {
        let why = message
            .split("refused: ")
            .last()
            .unwrap_or_default()
            .to_string();
        return FetchError::Blocked(why);
    }
    FetchError::Network(message)
}

/// True for addresses a fetched URL must not reach unless private networks are allowed:
/// loopback, RFC 1918, link-local, CGNAT, unique-local, multicast, unspecified, broadcast,
/// documentation ranges, and IPv4 addresses hidden in IPv6.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, RFC 6598
                || o[0] == 0
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local, RFC 4193
                || (s[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation, RFC 3849
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0) // IPv4-compatible
        }
    }
}

/// Whether `url` may be fetched; the refusal names the URL with any password redacted.
fn check_url_host(url: &url::Url, allow_private: bool) -> Result<(), String> {
    let shown = || crate::config::redact_url(url.as_str());
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{}: only http and https are fetched", shown()));
    }
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
            return Err(format!(
                "{}: localhost is a private address (set http.allow_private_networks = true to allow)",
                shown()
            ));
        }
        _ => return Ok(()),
    };
    if is_non_public(ip) {
        return Err(format!(
            "{}: {ip} is a private address (set http.allow_private_networks = true to allow)",
            shown()
        ));
    }
    Ok(())
}

/// The system resolver, with non-public answers removed unless allowed.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let total = addrs.len();
            let kept: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| allow_private || !is_non_public(a.ip()))
                .collect();
            if kept.is_empty() && total > 0 {
                let e: Box<dyn std::error::Error + Send + Sync> = format!(
                    "refused: {host} resolves only to private addresses (set http.allow_private_networks = true to allow)"
                )
                .into();
                return Err(e);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(!is_non_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn literal_private_hosts_are_refused_unless_allowed() {
        let url = url::Url::parse("http://127.0.0.1:8080/feed").unwrap();
        assert!(check_url_host(&url, false).unwrap_err().contains("private"));
        assert!(check_url_host(&url, true).is_ok());
        let local = url::Url::parse("http://localhost/feed").unwrap();
        assert!(check_url_host(&local, false).is_err());
    }

    #[test]
    fn transient_errors_are_the_retryable_ones() {
        assert!(
            FetchError::Status {
                status: 503,
                retry_after: None
            }
            .is_transient()
        );
        assert!(
            FetchError::Status {
                status: 429,
                retry_after: None
            }
            .is_transient()
        );
        assert!(
            !FetchError::Status {
                status: 404,
                retry_after: None
            }
            .is_transient()
        );
        assert!(FetchError::Timeout.is_transient());
        assert!(!FetchError::TooLarge { limit: 1 }.is_transient());
    }
}
