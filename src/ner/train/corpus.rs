//! Reads the unlabelled news text of the shared data (BBC, AG News, 500N-KPCrowd and the
//! CoNLL training tokens) into tokenised sentences for learning word clusters and
//! capitalisation statistics at training time. It must not be used when tagging, and what
//! it reads is research-only text: only statistics derived from it may be kept.

use std::path::Path;

use anyhow::{Context, Result};

use crate::ner::conll::ColumnFile;
use crate::ner::tokenize::units;

/// Sentences as lists of tokens.
pub type Sentences = Vec<Vec<String>>;

fn push_text(text: &str, out: &mut Sentences) {
    let u = units(text);
    for s in u.sentences {
        out.push(
            u.tokens[s]
                .iter()
                .map(|t| text[t.start..t.end].to_string())
                .collect(),
        );
    }
}

/// AG News keeps HTML-entity leftovers (" #39;" for an apostrophe); undo the common ones.
fn clean_ag(s: &str) -> String {
    s.replace(" #39;", "'")
        .replace("#39;", "'")
        .replace(" #36;", " $")
        .replace("#36;", "$")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("\\", " ")
}

fn read_jsonl(path: &Path, ag: bool, out: &mut Sentences) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("parsing {}", path.display()))?;
        for field in ["title", "text"] {
            if let Some(s) = v.get(field).and_then(|s| s.as_str()) {
                if ag {
                    push_text(&clean_ag(s), out);
                } else {
                    push_text(s, out);
                }
            }
        }
    }
    Ok(())
}

/// All unlabelled sentences under `data_dir`, plus `extra` (the CoNLL training sentences),
/// in a fixed order.
pub fn unlabelled(data_dir: &Path, extra: &Sentences) -> Result<Sentences> {
    let mut out = extra.clone();
    read_jsonl(&data_dir.join("topics/bbc/train.jsonl"), false, &mut out)?;
    read_jsonl(
        &data_dir.join("topics/ag_news/train-from-test.jsonl"),
        true,
        &mut out,
    )?;
    let kp = data_dir.join("keyphrases/500N-KPCrowd/docsutf8");
    let mut files: Vec<_> = std::fs::read_dir(&kp)
        .with_context(|| format!("listing {}", kp.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for f in files {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        push_text(&text, &mut out);
    }
    Ok(out)
}

/// The Broad Twitter Corpus tokens (labels unused): more names in more contexts for the
/// word clusters. Tweets are not edited text, so they are kept apart from the news.
pub fn tweets(data_dir: &Path) -> Result<Sentences> {
    let mut out = Vec::new();
    for part in ["train", "dev", "test"] {
        let path = data_dir.join(format!("ner/btc/{part}.txt"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        for doc in ColumnFile::parse(&text).documents {
            out.extend(doc.sentences.into_iter().map(|s| s.words));
        }
    }
    Ok(out)
}
