//! Named entities of news articles: tokenizer and sentence splitter, a two-pass averaged
//! perceptron tagger (PER / ORG / LOC / MISC) trained on CoNLL-2003 with gazetteer, word
//! cluster, word class and document-level features, and canonical per-article entities with
//! normalised keys and user aliases. This file is the module's table of contents and its
//! public API; it must not do IO (the model is embedded in the binary).

mod canonical;
mod clusters;
mod codec;
pub mod conll;
mod corpus;
mod docfeatures;
pub mod eval;
mod features;
mod gazetteers;
mod lexicon;
mod model;
mod perceptron;
pub mod tokenize;
pub mod train;
mod wordclasses;
mod wordstats;

use std::str::FromStr;

pub use canonical::{Aliases, Entity, Mention, entities, mentions, normalise_key};
pub use model::Tagger;

/// The four CoNLL-2003 entity types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EntityType {
    PER,
    ORG,
    LOC,
    MISC,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::PER => "PER",
            EntityType::ORG => "ORG",
            EntityType::LOC => "LOC",
            EntityType::MISC => "MISC",
        }
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that is not one of PER, ORG, LOC, MISC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEntityType(pub String);

impl std::fmt::Display for UnknownEntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown entity type {:?} (expected PER, ORG, LOC or MISC)",
            self.0
        )
    }
}

impl std::error::Error for UnknownEntityType {}

impl FromStr for EntityType {
    type Err = UnknownEntityType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PER" => Ok(EntityType::PER),
            "ORG" => Ok(EntityType::ORG),
            "LOC" => Ok(EntityType::LOC),
            "MISC" => Ok(EntityType::MISC),
            _ => Err(UnknownEntityType(s.to_string())),
        }
    }
}
