//! HTTP: the one client builder, the one capped body reader and the one private-network guard.
//!
//! Every byte Stringer downloads comes through [`Http::get`]. The private-network check runs
//! after DNS resolution, in the resolver the client dials with (so a public name that resolves to
//! 127.0.0.1 is caught), and on literal IP addresses in URLs and redirects. Bodies are read
//! chunk by chunk and abandoned past `max_body_bytes`, after decompression, so a small gzip bomb
//! cannot fill memory. This module does not parse what it fetches.

mod error;
mod guard;
mod network;
mod polite;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, redirect};

use crate::config::{HttpConfig, PolitenessConfig};
use crate::model::Validators;
use crate::schedule::{self, ServerHints};

use error::map_reqwest;
pub use error::{ErrorKind, FetchError};
use guard::GuardedResolver;
pub use guard::is_non_public;
pub use network::PROBE_EVERY;

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
    max_redirects: usize,
    /// Where requests may go.
    policy: Arc<guard::Policy>,
    /// A proxy is configured: names are resolved and checked before each request.
    proxied: bool,
    /// Per-host rate and crawl delays; `None` (no limit) until [`Http::with_politeness`].
    polite: Option<Arc<polite::Politeness>>,
    /// Whether our own network answers (see [`network`]).
    network: Arc<network::Watch>,
}

impl Http {
    pub fn new(cfg: &HttpConfig) -> anyhow::Result<Http> {
        install_crypto_provider();
        let policy = Arc::new(
            guard::Policy::new(cfg.allow_private_networks, &cfg.allow_hosts)
                .map_err(|why| anyhow::anyhow!("http.allow_hosts: {why}"))?,
        );
        let mut builder = reqwest::Client::builder()
            .user_agent(cfg.agent())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            // Redirects are followed by `get`, each hop checked by the guard.
            .redirect(redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
            }))
            // Never a proxy from the environment (HTTP_PROXY and the like): a proxy resolves
            // names itself, so the guard must know of it to check names first.
            .no_proxy();
        if let Some(proxy) = &cfg.proxy {
            builder = builder.proxy(reqwest::Proxy::all(proxy).map_err(|e| {
                anyhow::anyhow!("http.proxy {}: {e}", crate::config::redact_url(proxy))
            })?);
        }
        Ok(Http {
            client: builder.build()?,
            max_body_bytes: cfg.max_body_bytes,
            max_redirects: cfg.max_redirects,
            policy,
            proxied: cfg.proxy.is_some(),
            polite: None,
            network: Arc::new(network::Watch::new(cfg.connect_timeout)),
        })
    }

    /// The client with `[politeness]`: every request waits for its host's turn.
    pub fn with_politeness(mut self, cfg: &PolitenessConfig) -> anyhow::Result<Http> {
        let gap = cfg.per_host_gap().map_err(anyhow::Error::msg)?;
        self.polite = polite::Politeness::new(gap).map(Arc::new);
        Ok(self)
    }

    /// From now on requests to `url`'s host are at least `gap` apart (a robots.txt
    /// `Crawl-delay`, bounded by the caller).
    pub fn crawl_delay(&self, url: &str, gap: Duration) {
        if let (Some(p), Ok(u)) = (&self.polite, url::Url::parse(url))
            && let Some(host) = u.host_str()
        {
            p.set_crawl_delay(host, gap);
        }
    }

    /// GET `url`, conditional on `validators`, following redirects (each hop checked by the
    /// guard and taking its host's turn; a loop or more than `max_redirects` is an error).
    /// Non-2xx statuses other than 304 are errors; so is a Content-Type that is not `want`.
    pub async fn get(
        &self,
        url: &str,
        want: Want,
        validators: &Validators,
    ) -> Result<Outcome, FetchError> {
        let mut current = url::Url::parse(url)
            .map_err(|e| FetchError::BadUrl(format!("{}: {e}", crate::config::redact_url(url))))?;
        let mut seen = std::collections::HashSet::new();
        loop {
            let response = self.hop(&current, want, validators).await?;
            let Some(next) = redirect_target(&response, &current)? else {
                return self.answer(response, want).await;
            };
            seen.insert(current.clone());
            if seen.contains(&next) {
                return Err(FetchError::Redirect(format!(
                    "redirect loop back to {}",
                    crate::config::redact_url(next.as_str())
                )));
            }
            if seen.len() > self.max_redirects {
                return Err(FetchError::Redirect(format!(
                    "more than {} redirects",
                    self.max_redirects
                )));
            }
            current = next;
        }
    }

    /// One request of a GET: the guard's checks, the host's turn, then the request.
    async fn hop(
        &self,
        url: &url::Url,
        want: Want,
        validators: &Validators,
    ) -> Result<reqwest::Response, FetchError> {
        self.policy.check_url(url).map_err(FetchError::Blocked)?;
        if self.proxied {
            self.policy
                .check_through_proxy(url)
                .await
                .map_err(|e| match e {
                    guard::GuardError::Refused(r) => FetchError::Blocked(r.0),
                    guard::GuardError::Dns(d) => FetchError::Dns(d.to_string()),
                })?;
        }
        if let (Some(p), Some(host)) = (&self.polite, url.host_str()) {
            p.turn(host).await;
        }
        let mut request = self
            .client
            .get(url.clone())
            .header(header::ACCEPT, want.accept());
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, lm);
        }
        self.send(request, url).await
    }

    /// The final answer: 304, an error status (a busy host held back), or the body, read
    /// only when its Content-Type is wanted and up to `max_body_bytes` after decompression.
    async fn answer(
        &self,
        mut response: reqwest::Response,
        want: Want,
    ) -> Result<Outcome, FetchError> {
        let now = Utc::now();
        let status = response.status();
        let headers = response.headers().clone();
        let hints = hints_from(&headers, now);
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified { hints });
        }
        if !status.is_success() {
            return Err(self.refusal(&response, &headers, now));
        }
        let content_type = header_str(&headers, header::CONTENT_TYPE).map(str::to_string);
        if let Some(ct) = &content_type
            && !want.takes(ct)
        {
            return Err(FetchError::NotHtml(ct.clone()));
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
            content_type,
            validators: Validators {
                etag: header_str(&headers, header::ETAG).map(str::to_string),
                last_modified: header_str(&headers, header::LAST_MODIFIED).map(str::to_string),
            },
            hints,
            body: Bytes::from(body),
        }))
    }

    /// An error status as an error; a busy host (429, 503) that names a time is not asked
    /// again before it, by any request: its other feeds and pages wait too.
    fn refusal(
        &self,
        response: &reqwest::Response,
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> FetchError {
        let status = response.status().as_u16();
        let retry_after = header_str(headers, header::RETRY_AFTER)
            .and_then(|v| schedule::parse_retry_after(v, now));
        if let (Some(p), Some(host), Some(at), 429 | 503) =
            (&self.polite, response.url().host_str(), retry_after, status)
        {
            p.hold_until(host, (at - now).to_std().unwrap_or_default());
        }
        FetchError::Status {
            status,
            retry_after,
        }
    }

    /// Sends `request` for `url` unless the network is down (then only as the probe); a
    /// request without any answer is judged: [`FetchError::Offline`] when nobody answers.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &url::Url,
    ) -> Result<reqwest::Response, FetchError> {
        if !self.network.admit() {
            return Err(FetchError::Offline("waiting for the next probe".into()));
        }
        let origin = url.origin().ascii_serialization();
        match request.send().await {
            Ok(response) => {
                self.network.answered(&origin);
                Ok(response)
            }
            Err(e) => {
                let e = map_reqwest(e);
                if e.is_unanswered()
                    && self.network.judge(&origin, &self.client).await == network::Fault::Ours
                {
                    return Err(FetchError::Offline(e.to_string()));
                }
                Err(e)
            }
        }
    }

    /// Whether our own network looks down now (no host answers).
    pub fn network_down(&self) -> bool {
        self.network.is_down()
    }

    /// GET a web page: unconditional, and only HTML (or an unlabelled body) is accepted.
    pub async fn get_page(&self, url: &str) -> Result<Fetched, FetchError> {
        match self.get(url, Want::Page, &Validators::default()).await? {
            Outcome::Fetched(page) => Ok(page),
            // Only possible if a server ignores that we sent no validators.
            Outcome::NotModified { .. } => Err(FetchError::Status {
                status: 304,
                retry_after: None,
            }),
        }
    }
}

/// Where a redirect answer points, resolved against the URL asked; `None` for any other
/// answer. A redirect without a usable `Location` is an error.
fn redirect_target(
    response: &reqwest::Response,
    current: &url::Url,
) -> Result<Option<url::Url>, FetchError> {
    if !response.status().is_redirection() || response.status() == StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    let location = header_str(response.headers(), header::LOCATION).ok_or_else(|| {
        FetchError::Redirect(format!(
            "HTTP {} without a Location",
            response.status().as_u16()
        ))
    })?;
    current.join(location).map(Some).map_err(|e| {
        FetchError::BadUrl(format!(
            "redirect to {}: {e}",
            crate::config::redact_url(location)
        ))
    })
}

impl Want {
    fn accept(self) -> &'static str {
        match self {
            Want::Feed => {
                "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
            }
            Want::Page => "text/html, application/xhtml+xml;q=0.9, */*;q=0.8",
            Want::Text => "text/plain, */*;q=0.5",
        }
    }

    /// Whether a body of this Content-Type can be what is wanted, decided before it is read.
    /// Pages: HTML, plain text or an unlabelled type. Feeds: anything but media and archives
    /// (servers label feeds in every way; the parser decides). Text: anything.
    fn takes(self, content_type: &str) -> bool {
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match self {
            Want::Page => matches!(
                mime.as_str(),
                "" | "text/html"
                    | "application/xhtml+xml"
                    | "text/plain"
                    | "application/octet-stream"
            ),
            Want::Feed => {
                let (kind, sub) = mime.split_once('/').unwrap_or((mime.as_str(), ""));
                !(matches!(kind, "image" | "audio" | "video" | "font")
                    || matches!(
                        sub,
                        "pdf"
                            | "zip"
                            | "gzip"
                            | "x-gzip"
                            | "x-tar"
                            | "vnd.ms-excel"
                            | "msword"
                            | "wasm"
                    ))
            }
            Want::Text => true,
        }
    }
}

/// reqwest is built without a default TLS crypto provider (to stay on `ring`); install it once.
/// The client that POSTs to destinations the user configured (webhook sinks): the same user
/// agent and crypto provider, the sink's timeout, no redirects. No private-network guard: the
/// URL is the user's own choice, not something a feed supplied, and is often on loopback.
pub fn post_client(user_agent: &str, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    install_crypto_provider();
    Ok(reqwest::Client::builder()
        .user_agent(user_agent)
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(redirect::Policy::none())
        .no_proxy()
        .build()?)
}

/// A request error as one line with its causes (refused, DNS, TLS, timed out).
pub fn describe_error(e: reqwest::Error) -> String {
    map_reqwest(e).to_string()
}

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
