//! What `stringer train ner` trains from and how: paths, epochs, folds, cluster and class
//! counts, seeds and the perceptron's step rule. Training only; plain settings, no logic.

use std::path::PathBuf;

/// What to train from and where to write the model.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub train: PathBuf,
    pub valid: PathBuf,
    /// The shared data folder (`../shared/data`): gazetteers and unlabelled text.
    pub data_dir: PathBuf,
    pub out: PathBuf,
    /// Upper bound on perceptron epochs; the best epoch on valid is kept.
    pub epochs: usize,
    /// Cross-validation folds that give the second pass honest first-pass labels.
    pub folds: usize,
    /// Brown clusters to learn (0 = no clusters). On valid: 256 clusters 0.9324, 512
    /// 0.9358, 1000 0.9301 (the unlabelled text, 1.1 M tokens, is too small for more).
    pub clusters: usize,
    /// Distributional word classes to learn (0 = none). Valid F1, single runs, mean of three
    /// seeds: none 0.9352, 256 classes 0.9385; one seed: 128 0.9364, 512 0.9345.
    pub word_classes: usize,
    /// Perceptrons trained on different shuffles whose weights are averaged (see `fit`).
    /// Single runs with 256 word classes scored 0.9359 to 0.9399 on valid depending on the
    /// seed, and disagreed on single words of real articles; three averaged runs
    /// score 0.9367 and do not depend on one shuffle.
    pub runs: usize,
    /// Train the document-level second pass.
    pub two_pass: bool,
    pub seed: u64,
    /// Where to keep learned Brown clusters between runs (they take the longest to learn);
    /// a cache learned for another cluster count is relearned and replaced.
    pub cluster_cache: Option<PathBuf>,
    /// Rows whose weights are all below this are dropped from the model file: 0.005 keeps
    /// about one row in eight and scores on valid as well as no pruning; 0.02 keeps one in
    /// fourteen and cost 0.001 F1 (measured with 256 clusters).
    pub prune: f32,
    pub learner: Learner,
    /// Progress on stderr.
    pub verbose: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            train: PathBuf::from("../shared/data/ner/conll2003/train.txt"),
            valid: PathBuf::from("../shared/data/ner/conll2003/valid.txt"),
            data_dir: PathBuf::from("../shared/data"),
            out: PathBuf::from("models/ner.bin"),
            epochs: 24,
            folds: 10,
            clusters: 512,
            word_classes: 256,
            runs: 3,
            two_pass: true,
            seed: 0x5eed,
            cluster_cache: None,
            prune: 0.005,
            learner: Learner {
                cost: 1.0,
                pa: Some(1.0),
            },
            verbose: true,
        }
    }
}

/// How the perceptron steps.
#[derive(Debug, Clone, Copy)]
pub struct Learner {
    /// Loss-augmented decoding margin (0 = plain perceptron).
    pub cost: f32,
    /// Passive-aggressive step cap (None = step 1).
    pub pa: Option<f32>,
}
