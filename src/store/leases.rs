//! Leases: which process works on a feed or an article right now. A lease names its holder
//! and runs out at a time; the holder renews its leases while the work waits, gives them back
//! when it stops, and every write that finishes leased work checks that the lease is still
//! its own.

use chrono::{DateTime, Utc};

use super::{Result, Store};

impl Store {
    /// Moves every lease `owner` holds to `until`: queued work never outlives its lease.
    /// Returns how many feeds and articles are leased.
    pub async fn renew_leases(&self, owner: &str, until: DateTime<Utc>) -> Result<u64> {
        let mut renewed = 0;
        on_pool!(self, pool => {
            for table in ["feeds", "articles"] {
                renewed += sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET lease_until = $2 WHERE lease_owner = $1"
                )))
                .bind(owner)
                .bind(until)
                .execute(pool)
                .await?
                .rows_affected();
            }
        });
        Ok(renewed)
    }

    /// Gives back every feed and article lease held by `owner`: at a stop, and for a holder
    /// known to be dead. Returns how many there were.
    pub async fn release_leases(&self, owner: &str) -> Result<u64> {
        let mut released = 0;
        on_pool!(self, pool => {
            for table in ["feeds", "articles"] {
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
                 UNION SELECT lease_owner FROM articles WHERE lease_owner IS NOT NULL",
            )
            .fetch_all(pool)
            .await?
        }))
    }
}
