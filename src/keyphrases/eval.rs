//! Scores keyphrases against a dataset shaped like 500N-KPCrowd (`docsutf8/<id>.txt`,
//! `keys/<id>.key`) the way `shared/tools/score_keyphrases.py` does: the first 10 distinct
//! predictions per document, whole phrases matched after lower-casing, splitting into `\w+`
//! words and stemming; P, R and F1 averaged over documents with gold phrases.
//! It stems with Porter2 where the Python scorer uses the original Porter, so a few matches can
//! differ; the Python scorer is the reference. It must not tune anything.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use anyhow::Context;

use super::extract::extract_with;
use super::params::Params;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
    pub documents: usize,
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "F1@10 {:.4} P@10 {:.4} R@10 {:.4} documents {}",
            self.f1, self.p, self.r, self.documents
        )
    }
}

/// Scores `predictions` (JSON lines `{"id", "keyphrases"}`) or, when `None`, this crate's own
/// `extract` run over the dataset's documents.
pub fn run(dataset_dir: &Path, predictions: Option<&Path>) -> anyhow::Result<Score> {
    let pred = match predictions {
        Some(p) => read_predictions(p)?,
        None => predict(dataset_dir, &Params::default())?,
    };
    score(dataset_dir, &pred)
}

/// One document of the dataset: `(id, title, text)`; the first line of the file is its title.
pub fn documents(dataset_dir: &Path) -> anyhow::Result<Vec<(String, String, String)>> {
    let dir = dataset_dir.join("docsutf8");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let raw = std::fs::read(dir.join(&name))?;
        let text = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        let (title, body) = text.split_once('\n').unwrap_or((&text, ""));
        out.push((
            name.trim_end_matches(".txt").to_string(),
            title.trim().to_string(),
            body.trim().to_string(),
        ));
    }
    Ok(out)
}

pub fn predict(
    dataset_dir: &Path,
    params: &Params,
) -> anyhow::Result<HashMap<String, Vec<String>>> {
    Ok(documents(dataset_dir)?
        .into_iter()
        .map(|(id, title, text)| {
            let k = extract_with(params, &title, &text, Some("en"), 10);
            (id, k)
        })
        .collect())
}

fn read_predictions(path: &Path) -> anyhow::Result<HashMap<String, Vec<String>>> {
    #[derive(serde::Deserialize)]
    struct Row {
        id: serde_json::Value,
        #[serde(default)]
        keyphrases: Vec<String>,
    }
    let raw =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = HashMap::new();
    for line in raw.lines().filter(|l| !l.trim().is_empty()) {
        let row: Row =
            serde_json::from_str(line).with_context(|| format!("parsing {}", path.display()))?;
        let id = match row.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        out.insert(id, row.keyphrases);
    }
    Ok(out)
}

pub(super) fn norm(phrase: &str) -> String {
    let stemmer = crate::text::stemmer();
    let lower = phrase.to_lowercase();
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(|w| stemmer.stem(w).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The gold phrases of every document with a key file, normalised, sorted and distinct.
pub(super) fn gold_phrases(dataset_dir: &Path) -> anyhow::Result<HashMap<String, Vec<String>>> {
    let keys = dataset_dir.join("keys");
    let names: Vec<_> = std::fs::read_dir(&keys)
        .with_context(|| format!("reading {}", keys.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    let mut out = HashMap::new();
    for name in names {
        let doc = name.rsplit_once('.').map_or(name.as_str(), |(d, _)| d);
        let raw = std::fs::read(keys.join(&name))?;
        let mut gold: Vec<String> = String::from_utf8_lossy(&raw)
            .lines()
            .map(norm)
            .filter(|g| !g.is_empty())
            .collect();
        gold.sort();
        gold.dedup();
        out.insert(doc.to_string(), gold);
    }
    Ok(out)
}

pub fn score(dataset_dir: &Path, pred: &HashMap<String, Vec<String>>) -> anyhow::Result<Score> {
    let gold = gold_phrases(dataset_dir)?;
    let mut ids: Vec<&String> = gold.keys().collect();
    ids.sort();
    let (mut ps, mut rs, mut fs) = (0.0, 0.0, 0.0);
    let mut n = 0;
    for doc in ids {
        let gold = &gold[doc];
        if gold.is_empty() {
            continue;
        }
        let (p, r, f) = document_prf(gold, pred.get(doc).map_or(&[][..], Vec::as_slice));
        ps += p;
        rs += r;
        fs += f;
        n += 1;
    }
    let d = n.max(1) as f64;
    Ok(Score {
        p: ps / d,
        r: rs / d,
        f1: fs / d,
        documents: n,
    })
}

/// Precision, recall and F1 of the first 10 distinct normalised `predicted` phrases against
/// the sorted, normalised `gold` phrases.
pub(super) fn document_prf(gold: &[String], predicted: &[String]) -> (f64, f64, f64) {
    let mut top: Vec<String> = Vec::new();
    for k in predicted {
        let k = norm(k);
        if !k.is_empty() && !top.contains(&k) {
            top.push(k);
        }
        if top.len() == 10 {
            break;
        }
    }
    let hit = top.iter().filter(|k| gold.binary_search(k).is_ok()).count() as f64;
    let p = if top.is_empty() {
        0.0
    } else {
        hit / top.len() as f64
    };
    let r = hit / gold.len() as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}
