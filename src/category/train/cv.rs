//! `stringer train category --folds K`: k-fold cross-validation of the model-selection grid
//! over duplicate-aware folds, with accuracy per dataset and the confidence of right and wrong
//! out-of-fold answers (what the `other` threshold is chosen from). Training only; writes nothing.

use std::fmt;

use super::dev_split::folds;
use super::examples::examples;
use super::options::TrainOptions;
use super::prepared::Prepared;
use super::run::read_training_data;
use crate::category::classifier::Classifier;
use crate::category::corpus::Doc;
use crate::category::features::FeatureConfig;

/// One grid setting's out-of-fold results.
#[derive(Debug, Clone)]
pub struct CvRow {
    pub config: FeatureConfig,
    pub lambda: f64,
    pub nb_mix: f64,
    /// `(dataset, documents, correct)`.
    pub per_dataset: Vec<(String, usize, usize)>,
    /// Probability of the best label for every out-of-fold document, with whether it was right.
    pub confidences: Vec<(f32, bool)>,
}

impl CvRow {
    pub fn mean_dataset_accuracy(&self) -> f64 {
        let n = self.per_dataset.len().max(1) as f64;
        self.per_dataset
            .iter()
            .map(|(_, n, c)| *c as f64 / (*n).max(1) as f64)
            .sum::<f64>()
            / n
    }
}

#[derive(Debug, Clone)]
pub struct CvReport {
    pub folds: u64,
    pub rows: Vec<CvRow>,
    pub seconds: f64,
}

pub fn cross_validate(opts: &TrainOptions, k: u64) -> anyhow::Result<CvReport> {
    let started = std::time::Instant::now();
    let docs = read_training_data(&opts.data_dir)?;
    let fold = folds(&docs, k);
    let mut rows: Vec<CvRow> = Vec::new();
    for f in 0..k {
        let train: Vec<&Doc> = docs
            .iter()
            .zip(&fold)
            .filter(|(_, g)| **g != f)
            .map(|(d, _)| d)
            .collect();
        let test: Vec<&Doc> = docs
            .iter()
            .zip(&fold)
            .filter(|(_, g)| **g == f)
            .map(|(d, _)| d)
            .collect();
        let mut i = 0;
        for &config in &opts.configs {
            let prepared = Prepared::new(config, &examples(&train, opts), opts);
            let nb = prepared.naive_bayes(opts.nb_alpha);
            for &lambda in &opts.lambdas {
                let lr = prepared.logistic_regression(lambda, opts.max_iter);
                for &nb_mix in &opts.nb_mixes {
                    let model = prepared.model(&lr, &nb, nb_mix, 1.0);
                    let shipped = Classifier::from_bytes(&model.to_bytes())?;
                    if rows.len() == i {
                        rows.push(CvRow {
                            config,
                            lambda,
                            nb_mix,
                            per_dataset: Vec::new(),
                            confidences: Vec::new(),
                        });
                    }
                    score(&shipped, &test, &mut rows[i]);
                    i += 1;
                }
            }
        }
    }
    Ok(CvReport {
        folds: k,
        rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn score(c: &Classifier, test: &[&Doc], row: &mut CvRow) {
    for d in test {
        let best = c.best(&d.title, &d.text);
        let ok = best.is_some_and(|(l, _)| l == d.label);
        row.confidences.push((best.map_or(0.0, |b| b.1), ok));
        let ds = d.dataset();
        match row.per_dataset.iter_mut().find(|(name, ..)| name == ds) {
            Some(e) => {
                e.1 += 1;
                e.2 += usize::from(ok);
            }
            None => row.per_dataset.push((ds.to_string(), 1, usize::from(ok))),
        }
    }
}

impl fmt::Display for CvReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}-fold cross-validation (duplicate-aware folds), {:.1} s",
            self.folds, self.seconds
        )?;
        for r in &self.rows {
            write!(
                f,
                "  {} lambda={:e} nb_mix={}: mean {:.4}",
                super::report::describe(&r.config),
                r.lambda,
                r.nb_mix,
                r.mean_dataset_accuracy()
            )?;
            for (ds, n, c) in &r.per_dataset {
                write!(f, "  {ds} {:.4} ({c}/{n})", *c as f64 / (*n).max(1) as f64)?;
            }
            writeln!(f)?;
        }
        if let Some(best) = self.rows.iter().max_by(|a, b| {
            a.mean_dataset_accuracy()
                .total_cmp(&b.mean_dataset_accuracy())
        }) {
            writeln!(f, "confidence of the best setting's out-of-fold answers:")?;
            write_confidences(f, &best.confidences)?;
        }
        Ok(())
    }
}

/// Share of right and wrong answers under each confidence cut.
fn write_confidences(f: &mut fmt::Formatter<'_>, c: &[(f32, bool)]) -> fmt::Result {
    let right = c.iter().filter(|x| x.1).count().max(1) as f64;
    let wrong = c.iter().filter(|x| !x.1).count().max(1) as f64;
    for cut in [0.3f32, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8] {
        let r = c.iter().filter(|x| x.1 && x.0 < cut).count() as f64;
        let w = c.iter().filter(|x| !x.1 && x.0 < cut).count() as f64;
        writeln!(
            f,
            "  below {cut:.2}: {:5.1}% of right answers, {:5.1}% of wrong ones",
            100.0 * r / right,
            100.0 * w / wrong
        )?;
    }
    Ok(())
}
