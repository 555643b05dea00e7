//! `stringer eval ner FILE [--predictions OUT]`: tags the tokens of a CoNLL column file
//! document by document, writes each line with the predicted tag appended, and scores
//! entities exactly like `score_ner.py` (span and type must match). It must not change the
//! input lines and must not use the gold tags for anything but scoring.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::conll::{ColumnFile, iob2, spans};
use super::labels::{Span, spans_from_labels};
use super::model::Tagger;
use crate::model::EntityType;

/// Entity precision / recall / F1, overall and per type `(type, precision, recall, f1)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
    pub per_type: Vec<(String, f64, f64, f64)>,
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (t, p, r, f1) in &self.per_type {
            writeln!(f, "{t:6} precision {p:.4} recall {r:.4} F1 {f1:.4}")?;
        }
        write!(
            f,
            "F1 {:.4} precision {:.4} recall {:.4}",
            self.f1, self.precision, self.recall
        )
    }
}

/// True positives, gold and predicted entity counts per type.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    tp: BTreeMap<EntityType, usize>,
    gold: BTreeMap<EntityType, usize>,
    pred: BTreeMap<EntityType, usize>,
}

fn prf(tp: usize, gold: usize, pred: usize) -> (f64, f64, f64) {
    let p = if pred > 0 {
        tp as f64 / pred as f64
    } else {
        0.0
    };
    let r = if gold > 0 {
        tp as f64 / gold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

impl Counts {
    /// Adds one sentence's gold and predicted spans (each counted once, as a set).
    pub fn add(&mut self, gold: &[Span], pred: &[Span]) {
        let g: std::collections::BTreeSet<Span> = gold.iter().copied().collect();
        let p: std::collections::BTreeSet<Span> = pred.iter().copied().collect();
        for s in &g {
            *self.gold.entry(s.kind).or_default() += 1;
        }
        for s in &p {
            *self.pred.entry(s.kind).or_default() += 1;
        }
        for s in g.intersection(&p) {
            *self.tp.entry(s.kind).or_default() += 1;
        }
    }

    pub fn score(&self) -> Score {
        let mut kinds: Vec<EntityType> =
            self.gold.keys().chain(self.pred.keys()).copied().collect();
        kinds.sort_by_key(|k| k.to_string());
        kinds.dedup();
        let get = |m: &BTreeMap<EntityType, usize>, k| m.get(&k).copied().unwrap_or(0);
        let per_type = kinds
            .iter()
            .map(|&k| {
                let (p, r, f) = prf(get(&self.tp, k), get(&self.gold, k), get(&self.pred, k));
                (k.to_string(), p, r, f)
            })
            .collect();
        let sum = |m: &BTreeMap<EntityType, usize>| m.values().sum::<usize>();
        let (precision, recall, f1) = prf(sum(&self.tp), sum(&self.gold), sum(&self.pred));
        Score {
            f1,
            precision,
            recall,
            per_type,
        }
    }
}

/// Tags `input` and scores it against its last column; writes predictions if asked.
pub fn run(tagger: &Tagger, input: &Path, predictions: Option<&Path>) -> Result<Score> {
    let file = ColumnFile::read(input)?;
    let mut predicted: Vec<Option<String>> = vec![None; file.lines.len()];
    let mut counts = Counts::default();
    for doc in &file.documents {
        let words: Vec<&[String]> = doc.sentences.iter().map(|s| s.words.as_slice()).collect();
        let labels = tagger.tag_document(&words);
        for (s, l) in doc.sentences.iter().zip(&labels) {
            let pred = spans_from_labels(l);
            counts.add(&spans(&s.gold), &pred);
            for (line, tag) in s.lines.iter().zip(iob2(&pred, s.words.len())) {
                predicted[*line] = Some(tag);
            }
        }
    }
    if let Some(out) = predictions {
        let f =
            std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
        let mut w = std::io::BufWriter::new(f);
        for (line, tag) in file.lines.iter().zip(&predicted) {
            match tag {
                Some(t) => writeln!(w, "{line} {t}")?,
                // conlleval expects every non-blank line to carry a prediction.
                None if line.starts_with("-DOCSTART-") => writeln!(w, "{line} O")?,
                None => writeln!(w, "{line}")?,
            }
        }
        w.flush()?;
    }
    Ok(counts.score())
}
