//! `stringer train category` from start to end: model selection, temperature, refit, model file.
//! Training only; deterministic (no clock in the result, no thread-dependent order, no OS seed).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, ensure};

use super::dev_split::dev_mask;
use super::examples::examples;
use super::options::TrainOptions;
use super::prepared::Prepared;
use super::report::{Candidate, OtherCut, TrainReport};
use crate::category::classifier::Classifier;
use crate::category::corpus::{Doc, read_jsonl};
use crate::category::eval::{Report, evaluate};
use crate::category::model::{CLASSES, Model, softmax};

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

    let (grid, best) = select(opts, &train, &dev)?;
    let (chosen, dev_report, dev_model) = best.context("no candidate trained")?;
    let temperature = fit_temperature(&dev_model, &dev);
    let other = other_threshold(&dev_model, &dev, temperature, opts.other_right_share);

    let final_docs: Vec<&Doc> = if opts.refit_all {
        docs.iter().collect()
    } else {
        train.clone()
    };
    let mut model = refit(opts, &chosen, &final_docs, temperature);
    model.other_below = other.below;
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
        other,
        dev: dev_report,
        features: model.keys.len(),
        model_bytes: bytes.len(),
        refit_all: opts.refit_all,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The best grid setting so far, its dev report and its model.
type Best = Option<(Candidate, Report, Model)>;

/// Model selection: every feature set, L2 strength and naive Bayes share, trained on `train`
/// and scored on `dev` as shipped; returns the whole grid and the best setting.
fn select(
    opts: &TrainOptions,
    train: &[&Doc],
    dev: &[Doc],
) -> anyhow::Result<(Vec<Candidate>, Best)> {
    let mut grid = Vec::new();
    let mut best: Best = None;
    for &config in &opts.configs {
        let prepared = Prepared::new(config, &examples(train, opts), opts);
        let nb = prepared.naive_bayes(opts.nb_alpha);
        for &lambda in &opts.lambdas {
            let lr = prepared.logistic_regression(lambda, opts.max_iter);
            for &nb_mix in &opts.nb_mixes {
                let model = prepared.model(&lr, &nb, nb_mix, 1.0);
                // Score what would ship: the quantised file, read back.
                let shipped = Classifier::from_bytes(&model.to_bytes())?;
                let report = evaluate(&shipped, dev);
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
    Ok((grid, best))
}

/// The chosen setting trained on `docs`, with the fitted temperature.
fn refit(opts: &TrainOptions, chosen: &Candidate, docs: &[&Doc], temperature: f64) -> Model {
    let prepared = Prepared::new(chosen.config, &examples(docs, opts), opts);
    let lr = prepared.logistic_regression(chosen.lambda, opts.max_iter);
    let nb = prepared.naive_bayes(opts.nb_alpha);
    prepared.model(&lr, &nb, chosen.nb_mix, temperature)
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

/// The `other` threshold: the dev confidence (softmax of the logits over `temperature`, as
/// shipped) below which `right_share` of the right dev answers fall, rounded to hundredths.
fn other_threshold(model: &Model, dev: &[Doc], temperature: f64, right_share: f64) -> OtherCut {
    let mut right = Vec::new();
    let mut wrong = Vec::new();
    for d in dev {
        let x = model.vectorise(&d.title, &d.text);
        if x.is_empty() {
            continue;
        }
        let z = model
            .scores(&x)
            .map(|v| (f64::from(v) / temperature) as f32);
        let p = softmax(z);
        let best = (0..CLASSES).fold(0, |b, k| if p[k] > p[b] { k } else { b });
        if best == d.label as usize {
            right.push(p[best]);
        } else {
            wrong.push(p[best]);
        }
    }
    right.sort_by(f32::total_cmp);
    let cut = |share: f64| {
        let at = ((right.len() as f64 * share) as usize).min(right.len().saturating_sub(1));
        right.get(at).map_or(0.0, |p| (p * 100.0).round() / 100.0)
    };
    let below = cut(right_share);
    let under =
        |v: &[f32], c: f32| v.iter().filter(|&&p| p < c).count() as f64 / v.len().max(1) as f64;
    OtherCut {
        below,
        right_below: under(&right, below),
        wrong_below: under(&wrong, below),
        alternatives: [0.02, 0.05, 0.1, 0.15, 0.2].map(|s| (s, cut(s), under(&wrong, cut(s)))),
    }
}

pub(super) fn read_training_data(data_dir: &Path) -> anyhow::Result<Vec<Doc>> {
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
