//! Reads about one entity, for `stringer entity` and the API: which stored entity a
//! normalised key names, its articles per hour from the rollups, and the entities named in the
//! same articles.

use chrono::{DateTime, Utc};

use super::{Result, Store};

/// A stored entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRef {
    pub id: i64,
    pub name: String,
    /// PER, ORG, LOC or MISC.
    pub kind: String,
    /// Articles that mention it, over all time.
    pub articles: i64,
}

/// An entity named in the same articles as another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoMention {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Articles of the window that name both.
    pub articles: i64,
}

impl Store {
    /// The entity with normalised key `key` (of type `kind` when given); of several types,
    /// the one in the most articles.
    pub async fn find_entity(&self, key: &str, kind: Option<&str>) -> Result<Option<EntityRef>> {
        let row: Option<(i64, String, String, i64)> = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT e.id, e.name, e.type, \
                   CAST((SELECT COUNT(*) FROM article_entities ae WHERE ae.entity_id = e.id) AS BIGINT) AS n \
                 FROM entities e WHERE e.key = ",
            );
            q.push_bind(key.to_string());
            if let Some(kind) = kind {
                q.push(" AND e.type = ").push_bind(kind.to_string());
            }
            q.push(" ORDER BY n DESC, e.id LIMIT 1");
            q.build_query_as().fetch_optional(pool).await?
        });
        Ok(row.map(|(id, name, kind, articles)| EntityRef {
            id,
            name,
            kind,
            articles,
        }))
    }

    /// The entity's articles per hour in `[from, to)` from the hourly rollups: `(hour,
    /// articles)` for the hours that have any, in order.
    pub async fn entity_hours(
        &self,
        entity_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, i64)>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT hour, CAST(articles AS BIGINT) FROM entity_hours \
                 WHERE entity_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour",
            )
            .bind(entity_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The entities named most often in the same stored articles as `entity_id`, among the
    /// articles with an event time in `[from, to)`; at most `limit`.
    pub async fn co_mentions(
        &self,
        entity_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CoMention>> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.name, e.type, CAST(COUNT(*) AS BIGINT) AS n \
                 FROM article_entities mine \
                 JOIN articles a ON a.id = mine.article_id \
                 JOIN article_entities other ON other.article_id = mine.article_id \
                   AND other.entity_id <> mine.entity_id \
                 JOIN entities e ON e.id = other.entity_id \
                 WHERE mine.entity_id = $1 AND mine.seen_at >= $2 AND mine.seen_at < $3 \
                   AND a.status = 'done' \
                 GROUP BY e.id, e.name, e.type ORDER BY n DESC, e.name, e.type LIMIT $4",
            )
            .bind(entity_id)
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(name, kind, articles)| CoMention {
                name,
                kind,
                articles,
            })
            .collect())
    }
}
