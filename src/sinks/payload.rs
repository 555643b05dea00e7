//! The envelope of an outbox row, from what is stored: the alert and its articles as
//! `articles export` prints them (`export::ArticleDoc`).

use anyhow::Context;

use crate::envelope;
use crate::export::{ArticleDoc, Related};
use crate::store::Store;

/// The envelope of the alert `alert_id`, as JSON.
pub async fn envelope(store: &Store, alert_id: i64) -> anyhow::Result<serde_json::Value> {
    let alert = store
        .alert(alert_id)
        .await?
        .with_context(|| format!("alert {alert_id} is not stored"))?;
    let mut docs = Vec::with_capacity(alert.articles.0.len());
    for row in store.export_rows(&alert.articles.0).await? {
        let id = row.id;
        let related = Related {
            entities: store
                .entities_between(id, id)
                .await?
                .remove(&id)
                .unwrap_or_default(),
            keyphrases: store
                .keyphrases_between(id, id)
                .await?
                .remove(&id)
                .unwrap_or_default(),
            topics: store
                .topics_between(id, id)
                .await?
                .remove(&id)
                .unwrap_or_default(),
        };
        docs.push(ArticleDoc::from_row(row, related));
    }
    Ok(serde_json::to_value(envelope::alert_fired(&alert, docs))?)
}
