//! The webhook sink: each envelope POSTed as JSON to the configured URL with the configured
//! headers; any 2xx answer is a delivery, anything else (another status, a timeout, a refused
//! connection) a failure to retry. The URL is the user's own choice, so loopback and private
//! addresses are allowed; redirects are not followed (a POST must not wander).

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::Refusal;
use crate::config::SinkConfig;

pub struct Webhook {
    client: reqwest::Client,
    url: String,
    headers: HeaderMap,
}

impl Webhook {
    pub fn new(cfg: &SinkConfig, user_agent: &str) -> anyhow::Result<Webhook> {
        let mut headers = HeaderMap::new();
        for (name, value) in &cfg.headers {
            let mut value = HeaderValue::from_str(value)?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_bytes(name.as_bytes())?, value);
        }
        Ok(Webhook {
            client: crate::fetch::post_client(user_agent, cfg.timeout)?,
            url: cfg.url.clone().unwrap_or_default(),
            headers,
        })
    }

    /// POSTs the envelopes one after the other: one result each, up to the first that failed
    /// in a way that may pass, or until the sink's timeout has gone by since the first (the
    /// rest are not sent: they wait their turn, in order).
    pub async fn post_all(
        &self,
        envelopes: &[serde_json::Value],
        budget: std::time::Duration,
    ) -> Vec<Result<(), Refusal>> {
        let start = std::time::Instant::now();
        let mut out = Vec::with_capacity(envelopes.len());
        for envelope in envelopes {
            if !out.is_empty() && start.elapsed() >= budget {
                break;
            }
            let sent = self.post(envelope).await;
            let stop = sent.as_ref().is_err_and(|r| !r.permanent);
            out.push(sent);
            if stop {
                break;
            }
        }
        out
    }

    pub async fn post(&self, envelope: &serde_json::Value) -> Result<(), Refusal> {
        let answer = self
            .client
            .post(&self.url)
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(envelope.to_string())
            .send()
            .await
            .map_err(|e| Refusal::temporary(crate::fetch::describe_error(e)))?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        // A client error says this envelope will never be taken; but a timeout, "too early" and
        // "too many requests" pass.
        let permanent = status.is_client_error() && ![408, 425, 429].contains(&status.as_u16());
        Err(Refusal {
            why: format!("HTTP {status}"),
            permanent,
        })
    }
}
