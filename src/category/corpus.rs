//! Reads topic-labelled JSON lines (`{"id", "label", "title", "text"}`), for evaluation and
//! training. It must not featurise, train or split.

use std::path::Path;

use anyhow::Context;

use crate::model::Category;

#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub label: Category,
    pub title: String,
    pub text: String,
}

impl Doc {
    /// The dataset an id belongs to ("bbc", "ag_news"): the part before the first `/`.
    pub fn dataset(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }
}

#[derive(serde::Deserialize)]
struct Row {
    #[serde(default)]
    id: String,
    label: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

pub fn read_jsonl(path: &Path) -> anyhow::Result<Vec<Doc>> {
    let raw =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut docs = Vec::new();
    for (n, line) in raw.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Row = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a topic row", path.display(), n + 1))?;
        let label = row
            .label
            .parse()
            .with_context(|| format!("{}:{}", path.display(), n + 1))?;
        let id = if row.id.is_empty() {
            format!("line/{}", n + 1)
        } else {
            row.id
        };
        docs.push(Doc {
            id,
            label,
            title: row.title,
            text: row.text,
        });
    }
    Ok(docs)
}
