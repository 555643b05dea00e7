//! `stringer train category`: model selection on a duplicate-aware dev split, refit, model file.
//! Training only (the classifier never imports it); it writes nothing but the model file.

mod cv;
mod dev_split;
mod examples;
mod lbfgs;
mod options;
mod prepared;
mod report;
mod run;

pub use crate::category::features::FeatureConfig;
pub use cv::{CvReport, cross_validate};
pub use options::TrainOptions;
pub use report::{Candidate, OtherCut, TrainReport};
pub use run::{split, train};
