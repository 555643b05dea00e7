//! Document frequencies of word stems for keyphrase scoring: the runtime `table` and its builder
//! `build` (training only; `table` never imports it). Table of contents only.

mod build;
mod table;

pub use build::{BuildOptions, BuildReport, build};
pub use table::DocFreq;
