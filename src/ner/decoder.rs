//! Transition scores and first-order Viterbi decoding with the BILOU constraints built in.
//! It must not compute features, learn weights or read files.

use super::labels::{N_LABELS, allowed};

/// Transition scores with the BILOU constraints folded in as a large penalty.
#[derive(Debug, Clone)]
pub struct Transitions {
    /// `[prev * N_LABELS + cur]`
    pub pair: Vec<f32>,
    pub start: Vec<f32>,
    pub end: Vec<f32>,
}

const FORBIDDEN: f32 = -1.0e9;

impl Transitions {
    pub fn zero() -> Transitions {
        Transitions {
            pair: vec![0.0; N_LABELS * N_LABELS],
            start: vec![0.0; N_LABELS],
            end: vec![0.0; N_LABELS],
        }
    }

    /// Adds `other` score by score.
    pub fn add(&mut self, other: &Transitions) {
        for (a, b) in [
            (&mut self.pair, &other.pair),
            (&mut self.start, &other.start),
            (&mut self.end, &other.end),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }

    /// Multiplies every score by `k`.
    pub fn scale(&mut self, k: f32) {
        for v in [&mut self.pair, &mut self.start, &mut self.end] {
            v.iter_mut().for_each(|x| *x *= k);
        }
    }

    /// Adds the constraint penalties (done once, after learning).
    pub fn constrained(&self) -> Transitions {
        let mut t = self.clone();
        for a in 0..N_LABELS as u8 {
            for b in 0..N_LABELS as u8 {
                if !allowed(Some(a), Some(b)) {
                    t.pair[a as usize * N_LABELS + b as usize] = FORBIDDEN;
                }
            }
            if !allowed(None, Some(a)) {
                t.start[a as usize] = FORBIDDEN;
            }
            if !allowed(Some(a), None) {
                t.end[a as usize] = FORBIDDEN;
            }
        }
        t
    }
}

/// Under BILOU the O, L-* and U-* labels ("closed") may precede exactly the O, B-* and U-*
/// labels ("opening"), and I-t, L-t follow only B-t or I-t: a dense 9 x 9 block plus two
/// candidates per inside label, in ascending label order (the first best wins ties, as in
/// `labels::tests::PREDECESSORS`).
const CLOSED: [usize; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];
const OPENING: [usize; 9] = [0, 1, 4, 5, 8, 9, 12, 13, 16];

/// Reusable Viterbi buffers.
#[derive(Default)]
pub struct Decoder {
    score: Vec<f32>,
    back: Vec<u8>,
}

impl Decoder {
    /// Best label sequence for emission scores `emit[t * N_LABELS + y]` under the
    /// (constrained) transitions `tr`; only BILOU-allowed label pairs are considered.
    pub fn viterbi(&mut self, emit: &[f32], tr: &Transitions, out: &mut Vec<u8>) {
        let n = emit.len() / N_LABELS;
        out.clear();
        if n == 0 {
            return;
        }
        let mut w_open = [[0f32; 9]; 9];
        for (yi, row) in w_open.iter_mut().enumerate() {
            for (k, w) in row.iter_mut().enumerate() {
                *w = tr.pair[CLOSED[k] * N_LABELS + OPENING[yi]];
            }
        }
        self.score.clear();
        self.score.resize(n * N_LABELS, 0.0);
        self.back.clear();
        self.back.resize(n * N_LABELS, 0);
        for ((s, &st), &e) in self.score.iter_mut().zip(&tr.start).zip(emit) {
            *s = st + e;
        }
        let mut prev = [0f32; N_LABELS];
        for t in 1..n {
            prev.copy_from_slice(&self.score[(t - 1) * N_LABELS..t * N_LABELS]);
            let cur = &mut self.score[t * N_LABELS..(t + 1) * N_LABELS];
            let back = &mut self.back[t * N_LABELS..(t + 1) * N_LABELS];
            let em = &emit[t * N_LABELS..(t + 1) * N_LABELS];
            step_opening(&prev, &w_open, em, cur, back);
            step_inside(&prev, tr, em, cur, back);
        }
        self.backtrack(n, tr, out);
    }

    /// The best last label, then the back pointers to the first token.
    fn backtrack(&self, n: usize, tr: &Transitions, out: &mut Vec<u8>) {
        let last = &self.score[(n - 1) * N_LABELS..];
        let mut y = (0..N_LABELS)
            .max_by(|&a, &b| {
                (last[a] + tr.end[a])
                    .total_cmp(&(last[b] + tr.end[b]))
                    .then(b.cmp(&a))
            })
            .unwrap_or(0) as u8;
        out.resize(n, 0);
        for t in (0..n).rev() {
            out[t] = y;
            if t > 0 {
                y = self.back[t * N_LABELS + y as usize];
            }
        }
    }
}

/// Scores of the opening labels at one token: the best closed predecessor of each.
fn step_opening(
    prev: &[f32; N_LABELS],
    w_open: &[[f32; 9]; 9],
    em: &[f32],
    cur: &mut [f32],
    back: &mut [u8],
) {
    let closed = CLOSED.map(|c| prev[c]);
    for (yi, w) in w_open.iter().enumerate() {
        let mut best = closed[0] + w[0];
        let mut arg = 0;
        for k in 1..9 {
            let s = closed[k] + w[k];
            if s > best {
                best = s;
                arg = k;
            }
        }
        cur[OPENING[yi]] = best + em[OPENING[yi]];
        back[OPENING[yi]] = CLOSED[arg] as u8;
    }
}

/// Scores of the inside labels (I-t, L-t) at one token: from B-t or I-t.
fn step_inside(
    prev: &[f32; N_LABELS],
    tr: &Transitions,
    em: &[f32],
    cur: &mut [f32],
    back: &mut [u8],
) {
    for kind in 0..4 {
        let (b, i) = (1 + 4 * kind, 2 + 4 * kind);
        for y in [i, i + 1] {
            let from_b = prev[b] + tr.pair[b * N_LABELS + y];
            let from_i = prev[i] + tr.pair[i * N_LABELS + y];
            let (best, arg) = if from_i > from_b {
                (from_i, i)
            } else {
                (from_b, b)
            };
            cur[y] = best + em[y];
            back[y] = arg as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntityType;
    use crate::ner::labels::{Pos, label};

    #[test]
    fn viterbi_finds_the_best_allowed_sequence() {
        // Exhaustive check on short random-ish sentences against brute force.
        let mut seed = 12345u64;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 1000) as f32 / 100.0 - 5.0
        };
        let mut tr = Transitions::zero();
        tr.pair.iter_mut().for_each(|x| *x = rnd());
        tr.start.iter_mut().for_each(|x| *x = rnd());
        tr.end.iter_mut().for_each(|x| *x = rnd());
        let tr = tr.constrained();
        for n in 1..=3usize {
            let emit: Vec<f32> = (0..n * N_LABELS).map(|_| rnd()).collect();
            let mut out = Vec::new();
            Decoder::default().viterbi(&emit, &tr, &mut out);
            let score = |y: &[u8]| -> f32 {
                let mut s = tr.start[y[0] as usize] + tr.end[y[n - 1] as usize];
                for t in 0..n {
                    s += emit[t * N_LABELS + y[t] as usize];
                    if t > 0 {
                        s += tr.pair[y[t - 1] as usize * N_LABELS + y[t] as usize];
                    }
                }
                s
            };
            let mut best = f32::NEG_INFINITY;
            for code in 0..N_LABELS.pow(n as u32) {
                let y: Vec<u8> = (0..n)
                    .map(|t| (code / N_LABELS.pow(t as u32) % N_LABELS) as u8)
                    .collect();
                best = best.max(score(&y));
            }
            assert!((score(&out) - best).abs() < 1e-3, "n={n}");
        }
    }

    #[test]
    fn viterbi_never_returns_a_broken_entity() {
        // Emissions that alone would pick B-PER then O.
        let mut emit = vec![0.0; 2 * N_LABELS];
        emit[label(EntityType::PER, Pos::B) as usize] = 5.0;
        emit[N_LABELS] = 4.0;
        let tr = Transitions::zero().constrained();
        let mut out = Vec::new();
        Decoder::default().viterbi(&emit, &tr, &mut out);
        assert!(
            allowed(None, Some(out[0]))
                && allowed(Some(out[0]), Some(out[1]))
                && allowed(Some(out[1]), None)
        );
        assert_eq!(
            out,
            vec![
                label(EntityType::PER, Pos::B),
                label(EntityType::PER, Pos::L)
            ]
        );
    }
}
