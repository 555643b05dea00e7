//! The learned candidate scorer: a logistic regression over [`features`](super::features),
//! trained by `stringer train keyphrases` on the KPCrowd dev documents and embedded from
//! `models/keyphrase_scorer.txt`. It must not read files at run time nor train (that is
//! `learn`, training code).
//!
//! Format (UTF-8 text, one item a line): `stringer-keyphrase-scorer 1`, then `bias <w>`, then
//! `<feature name> <w>` for every feature in order. Weights apply to the raw features.

use std::fmt::Write as _;
use std::sync::OnceLock;

use anyhow::{Context, ensure};

use super::features::{N, NAMES};

const HEADER: &str = "stringer-keyphrase-scorer 1";

static EMBEDDED: &str = include_str!("../../models/keyphrase_scorer.txt");

#[derive(Debug, Clone, PartialEq)]
pub struct Scorer {
    pub bias: f32,
    pub weights: [f32; N],
}

impl Scorer {
    /// # Panics
    /// If the committed model is corrupt; a unit test parses it, so this cannot ship.
    pub fn embedded() -> &'static Scorer {
        static CELL: OnceLock<Scorer> = OnceLock::new();
        CELL.get_or_init(|| {
            Scorer::parse(EMBEDDED).expect("embedded models/keyphrase_scorer.txt is valid")
        })
    }

    /// The log-odds that a candidate with features `x` is a keyphrase.
    pub fn score(&self, x: &[f32; N]) -> f32 {
        self.bias + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f32>()
    }

    pub fn parse(text: &str) -> anyhow::Result<Scorer> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        ensure!(lines.next() == Some(HEADER), "keyphrase scorer: bad header");
        let mut value = |name: &str| -> anyhow::Result<f32> {
            let line = lines
                .next()
                .with_context(|| format!("keyphrase scorer: missing {name}"))?;
            let (got, v) = line
                .split_once(' ')
                .with_context(|| format!("keyphrase scorer: bad line {line:?}"))?;
            ensure!(
                got == name,
                "keyphrase scorer: expected {name}, found {got}"
            );
            v.trim()
                .parse()
                .with_context(|| format!("keyphrase scorer: bad weight for {name}"))
        };
        let bias = value("bias")?;
        let mut weights = [0.0; N];
        for (w, name) in weights.iter_mut().zip(NAMES) {
            *w = value(name)?;
        }
        Ok(Scorer { bias, weights })
    }

    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\nbias {}\n", self.bias);
        for (name, w) in NAMES.iter().zip(&self.weights) {
            let _ = writeln!(out, "{name} {w}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads_and_round_trips() {
        let s = Scorer::embedded();
        assert_eq!(NAMES.len(), N);
        assert_eq!(&Scorer::parse(&s.to_text()).unwrap(), s);
        assert!(Scorer::parse("nonsense").is_err());
    }
}
