//! Named entities of news articles: tokenizer and sentence splitter, a two-pass averaged
//! perceptron tagger (PER / ORG / LOC / MISC) trained on CoNLL-2003 with gazetteer, word
//! cluster, word class and document-level features, and canonical per-article entities with
//! normalised keys and user aliases. This file is the module's table of contents and its
//! public API; it must not do IO (the model is embedded in the binary). Training code lives
//! in `train`, which the runtime files never import.

mod aliases;
mod attrs;
mod canonical;
mod codec;
pub mod conll;
mod decoder;
mod docfeatures;
pub mod eval;
mod features;
mod hash;
mod keys;
mod labels;
mod lexicon;
mod model;
pub mod tokenize;
pub mod train;

pub use aliases::Aliases;
pub use canonical::{Mention, entities, mentions};
pub use keys::normalise_key;
pub use model::Tagger;
