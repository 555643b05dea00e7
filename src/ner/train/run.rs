//! `stringer train ner` from start to end: the lexicon, the two passes, the model file, and
//! the written file's score on valid. Training only; it must not be called when tagging.

use anyhow::{Context, Result};

use super::headlines::with_title_case_headlines;
use super::instances::prepare;
use super::lexicon;
use super::options::TrainOptions;
use super::passes::{first_pass, second_pass};
use super::progress::Progress;
use super::report::TrainReport;
use crate::ner::conll::ColumnFile;
use crate::ner::eval;
use crate::ner::model::Tagger;

/// Trains the tagger and writes it to `opts.out`.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    let progress = Progress::new(opts.verbose);
    let train_file = ColumnFile::read(&opts.train)?;
    let valid_file = ColumnFile::read(&opts.valid)?;
    let (lex, cluster_seconds) = lexicon::build(opts, &train_file, &progress)?;

    let train_docs = prepare(&with_title_case_headlines(&train_file.documents), &lex);
    let valid_docs = prepare(&valid_file.documents, &lex);
    let first = first_pass(&train_docs, &valid_docs, opts, &progress);
    let first_weights = first.weights(opts.prune);
    let (second, epochs_second) = if opts.two_pass {
        let (w, e) = second_pass(&train_docs, &valid_docs, &first, opts, &progress);
        (Some(w), e)
    } else {
        (None, 0)
    };

    let tagger = Tagger::new(lex, first_weights, second);
    let bytes = tagger.to_bytes();
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&opts.out, &bytes).with_context(|| format!("writing {}", opts.out.display()))?;
    // The reported score is that of the written file, read back, through the eval path.
    let reread = Tagger::from_bytes(&bytes)?;
    let valid = eval::run(&reread, &opts.valid, None)?;
    Ok(TrainReport {
        valid,
        first_pass_f1: first.f1,
        epochs_first: first.epochs,
        epochs_second,
        rows: reread.rows(),
        bytes: bytes.len(),
        seconds: progress.started.elapsed().as_secs_f64(),
        cluster_seconds,
        out: opts.out.clone(),
    })
}
