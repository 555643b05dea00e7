//! Trains the category model from the shared topics data (BBC + AG News): picks the feature
//! set and the L2 strength on a deterministic, duplicate-aware dev split, then refits on all rows
//! and writes `models/category.bin`. Behind `stringer train category`.
//! It must stay deterministic (no clock, no thread-dependent order, no random seed from the OS)
//! and must not write anything but the model file.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, ensure};

use super::Classifier;
use super::corpus::{Doc, dev_mask, read_jsonl};
use super::eval::{Report, evaluate};
pub use super::features::FeatureConfig;
use super::features::term_counts;
use super::model::{CLASSES, Model, tfidf};

#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Holds `topics/bbc/train.jsonl` and `topics/ag_news/train-from-test.jsonl`.
    pub data_dir: PathBuf,
    pub out: PathBuf,
    /// About one duplicate group in this many goes to the dev split.
    pub dev_every: u64,
    /// Feature sets tried in model selection.
    pub configs: Vec<FeatureConfig>,
    /// L2 strengths tried (per-document average loss + lambda/2 |w|^2).
    pub lambdas: Vec<f64>,
    /// Shares of naive Bayes in the mix with logistic regression tried (0 = LR alone).
    pub nb_mixes: Vec<f64>,
    /// Additive smoothing of naive Bayes.
    pub nb_alpha: f64,
    /// Terms seen in fewer training documents are dropped: they cannot generalise.
    pub min_df: u32,
    /// Keep at most this many terms (most frequent first), to bound the model file.
    pub max_features: usize,
    /// Also train on "title + lead" copies of long articles, so short feed summaries of every
    /// label (entertainment only exists as long BBC articles) look like something seen in training.
    pub lead_copies: bool,
    /// Join this many short rows of one label into one long "digest" row (0 or 1: none).
    pub digest_size: usize,
    /// Weight rows so that long articles and short summaries count the same in the loss,
    /// whichever kind the data has more of (the daemon classifies full cleaned articles).
    pub balance_lengths: bool,
    pub max_iter: usize,
    /// After model selection, refit on train + dev before writing the model.
    pub refit_all: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            data_dir: PathBuf::from("../shared/data"),
            out: PathBuf::from("models/category.bin"),
            dev_every: 5,
            configs: vec![
                // long_text_words stays 0: the long-text copies gained ~1 point on BBC dev but
                // learned "world = UK politics" from BBC alone, and read full-text international
                // news (the seed article, KPCrowd politics_world) as business.
                FeatureConfig {
                    bigrams: false,
                    title_repeat: 2,
                    drop_stopwords: true,
                    long_text_words: 0,
                },
                FeatureConfig {
                    bigrams: true,
                    title_repeat: 2,
                    drop_stopwords: true,
                    long_text_words: 0,
                },
            ],
            lambdas: vec![1e-5, 3e-5],
            nb_mixes: vec![0.0, 0.5, 0.7],
            nb_alpha: 0.1,
            min_df: 2,
            max_features: 150_000,
            lead_copies: true,
            digest_size: 6,
            balance_lengths: true,
            max_iter: 300,
            refit_all: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub config: FeatureConfig,
    pub lambda: f64,
    /// Share of multinomial naive Bayes in the (log-linear) mix with logistic regression.
    pub nb_mix: f64,
    pub dev_accuracy: f64,
    pub dev_mean_dataset_accuracy: f64,
}

#[derive(Debug, Clone)]
pub struct TrainReport {
    pub train_docs: usize,
    pub dev_docs: usize,
    pub grid: Vec<Candidate>,
    pub chosen: Candidate,
    /// Softmax temperature fitted on the dev split, so the confidence is a usable probability.
    pub temperature: f64,
    /// The chosen model, trained without the dev split, scored on it (as quantised for shipping).
    pub dev: Report,
    pub features: usize,
    pub model_bytes: usize,
    pub refit_all: bool,
    pub seconds: f64,
}

impl fmt::Display for TrainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "train {} docs, dev {} docs (duplicate-aware split)",
            self.train_docs, self.dev_docs
        )?;
        for c in &self.grid {
            writeln!(
                f,
                "  {} lambda={:e} nb_mix={}: dev accuracy {:.4}, mean per-dataset {:.4}",
                describe(&c.config),
                c.lambda,
                c.nb_mix,
                c.dev_accuracy,
                c.dev_mean_dataset_accuracy
            )?;
        }
        writeln!(
            f,
            "chosen: {} lambda={:e} nb_mix={} temperature={:.2}",
            describe(&self.chosen.config),
            self.chosen.lambda,
            self.chosen.nb_mix,
            self.temperature
        )?;
        writeln!(f, "dev split:\n{}", self.dev)?;
        writeln!(
            f,
            "model: {} terms, {} bytes{}; {:.1} s",
            self.features,
            self.model_bytes,
            if self.refit_all {
                " (refit on train + dev)"
            } else {
                ""
            },
            self.seconds
        )
    }
}

fn describe(c: &FeatureConfig) -> String {
    format!(
        "bigrams={} title_repeat={} drop_stopwords={} long_text_words={}",
        c.bigrams, c.title_repeat, c.drop_stopwords, c.long_text_words
    )
}

pub fn train(opts: &TrainOptions) -> anyhow::Result<TrainReport> {
    let started = Instant::now();
    ensure!(
        !opts.configs.is_empty() && !opts.lambdas.is_empty() && !opts.nb_mixes.is_empty(),
        "empty model-selection grid"
    );
    let docs = read_training_data(&opts.data_dir)?;
    let mask = dev_mask(&docs, opts.dev_every);
    let train: Vec<&Doc> = docs
        .iter()
        .zip(&mask)
        .filter(|(_, m)| !**m)
        .map(|(d, _)| d)
        .collect();
    let dev: Vec<Doc> = docs
        .iter()
        .zip(&mask)
        .filter(|(_, m)| **m)
        .map(|(d, _)| d.clone())
        .collect();

    let mut grid = Vec::new();
    let mut best: Option<(Candidate, Report, Model)> = None;
    for &config in &opts.configs {
        let prepared = Prepared::new(config, &examples(&train, opts), opts);
        let nb = prepared.naive_bayes(opts.nb_alpha);
        for &lambda in &opts.lambdas {
            let lr = prepared.logistic_regression(lambda, opts.max_iter);
            for &nb_mix in &opts.nb_mixes {
                let model = prepared.model(&lr, &nb, nb_mix, 1.0);
                // Score what would ship: the quantised file, read back.
                let shipped = Classifier::from_bytes(&model.to_bytes())?;
                let report = evaluate(&shipped, &dev);
                let cand = Candidate {
                    config,
                    lambda,
                    nb_mix,
                    dev_accuracy: report.accuracy(),
                    dev_mean_dataset_accuracy: report.mean_dataset_accuracy(),
                };
                grid.push(cand.clone());
                // Strictly better only: on a tie the earlier (simpler, listed first) setting stays.
                if best.as_ref().is_none_or(|(b, ..)| {
                    cand.dev_mean_dataset_accuracy > b.dev_mean_dataset_accuracy
                }) {
                    best = Some((cand, report, model));
                }
            }
        }
    }
    let (chosen, dev_report, dev_model) = best.context("no candidate trained")?;
    let temperature = fit_temperature(&dev_model, &dev);

    let final_docs: Vec<&Doc> = if opts.refit_all {
        docs.iter().collect()
    } else {
        train.clone()
    };
    let prepared = Prepared::new(chosen.config, &examples(&final_docs, opts), opts);
    let lr = prepared.logistic_regression(chosen.lambda, opts.max_iter);
    let nb = prepared.naive_bayes(opts.nb_alpha);
    let model = prepared.model(&lr, &nb, chosen.nb_mix, temperature);
    let bytes = model.to_bytes();
    Classifier::from_bytes(&bytes).context("written model does not read back")?;
    if let Some(parent) = opts.out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&opts.out, &bytes).with_context(|| format!("writing {}", opts.out.display()))?;
    Ok(TrainReport {
        train_docs: train.len(),
        dev_docs: dev.len(),
        grid,
        chosen,
        temperature,
        dev: dev_report,
        features: model.keys.len(),
        model_bytes: bytes.len(),
        refit_all: opts.refit_all,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The temperature T minimising the dev log-loss of softmax(z / T), searched on a log grid:
/// the log-linear mix of two models is sharper or flatter than a probability should be.
fn fit_temperature(model: &Model, dev: &[Doc]) -> f64 {
    let logits: Vec<([f32; CLASSES], usize)> = dev
        .iter()
        .filter_map(|d| {
            let x = model.vectorise(&d.title, &d.text);
            (!x.is_empty()).then(|| (model.scores(&x), d.label as usize))
        })
        .collect();
    let nll = |t: f64| -> f64 {
        logits
            .iter()
            .map(|(z, y)| {
                let z = z.map(|v| f64::from(v) / t);
                let m = z.iter().fold(f64::MIN, |a, &b| a.max(b));
                m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln() - z[*y]
            })
            .sum::<f64>()
    };
    (-30..=30)
        .map(|i| 2f64.powf(f64::from(i) / 10.0))
        .map(|t| (t, nll(t)))
        .fold(
            (1.0, f64::MAX),
            |best, (t, v)| if v < best.1 { (t, v) } else { best },
        )
        .0
}

fn read_training_data(data_dir: &Path) -> anyhow::Result<Vec<Doc>> {
    let mut docs = read_jsonl(&data_dir.join("topics/bbc/train.jsonl"))?;
    docs.extend(read_jsonl(
        &data_dir.join("topics/ag_news/train-from-test.jsonl"),
    )?);
    Ok(docs)
}

/// The `(train, dev)` split model selection uses, for baselines and error analysis.
pub fn split(data_dir: &Path, dev_every: u64) -> anyhow::Result<(Vec<Doc>, Vec<Doc>)> {
    let docs = read_training_data(data_dir)?;
    let mask = dev_mask(&docs, dev_every);
    let (dev, train): (Vec<_>, Vec<_>) = docs.into_iter().zip(mask).partition(|(_, m)| *m);
    Ok((
        train.into_iter().map(|(d, _)| d).collect(),
        dev.into_iter().map(|(d, _)| d).collect(),
    ))
}

/// One training row as the model sees it.
struct Example {
    title: String,
    text: String,
    label: usize,
}

/// The training rows, plus two kinds of derived rows that bridge long articles and short
/// summaries: the lead of each long article (a summary of it), and "digests" that join
/// `digest_size` short rows of one label (a long text on that label). Without digests the
/// long-text weights only know BBC 2004-05, whose "world" is UK politics, and international
/// news in full text reads as business.
fn examples(docs: &[&Doc], opts: &TrainOptions) -> Vec<Example> {
    let mut out = Vec::with_capacity(docs.len() * 2);
    let mut short: Vec<Vec<&Doc>> = vec![Vec::new(); CLASSES];
    for d in docs {
        out.push(Example {
            title: d.title.clone(),
            text: d.text.clone(),
            label: d.label as usize,
        });
        if opts.lead_copies && is_long(&d.text) {
            out.push(Example {
                title: d.title.clone(),
                text: lead(&d.text).to_string(),
                label: d.label as usize,
            });
        }
        if !is_long(&d.text) {
            short[d.label as usize].push(d);
        }
    }
    if opts.digest_size > 1 {
        for (label, mut rows) in short.into_iter().enumerate() {
            // Grouped in id-hash order: deterministic, and unrelated stories end up together.
            rows.sort_by_key(|d| fnv64(&d.id));
            for group in rows.chunks_exact(opts.digest_size) {
                let text = group
                    .iter()
                    .map(|d| format!("{}. {}", d.title, d.text))
                    .collect::<Vec<_>>()
                    .join("\n\n");
                out.push(Example {
                    title: String::new(),
                    text,
                    label,
                });
            }
        }
    }
    out
}

fn fnv64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Long enough to be a full article rather than a feed summary (same cut as the default features).
fn is_long(text: &str) -> bool {
    text.split_whitespace().count() > 100
}

/// The first paragraph, cut at a sentence end after about 200 characters: what a feed summary holds.
fn lead(text: &str) -> &str {
    let para = text.split("\n\n").next().unwrap_or(text);
    match para.char_indices().find(|&(i, c)| i >= 200 && c == '.') {
        Some((i, _)) => &para[..=i],
        None => para,
    }
}

/// A linear scorer in training precision.
struct Linear {
    weights: Vec<f64>,
    bias: [f64; CLASSES],
}

/// Vocabulary, idf and the TF-IDF matrix for one feature configuration.
struct Prepared {
    config: FeatureConfig,
    keys: Vec<u32>,
    idf: Vec<f32>,
    rows: Vec<Vec<(u32, f32)>>,
    labels: Vec<usize>,
    weights: Vec<f64>,
}

impl Prepared {
    fn new(config: FeatureConfig, examples: &[Example], opts: &TrainOptions) -> Prepared {
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
        let long: Vec<bool> = examples.iter().map(|e| is_long(&e.text)).collect();
        let n_long = long.iter().filter(|&&l| l).count();
        let weights = long
            .iter()
            .map(|&l| {
                let same = if l { n_long } else { long.len() - n_long };
                if opts.balance_lengths && same > 0 && same < long.len() {
                    long.len() as f64 / (2.0 * same as f64)
                } else {
                    1.0
                }
            })
            .collect();
        Prepared {
            config,
            keys,
            idf,
            rows,
            labels,
            weights,
        }
    }

    /// Weights (feature-major, `CLASSES` per term) and biases of L2-regularised multinomial
    /// logistic regression.
    fn logistic_regression(&self, lambda: f64, max_iter: usize) -> Linear {
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
    fn naive_bayes(&self, alpha: f64) -> Linear {
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
    fn model(&self, lr: &Linear, nb: &Linear, mix: f64, temperature: f64) -> Model {
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

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search.
/// Full-batch and single-threaded, so the result depends only on the data.
fn lbfgs(f: impl Fn(&[f64], &mut [f64]) -> f64, mut x: Vec<f64>, max_iter: usize) -> Vec<f64> {
    const MEMORY: usize = 10;
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut hist: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> = Default::default();
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    for _ in 0..max_iter {
        let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
        let mut alpha = Vec::with_capacity(hist.len());
        for (s, y, rho) in hist.iter().rev() {
            let a = rho * dot(s, &d);
            for (di, yi) in d.iter_mut().zip(y) {
                *di -= a * yi;
            }
            alpha.push(a);
        }
        let gamma = match hist.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / dot(&g, &g).sqrt().max(1e-12),
        };
        for v in &mut d {
            *v *= gamma;
        }
        for ((s, y, rho), a) in hist.iter().zip(alpha.iter().rev()) {
            let b = rho * dot(y, &d);
            for (di, si) in d.iter_mut().zip(s) {
                *di += (a - b) * si;
            }
        }
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (curvature broke down): restart from steepest descent.
            hist.clear();
            d = g.iter().map(|v| -v).collect();
            slope = -dot(&g, &g);
        }
        let mut step = 1.0;
        let f_new = loop {
            for i in 0..n {
                x_new[i] = x[i] + step * d[i];
            }
            let v = f(&x_new, &mut g_new);
            if v <= fx + 1e-4 * step * slope {
                break v;
            }
            step *= 0.5;
            if step < 1e-12 {
                return x;
            }
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 {
            if hist.len() == MEMORY {
                hist.pop_front();
            }
            hist.push_back((s, y, 1.0 / sy));
        }
        let improvement = (fx - f_new) / fx.abs().max(1e-12);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = f_new;
        if improvement < 1e-7 {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lbfgs_finds_a_quadratic_minimum() {
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            g[1] = 20.0 * (x[1] + 1.0);
            (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2)
        };
        let x = lbfgs(f, vec![0.0, 0.0], 100);
        assert!(
            (x[0] - 3.0).abs() < 1e-3 && (x[1] + 1.0).abs() < 1e-3,
            "{x:?}"
        );
    }

    #[test]
    fn lead_is_first_paragraph_cut_at_a_sentence() {
        let text = format!(
            "{}. Second sentence. More.\n\nNext paragraph.",
            "w ".repeat(110)
        );
        let l = lead(&text);
        assert!(l.ends_with("Second sentence.") || l.ends_with('.'));
        assert!(!l.contains("Next paragraph"));
    }
}
