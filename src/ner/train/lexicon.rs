//! Builds the tagger's lexicon (gazetteers, capitalisation statistics, cached Brown clusters, word
//! classes) from the shared data. Training only; the daemon reads it from the model file.

use std::time::Instant;

use anyhow::{Context, Result};

use super::clusters;
use super::corpus;
use super::gazetteers;
use super::options::TrainOptions;
use super::progress::Progress;
use super::wordclasses;
use super::wordstats;
use crate::ner::conll::ColumnFile;
use crate::ner::hash::KeyMap;
use crate::ner::lexicon::Lexicon;

/// The lexicon, and the seconds spent learning word clusters and classes.
pub fn build(
    opts: &TrainOptions,
    train_file: &ColumnFile,
    progress: &Progress,
) -> Result<(Lexicon, f64)> {
    let gaz =
        gazetteers::build(&opts.data_dir.join("gazetteers")).context("building gazetteers")?;
    progress.log(format!("gazetteer: {} phrases", gaz.phrases));
    let conll_sentences: corpus::Sentences = train_file
        .documents
        .iter()
        .flat_map(|d| d.sentences.iter().map(|s| s.words.clone()))
        .collect();
    let unlabelled = corpus::unlabelled(&opts.data_dir, &conll_sentences)?;
    progress.log(format!(
        "unlabelled text: {} sentences, {} tokens",
        unlabelled.len(),
        unlabelled.iter().map(Vec::len).sum::<usize>()
    ));
    // Capitalisation statistics leave the CoNLL text out: counted on the training text
    // itself they were more reliable on training words than on new ones (valid F1 -0.3).
    let mut lex = Lexicon {
        capstat: wordstats::capitalisation_buckets(&unlabelled[conll_sentences.len()..]),
        gazetteer: gaz.table,
        gazetteer_max_len: gaz.max_len,
        ..Lexicon::default()
    };
    let cluster_started = Instant::now();
    let mut text = unlabelled.clone();
    text.extend(corpus::tweets(&opts.data_dir)?);
    if opts.clusters > 0 {
        lex.clusters = cached_clusters(opts, &text)?;
        progress.log(format!("clusters: {} words", lex.clusters.len()));
    }
    if opts.word_classes > 0 {
        let classes = wordclasses::ClassOptions {
            k: opts.word_classes,
            ..Default::default()
        };
        lex.classes = wordclasses::classes(&text, classes);
        progress.log(format!("word classes: {} words", lex.classes.len()));
    }
    Ok((lex, cluster_started.elapsed().as_secs_f64()))
}

/// Brown clusters of `text`, from the cache file when it holds them for this cluster count,
/// else learned (and written to the cache file, if any).
fn cached_clusters(opts: &TrainOptions, text: &[Vec<String>]) -> Result<KeyMap<u64>> {
    // The cache starts with the cluster count it was learned for; another count relearns.
    let tag = (opts.clusters as u64).to_le_bytes();
    let cached = opts
        .cluster_cache
        .as_ref()
        .and_then(|p| std::fs::read(p).ok())
        .filter(|b| b.starts_with(&tag));
    Ok(match cached {
        Some(bytes) => clusters::from_bytes(&bytes[tag.len()..])?,
        None => {
            let c = clusters::brown(text, opts.clusters, 2);
            if let Some(p) = &opts.cluster_cache {
                std::fs::write(p, [&tag[..], &clusters::to_bytes(&c)].concat())
                    .with_context(|| format!("writing {}", p.display()))?;
            }
            c
        }
    })
}
