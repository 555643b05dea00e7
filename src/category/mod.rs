//! Article category: a linear classifier (sublinear TF-IDF over hashed word unigrams and bigrams,
//! multinomial logistic regression) over five labels, with the trained model embedded in the binary.
//! It must not read files or the network at classification time, and it must not guess on
//! non-English text: the caller passes the detected language and gets `None` for anything else.
//! This file is the module's table of contents; training lives in `train`, which the runtime
//! files never import.

mod classifier;
mod corpus;
pub mod eval;
mod features;
mod model;
pub mod train;

pub use classifier::Classifier;
pub use corpus::{Doc, read_jsonl};

#[cfg(test)]
mod tests;
