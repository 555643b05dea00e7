//! The webhook sink: the envelope POSTed as JSON to the configured URL with the configured
//! headers; any 2xx answer is a delivery, anything else (another status, a timeout, a refused
//! connection) a failure to retry. The URL is the user's own choice, so loopback and private
//! addresses are allowed; redirects are not followed (a POST must not wander).

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

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
            headers.insert(
                HeaderName::from_bytes(name.as_bytes())?,
                HeaderValue::from_str(value)?,
            );
        }
        Ok(Webhook {
            client: crate::fetch::post_client(user_agent, cfg.timeout)?,
            url: cfg.url.clone().unwrap_or_default(),
            headers,
        })
    }

    pub async fn post(&self, envelope: &serde_json::Value) -> Result<(), String> {
        let answer = self
            .client
            .post(&self.url)
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(envelope.to_string())
            .send()
            .await
            .map_err(crate::fetch::describe_error)?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {status}"))
        }
    }
}
