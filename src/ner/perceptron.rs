//! The sequence model: BILOU labels over the four entity types, first-order Viterbi
//! decoding with the BILOU constraints built in, and an averaged structured perceptron
//! (Collins 2002) that learns one weight row per feature. It must not compute features
//! or read files; it sees feature row ids and label ids only.

use super::conll::Span;
use crate::model::EntityType;

/// O plus B/I/L/U for each of the four types.
pub const N_LABELS: usize = 17;
const TYPES: [EntityType; 4] = [
    EntityType::PER,
    EntityType::ORG,
    EntityType::LOC,
    EntityType::MISC,
];

/// Position of a token inside an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pos {
    B = 0,
    I = 1,
    L = 2,
    U = 3,
}

pub fn label(kind: EntityType, pos: Pos) -> u8 {
    1 + 4 * kind as u8 + pos as u8
}

pub fn kind_of(label: u8) -> Option<EntityType> {
    if label == 0 {
        None
    } else {
        Some(TYPES[((label - 1) / 4) as usize])
    }
}

fn pos_of(label: u8) -> Option<u8> {
    if label == 0 {
        None
    } else {
        Some((label - 1) % 4)
    }
}

/// BILOU labels for entity spans over `n` tokens.
pub fn labels_from_spans(spans: &[Span], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for s in spans {
        if s.end - s.start == 1 {
            out[s.start] = label(s.kind, Pos::U);
            continue;
        }
        for (i, l) in out.iter_mut().enumerate().take(s.end).skip(s.start) {
            let pos = if i == s.start {
                Pos::B
            } else if i + 1 == s.end {
                Pos::L
            } else {
                Pos::I
            };
            *l = label(s.kind, pos);
        }
    }
    out
}

/// Entity spans of a BILOU label sequence (which Viterbi keeps well formed).
pub fn spans_from_labels(labels: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &l) in labels.iter().enumerate() {
        let (Some(kind), Some(pos)) = (kind_of(l), pos_of(l)) else {
            start = None;
            continue;
        };
        match pos {
            3 => out.push(Span {
                start: i,
                end: i + 1,
                kind,
            }),
            0 => start = Some(i),
            2 => {
                if let Some(s) = start.take() {
                    out.push(Span {
                        start: s,
                        end: i + 1,
                        kind,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether label `b` may follow label `a` (`None` = sentence start/end).
pub fn allowed(a: Option<u8>, b: Option<u8>) -> bool {
    let open = |l: Option<u8>| l.and_then(|l| pos_of(l).filter(|&p| p <= 1).map(|_| kind_of(l)));
    match (open(a), b) {
        (Some(kind), Some(b)) => kind_of(b) == kind && matches!(pos_of(b), Some(1) | Some(2)),
        (Some(_), None) => false,
        (None, Some(b)) => matches!(pos_of(b), None | Some(0) | Some(3)),
        (None, None) => true,
    }
}

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
        // Under BILOU the O, L-* and U-* labels ("closed") may precede exactly the O, B-*
        // and U-* labels ("opening"), and I-t, L-t follow only B-t or I-t: a dense 9 x 9
        // block plus two candidates per inside label, in ascending label order (the first
        // best wins ties, as in `PREDECESSORS`).
        const CLOSED: [usize; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];
        const OPENING: [usize; 9] = [0, 1, 4, 5, 8, 9, 12, 13, 16];
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
                Some(cap) => {
                    if self.cost > 0.0 {
                        Self::emissions(&self.w, inst, &mut emit);
                    }
                    let seq = |y: &[u8]| -> f32 {
                        let mut s =
                            self.tr.start[y[0] as usize] + self.tr.end[y[y.len() - 1] as usize];
                        for (t, &yt) in y.iter().enumerate() {
                            s += emit[t * N_LABELS + yt as usize];
                            if t > 0 {
                                s += self.tr.pair[y[t - 1] as usize * N_LABELS + yt as usize];
                            }
                        }
                        s
                    };
                    let margin = seq(&inst.gold) - seq(&pred);
                    let mut loss = 0.0;
                    let mut norm = 0.0;
                    // Each wrong token moves its features' rows for two labels, plus about
                    // two transitions.
                    for (t, (g, p)) in inst.gold.iter().zip(&pred).enumerate() {
                        if g != p {
                            loss += 1.0;
                            norm += 2.0 * inst.token(t).len() as f32 + 4.0;
                        }
                    }
                    ((loss - margin) / norm.max(1.0)).clamp(0.0, cap)
                }
            };
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
        self.c += 1.0;
        self.emit = emit;
        self.pred = pred;
        right
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilou_round_trips_spans() {
        let spans = vec![
            Span {
                start: 0,
                end: 2,
                kind: EntityType::PER,
            },
            Span {
                start: 3,
                end: 4,
                kind: EntityType::LOC,
            },
            Span {
                start: 4,
                end: 7,
                kind: EntityType::ORG,
            },
        ];
        let labels = labels_from_spans(&spans, 8);
        assert_eq!(spans_from_labels(&labels), spans);
    }

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

    /// Labels that may precede each label under BILOU (at most 9: O, L-*, U-* before O, B-*,
    /// U-*; B-t, I-t before I-t, L-t), so Viterbi skips the forbidden pairs.
    const PREDECESSORS: ([[u8; 9]; N_LABELS], [usize; N_LABELS]) = {
        let mut list = [[0u8; 9]; N_LABELS];
        let mut len = [0usize; N_LABELS];
        let mut b = 0;
        while b < N_LABELS {
            let mut a = 0;
            while a < N_LABELS {
                // Same rule as `allowed`, in const form.
                let a_open = a != 0 && (a - 1) % 4 <= 1;
                let ok = if a_open {
                    b != 0 && (b - 1) / 4 == (a - 1) / 4 && ((b - 1) % 4 == 1 || (b - 1) % 4 == 2)
                } else {
                    b == 0 || (b - 1) % 4 == 0 || (b - 1) % 4 == 3
                };
                if ok {
                    list[b][len[b]] = a as u8;
                    len[b] += 1;
                }
                a += 1;
            }
            b += 1;
        }
        (list, len)
    };

    #[test]
    fn predecessor_table_matches_the_bilou_rule() {
        for b in 0..N_LABELS as u8 {
            let expected: Vec<u8> = (0..N_LABELS as u8)
                .filter(|&a| allowed(Some(a), Some(b)))
                .collect();
            let (list, len) = (&PREDECESSORS.0[b as usize], PREDECESSORS.1[b as usize]);
            assert_eq!(&list[..len], expected.as_slice());
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
