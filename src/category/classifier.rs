//! The category classifier the daemon uses: the embedded model and the decision for one article.
//! It must not read files or the network, and must not guess on non-English text.

use std::sync::OnceLock;

use super::features;
use super::model::Model;
use crate::model::Category;
use crate::text::language::is_english;

/// A loaded category model. Cheap to share: classification takes `&self` only.
#[derive(Debug)]
pub struct Classifier {
    model: Model,
}

/// Relative to this file in both the scratch crate and the daemon: `<crate>/models/category.bin`.
static EMBEDDED_MODEL: &[u8] = include_bytes!("../../models/category.bin");

impl Classifier {
    /// The model committed with the code, parsed on first use.
    ///
    /// # Panics
    /// If the committed model file is corrupt; a unit test parses it, so this cannot ship.
    pub fn embedded() -> &'static Classifier {
        static CELL: OnceLock<Classifier> = OnceLock::new();
        CELL.get_or_init(|| {
            Classifier::from_bytes(EMBEDDED_MODEL).expect("embedded models/category.bin is valid")
        })
    }

    pub fn from_bytes(b: &[u8]) -> anyhow::Result<Classifier> {
        Ok(Classifier {
            model: Model::from_bytes(b)?,
        })
    }

    /// The category and the probability of the most likely of the five labels, or `None` for
    /// non-English or empty input. Below the model's confidence threshold the category is
    /// [`Category::Other`] (the probability stays that of the best label). `language` is an ISO
    /// 639-1/639-3 code or English name; `None` means unknown and is treated as English, since
    /// the stage only calls us after language detection.
    pub fn classify(
        &self,
        title: &str,
        text: &str,
        language: Option<&str>,
    ) -> Option<(Category, f32)> {
        if !language.is_none_or(is_english) {
            return None;
        }
        let (best, p) = self.best(title, text)?;
        if p < self.model.other_below {
            return Some((Category::Other, p));
        }
        Some((best, p))
    }

    /// The most likely of the five labels and its probability, whatever the confidence (what
    /// the benchmarks score: they have no `other`); `None` when no term is known.
    pub fn best(&self, title: &str, text: &str) -> Option<(Category, f32)> {
        let probs = self.model.probabilities(title, text)?;
        let (best, p) = probs
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |acc, (i, p)| if p > acc.1 { (i, p) } else { acc },
            );
        Some((Category::ALL[best], p))
    }

    /// The probability below which an article is `other`.
    pub fn other_below(&self) -> f32 {
        self.model.other_below
    }

    /// The `n` terms that pushed hardest towards each category, as `(term, category, weight)`,
    /// strongest first: for debugging a decision, not for the hot path.
    pub fn explain(&self, title: &str, text: &str, n: usize) -> Vec<(String, Category, f32)> {
        let m = &self.model;
        let x = m.vectorise(title, text);
        let words = features::word_count(text);
        let mut out = Vec::new();
        for (term, key) in features::named_terms(&m.config, title, text) {
            for k in [key, features::tagged(&m.config, key, words)] {
                let Ok(i) = m.keys.binary_search(&k) else {
                    continue;
                };
                let Some(&(_, v)) = x.iter().find(|(j, _)| *j as usize == i) else {
                    continue;
                };
                for c in Category::ALL {
                    let w = v * m.weights[i][c as usize];
                    if w > 0.0 {
                        let label = if k == key {
                            term.clone()
                        } else {
                            format!("{term} (tagged)")
                        };
                        out.push((label, c, w));
                    }
                }
            }
        }
        out.sort_by(|a, b| b.2.total_cmp(&a.2));
        out.truncate(n);
        out
    }

    /// Probability of each category in `Category::ALL` order, or `None` when nothing in the
    /// text is known to the model.
    pub fn probabilities(&self, title: &str, text: &str) -> Option<[f32; 5]> {
        self.model.probabilities(title, text)
    }
}
