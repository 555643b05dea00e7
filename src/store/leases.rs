//! Leases: which process works on a feed or an article right now. A lease names its holder
//! and runs out at a time; the holder renews its leases while the work waits, gives them back
//! when it stops, and every write that finishes leased work checks that the lease is still
//! its own.

use chrono::{DateTime, Utc};

use super::{Result, Store};

impl Store {
    /// Moves the leases `owner` holds on these feeds and articles (the work it has in hand)
    /// to `until`: queued work never outlives its lease. A lease the process does not know it
    /// holds (a claim that committed while its answer was lost to a dropped connection) is
    /// not renewed, so it runs out and the work is claimed again. Returns how many were moved.
    pub async fn renew_leases(
        &self,
        owner: &str,
        until: DateTime<Utc>,
        feeds: &[i64],
        articles: &[i64],
    ) -> Result<u64> {
        // PostgreSQL: rows another transaction of ours has locked (an article being stored
        // right now) are skipped, not waited for: they need no renewal, and waiting on them
        // while that transaction waits on rows this statement locked is a deadlock.
        let skip_locked = match self.backend {
            super::Backend::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite(_) => "",
        };
        let mut renewed = 0;
        for (table, ids) in [("feeds", feeds), ("articles", articles)] {
            // Bounded statements: a few hundred ids at a time.
            for chunk in ids.chunks(500) {
                renewed += on_pool!(self, pool => {
                    let mut q = sqlx::QueryBuilder::new(format!("UPDATE {table} SET lease_until = "));
                    q.push_bind(until);
                    q.push(format!(" WHERE id IN (SELECT id FROM {table} WHERE lease_owner = "));
                    q.push_bind(owner).push(" AND id IN (");
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(format!("){skip_locked})"));
                    q.build().execute(pool).await?.rows_affected()
                });
            }
        }
        Ok(renewed)
    }

    /// Gives back every feed, article and outbox lease held by `owner`: at a stop, and for a holder
    /// known to be dead. Returns how many there were.
    pub async fn release_leases(&self, owner: &str) -> Result<u64> {
        let mut released = 0;
        on_pool!(self, pool => {
            for table in ["feeds", "articles", "outbox"] {
                released += sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1"
                )))
                .bind(owner)
                .execute(pool)
                .await?
                .rows_affected();
            }
        });
        Ok(released)
    }

    /// Every holder of a lease, live or not.
    pub async fn lease_owners(&self) -> Result<Vec<String>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT lease_owner FROM feeds WHERE lease_owner IS NOT NULL \
                 UNION SELECT lease_owner FROM articles WHERE lease_owner IS NOT NULL \
                 UNION SELECT lease_owner FROM outbox WHERE lease_owner IS NOT NULL",
            )
            .fetch_all(pool)
            .await?
        }))
    }
}
