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

pub use canonical::{Aliases, Mention, entities, mentions, normalise_key};
pub use model::Tagger;
