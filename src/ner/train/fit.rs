//! Learning one pass's weights: averaged perceptron runs over shuffled sentences, best epoch on
//! valid, several runs averaged. Training only; deterministic for the same inputs and seed.

use super::options::TrainOptions;
use super::perceptron::{Instance, Perceptron, predict};
use crate::ner::decoder::{Decoder, Transitions};
use crate::ner::eval::Counts;
use crate::ner::labels::spans_from_labels;

/// Small deterministic generator for shuffling.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

pub fn score(w: &[f32], tr: &Transitions, insts: &[Instance]) -> (f64, Vec<Vec<u8>>) {
    let tr = tr.constrained();
    let mut dec = Decoder::default();
    let mut emit = Vec::new();
    let mut counts = Counts::default();
    let mut all = Vec::with_capacity(insts.len());
    for inst in insts {
        let mut out = Vec::new();
        predict(w, &tr, inst, &mut dec, &mut emit, &mut out);
        counts.add(&spans_from_labels(&inst.gold), &spans_from_labels(&out));
        all.push(out);
    }
    (counts.score().f1, all)
}

/// Trains for up to `epochs`; with `valid`, keeps the averaged weights of the best epoch.
/// With `opts.runs` > 1, that many perceptrons learn from different shuffles, each keeps its
/// own best epoch, and their weights are averaged: the model no longer hangs on one order
/// of the training sentences. Returns the weights, the (mean) epoch count and valid F1.
pub fn fit(
    train: &[Instance],
    n_features: usize,
    epochs: usize,
    seed: u64,
    valid: Option<&[Instance]>,
    tag: &str,
    opts: &TrainOptions,
) -> (Vec<f32>, Transitions, usize, f64) {
    let runs = opts.runs.max(1);
    let mut fits = (0..runs).map(|r| {
        let seed = seed.wrapping_add(r as u64 * 0x9e37_79b9);
        fit_one(train, n_features, epochs, seed, valid, tag, opts)
    });
    let (mut w, mut tr, mut epoch_sum, f1) = fits.next().expect("at least one run");
    if runs == 1 {
        return (w, tr, epoch_sum, f1);
    }
    for (w2, tr2, e2, _) in fits {
        w.iter_mut().zip(&w2).for_each(|(a, b)| *a += b);
        tr.add(&tr2);
        epoch_sum += e2;
    }
    let k = 1.0 / runs as f32;
    w.iter_mut().for_each(|a| *a *= k);
    tr.scale(k);
    let f1 = valid.map_or(0.0, |v| score(&w, &tr, v).0);
    if opts.verbose && valid.is_some() {
        eprintln!("  {tag}: {runs} runs averaged, valid F1 {f1:.4}");
    }
    (w, tr, (epoch_sum + runs / 2) / runs, f1)
}

/// One averaged perceptron; with `valid`, the averaged weights of its best epoch.
fn fit_one(
    train: &[Instance],
    n_features: usize,
    epochs: usize,
    seed: u64,
    valid: Option<&[Instance]>,
    tag: &str,
    opts: &TrainOptions,
) -> (Vec<f32>, Transitions, usize, f64) {
    let learner = opts.learner;
    let mut p = Perceptron::new(n_features);
    p.cost = learner.cost;
    p.pa = learner.pa;
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut rng = XorShift(seed | 1);
    let mut best = (Vec::new(), Transitions::zero(), 0, -1.0);
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        let mut wrong = 0;
        for &i in &order {
            if !p.learn(&train[i]) {
                wrong += 1;
            }
        }
        if let Some(valid) = valid {
            let (w, tr) = p.averaged();
            let (f1, _) = score(&w, &tr, valid);
            if opts.verbose {
                eprintln!("  {tag} epoch {epoch}: {wrong} wrong sentences, valid F1 {f1:.4}");
            }
            if f1 > best.3 {
                best = (w, tr, epoch, f1);
            }
        }
    }
    if valid.is_none() {
        let (w, tr) = p.averaged();
        best = (w, tr, epochs, 0.0);
    }
    best
}
