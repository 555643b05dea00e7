//! The TF-IDF matrix of one feature set, logistic regression and naive Bayes fitted on it, their
//! mix. Training only; deterministic and single-threaded.

use std::collections::HashMap;

use super::examples::{Example, is_long};
use super::lbfgs::lbfgs;
use super::options::TrainOptions;
use crate::category::features::{FeatureConfig, term_counts};
use crate::category::model::{CLASSES, Model, tfidf};

/// A linear scorer in training precision.
pub struct Linear {
    weights: Vec<f64>,
    bias: [f64; CLASSES],
}

/// Vocabulary, idf and the TF-IDF matrix for one feature configuration.
pub struct Prepared {
    config: FeatureConfig,
    keys: Vec<u32>,
    idf: Vec<f32>,
    rows: Vec<Vec<(u32, f32)>>,
    labels: Vec<usize>,
    weights: Vec<f64>,
}

impl Prepared {
    pub fn new(config: FeatureConfig, examples: &[Example], opts: &TrainOptions) -> Prepared {
        let counts: Vec<Vec<(u32, f32)>> = examples
            .iter()
            .map(|e| term_counts(&config, &e.title, &e.text))
            .collect();
        let mut df: HashMap<u32, u32> = HashMap::new();
        for c in &counts {
            for (k, _) in c {
                *df.entry(*k).or_default() += 1;
            }
        }
        let mut vocab: Vec<(u32, u32)> =
            df.into_iter().filter(|&(_, n)| n >= opts.min_df).collect();
        // Most frequent first, ties by hash: deterministic whatever the map's order.
        vocab.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        vocab.truncate(opts.max_features);
        vocab.sort_unstable();
        let n = examples.len() as f32;
        let keys: Vec<u32> = vocab.iter().map(|v| v.0).collect();
        // Smoothed idf, as scikit-learn's TfidfVectorizer computes it.
        let idf: Vec<f32> = vocab
            .iter()
            .map(|v| ((1.0 + n) / (1.0 + v.1 as f32)).ln() + 1.0)
            .collect();
        let rows = examples
            .iter()
            .map(|e| tfidf(&config, &keys, &idf, &e.title, &e.text))
            .collect();
        let labels = examples.iter().map(|e| e.label).collect();
        Prepared {
            config,
            keys,
            idf,
            rows,
            labels,
            weights: length_weights(examples, opts.balance_lengths),
        }
    }

    /// Weights (feature-major, `CLASSES` per term) and biases of L2-regularised multinomial
    /// logistic regression.
    pub fn logistic_regression(&self, lambda: f64, max_iter: usize) -> Linear {
        let nf = self.keys.len();
        let objective = |w: &[f64], g: &mut [f64]| self.loss_and_gradient(w, g, lambda);
        let w = lbfgs(objective, vec![0.0; nf * CLASSES + CLASSES], max_iter);
        Linear {
            bias: std::array::from_fn(|k| w[nf * CLASSES + k]),
            weights: w[..nf * CLASSES].to_vec(),
        }
    }

    /// Multinomial naive Bayes over the same TF-IDF vectors (Rennie et al. 2003 found TF-IDF
    /// inputs help it), as a linear model: log priors and log term probabilities, each term's
    /// row centred (that shifts every class equally, so no decision changes, and keeps the
    /// numbers small for the 16-bit weights).
    pub fn naive_bayes(&self, alpha: f64) -> Linear {
        let nf = self.keys.len();
        let mut mass = vec![0.0; nf * CLASSES];
        let mut prior = [0.0; CLASSES];
        for ((x, &y), &weight) in self.rows.iter().zip(&self.labels).zip(&self.weights) {
            prior[y] += weight;
            for &(j, v) in x {
                mass[j as usize * CLASSES + y] += weight * f64::from(v);
            }
        }
        let mut totals = [0.0; CLASSES];
        for row in mass.chunks(CLASSES) {
            for k in 0..CLASSES {
                totals[k] += row[k];
            }
        }
        let mut weights = vec![0.0; nf * CLASSES];
        for (row, out) in mass.chunks(CLASSES).zip(weights.chunks_mut(CLASSES)) {
            for k in 0..CLASSES {
                out[k] = ((row[k] + alpha) / (totals[k] + alpha * nf as f64)).ln();
            }
            let mean = out.iter().sum::<f64>() / CLASSES as f64;
            for v in out.iter_mut() {
                *v -= mean;
            }
        }
        let all: f64 = prior.iter().sum();
        // A label with no rows gets a tiny prior, not minus infinity.
        let bias = prior.map(|p| ((p + 1e-3) / (all + 1e-3)).ln());
        Linear { weights, bias }
    }

    /// `(1 - mix) * lr + mix * nb`, divided by the temperature.
    pub fn model(&self, lr: &Linear, nb: &Linear, mix: f64, temperature: f64) -> Model {
        let combine = |a: f64, b: f64| (((1.0 - mix) * a + mix * b) / temperature) as f32;
        let weights = lr
            .weights
            .chunks(CLASSES)
            .zip(nb.weights.chunks(CLASSES))
            .map(|(a, b)| std::array::from_fn(|k| combine(a[k], b[k])))
            .collect();
        let bias = std::array::from_fn(|k| combine(lr.bias[k], nb.bias[k]));
        Model {
            config: self.config,
            keys: self.keys.clone(),
            idf: self.idf.clone(),
            weights,
            bias,
            other_below: 0.0,
        }
    }

    /// Mean cross-entropy of multinomial logistic regression plus L2 on the weights (not the biases).
    fn loss_and_gradient(&self, w: &[f64], g: &mut [f64], lambda: f64) -> f64 {
        let nf = self.keys.len();
        g.fill(0.0);
        let mut loss = 0.0;
        for ((x, &y), &weight) in self.rows.iter().zip(&self.labels).zip(&self.weights) {
            let mut z: [f64; CLASSES] = std::array::from_fn(|k| w[nf * CLASSES + k]);
            for &(j, v) in x {
                let row = &w[j as usize * CLASSES..][..CLASSES];
                for k in 0..CLASSES {
                    z[k] += f64::from(v) * row[k];
                }
            }
            let m = z.iter().fold(f64::MIN, |a, &b| a.max(b));
            let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            loss += weight * (lse - z[y]);
            let d: [f64; CLASSES] = std::array::from_fn(|k| {
                weight * ((z[k] - lse).exp() - f64::from(u8::from(k == y)))
            });
            for &(j, v) in x {
                let row = &mut g[j as usize * CLASSES..][..CLASSES];
                for k in 0..CLASSES {
                    row[k] += f64::from(v) * d[k];
                }
            }
            for k in 0..CLASSES {
                g[nf * CLASSES + k] += d[k];
            }
        }
        let n = self.weights.iter().sum::<f64>().max(1e-12);
        loss /= n;
        for v in g.iter_mut() {
            *v /= n;
        }
        let mut reg = 0.0;
        for (gi, wi) in g[..nf * CLASSES].iter_mut().zip(&w[..nf * CLASSES]) {
            *gi += lambda * wi;
            reg += wi * wi;
        }
        loss + 0.5 * lambda * reg
    }
}

/// Row weights that make long articles and short summaries count the same in the loss
/// (all 1 without `balance`, or when every row is of one kind).
fn length_weights(examples: &[Example], balance: bool) -> Vec<f64> {
    let long: Vec<bool> = examples.iter().map(|e| is_long(&e.text)).collect();
    let n_long = long.iter().filter(|&&l| l).count();
    long.iter()
        .map(|&l| {
            let same = if l { n_long } else { long.len() - n_long };
            if balance && same > 0 && same < long.len() {
                long.len() as f64 / (2.0 * same as f64)
            } else {
                1.0
            }
        })
        .collect()
}
