//! The `redis` sink: each envelope added to a Redis stream with
//! `XADD KEY MAXLEN ~ N * envelope JSON id ID event EVENT`, a batch in one pipeline; the
//! stream is trimmed to about `max_len` entries. The connection is made on first use and
//! re-made by the connection manager after an error. Delivery is at least once: a consumer
//! deduplicates by the `id` field.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

use super::{Refusal, scrub};
use crate::config::{DEFAULT_MAX_LEN, DEFAULT_REDIS_STREAM, SinkConfig};

pub struct RedisSink {
    url: String,
    key: String,
    max_len: u64,
    timeout: Duration,
    conn: Mutex<Option<ConnectionManager>>,
}

impl RedisSink {
    pub fn new(cfg: &SinkConfig) -> anyhow::Result<RedisSink> {
        let url = cfg
            .url
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the redis sink `{}` needs a url", cfg.name))?;
        Ok(RedisSink {
            url,
            key: cfg
                .stream
                .clone()
                .unwrap_or_else(|| DEFAULT_REDIS_STREAM.into()),
            max_len: cfg.max_len.unwrap_or(DEFAULT_MAX_LEN),
            timeout: cfg.timeout,
            conn: Mutex::new(None),
        })
    }

    /// Adds every envelope in one pipeline: one result for the whole batch.
    pub async fn add(&self, envelopes: &[serde_json::Value]) -> Result<(), Refusal> {
        let mut conn = self.connected().await.map_err(Refusal::temporary)?;
        let mut pipe = redis::pipe();
        for envelope in envelopes {
            pipe.cmd("XADD")
                .arg(&self.key)
                .arg("MAXLEN")
                .arg("~")
                .arg(self.max_len)
                .arg("*")
                .arg("envelope")
                .arg(envelope.to_string())
                .arg("id")
                .arg(envelope["id"].as_str().unwrap_or_default())
                .arg("event")
                .arg(envelope["event"].as_str().unwrap_or_default());
        }
        pipe.query_async::<Vec<String>>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| {
                Refusal::temporary(format!(
                    "Redis XADD failed: {}",
                    scrub(&e.to_string(), &self.url)
                ))
            })
    }

    async fn connected(&self) -> Result<ConnectionManager, String> {
        let mut conn = self.conn.lock().await;
        if let Some(c) = conn.as_ref() {
            return Ok(c.clone());
        }
        let shown = crate::config::redact_url(&self.url);
        let fail = |e: redis::RedisError| {
            format!(
                "cannot connect to Redis at {shown}: {}",
                scrub(&e.to_string(), &self.url)
            )
        };
        let client = redis::Client::open(self.url.as_str()).map_err(fail)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        let manager = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(fail)?;
        *conn = Some(manager.clone());
        Ok(manager)
    }
}
