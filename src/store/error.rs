//! Database errors, and which of them are worth waiting out: a server that restarts, a
//! connection killed, a pool that timed out, SQLite busy or a full disk. Everything else (a
//! schema that does not match, a value the database refuses, a bug) is not.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {url}")]
    Connect { url: String, source: sqlx::Error },
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error")]
    Sql(#[from] sqlx::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// Worth retrying the same statement after a pause: the database may come back.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Connect { source, .. } | StoreError::Sql(source) => transient(source),
            StoreError::Migrate(_) => false,
        }
    }

    /// The cause as the database or the driver said it, for log lines.
    pub fn cause(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            let part = s.to_string();
            if !text.contains(&part) {
                text.push_str(": ");
                text.push_str(&part);
            }
            source = s.source();
        }
        text
    }
}

fn transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| transient_code(&c)),
        _ => false,
    }
}

/// SQLSTATE classes and codes of PostgreSQL (connection exceptions, shutdowns, insufficient
/// resources, serialization failures and deadlocks), and SQLite result codes (busy, locked,
/// full, I/O error) whose cause can pass.
fn transient_code(code: &str) -> bool {
    // SQLSTATEs have five characters; SQLite's (extended) result codes stay below 10000.
    if code.len() < 5
        && let Ok(n) = code.parse::<u32>()
    {
        // SQLite: the primary result code is the low byte of the extended one.
        return matches!(n & 0xff, 5 | 6 | 10 | 13);
    }
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "40001" | "40P01" | "55P03" | "58030"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_codes_of_both_back_ends() {
        for code in [
            "5", "517", "6", "13", "778", "08006", "57P01", "53100", "40001",
        ] {
            assert!(transient_code(code), "{code}");
        }
        for code in ["1", "11", "19", "2067", "42P01", "23505", "22021", "42703"] {
            assert!(!transient_code(code), "{code}");
        }
        assert!(StoreError::Sql(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!StoreError::Sql(sqlx::Error::RowNotFound).is_transient());
    }
}
