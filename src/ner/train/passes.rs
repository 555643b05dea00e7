//! The two learning passes; the second's document features come from cross-validated first-pass
//! labels. Training only; the daemon never calls it.

use super::fit::{fit, score};
use super::instances::{FeatureIndex, Prepared};
use super::options::TrainOptions;
use super::perceptron::{Instance, predict};
use super::progress::Progress;
use crate::ner::attrs::Attrs;
use crate::ner::decoder::{Decoder, Transitions};
use crate::ner::docfeatures::{DocFeatures, document_features};
use crate::ner::model::Weights;

/// What the first pass learned, and the instances the second pass builds on.
pub struct FirstPass {
    pub train: Vec<Instance>,
    pub valid: Vec<Instance>,
    /// Feature rows (all grown from the training sentences).
    pub n_features: usize,
    pub keys: Vec<u64>,
    pub w: Vec<f32>,
    pub tr: Transitions,
    pub epochs: usize,
    pub f1: f64,
}

impl FirstPass {
    pub fn weights(&self, prune: f32) -> Weights {
        Weights::from_rows(&self.keys[..self.n_features], &self.w, &self.tr, prune)
    }
}

pub fn first_pass(
    train_docs: &[Vec<Prepared>],
    valid_docs: &[Vec<Prepared>],
    opts: &TrainOptions,
    progress: &Progress,
) -> FirstPass {
    let mut index = FeatureIndex::default();
    let train: Vec<Instance> = train_docs
        .iter()
        .flatten()
        .map(|p| index.instance(p, None, true))
        .collect();
    let n_base = index.keys.len();
    let valid: Vec<Instance> = valid_docs
        .iter()
        .flatten()
        .map(|p| index.instance(p, None, false))
        .collect();
    progress.log(format!("first pass: {n_base} features"));
    let (w, tr, epochs, f1) = fit(
        &train,
        n_base,
        opts.epochs,
        opts.seed,
        Some(&valid),
        "first pass",
        opts,
    );
    FirstPass {
        train,
        valid,
        n_features: n_base,
        keys: index.keys,
        w,
        tr,
        epochs,
        f1,
    }
}

/// The second pass's weights and epoch count.
pub fn second_pass(
    train_docs: &[Vec<Prepared>],
    valid_docs: &[Vec<Prepared>],
    first: &FirstPass,
    opts: &TrainOptions,
    progress: &Progress,
) -> (Weights, usize) {
    let fold_labels = fold_labels(train_docs, first, opts, progress);
    let mut index2 = FeatureIndex::default();
    let mut doc_keys = DocFeatures::default();
    let train_labels: Vec<&[Vec<u8>]> = fold_labels.iter().map(Vec::as_slice).collect();
    let train2 = with_doc_features(train_docs, &train_labels, &mut index2, &mut doc_keys, true);
    // Valid gets its first-pass labels from the full first-pass model, as at run time.
    let (_, valid_first) = score(&first.w, &first.tr, &first.valid);
    let mut valid_labels: Vec<&[Vec<u8>]> = Vec::with_capacity(valid_docs.len());
    let mut at = 0;
    for doc in valid_docs {
        valid_labels.push(&valid_first[at..at + doc.len()]);
        at += doc.len();
    }
    let valid2 = with_doc_features(valid_docs, &valid_labels, &mut index2, &mut doc_keys, false);
    let n2 = index2.keys.len();
    progress.log(format!("second pass: {n2} features"));
    let (w2, tr2, e2, _) = fit(
        &train2,
        n2,
        opts.epochs,
        opts.seed ^ 0xabc,
        Some(&valid2),
        "second pass",
        opts,
    );
    (Weights::from_rows(&index2.keys, &w2, &tr2, opts.prune), e2)
}

/// First-pass labels of every training sentence, by document, from models trained on the
/// other folds.
fn fold_labels(
    train_docs: &[Vec<Prepared>],
    first: &FirstPass,
    opts: &TrainOptions,
    progress: &Progress,
) -> Vec<Vec<Vec<u8>>> {
    let mut doc_insts: Vec<(usize, usize)> = Vec::new(); // (doc, first instance)
    let mut at = 0;
    for (d, doc) in train_docs.iter().enumerate() {
        doc_insts.push((d, at));
        at += doc.len();
    }
    let mut labels: Vec<Vec<Vec<u8>>> = vec![Vec::new(); train_docs.len()];
    for fold in 0..opts.folds {
        label_fold(fold, train_docs, &doc_insts, first, opts, &mut labels);
        progress.log(format!("  cross-validation fold {fold} done"));
    }
    labels
}

/// Trains on the documents outside `fold` and labels the documents in it.
fn label_fold(
    fold: usize,
    train_docs: &[Vec<Prepared>],
    doc_insts: &[(usize, usize)],
    first: &FirstPass,
    opts: &TrainOptions,
    labels: &mut [Vec<Vec<u8>>],
) {
    let train_insts = &first.train;
    let in_fold = |d: usize| d % opts.folds == fold;
    let sub: Vec<Instance> = doc_insts
        .iter()
        .filter(|(d, _)| !in_fold(*d))
        .flat_map(|&(d, s)| train_insts[s..s + train_docs[d].len()].iter().cloned())
        .collect();
    let (w, tr, _, _) = fit(
        &sub,
        first.n_features,
        first.epochs,
        opts.seed + fold as u64 + 1,
        None,
        "fold",
        opts,
    );
    let tr = tr.constrained();
    let mut dec = Decoder::default();
    let mut emit = Vec::new();
    for &(d, s) in doc_insts.iter().filter(|(d, _)| in_fold(*d)) {
        for inst in &train_insts[s..s + train_docs[d].len()] {
            let mut out = Vec::new();
            predict(&w, &tr, inst, &mut dec, &mut emit, &mut out);
            labels[d].push(out);
        }
    }
}

/// Second-pass instances of `docs`: sentence features plus the document features built
/// from each document's first-pass labels.
fn with_doc_features(
    docs: &[Vec<Prepared>],
    first_labels: &[&[Vec<u8>]],
    index: &mut FeatureIndex,
    doc_keys: &mut DocFeatures,
    grow: bool,
) -> Vec<Instance> {
    let mut out = Vec::new();
    for (doc, labels) in docs.iter().zip(first_labels) {
        let attrs: Vec<Vec<Attrs>> = doc.iter().map(|p| p.attrs.clone()).collect();
        document_features(&attrs, labels, doc_keys);
        for (i, p) in doc.iter().enumerate() {
            out.push(index.instance(p, Some((doc_keys, i)), grow));
        }
    }
    out
}
