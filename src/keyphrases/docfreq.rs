//! Document frequencies of word stems in news text, for the "how unusual is this word" part of
//! keyphrase scoring: built from the shared news corpora by `build`, shipped as a small table
//! of stem hashes (`models/keyphrase_df.bin`), embedded in the binary.
//! It must not ship any text: the corpora are research-only, so only hashes and counts go in.
//!
//! Format, little-endian: magic `STRKDF\0\x01`; documents u32; entries u32; sorted stem hashes
//! u32[n]; document counts u16[n] (saturating); FNV-1a 32 checksum of everything before it.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{Context, ensure};

use crate::text::tokenize::{Kind, tokens};

const MAGIC: &[u8; 8] = b"STRKDF\0\x01";

/// Relative to this file in both the scratch crate and the daemon: `<crate>/models/keyphrase_df.bin`.
static EMBEDDED: &[u8] = include_bytes!("../../models/keyphrase_df.bin");

#[derive(Debug, Clone)]
pub struct DocFreq {
    documents: u32,
    keys: Vec<u32>,
    counts: Vec<u16>,
}

impl DocFreq {
    /// # Panics
    /// If the committed table is corrupt; a unit test parses it, so this cannot ship.
    pub fn embedded() -> &'static DocFreq {
        static CELL: OnceLock<DocFreq> = OnceLock::new();
        CELL.get_or_init(|| {
            DocFreq::from_bytes(EMBEDDED).expect("embedded models/keyphrase_df.bin is valid")
        })
    }

    /// Smoothed inverse document frequency of a stem; a stem never seen gets the highest value,
    /// which is right for the names that make most keyphrases.
    pub fn idf(&self, stem: &str) -> f32 {
        let df = self
            .keys
            .binary_search(&stem_hash(stem))
            .map_or(0, |i| u32::from(self.counts[i]));
        ((1.0 + self.documents as f32) / (1.0 + df as f32)).ln() + 1.0
    }

    pub fn from_bytes(b: &[u8]) -> anyhow::Result<DocFreq> {
        ensure!(
            b.len() >= 20 && &b[..8] == MAGIC,
            "keyphrase df table: bad magic or version"
        );
        let (body, tail) = b.split_at(b.len() - 4);
        ensure!(
            checksum(body).to_le_bytes() == tail,
            "keyphrase df table: checksum mismatch (corrupt file)"
        );
        let word = |i: usize| u32::from_le_bytes(body[i..i + 4].try_into().unwrap_or_default());
        let documents = word(8);
        let n = word(12) as usize;
        ensure!(
            body.len() == 16 + n * 6,
            "keyphrase df table: size does not match {n} entries"
        );
        let keys: Vec<u32> = (0..n).map(|i| word(16 + 4 * i)).collect();
        ensure!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keyphrase df table: keys not sorted"
        );
        let base = 16 + 4 * n;
        let counts = (0..n)
            .map(|i| u16::from_le_bytes([body[base + 2 * i], body[base + 2 * i + 1]]))
            .collect();
        Ok(DocFreq {
            documents,
            keys,
            counts,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.keys.len() * 6);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.documents.to_le_bytes());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for c in &self.counts {
            out.extend_from_slice(&c.to_le_bytes());
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

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

/// FNV-1a 32 of the stem's bytes: stable across platforms and Rust versions.
fn stem_hash(stem: &str) -> u32 {
    checksum(stem.as_bytes())
}

fn checksum(b: &[u8]) -> u32 {
    b.iter().fold(0x811c_9dc5, |h, &x| {
        (h ^ u32::from(x)).wrapping_mul(0x0100_0193)
    })
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

    #[test]
    fn embedded_table_loads() {
        let t = DocFreq::embedded();
        assert!(t.documents > 1000);
        assert!(t.idf("said") < t.idf("microelectron"));
    }
}
