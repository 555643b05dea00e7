//! Builds the keyphrase df table from the shared news corpora (`stringer train keyphrases`).
//! Training only; only stem hashes and counts may go in (the corpora are research-only).

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use anyhow::{Context, ensure};

use super::table::{DocFreq, stem_hash};
use crate::text::tokenize::{Kind, tokens};

impl DocFreq {
    /// Counts each stem once per document; stems in fewer than `min_df` documents are left out
    /// (they get the unseen-stem idf, which is almost the same).
    pub fn from_documents<'a>(docs: impl IntoIterator<Item = &'a str>, min_df: u32) -> DocFreq {
        let stemmer = crate::text::stemmer();
        let mut df: HashMap<u32, u32> = HashMap::new();
        let mut documents = 0u32;
        let mut seen = Vec::new();
        let mut lower = String::new();
        for doc in docs {
            documents += 1;
            seen.clear();
            for t in tokens(doc) {
                if t.kind == Kind::Punct {
                    continue;
                }
                lower.clear();
                lower.extend(t.text.chars().flat_map(char::to_lowercase));
                seen.push(stem_hash(&stemmer.stem(&lower)));
            }
            seen.sort_unstable();
            seen.dedup();
            for &k in &seen {
                *df.entry(k).or_default() += 1;
            }
        }
        let mut entries: Vec<(u32, u32)> = df.into_iter().filter(|&(_, n)| n >= min_df).collect();
        entries.sort_unstable();
        DocFreq {
            documents,
            keys: entries.iter().map(|e| e.0).collect(),
            counts: entries
                .iter()
                .map(|e| e.1.min(u32::from(u16::MAX)) as u16)
                .collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Holds `topics/bbc/train.jsonl`, `topics/ag_news/train-from-test.jsonl` and
    /// `extraction/scrapinghub-dev/ground-truth.json`.
    pub data_dir: PathBuf,
    pub out: PathBuf,
    pub min_df: u32,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            data_dir: PathBuf::from("../shared/data"),
            out: PathBuf::from("models/keyphrase_df.bin"),
            min_df: 2,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    pub documents: u32,
    pub entries: usize,
    pub bytes: usize,
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "keyphrase df table: {} documents, {} stems, {} bytes",
            self.documents, self.entries, self.bytes
        )
    }
}

/// Builds the table from every news text in the shared data (topic rows and extraction
/// ground truth) and writes it to `opts.out`.
pub fn build(opts: &BuildOptions) -> anyhow::Result<BuildReport> {
    let mut texts: Vec<String> = Vec::new();
    for rel in [
        "topics/bbc/train.jsonl",
        "topics/ag_news/train-from-test.jsonl",
    ] {
        let path = opts.data_dir.join(rel);
        let raw = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        for line in raw.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("parsing {}", path.display()))?;
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            texts.push(format!("{}\n{}", field("title"), field("text")));
        }
    }
    let gt = opts
        .data_dir
        .join("extraction/scrapinghub-dev/ground-truth.json");
    if let Ok(raw) = std::fs::read_to_string(&gt) {
        let v: serde_json::Value =
            serde_json::from_str(&raw).with_context(|| format!("parsing {}", gt.display()))?;
        if let Some(map) = v.as_object() {
            texts.extend(
                map.values()
                    .filter_map(|p| p.get("articleBody")?.as_str().map(str::to_string)),
            );
        }
    }
    ensure!(
        !texts.is_empty(),
        "no news text found under {}",
        opts.data_dir.display()
    );
    let table = DocFreq::from_documents(texts.iter().map(String::as_str), opts.min_df);
    let bytes = table.to_bytes();
    if let Some(parent) = opts.out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&opts.out, &bytes).with_context(|| format!("writing {}", opts.out.display()))?;
    Ok(BuildReport {
        documents: table.documents,
        entries: table.keys.len(),
        bytes: bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_ranks_rare_words_higher() {
        let docs = ["the cat sat", "the dog sat", "the cats ran", "a bird"];
        let t = DocFreq::from_documents(docs, 1);
        let back = DocFreq::from_bytes(&t.to_bytes()).unwrap();
        assert_eq!(back.documents, 4);
        assert!(back.idf("the") < back.idf("cat"));
        assert!(back.idf("cat") < back.idf("zebra"));
        let mut bad = t.to_bytes();
        bad[20] ^= 1;
        assert!(DocFreq::from_bytes(&bad).is_err());
    }
}
