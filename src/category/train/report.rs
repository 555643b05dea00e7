//! What a `stringer train category` run produced: the model-selection grid, the chosen
//! setting and its dev scores, and how they are printed. Training only; no logic.

use std::fmt;

use crate::category::eval::Report;
use crate::category::features::FeatureConfig;

#[derive(Debug, Clone)]
pub struct Candidate {
    pub config: FeatureConfig,
    pub lambda: f64,
    /// Share of multinomial naive Bayes in the (log-linear) mix with logistic regression.
    pub nb_mix: f64,
    pub dev_accuracy: f64,
    pub dev_mean_dataset_accuracy: f64,
}

/// The `other` threshold and the shares of right and wrong dev answers under it.
#[derive(Debug, Clone, Copy)]
pub struct OtherCut {
    pub below: f32,
    pub right_below: f64,
    pub wrong_below: f64,
    /// `(share of right dev answers, the cut that gives it, share of wrong answers under it)`.
    pub alternatives: [(f64, f32, f64); 5],
}

#[derive(Debug, Clone)]
pub struct TrainReport {
    pub train_docs: usize,
    pub dev_docs: usize,
    pub grid: Vec<Candidate>,
    pub chosen: Candidate,
    /// Softmax temperature fitted on the dev split, so the confidence is a usable probability.
    pub temperature: f64,
    /// The confidence below which an article is `other`, as chosen on the dev split.
    pub other: OtherCut,
    /// The chosen model, trained without the dev split, scored on it (as quantised for shipping).
    pub dev: Report,
    pub features: usize,
    pub model_bytes: usize,
    pub refit_all: bool,
    pub seconds: f64,
}

impl fmt::Display for TrainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "train {} docs, dev {} docs (duplicate-aware split)",
            self.train_docs, self.dev_docs
        )?;
        for c in &self.grid {
            writeln!(
                f,
                "  {} lambda={:e} nb_mix={}: dev accuracy {:.4}, mean per-dataset {:.4}",
                describe(&c.config),
                c.lambda,
                c.nb_mix,
                c.dev_accuracy,
                c.dev_mean_dataset_accuracy
            )?;
        }
        writeln!(
            f,
            "chosen: {} lambda={:e} nb_mix={} temperature={:.2}",
            describe(&self.chosen.config),
            self.chosen.lambda,
            self.chosen.nb_mix,
            self.temperature
        )?;
        writeln!(
            f,
            "other below confidence {:.2}: {:.1}% of right and {:.1}% of wrong dev answers",
            self.other.below,
            100.0 * self.other.right_below,
            100.0 * self.other.wrong_below
        )?;
        for (share, cut, wrong) in self.other.alternatives {
            writeln!(
                f,
                "  (below {cut:.2}: {:.0}% of right, {:.1}% of wrong dev answers)",
                100.0 * share,
                100.0 * wrong
            )?;
        }
        writeln!(f, "dev split:\n{}", self.dev)?;
        writeln!(
            f,
            "model: {} terms, {} bytes{}; {:.1} s",
            self.features,
            self.model_bytes,
            if self.refit_all {
                " (refit on train + dev)"
            } else {
                ""
            },
            self.seconds
        )
    }
}

pub fn describe(c: &FeatureConfig) -> String {
    format!(
        "bigrams={} title_repeat={} drop_stopwords={} long_text_words={} chars={}-{} share={}",
        c.bigrams,
        c.title_repeat,
        c.drop_stopwords,
        c.long_text_words,
        c.char_min,
        c.char_max,
        c.char_share
    )
}
