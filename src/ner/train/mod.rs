//! `stringer train ner`: lexicon, two-pass perceptron on CoNLL-2003, same data -> same model.
//! Training only: the tagger's runtime files never import this module.

mod clusters;
mod corpus;
mod fit;
mod gazetteers;
mod headlines;
mod instances;
mod lexicon;
mod options;
mod passes;
mod perceptron;
mod progress;
mod report;
mod run;
mod wordclasses;
mod wordstats;

pub use options::{Learner, TrainOptions};
pub use report::TrainReport;
pub use run::train;
