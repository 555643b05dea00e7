//! What `stringer train category` trains from and which settings model selection tries.
//! Training only; plain settings, no logic.

use std::path::PathBuf;

use crate::category::features::FeatureConfig;

#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Holds `topics/bbc/train.jsonl` and `topics/ag_news/train-from-test.jsonl`.
    pub data_dir: PathBuf,
    pub out: PathBuf,
    /// About one duplicate group in this many goes to the dev split.
    pub dev_every: u64,
    /// Feature sets tried in model selection.
    pub configs: Vec<FeatureConfig>,
    /// L2 strengths tried (per-document average loss + lambda/2 |w|^2).
    pub lambdas: Vec<f64>,
    /// Shares of naive Bayes in the mix with logistic regression tried (0 = LR alone).
    pub nb_mixes: Vec<f64>,
    /// Additive smoothing of naive Bayes.
    pub nb_alpha: f64,
    /// Terms seen in fewer training documents are dropped: they cannot generalise.
    pub min_df: u32,
    /// Keep at most this many terms (most frequent first), to bound the model file.
    pub max_features: usize,
    /// Also train on "title + lead" copies of long articles, so short feed summaries of every
    /// label (entertainment only exists as long BBC articles) look like something seen in training.
    pub lead_copies: bool,
    /// Join this many short rows of one label into one long "digest" row (0 or 1: none).
    pub digest_size: usize,
    /// Weight rows so that long articles and short summaries count the same in the loss,
    /// whichever kind the data has more of (the daemon classifies full cleaned articles).
    pub balance_lengths: bool,
    pub max_iter: usize,
    /// After model selection, refit on train + dev before writing the model.
    pub refit_all: bool,
    /// The `other` threshold is the confidence below which this share of the right answers on
    /// the dev split fall (the model trained without it, as calibrated for shipping).
    pub other_right_share: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            data_dir: PathBuf::from("../shared/data"),
            out: PathBuf::from("models/category.bin"),
            dev_every: 5,
            configs: vec![
                // long_text_words stays 0: the long-text copies gained ~1 point on BBC dev but
                // learned "world = UK politics" from BBC alone, and read full-text international
                // news (the seed article, KPCrowd politics_world) as business.
                FeatureConfig {
                    bigrams: false,
                    title_repeat: 2,
                    drop_stopwords: true,
                    long_text_words: 0,
                    ..FeatureConfig::default()
                },
                FeatureConfig {
                    bigrams: true,
                    title_repeat: 2,
                    drop_stopwords: true,
                    long_text_words: 0,
                    ..FeatureConfig::default()
                },
            ],
            lambdas: vec![1e-5, 3e-5],
            nb_mixes: vec![0.0, 0.5, 0.7],
            nb_alpha: 0.1,
            min_df: 2,
            max_features: 150_000,
            lead_copies: true,
            digest_size: 6,
            balance_lengths: true,
            max_iter: 300,
            refit_all: true,
            other_right_share: 0.05,
        }
    }
}

/// A feature set written as comma-separated settings, for trying settings from the command
/// line: `bigrams`, `title=N`, `stopwords` (keep them), `long=N`, `chars=MIN-MAX`, `share=P`.
impl std::str::FromStr for FeatureConfig {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<FeatureConfig> {
        let mut c = FeatureConfig::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match key {
                "bigrams" => c.bigrams = true,
                "stopwords" => c.drop_stopwords = false,
                "title" => c.title_repeat = value.parse()?,
                "long" => c.long_text_words = value.parse()?,
                "share" => c.char_share = value.parse()?,
                "chars" => {
                    let (lo, hi) = value
                        .split_once('-')
                        .ok_or_else(|| anyhow::anyhow!("chars=MIN-MAX, got {value:?}"))?;
                    c.char_min = lo.parse()?;
                    c.char_max = hi.parse()?;
                }
                _ => anyhow::bail!("unknown feature setting {part:?}"),
            }
        }
        anyhow::ensure!(c.char_share <= 100, "share is a percent");
        Ok(c)
    }
}
