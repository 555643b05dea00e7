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
pub use guard::is_non_public;
use guard::{GuardedResolver, Refused, check_url_host};
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
    allow_private: bool,
    /// Per-host rate and crawl delays; `None` (no limit) until [`Http::with_politeness`].
    polite: Option<Arc<polite::Politeness>>,
    /// Whether our own network answers (see [`network`]).
    network: Arc<network::Watch>,
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
                return attempt.error(Refused(why));
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
            // Never a proxy from the environment (HTTP_PROXY and the like): a proxy resolves
            // names itself, so the private-network guard would never see them.
            .no_proxy()
            .build()?;
        Ok(Http {
            client,
            max_body_bytes: cfg.max_body_bytes,
            allow_private,
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

    /// GET `url`, conditional on `validators`. Non-2xx statuses other than 304 are errors.
    pub async fn get(
        &self,
        url: &str,
        want: Want,
        validators: &Validators,
    ) -> Result<Outcome, FetchError> {
        let parsed = url::Url::parse(url)
            .map_err(|e| FetchError::BadUrl(format!("{}: {e}", crate::config::redact_url(url))))?;
        check_url_host(&parsed, self.allow_private).map_err(FetchError::Blocked)?;
        if let (Some(p), Some(host)) = (&self.polite, parsed.host_str()) {
            p.turn(host).await;
        }
        let accept = match want {
            Want::Feed => {
                "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
            }
            Want::Page => "text/html, application/xhtml+xml;q=0.9, */*;q=0.8",
            Want::Text => "text/plain, */*;q=0.5",
        };
        let mut request = self
            .client
            .get(parsed.clone())
            .header(header::ACCEPT, accept);
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, lm);
        }
        let mut response = self.send(request, &parsed).await?;
        let now = Utc::now();
        let status = response.status();
        let headers = response.headers().clone();
        let hints = hints_from(&headers, now);
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified { hints });
        }
        if !status.is_success() {
            let retry_after = header_str(&headers, header::RETRY_AFTER)
                .and_then(|v| schedule::parse_retry_after(v, now));
            // A busy host (429, 503) that names a time is not asked again before it, by any
            // request: its other feeds and pages wait too.
            if let (Some(p), Some(host), Some(at), 429 | 503) = (
                &self.polite,
                response.url().host_str(),
                retry_after,
                status.as_u16(),
            ) {
                p.hold_until(host, (at - now).to_std().unwrap_or_default());
            }
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after,
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
