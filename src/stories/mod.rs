//! Stories: articles about the same event grouped as they arrive. A copy of an article's text
//! at another URL is its exact duplicate; a near-duplicate (the same wire copy with another
//! headline, a paragraph more, other boilerplate) joins its original's story; articles from
//! different outlets that share rare names and keyphrases in a short time join one story too.
//!
//! Pure: `signature` computes the MinHash of a text, `link` decides from the candidates the
//! store found. The store runs the decision inside the transaction that stores the article,
//! serialised across daemons, so the same input order always gives the same stories.

pub mod link;
pub mod signature;

pub use link::{Candidate, Link, Probe, link};
pub use signature::{bands, signature, similarity};
