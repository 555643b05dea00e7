//! Scores main-text extraction the way the ScrapingHub article-extraction benchmark does, and
//! runs the cleaner over a benchmark folder.
//!
//! [`score`] must agree with `shared/tools/score_extraction.py` to the third decimal: words
//! are Python's `\w+` (letters, numbers and `_`, not combining marks), texts become multisets
//! of word 4-grams, each page's tp/fp/fn are normalised to sum 1, precision and recall are
//! averaged over the pages where they are defined, and F1 comes from the two averages.
//! Only [`run`] touches the file system; nothing here may feed back into the cleaner.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

use anyhow::Context;

#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Score {
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
    pub pages: usize,
}

/// Per-page normalised counts, for finding the pages that score worst.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PageCounts {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

impl PageCounts {
    pub fn precision(&self) -> f64 {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else if self.tp + self.fp > 0.0 {
            self.tp / (self.tp + self.fp)
        } else {
            0.0
        }
    }

    pub fn recall(&self) -> f64 {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else if self.tp + self.fn_ > 0.0 {
            self.tp / (self.tp + self.fn_)
        } else {
            0.0
        }
    }
}

// Python's `re.UNICODE` `\w`: str.isalnum() or '_' — unlike Rust's `\w`, no combining marks.
static WORD: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"[\p{L}\p{N}_]+").expect("static regex"));

fn shingles(text: &str) -> HashMap<Vec<&str>, i64> {
    let words: Vec<&str> = WORD.find_iter(text).map(|m| m.as_str()).collect();
    let mut out = HashMap::new();
    if words.is_empty() {
        return out;
    }
    if words.len() < 4 {
        out.insert(words, 1);
        return out;
    }
    for w in words.windows(4) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// tp/fp/fn of one page, normalised to sum 1 (all zero when both texts have no words).
pub fn page_counts(gold: &str, pred: &str) -> PageCounts {
    let t = shingles(gold);
    let p = shingles(pred);
    let mut tp = 0i64;
    let mut fn_ = 0i64;
    for (k, &c) in &t {
        let pc = p.get(k).copied().unwrap_or(0);
        tp += c.min(pc);
        fn_ += (c - pc).max(0);
    }
    let fp: i64 = p
        .iter()
        .map(|(k, &c)| (c - t.get(k).copied().unwrap_or(0)).max(0))
        .sum();
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 {
        return PageCounts::default();
    }
    PageCounts {
        tp: tp as f64 / total,
        fp: fp as f64 / total,
        fn_: fn_ as f64 / total,
    }
}

/// Scores predictions against gold texts; a page missing from `pred` counts as empty.
pub fn score(gold: &BTreeMap<String, String>, pred: &BTreeMap<String, String>) -> Score {
    let rows: Vec<PageCounts> = gold
        .iter()
        .map(|(k, g)| page_counts(g, pred.get(k).map_or("", String::as_str)))
        .collect();
    let ps: Vec<f64> = rows
        .iter()
        .filter(|c| c.tp + c.fp > 0.0)
        .map(PageCounts::precision)
        .collect();
    let rs: Vec<f64> = rows
        .iter()
        .filter(|c| c.tp + c.fn_ > 0.0)
        .map(PageCounts::recall)
        .collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (mean(&ps), mean(&rs));
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    Score {
        f1,
        precision: p,
        recall: r,
        pages: rows.len(),
    }
}

/// One benchmark page: its id, page URL, gold text and decompressed HTML.
pub struct Page {
    pub id: String,
    pub url: Option<url::Url>,
    pub gold: String,
    pub html: Vec<u8>,
}

/// Reads a folder shaped like `scrapinghub-dev`: `ground-truth.json` and `html/<id>.html.gz`.
pub fn load(dir: &Path) -> anyhow::Result<Vec<Page>> {
    let gt_path = dir.join("ground-truth.json");
    let raw = std::fs::read(&gt_path).with_context(|| format!("reading {}", gt_path.display()))?;
    let gt: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&raw).with_context(|| format!("parsing {}", gt_path.display()))?;
    let mut pages = Vec::with_capacity(gt.len());
    for (id, entry) in gt {
        let path = dir.join("html").join(format!("{id}.html.gz"));
        let file =
            std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut html)
            .with_context(|| format!("decompressing {}", path.display()))?;
        let url = entry
            .get("url")
            .and_then(|u| u.as_str())
            .and_then(|u| url::Url::parse(u).ok());
        let gold = entry
            .get("articleBody")
            .and_then(|b| b.as_str())
            .unwrap_or_default()
            .to_owned();
        pages.push(Page {
            id,
            url,
            gold,
            html,
        });
    }
    Ok(pages)
}

/// Cleans every page of the folder; returns the predicted texts by id and their score.
pub fn run(dir: &Path) -> anyhow::Result<(BTreeMap<String, String>, Score)> {
    let pages = load(dir)?;
    let mut gold = BTreeMap::new();
    let mut pred = BTreeMap::new();
    for p in pages {
        let page = super::clean(&p.html, None, p.url.as_ref());
        pred.insert(p.id.clone(), page.text);
        gold.insert(p.id, p.gold);
    }
    let s = score(&gold, &pred);
    Ok((pred, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_python_scorer() {
        // Expected values printed by shared/tools/score_extraction.py on the same three pages.
        let map = |v: [(&str, &str); 3]| {
            v.iter()
                .map(|(k, t)| (k.to_string(), t.to_string()))
                .collect()
        };
        let gold: BTreeMap<String, String> = map([
            ("a", "the quick brown fox jumps over the lazy dog"),
            ("b", "one two three"),
            ("c", "Ça coûte 12 €, dit-elle — vraiment ? Oui. नमस्ते दुनिया"),
        ]);
        let pred: BTreeMap<String, String> = map([
            ("a", "the quick brown fox jumps over a lazy dog today"),
            ("b", ""),
            ("c", "Ça coûte 12 €, dit-elle — vraiment ? Non. नमस्ते दुनिया"),
        ]);
        let s = score(&gold, &pred);
        assert!((s.precision - 0.4920634920634921).abs() < 1e-12, "{s:?}");
        assert!((s.recall - 0.35185185185185186).abs() < 1e-12, "{s:?}");
        assert!((s.f1 - 0.4103099965168931).abs() < 1e-12, "{s:?}");
        assert_eq!(s.pages, 3);
    }

    #[test]
    fn matches_the_python_scorer_on_small_cases() {
        let c = page_counts("a b c d e", "a b c d x");
        // gold shingles {abcd, bcde}, pred {abcd, bcdx}: tp 1, fp 1, fn 1.
        assert!((c.tp - 1.0 / 3.0).abs() < 1e-12 && (c.fp - 1.0 / 3.0).abs() < 1e-12);
        let short = page_counts("one two", "one two");
        assert_eq!((short.precision(), short.recall()), (1.0, 1.0));
        // Combining marks split words in Python's \w, so they must here too.
        assert_eq!(WORD.find_iter("नमस्ते").count(), 2);
        let gold: BTreeMap<_, _> = [("x".to_string(), "a b c d".to_string())].into();
        let s = score(&gold, &BTreeMap::new());
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
    }
}
