//! Reads CoNLL column files (CoNLL-2003 and the Broad Twitter Corpus) into documents and
//! sentences, and turns IOB1/IOB2/BILOU tag sequences into entity spans exactly the way
//! `score_ner.py` does. It must not know anything about features or models.

use std::path::Path;

use anyhow::{Context, Result};

pub use super::labels::Span;
use crate::model::EntityType;

/// One sentence of a column file: the tokens, the gold tags (last column) and the line
/// numbers the tokens came from, so predictions can be written back next to them.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub words: Vec<String>,
    pub gold: Vec<String>,
    pub lines: Vec<usize>,
}

/// Sentences between two `-DOCSTART-` lines (files without them are one document).
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub sentences: Vec<Sentence>,
}

/// A parsed column file plus its raw lines.
#[derive(Debug, Clone, Default)]
pub struct ColumnFile {
    pub lines: Vec<String>,
    pub documents: Vec<Document>,
}

impl ColumnFile {
    pub fn read(path: &Path) -> Result<ColumnFile> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(ColumnFile::parse(&text))
    }

    /// Blank lines end sentences, `-DOCSTART-` lines end documents. A token line needs the
    /// token first and the gold tag last; a one-column line is taken as a token with tag "O".
    pub fn parse(text: &str) -> ColumnFile {
        let mut file = ColumnFile::default();
        let mut doc = Document::default();
        let mut sent = Sentence::default();
        for (n, line) in text.lines().enumerate() {
            file.lines.push(line.to_string());
            let mut cols = line.split_whitespace();
            let Some(first) = cols.next() else {
                if !sent.words.is_empty() {
                    doc.sentences.push(std::mem::take(&mut sent));
                }
                continue;
            };
            if first == "-DOCSTART-" {
                if !sent.words.is_empty() {
                    doc.sentences.push(std::mem::take(&mut sent));
                }
                if !doc.sentences.is_empty() {
                    file.documents.push(std::mem::take(&mut doc));
                }
                continue;
            }
            let last = cols.last().unwrap_or("O");
            sent.words.push(first.to_string());
            sent.gold.push(last.to_string());
            sent.lines.push(n);
        }
        if !sent.words.is_empty() {
            doc.sentences.push(sent);
        }
        if !doc.sentences.is_empty() {
            file.documents.push(doc);
        }
        file
    }
}

/// Entity spans of a tag sequence, as `score_ner.py` reads them: `B-X` starts an entity,
/// `I-X` (and `L-X`, `U-X` of BILOU) continue one of the same type or start one; `U-X`
/// and `B-X` always start one. Unknown types are skipped as "O".
pub fn spans<S: AsRef<str>>(tags: &[S]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, EntityType)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let parsed = tag
            .split_once('-')
            .and_then(|(p, t)| t.parse::<EntityType>().ok().map(|t| (p, t)));
        match parsed {
            None => {
                if let Some((s, k)) = open.take() {
                    out.push(Span {
                        start: s,
                        end: i,
                        kind: k,
                    });
                }
            }
            Some((prefix, kind)) => {
                let begins = prefix == "B" || prefix == "U" || open.map(|o| o.1) != Some(kind);
                if begins {
                    if let Some((s, k)) = open.take() {
                        out.push(Span {
                            start: s,
                            end: i,
                            kind: k,
                        });
                    }
                    open = Some((i, kind));
                }
            }
        }
    }
    if let Some((s, k)) = open {
        out.push(Span {
            start: s,
            end: tags.len(),
            kind: k,
        });
    }
    out
}

/// IOB2 tags for spans over `n` tokens (what the eval command writes).
pub fn iob2(spans: &[Span], n: usize) -> Vec<String> {
    let mut tags = vec!["O".to_string(); n];
    for s in spans {
        for (i, tag) in tags.iter_mut().enumerate().take(s.end).skip(s.start) {
            let p = if i == s.start { "B" } else { "I" };
            *tag = format!("{p}-{}", s.kind);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_iob1_and_iob2_like_the_scorer() {
        let t = [
            "I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "B-MISC", "I-MISC",
        ];
        let s = spans(&t);
        assert_eq!(
            s.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(),
            vec![(0, 2), (2, 3), (4, 5), (5, 6), (6, 8)]
        );
        assert_eq!(s[4].kind, EntityType::MISC);
    }

    #[test]
    fn docstart_splits_documents_and_blank_lines_split_sentences() {
        let f = ColumnFile::parse(
            "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nX X X O\n",
        );
        assert_eq!(f.documents.len(), 2);
        assert_eq!(f.documents[0].sentences.len(), 2);
        assert_eq!(f.documents[0].sentences[0].gold, vec!["I-ORG", "O"]);
        assert_eq!(f.documents[0].sentences[1].lines, vec![5]);
    }
}
