//! The one error type of configuration: what could not be read, or which key is wrong and why.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the configuration file")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl ConfigError {
    pub(super) fn invalid(origin: impl fmt::Display, message: impl fmt::Display) -> Self {
        ConfigError::Invalid {
            origin: origin.to_string(),
            message: message.to_string(),
        }
    }
}
