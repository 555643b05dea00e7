//! What a `stringer train ner` run produced, and how it is printed. Training only; it must
//! not compute anything.

use std::path::PathBuf;

use crate::ner::eval::Score;

/// What a training run produced.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub valid: Score,
    pub first_pass_f1: f64,
    pub epochs_first: usize,
    pub epochs_second: usize,
    pub rows: usize,
    pub bytes: usize,
    pub seconds: f64,
    /// Of which learning the word clusters and classes.
    pub cluster_seconds: f64,
    pub out: PathBuf,
}

impl std::fmt::Display for TrainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "model {} ({} bytes, {} feature rows)",
            self.out.display(),
            self.bytes,
            self.rows
        )?;
        writeln!(
            f,
            "epochs: first pass {} (valid F1 {:.4}), second pass {}",
            self.epochs_first, self.first_pass_f1, self.epochs_second
        )?;
        writeln!(f, "valid:\n{}", self.valid)?;
        write!(
            f,
            "training time {:.1} s (word clusters and classes {:.1} s)",
            self.seconds, self.cluster_seconds
        )
    }
}
