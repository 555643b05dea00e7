//! The averaged structured perceptron (Collins 2002), loss-augmented and passive-aggressive.
//! Training only (the daemon never calls it); it sees feature row ids and label ids, never text.

use crate::ner::decoder::{Decoder, Transitions};
use crate::ner::labels::N_LABELS;

/// One training sentence: feature row ids per token and gold labels.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    pub feats: Vec<u32>,
    pub offsets: Vec<u32>,
    pub gold: Vec<u8>,
}

impl Instance {
    pub fn token(&self, i: usize) -> &[u32] {
        &self.feats[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    /// Tokens in the sentence.
    pub fn tokens(&self) -> usize {
        self.gold.len()
    }
}

/// Averaged perceptron state. `w` are the current weights, `u` the running sums of
/// `c * update` so that the average is `w - u / c` (Daumé's trick: no per-step copy).
pub struct Perceptron {
    pub w: Vec<f32>,
    u: Vec<f32>,
    pub tr: Transitions,
    tr_u: Transitions,
    c: f32,
    /// Loss-augmented decoding margin (0 = plain perceptron).
    pub cost: f32,
    /// Passive-aggressive step cap (None = step 1).
    pub pa: Option<f32>,
    decoder: Decoder,
    emit: Vec<f32>,
    pred: Vec<u8>,
}

impl Perceptron {
    pub fn new(n_features: usize) -> Perceptron {
        Perceptron {
            w: vec![0.0; n_features * N_LABELS],
            u: vec![0.0; n_features * N_LABELS],
            tr: Transitions::zero(),
            tr_u: Transitions::zero(),
            c: 1.0,
            cost: 0.0,
            pa: None,
            decoder: Decoder::default(),
            emit: Vec::new(),
            pred: Vec::new(),
        }
    }

    /// Emission scores of an instance under weights `w`.
    pub fn emissions(w: &[f32], inst: &Instance, emit: &mut Vec<f32>) {
        emit.clear();
        emit.resize(inst.tokens() * N_LABELS, 0.0);
        for t in 0..inst.tokens() {
            let row = &mut emit[t * N_LABELS..(t + 1) * N_LABELS];
            for &f in inst.token(t) {
                let wf = &w[f as usize * N_LABELS..(f as usize + 1) * N_LABELS];
                for (r, x) in row.iter_mut().zip(wf) {
                    *r += x;
                }
            }
        }
    }

    /// One perceptron step on one sentence; returns whether it was already right.
    pub fn learn(&mut self, inst: &Instance) -> bool {
        let mut emit = std::mem::take(&mut self.emit);
        let mut pred = std::mem::take(&mut self.pred);
        Self::emissions(&self.w, inst, &mut emit);
        let tr = self.tr.constrained();
        // Loss-augmented decoding: every wrong label gets a head start of `cost`, so the
        // update also fires when the gold sequence wins by less than a margin.
        if self.cost > 0.0 {
            for t in 0..inst.tokens() {
                for y in 0..N_LABELS {
                    if y != inst.gold[t] as usize {
                        emit[t * N_LABELS + y] += self.cost;
                    }
                }
            }
        }
        self.decoder.viterbi(&emit, &tr, &mut pred);
        let right = pred == inst.gold;
        if !right {
            let step = match self.pa {
                None => 1.0,
                Some(cap) => self.pa_step(inst, &pred, &mut emit, cap),
            };
            self.update(inst, &pred, step);
        }
        self.c += 1.0;
        self.emit = emit;
        self.pred = pred;
        right
    }

    /// The passive-aggressive step: the loss (wrong tokens) not yet covered by the margin
    /// of gold over `pred`, per unit of update size, capped at `cap`.
    fn pa_step(&self, inst: &Instance, pred: &[u8], emit: &mut Vec<f32>, cap: f32) -> f32 {
        if self.cost > 0.0 {
            Self::emissions(&self.w, inst, emit);
        }
        let seq = |y: &[u8]| -> f32 {
            let mut s = self.tr.start[y[0] as usize] + self.tr.end[y[y.len() - 1] as usize];
            for (t, &yt) in y.iter().enumerate() {
                s += emit[t * N_LABELS + yt as usize];
                if t > 0 {
                    s += self.tr.pair[y[t - 1] as usize * N_LABELS + yt as usize];
                }
            }
            s
        };
        let margin = seq(&inst.gold) - seq(pred);
        let mut loss = 0.0;
        let mut norm = 0.0;
        // Each wrong token moves its features' rows for two labels, plus about
        // two transitions.
        for (t, (g, p)) in inst.gold.iter().zip(pred).enumerate() {
            if g != p {
                loss += 1.0;
                norm += 2.0 * inst.token(t).len() as f32 + 4.0;
            }
        }
        ((loss - margin) / norm.max(1.0)).clamp(0.0, cap)
    }

    /// Moves the weights of the wrong tokens' features and the wrong transitions by `step`
    /// towards gold and away from `pred`.
    fn update(&mut self, inst: &Instance, pred: &[u8], step: f32) {
        let c = self.c * step;
        for t in 0..inst.tokens() {
            let (g, p) = (inst.gold[t] as usize, pred[t] as usize);
            if g != p {
                for &f in inst.token(t) {
                    let base = f as usize * N_LABELS;
                    self.w[base + g] += step;
                    self.u[base + g] += c;
                    self.w[base + p] -= step;
                    self.u[base + p] -= c;
                }
            }
            let (gp, pp) = if t == 0 {
                (None, None)
            } else {
                (Some(inst.gold[t - 1] as usize), Some(pred[t - 1] as usize))
            };
            if (gp, g) != (pp, p) {
                bump(&mut self.tr, &mut self.tr_u, gp, g, step, self.c);
                bump(&mut self.tr, &mut self.tr_u, pp, p, -step, self.c);
            }
        }
        let n = inst.tokens();
        let (g, p) = (inst.gold[n - 1] as usize, pred[n - 1] as usize);
        if g != p {
            self.tr.end[g] += step;
            self.tr_u.end[g] += c;
            self.tr.end[p] -= step;
            self.tr_u.end[p] -= c;
        }
    }

    /// The averaged weights and transitions.
    pub fn averaged(&self) -> (Vec<f32>, Transitions) {
        let c = self.c;
        let w = self.w.iter().zip(&self.u).map(|(w, u)| w - u / c).collect();
        let avg = |a: &[f32], b: &[f32]| -> Vec<f32> {
            a.iter().zip(b).map(|(w, u)| w - u / c).collect()
        };
        let tr = Transitions {
            pair: avg(&self.tr.pair, &self.tr_u.pair),
            start: avg(&self.tr.start, &self.tr_u.start),
            end: avg(&self.tr.end, &self.tr_u.end),
        };
        (w, tr)
    }
}

fn bump(
    tr: &mut Transitions,
    tr_u: &mut Transitions,
    prev: Option<usize>,
    cur: usize,
    d: f32,
    c: f32,
) {
    match prev {
        None => {
            tr.start[cur] += d;
            tr_u.start[cur] += d * c;
        }
        Some(p) => {
            tr.pair[p * N_LABELS + cur] += d;
            tr_u.pair[p * N_LABELS + cur] += d * c;
        }
    }
}

/// Decodes an instance with given (averaged) weights.
pub fn predict(
    w: &[f32],
    tr: &Transitions,
    inst: &Instance,
    dec: &mut Decoder,
    emit: &mut Vec<f32>,
    out: &mut Vec<u8>,
) {
    Perceptron::emissions(w, inst, emit);
    dec.viterbi(emit, tr, out);
}
