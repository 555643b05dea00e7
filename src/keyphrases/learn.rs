//! Trains the candidate scorer (`stringer train keyphrases`): every candidate of the KPCrowd dev
//! documents is an example, labelled by whether its shown form matches a gold phrase the way the
//! scorer matches; a logistic regression with an L2 penalty is fitted by Newton's method on
//! standardised features. A k-fold cross-validation over documents (folds by document order, so
//! every category is in every fold) gives the honest F1@10 figure. Training only: the runtime
//! files never import it. Deterministic: the same data gives the same bytes.

use std::fmt;
use std::path::Path;

use anyhow::ensure;

use super::docfreq::DocFreq;
use super::eval::{document_prf, documents, gold_phrases};
use super::features::{N, NAMES};
use super::model::Scorer;
use super::params::Params;
use super::pos::PosTable;
use super::rank::{Scored, Tables, choose, featurize};
use super::words::Lang;

/// L2 penalty on the standardised weights (not the bias).
const LAMBDA: f64 = 100.0;
const FOLDS: usize = 5;
/// The fit sees the candidates that compete for the top ten: seen at least this often, or
/// first seen in the title or the lead. The many one-off words deep in a text would otherwise
/// decide the weights.
const FIT_MIN_COUNT: f32 = 3.0;

/// One document's candidates, their labels and its gold phrases (normalised, sorted).
struct Doc {
    candidates: Vec<Scored>,
    labels: Vec<bool>,
    gold: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct LearnReport {
    pub documents: usize,
    pub examples: usize,
    pub positives: usize,
    /// Mean F1@10 over the held-out folds, and of the final model on all the documents.
    pub cv_f1: f64,
    pub dev_f1: f64,
    pub scorer: Scorer,
}

impl fmt::Display for LearnReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "keyphrase scorer: {} documents, {} candidates ({} gold), {FOLDS}-fold CV F1@10 {:.4}, \
             dev F1@10 (trained on all) {:.4}",
            self.documents, self.examples, self.positives, self.cv_f1, self.dev_f1
        )?;
        write!(f, "weights: bias {:.3}", self.scorer.bias)?;
        for (name, w) in NAMES.iter().zip(&self.scorer.weights) {
            write!(f, ", {name} {w:.3}")?;
        }
        Ok(())
    }
}

/// Fits the scorer on the dataset at `dataset_dir` (shaped like 500N-KPCrowd) with the df
/// table `df`, after cross-validating the same recipe.
pub fn learn(dataset_dir: &Path, df: &DocFreq, pos: &PosTable) -> anyhow::Result<LearnReport> {
    let params = Params::default();
    let lang = Lang::of("en").expect("English is supported");
    let unused = Scorer {
        bias: 0.0,
        weights: [0.0; N],
    };
    let tables = Tables {
        lang: &lang,
        df,
        scorer: &unused,
        pos: Some(pos),
    };
    let gold = gold_phrases(dataset_dir)?;
    let mut docs = Vec::new();
    for (id, title, text) in documents(dataset_dir)? {
        let Some(gold) = gold.get(&id).filter(|g| !g.is_empty()) else {
            continue;
        };
        let candidates = featurize(&params, &tables, &title, &text);
        let labels = candidates
            .iter()
            .map(|c| gold.binary_search(&super::eval::norm(&c.shown)).is_ok())
            .collect();
        docs.push(Doc {
            candidates,
            labels,
            gold: gold.clone(),
        });
    }
    ensure!(
        docs.len() >= FOLDS,
        "too few keyphrase documents under {}",
        dataset_dir.display()
    );
    let mut cv = 0.0;
    for fold in 0..FOLDS {
        let train: Vec<&Doc> = docs
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS != fold)
            .map(|(_, d)| d)
            .collect();
        let scorer = fit(&train);
        cv += docs
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS == fold)
            .map(|(_, d)| f1(&params, &scorer, d))
            .sum::<f64>();
    }
    let all: Vec<&Doc> = docs.iter().collect();
    let scorer = fit(&all);
    let dev = docs.iter().map(|d| f1(&params, &scorer, d)).sum::<f64>();
    Ok(LearnReport {
        documents: docs.len(),
        examples: docs.iter().map(|d| d.labels.len()).sum(),
        positives: docs
            .iter()
            .map(|d| d.labels.iter().filter(|&&l| l).count())
            .sum(),
        cv_f1: cv / docs.len() as f64,
        dev_f1: dev / docs.len() as f64,
        scorer,
    })
}

/// The `n` best keyphrases of an English text under a scorer not yet embedded (the training
/// report shows the seed article's).
pub fn top_with(
    scorer: &Scorer,
    df: &DocFreq,
    pos: &PosTable,
    title: &str,
    text: &str,
    n: usize,
) -> Vec<String> {
    let lang = Lang::of("en").expect("English is supported");
    let tables = Tables {
        lang: &lang,
        df,
        scorer,
        pos: Some(pos),
    };
    super::rank::rank(&Params::default(), &tables, title, text, n)
}

/// F1@10 of one document's ranking under `scorer`.
fn f1(params: &Params, scorer: &Scorer, doc: &Doc) -> f64 {
    let scored: Vec<(f32, &Scored)> = doc
        .candidates
        .iter()
        .filter_map(|s| Some((super::rank::final_score(params, scorer, s)?, s)))
        .collect();
    let top = choose(params, scored, 10);
    document_prf(&doc.gold, &top).2
}

/// Logistic regression on standardised features by Newton's method; weights returned for the
/// raw features.
#[allow(clippy::needless_range_loop)] // matrix arithmetic reads best with indices
fn fit(docs: &[&Doc]) -> Scorer {
    let rows: Vec<(&[f32; N], bool)> = docs
        .iter()
        .flat_map(|d| {
            d.candidates
                .iter()
                .zip(d.labels.iter().copied())
                .filter(|(c, _)| {
                    c.candidate.count >= FIT_MIN_COUNT || c.candidate.first_sentence <= 1
                })
                .map(|(c, l)| (&c.x, l))
        })
        .collect();
    let n = rows.len().max(1) as f64;
    let mut mean = [0.0f64; N];
    let mut sd = [0.0f64; N];
    for (x, _) in &rows {
        for j in 0..N {
            mean[j] += f64::from(x[j]) / n;
        }
    }
    for (x, _) in &rows {
        for j in 0..N {
            sd[j] += (f64::from(x[j]) - mean[j]).powi(2) / n;
        }
    }
    for s in &mut sd {
        *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
    }
    // Parameter 0 is the bias; 1..=N the standardised weights.
    const D: usize = N + 1;
    let mut w = [0.0f64; D];
    let z = |x: &[f32; N], out: &mut [f64; D]| {
        out[0] = 1.0;
        for j in 0..N {
            out[j + 1] = (f64::from(x[j]) - mean[j]) / sd[j];
        }
    };
    let mut v = [0.0f64; D];
    for _ in 0..30 {
        let mut grad = [0.0f64; D];
        let mut hess = [[0.0f64; D]; D];
        for (x, y) in &rows {
            z(x, &mut v);
            let s: f64 = w.iter().zip(&v).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-s).exp());
            let r = p - if *y { 1.0 } else { 0.0 };
            let h = (p * (1.0 - p)).max(1e-9);
            for a in 0..D {
                grad[a] += r * v[a];
                for b in 0..=a {
                    hess[a][b] += h * v[a] * v[b];
                }
            }
        }
        for a in 0..D {
            for b in 0..a {
                hess[b][a] = hess[a][b];
            }
            if a > 0 {
                grad[a] += LAMBDA * w[a];
                hess[a][a] += LAMBDA;
            }
        }
        let step = solve(hess, grad);
        let mut change = 0.0f64;
        for a in 0..D {
            w[a] -= step[a];
            change = change.max(step[a].abs());
        }
        if change < 1e-9 {
            break;
        }
    }
    let mut weights = [0.0f32; N];
    let mut bias = w[0];
    for j in 0..N {
        weights[j] = (w[j + 1] / sd[j]) as f32;
        bias -= w[j + 1] * mean[j] / sd[j];
    }
    Scorer {
        bias: bias as f32,
        weights,
    }
}

/// Solves `a x = b` for a symmetric positive definite `a` (Gaussian elimination with partial
/// pivoting).
#[allow(clippy::needless_range_loop)] // matrix arithmetic reads best with indices
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> [f64; D] {
    for col in 0..D {
        let pivot = (col..D)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-15 {
            continue;
        }
        for row in col + 1..D {
            let f = a[row][col] / d;
            if f == 0.0 {
                continue;
            }
            for k in col..D {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0f64; D];
    for row in (0..D).rev() {
        let s: f64 = (row + 1..D).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-15 {
            0.0
        } else {
            (b[row] - s) / a[row][row]
        };
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_inverts_a_small_system() {
        let x = solve([[4.0, 1.0], [1.0, 3.0]], [1.0, 2.0]);
        assert!((4.0 * x[0] + x[1] - 1.0).abs() < 1e-12);
        assert!((x[0] + 3.0 * x[1] - 2.0).abs() < 1e-12);
    }
}
