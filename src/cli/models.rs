//! `stringer train` and `stringer eval`: build the models from the shared data and measure
//! each part against its benchmark.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

/// `println!` that returns a closed standard output as an error instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)?
    };
}

#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// The entity tagger, from CoNLL-2003 train (model selection on valid), with word clusters
    /// and gazetteers built from the shared data. Deterministic: the same data gives the same file.
    Ner {
        #[arg(long, default_value = "../shared/data/ner/conll2003/train.txt")]
        train: PathBuf,
        #[arg(long, default_value = "../shared/data/ner/conll2003/valid.txt")]
        valid: PathBuf,
        /// The shared data folder (gazetteers and unlabelled news text).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value = "models/ner.bin")]
        out: PathBuf,
        /// Feature rows whose weights all stay below this are left out of the model file.
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().prune)]
        prune: f32,
        /// Keep the learned word clusters in this file and reuse them on later runs (they
        /// take the longest to learn).
        #[arg(long)]
        cluster_cache: Option<PathBuf>,
        /// Brown clusters to learn from the unlabelled news (0 = no cluster features).
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().clusters)]
        clusters: usize,
        /// Distributional word classes to learn from the unlabelled news (0 = none).
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().word_classes)]
        word_classes: usize,
        /// Seed of the training-order shuffles.
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().seed)]
        seed: u64,
        /// Perceptrons trained on different shuffles whose weights are averaged.
        #[arg(long, default_value_t = crate::ner::train::TrainOptions::default().runs)]
        runs: usize,
    },
    /// The category classifier, from topics/bbc and topics/ag_news.
    Category {
        /// The shared data folder.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value = "models/category.bin")]
        out: PathBuf,
        /// Only cross-validate the model-selection grid over this many duplicate-aware folds
        /// and print accuracy per dataset; no model is written.
        #[arg(long)]
        folds: Option<u64>,
        /// Feature sets to try instead of the built-in ones, e.g. `bigrams,title=2,chars=3-5,share=40`.
        #[arg(long = "features")]
        features: Vec<String>,
        /// L2 strengths to try instead of the built-in ones (comma-separated).
        #[arg(long, value_delimiter = ',')]
        lambdas: Vec<f64>,
        /// Naive Bayes shares to try instead of the built-in ones (comma-separated).
        #[arg(long, value_delimiter = ',')]
        nb_mixes: Vec<f64>,
        /// Share of the right dev answers the `other` threshold may turn into `other`.
        #[arg(long, default_value_t = crate::category::train::TrainOptions::default().other_right_share)]
        other_right_share: f64,
    },
    /// The keyphrase extractor: its document-frequency table from the shared news text, then
    /// its candidate scorer from keyphrases/500N-KPCrowd (with a cross-validation report).
    Keyphrases {
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value = "models/keyphrase_df.bin")]
        out: PathBuf,
        #[arg(long, default_value = "models/keyphrase_pos.bin")]
        pos_out: PathBuf,
        #[arg(long, default_value = "models/keyphrase_scorer.txt")]
        scorer_out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Entity F1 on CoNLL columns (gold tag last), scored like score_ner.py.
    Ner {
        file: PathBuf,
        /// Also write the input lines with the predicted tag appended as a new last column.
        #[arg(long)]
        predictions: Option<PathBuf>,
        /// A model file to use instead of the embedded one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Main-text F1/precision/recall on a folder shaped like scrapinghub-dev
    /// (html/<id>.html.gz + ground-truth.json), scored like score_extraction.py.
    Extraction {
        dir: PathBuf,
        /// Also write the predictions, {"<id>": {"articleBody": TEXT}}.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
    /// Category accuracy on JSON lines shaped like the topics data ({label, title, text}).
    Category { file: PathBuf },
    /// Keyphrase P/R/F1 at 10 on a folder shaped like 500N-KPCrowd (docsutf8/, keys/).
    Keyphrases {
        dir: PathBuf,
        /// Also write the predictions, one {"id", "keyphrases"} a line.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
}

/// Training is CPU work for minutes: it runs on a blocking thread and prints its report.
pub fn train(cmd: TrainCommand) -> anyhow::Result<()> {
    match cmd {
        TrainCommand::Ner {
            train,
            valid,
            data,
            out,
            prune,
            cluster_cache,
            clusters,
            word_classes,
            seed,
            runs,
        } => {
            let opts = crate::ner::train::TrainOptions {
                train,
                valid,
                data_dir: data,
                out,
                prune,
                cluster_cache,
                clusters,
                word_classes,
                seed,
                runs,
                ..Default::default()
            };
            say!("{}", crate::ner::train::train(&opts)?);
        }
        TrainCommand::Category {
            data,
            out,
            folds,
            features,
            lambdas,
            nb_mixes,
            other_right_share,
        } => {
            let mut opts = crate::category::train::TrainOptions {
                data_dir: data,
                out,
                other_right_share,
                ..Default::default()
            };
            if !features.is_empty() {
                opts.configs = features
                    .iter()
                    .map(|f| f.parse())
                    .collect::<anyhow::Result<_>>()?;
            }
            if !lambdas.is_empty() {
                opts.lambdas = lambdas;
            }
            if !nb_mixes.is_empty() {
                opts.nb_mixes = nb_mixes;
            }
            match folds {
                Some(k) => say!("{}", crate::category::train::cross_validate(&opts, k)?),
                None => say!("{}", crate::category::train::train(&opts)?),
            }
        }
        TrainCommand::Keyphrases {
            data,
            out,
            pos_out,
            scorer_out,
        } => {
            let opts = crate::keyphrases::docfreq::BuildOptions {
                data_dir: data.clone(),
                out: out.clone(),
                ..Default::default()
            };
            say!("{}", crate::keyphrases::docfreq::build(&opts)?);
            let df = crate::keyphrases::docfreq::DocFreq::from_bytes(&std::fs::read(&out)?)?;
            let conll = data.join("ner/conll2003/train.txt");
            let pos = crate::keyphrases::pos::PosTable::from_conll(
                &std::fs::read_to_string(&conll)
                    .with_context(|| format!("reading {}", conll.display()))?,
            );
            std::fs::write(&pos_out, pos.to_bytes())
                .with_context(|| format!("writing {}", pos_out.display()))?;
            say!("keyphrase pos table: {} words and suffixes", pos.len());
            let report =
                crate::keyphrases::learn::learn(&data.join("keyphrases/500N-KPCrowd"), &df, &pos)?;
            std::fs::write(&scorer_out, report.scorer.to_text())
                .with_context(|| format!("writing {}", scorer_out.display()))?;
            say!("{report}");
        }
    }
    Ok(())
}

pub fn eval(cmd: EvalCommand) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Ner {
            file,
            predictions,
            model,
        } => eval_ner(&file, predictions.as_deref(), model.as_deref()),
        EvalCommand::Extraction { dir, predictions } => {
            eval_extraction(&dir, predictions.as_deref())
        }
        EvalCommand::Category { file } => {
            let report =
                crate::category::eval::run(crate::category::Classifier::embedded(), &file)?;
            say!("{report}");
            Ok(())
        }
        EvalCommand::Keyphrases { dir, predictions } => {
            eval_keyphrases(&dir, predictions.as_deref())
        }
    }
}

fn eval_ner(file: &Path, predictions: Option<&Path>, model: Option<&Path>) -> anyhow::Result<()> {
    let loaded;
    let tagger = match model {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
            loaded = crate::ner::Tagger::from_bytes(&bytes)
                .with_context(|| format!("{}: not a tagger model", path.display()))?;
            &loaded
        }
        None => crate::ner::Tagger::embedded(),
    };
    let score = crate::ner::eval::run(tagger, file, predictions)?;
    say!("{score}");
    Ok(())
}

fn eval_extraction(dir: &Path, predictions: Option<&Path>) -> anyhow::Result<()> {
    let (predicted, score) = crate::clean::eval::run(dir)?;
    if let Some(path) = predictions {
        let doc: serde_json::Map<String, serde_json::Value> = predicted
            .into_iter()
            .map(|(id, text)| (id, serde_json::json!({ "articleBody": text })))
            .collect();
        std::fs::write(path, serde_json::to_string(&doc)?)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    say!(
        "F1 {:.4} precision {:.4} recall {:.4} pages {}",
        score.f1,
        score.precision,
        score.recall,
        score.pages
    );
    Ok(())
}

fn eval_keyphrases(dir: &Path, predictions: Option<&Path>) -> anyhow::Result<()> {
    let params = crate::keyphrases::Params::default();
    let predicted = crate::keyphrases::eval::predict(dir, &params)?;
    if let Some(path) = predictions {
        let mut ids: Vec<&String> = predicted.keys().collect();
        ids.sort();
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?,
        );
        for id in ids {
            let row = serde_json::json!({"id": id, "keyphrases": predicted[id]});
            writeln!(out, "{row}")?;
        }
        out.flush()?;
    }
    say!("{}", crate::keyphrases::eval::score(dir, &predicted)?);
    Ok(())
}
