//! The `nats` sink: each envelope published to JetStream on `PREFIX.EVENT` (such as
//! `stringer.article.stored`) with the header `Nats-Msg-Id` set to the envelope's id, so the
//! stream's duplicate window drops a re-publish of the same event and never a new one. A
//! batch is published whole, then its acknowledgements are awaited: a row is delivered when
//! the server acknowledged it. With `stream` set, a stream over `PREFIX.>` is created if it
//! does not exist. The client connects on first use and reconnects by itself; a publish
//! while the server is away times out and is retried with backoff.

use std::time::Duration;

use async_nats::jetstream::{self, context::PublishErrorKind, message::PublishMessage};
use futures::future::join_all;
use tokio::sync::Mutex;

use super::{Refusal, scrub};
use crate::config::SinkConfig;

pub struct NatsSink {
    url: String,
    prefix: String,
    stream: Option<String>,
    timeout: Duration,
    context: Mutex<Option<jetstream::Context>>,
}

impl NatsSink {
    pub fn new(cfg: &SinkConfig) -> anyhow::Result<NatsSink> {
        let url = cfg
            .url
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the nats sink `{}` needs a url", cfg.name))?;
        Ok(NatsSink {
            url,
            prefix: cfg.subject_prefix().to_string(),
            stream: cfg.stream.clone(),
            timeout: cfg.timeout,
            context: Mutex::new(None),
        })
    }

    /// The subject of an event.
    pub fn subject(&self, event: &str) -> String {
        format!("{}.{event}", self.prefix)
    }

    /// Publishes every envelope, then waits for the acknowledgements: one result each.
    pub async fn publish(&self, envelopes: &[serde_json::Value]) -> Vec<Result<(), Refusal>> {
        let context = match self.connected().await {
            Ok(c) => c,
            Err(why) => return vec![Err(Refusal::temporary(why))],
        };
        let mut pending = Vec::with_capacity(envelopes.len());
        for envelope in envelopes {
            let event = envelope["event"].as_str().unwrap_or_default();
            let id = envelope["id"].as_str().unwrap_or_default();
            let message = PublishMessage::build()
                .payload(envelope.to_string().into())
                .message_id(id);
            pending.push(context.send_publish(self.subject(event), message).await);
        }
        let acks = pending.into_iter().map(|sent| async move {
            match sent {
                Ok(ack) => ack.await.map(|_| ()).map_err(|e| self.refusal(&e)),
                Err(e) => Err(self.refusal(&e)),
            }
        });
        join_all(acks).await
    }

    fn refusal(&self, e: &jetstream::context::PublishError) -> Refusal {
        let why = match e.kind() {
            PublishErrorKind::StreamNotFound => format!(
                "no JetStream stream takes `{}.>` (set `stream` to create one)",
                self.prefix
            ),
            PublishErrorKind::TimedOut => "no acknowledgement from the NATS server in time".into(),
            _ => format!("NATS publish failed: {}", scrub(&e.to_string(), &self.url)),
        };
        Refusal {
            why,
            permanent: e.kind() == PublishErrorKind::MaxPayloadExceeded,
        }
    }

    /// The JetStream context, connecting (and creating the stream) on first use.
    async fn connected(&self) -> Result<jetstream::Context, String> {
        let mut context = self.context.lock().await;
        if let Some(c) = context.as_ref() {
            return Ok(c.clone());
        }
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(self.timeout)
            .connect(self.url.as_str())
            .await
            .map_err(|e| {
                format!(
                    "cannot connect to NATS at {}: {}",
                    crate::config::redact_url(&self.url),
                    scrub(&e.to_string(), &self.url)
                )
            })?;
        let js = jetstream::ContextBuilder::new()
            .timeout(self.timeout)
            .build(client);
        if let Some(name) = &self.stream {
            let config = jetstream::stream::Config {
                name: name.clone(),
                subjects: vec![format!("{}.>", self.prefix)],
                ..Default::default()
            };
            js.get_or_create_stream(config).await.map_err(|e| {
                format!(
                    "cannot create the JetStream stream `{name}`: {}",
                    scrub(&e.to_string(), &self.url)
                )
            })?;
        }
        *context = Some(js.clone());
        Ok(js)
    }
}
