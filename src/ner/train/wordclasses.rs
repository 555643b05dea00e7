//! Distributional word classes, a second view of word similarity beside the Brown clusters:
//! each frequent word is described by the words seen one and two places to its left and
//! right, weighted by positive PMI (context counts smoothed as in Levy et al. 2015), and
//! these sparse unit vectors are grouped by spherical k-means. Brown clustering sees only
//! adjacent words and merges greedily; these classes see a wider window and come from a
//! different method, so the two err differently (valid F1 +0.003 on average over three
//! training seeds). Training time only: the result is a map from word-form hash to class,
//! stored in the lexicon.

use crate::ner::hash::{KeyMap, form_hash, lower_hash};

/// How the classes are learned.
#[derive(Debug, Clone, Copy)]
pub struct ClassOptions {
    /// Number of classes.
    pub k: usize,
    /// Words seen fewer times get no class.
    pub min_count: u32,
    /// The most frequent lower-case words that serve as context.
    pub contexts: usize,
    /// k-means rounds.
    pub rounds: usize,
}

impl Default for ClassOptions {
    fn default() -> Self {
        ClassOptions {
            k: 256,
            min_count: 3,
            contexts: 5000,
            rounds: 20,
        }
    }
}

/// Context slots: two places left, one left, one right, two right.
const OFFSETS: [isize; 4] = [-2, -1, 1, 2];

/// `form_hash(word) -> class`; deterministic for the same sentences and options.
pub fn classes(sentences: &[Vec<String>], o: ClassOptions) -> KeyMap<u16> {
    let hashed: Vec<Vec<(u64, u64)>> = sentences
        .iter()
        .map(|s| s.iter().map(|w| (form_hash(w), lower_hash(w))).collect())
        .collect();
    let v = Vocab::new(&hashed, &o);
    let cells = v.cooccurrences(&hashed);
    let n_feats = OFFSETS.len() * v.n_ctx;
    let rows = ppmi_rows(&cells, v.words.len(), n_feats);
    let assign = kmeans(&rows, n_feats, o.k.min(v.words.len()), o.rounds);
    v.words
        .iter()
        .zip(assign)
        .map(|((h, _), c)| (*h, c as u16))
        .collect()
}

/// Target words by form, context words by lower case; most frequent first, ties by hash.
struct Vocab {
    words: Vec<(u64, u32)>,
    word_id: KeyMap<u32>,
    ctx_id: KeyMap<u32>,
    /// Sentence edges are one more context, with this id.
    edge: u32,
    n_ctx: usize,
}

impl Vocab {
    fn new(hashed: &[Vec<(u64, u64)>], o: &ClassOptions) -> Vocab {
        let mut form_counts: KeyMap<u32> = KeyMap::default();
        let mut lower_counts: KeyMap<u32> = KeyMap::default();
        for s in hashed {
            for &(f, l) in s {
                *form_counts.entry(f).or_default() += 1;
                *lower_counts.entry(l).or_default() += 1;
            }
        }
        let ranked = |m: &KeyMap<u32>, min: u32| {
            let mut v: Vec<(u64, u32)> = m
                .iter()
                .filter(|(_, c)| **c >= min)
                .map(|(h, c)| (*h, *c))
                .collect();
            v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        };
        let words = ranked(&form_counts, o.min_count);
        let word_id: KeyMap<u32> = words
            .iter()
            .enumerate()
            .map(|(i, (h, _))| (*h, i as u32))
            .collect();
        let ctx_id: KeyMap<u32> = ranked(&lower_counts, 1)
            .iter()
            .take(o.contexts)
            .enumerate()
            .map(|(i, (h, _))| (*h, i as u32))
            .collect();
        let edge = ctx_id.len() as u32;
        let n_ctx = edge as usize + 1;
        Vocab {
            words,
            word_id,
            ctx_id,
            edge,
            n_ctx,
        }
    }

    /// Co-occurrence counts of (word, slot * n_ctx + context), sorted so that every sum
    /// below runs in the same order.
    fn cooccurrences(&self, hashed: &[Vec<(u64, u64)>]) -> Vec<(u32, u32, u32)> {
        let mut pairs: std::collections::HashMap<(u32, u32), u32> = Default::default();
        for s in hashed {
            for (i, &(f, _)) in s.iter().enumerate() {
                let Some(&w) = self.word_id.get(&f) else {
                    continue;
                };
                for (slot, d) in OFFSETS.iter().enumerate() {
                    let j = i as isize + d;
                    let c = if j < 0 || j >= s.len() as isize {
                        self.edge
                    } else {
                        match self.ctx_id.get(&s[j as usize].1) {
                            Some(&c) => c,
                            None => continue,
                        }
                    };
                    *pairs
                        .entry((w, (slot * self.n_ctx) as u32 + c))
                        .or_default() += 1;
                }
            }
        }
        let mut cells: Vec<(u32, u32, u32)> =
            pairs.into_iter().map(|((w, f), c)| (w, f, c)).collect();
        cells.sort_unstable();
        cells
    }
}

/// Sparse unit rows of positive PMI, context counts smoothed by ^0.75 (Levy et al. 2015).
fn ppmi_rows(cells: &[(u32, u32, u32)], n_words: usize, n_feats: usize) -> Vec<Vec<(u32, f32)>> {
    let mut word_tot = vec![0f64; n_words];
    let mut feat_tot = vec![0f64; n_feats];
    let mut total = 0f64;
    for &(w, f, c) in cells {
        word_tot[w as usize] += c as f64;
        feat_tot[f as usize] += c as f64;
        total += c as f64;
    }
    let feat_smooth: Vec<f64> = feat_tot.iter().map(|c| c.powf(0.75)).collect();
    let smooth_total: f64 = feat_smooth.iter().sum();
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_words];
    for &(w, f, c) in cells {
        let p_wf = c as f64 / total;
        let p_w = word_tot[w as usize] / total;
        let p_f = feat_smooth[f as usize] / smooth_total;
        let pmi = (p_wf / (p_w * p_f)).ln();
        if pmi > 0.0 {
            rows[w as usize].push((f, pmi as f32));
        }
    }
    for row in &mut rows {
        let n = row.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            row.iter_mut().for_each(|(_, x)| *x /= n);
        }
    }
    rows
}

fn normalise(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Spherical k-means over sparse unit rows (most frequent first); returns each row's class.
fn kmeans(rows: &[Vec<(u32, f32)>], dims: usize, k: usize, rounds: usize) -> Vec<usize> {
    let n = rows.len();
    if n == 0 || k == 0 {
        return vec![0; n];
    }
    // The first centroids are words spread evenly over the frequency ranking, so that
    // frequent and rare words both seed classes.
    let mut cents = vec![0f32; k * dims];
    for c in 0..k {
        for &(f, x) in &rows[c * n / k] {
            cents[c * dims + f as usize] = x;
        }
    }
    let mut assign = vec![usize::MAX; n];
    for _ in 0..rounds {
        let mut changed = 0;
        for (r, row) in rows.iter().enumerate() {
            let mut best = (f32::MIN, 0);
            for (c, cent) in cents.chunks(dims).enumerate() {
                let s: f32 = row.iter().map(|&(f, x)| x * cent[f as usize]).sum();
                if s > best.0 {
                    best = (s, c);
                }
            }
            if assign[r] != best.1 {
                changed += 1;
                assign[r] = best.1;
            }
        }
        if changed == 0 {
            break;
        }
        let mut sums = vec![0f32; k * dims];
        for (r, row) in rows.iter().enumerate() {
            let cent = &mut sums[assign[r] * dims..(assign[r] + 1) * dims];
            for &(f, x) in row {
                cent[f as usize] += x;
            }
        }
        for (c, cent) in sums.chunks_mut(dims).enumerate() {
            if cent.iter().any(|&x| x != 0.0) {
                normalise(cent);
                cents[c * dims..(c + 1) * dims].copy_from_slice(cent);
            }
        }
    }
    assign
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_used_alike_share_a_class() {
        // Days are always next to fruit and two places from days, and the other way round.
        let days = ["Monday", "Tuesday", "Friday"];
        let fruit = ["apples", "pears", "plums"];
        let text: Vec<Vec<String>> = (0..60)
            .map(|i| {
                [
                    days[i % 3],
                    fruit[(i / 3) % 3],
                    days[(i + 1) % 3],
                    fruit[(i / 2) % 3],
                ]
                .map(str::to_string)
                .to_vec()
            })
            .collect();
        let opts = ClassOptions {
            k: 2,
            ..Default::default()
        };
        let m = classes(&text, opts);
        let class = |w: &str| m[&form_hash(w)];
        assert_eq!(class("Monday"), class("Friday"));
        assert_eq!(class("apples"), class("plums"));
        assert_ne!(class("Monday"), class("apples"));
        // The same text gives the same classes.
        assert_eq!(classes(&text, opts), m);
    }
}
