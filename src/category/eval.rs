//! Scores a classifier on labelled JSON lines shaped like the topics data: accuracy, per-label
//! precision/recall/F1, macro-F1, a confusion matrix and accuracy per dataset (id prefix).
//! It must not train or tune anything.

use std::fmt;
use std::path::Path;

use super::classifier::Classifier;
use super::corpus::{Doc, read_jsonl};
use crate::model::Category;

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub n: usize,
    pub correct: usize,
    /// Documents the classifier returned `None` for, by gold label; they count as errors.
    pub abstained: [u32; 5],
    /// `confusion[gold][predicted]`, in `Category::ALL` order.
    pub confusion: [[u32; 5]; 5],
    /// `(dataset, documents, correct)`, in order of first appearance.
    pub per_dataset: Vec<(String, usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u32,
}

impl Report {
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.n)
    }

    pub fn label(&self, c: Category) -> LabelScore {
        let i = c as usize;
        let tp = f64::from(self.confusion[i][i]);
        let predicted: u32 = self.confusion.iter().map(|row| row[i]).sum();
        let support: u32 = self.confusion[i].iter().sum::<u32>() + self.abstained[i];
        let precision = if predicted > 0 {
            tp / f64::from(predicted)
        } else {
            0.0
        };
        let recall = if support > 0 {
            tp / f64::from(support)
        } else {
            0.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        LabelScore {
            precision,
            recall,
            f1,
            support,
        }
    }

    /// Mean F1 over labels that occur in the gold data or the predictions.
    pub fn macro_f1(&self) -> f64 {
        let used: Vec<f64> = Category::ALL
            .into_iter()
            .filter(|&c| {
                let i = c as usize;
                self.label(c).support > 0 || self.confusion.iter().any(|r| r[i] > 0)
            })
            .map(|c| self.label(c).f1)
            .collect();
        if used.is_empty() {
            0.0
        } else {
            used.iter().sum::<f64>() / used.len() as f64
        }
    }

    /// Unweighted mean of the per-dataset accuracies: the model-selection criterion, so the
    /// short AG rows (more numerous) do not drown the long BBC articles.
    pub fn mean_dataset_accuracy(&self) -> f64 {
        if self.per_dataset.is_empty() {
            return 0.0;
        }
        self.per_dataset
            .iter()
            .map(|(_, n, c)| ratio(*c, *n))
            .sum::<f64>()
            / self.per_dataset.len() as f64
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

pub fn evaluate(c: &Classifier, docs: &[Doc]) -> Report {
    let mut r = Report::default();
    for d in docs {
        // The most likely of the five, as the benchmarks score (they have no `other`).
        let pred = c.best(&d.title, &d.text).map(|(p, _)| p);
        let ok = pred == Some(d.label);
        r.n += 1;
        r.correct += usize::from(ok);
        match pred {
            Some(p) => r.confusion[d.label as usize][p as usize] += 1,
            None => r.abstained[d.label as usize] += 1,
        }
        let ds = d.dataset();
        match r.per_dataset.iter_mut().find(|(name, ..)| name == ds) {
            Some(e) => {
                e.1 += 1;
                e.2 += usize::from(ok);
            }
            None => r.per_dataset.push((ds.to_string(), 1, usize::from(ok))),
        }
    }
    r
}

pub fn run(c: &Classifier, jsonl: &Path) -> anyhow::Result<Report> {
    Ok(evaluate(c, &read_jsonl(jsonl)?))
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "documents {}  accuracy {:.4}  macro-F1 {:.4}  abstained {}",
            self.n,
            self.accuracy(),
            self.macro_f1(),
            self.abstained.iter().sum::<u32>()
        )?;
        for (ds, n, c) in &self.per_dataset {
            writeln!(f, "  {ds:<14} {n:>5} docs  accuracy {:.4}", ratio(*c, *n))?;
        }
        writeln!(
            f,
            "  {:<14} {:>9} {:>9} {:>9} {:>8}",
            "label", "precision", "recall", "F1", "support"
        )?;
        for c in Category::ALL {
            let s = self.label(c);
            writeln!(
                f,
                "  {:<14} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                c.as_str(),
                s.precision,
                s.recall,
                s.f1,
                s.support
            )?;
        }
        write!(
            f,
            "  confusion (rows gold, columns predicted):\n  {:<14}",
            ""
        )?;
        for c in Category::ALL {
            write!(f, " {:>6.6}", c.as_str())?;
        }
        for c in Category::ALL {
            write!(f, "\n  {:<14}", c.as_str())?;
            for v in self.confusion[c as usize] {
                write!(f, " {v:>6}")?;
            }
        }
        Ok(())
    }
}
