//! The rows training learns from: each topic row, plus lead copies of long articles and
//! digests of short rows, which bridge long articles and feed summaries. Training only.

use super::options::TrainOptions;
use crate::category::corpus::Doc;
use crate::category::model::CLASSES;

/// One training row as the model sees it.
pub struct Example {
    pub title: String,
    pub text: String,
    pub label: usize,
}

/// The training rows, plus two kinds of derived rows that bridge long articles and short
/// summaries: the lead of each long article (a summary of it), and "digests" that join
/// `digest_size` short rows of one label (a long text on that label). Without digests the
/// long-text weights only know BBC 2004-05, whose "world" is UK politics, and international
/// news in full text reads as business.
pub fn examples(docs: &[&Doc], opts: &TrainOptions) -> Vec<Example> {
    let mut out = Vec::with_capacity(docs.len() * 2);
    let mut short: Vec<Vec<&Doc>> = vec![Vec::new(); CLASSES];
    for d in docs {
        out.push(Example {
            title: d.title.clone(),
            text: d.text.clone(),
            label: d.label as usize,
        });
        if opts.lead_copies && is_long(&d.text) {
            out.push(Example {
                title: d.title.clone(),
                text: lead(&d.text).to_string(),
                label: d.label as usize,
            });
        }
        if !is_long(&d.text) {
            short[d.label as usize].push(d);
        }
    }
    if opts.digest_size > 1 {
        for (label, mut rows) in short.into_iter().enumerate() {
            // Grouped in id-hash order: deterministic, and unrelated stories end up together.
            rows.sort_by_key(|d| fnv64(&d.id));
            for group in rows.chunks_exact(opts.digest_size) {
                let text = group
                    .iter()
                    .map(|d| format!("{}. {}", d.title, d.text))
                    .collect::<Vec<_>>()
                    .join("\n\n");
                out.push(Example {
                    title: String::new(),
                    text,
                    label,
                });
            }
        }
    }
    out
}

fn fnv64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Long enough to be a full article rather than a feed summary (same cut as the default features).
pub fn is_long(text: &str) -> bool {
    text.split_whitespace().count() > 100
}

/// The first paragraph, cut at a sentence end after about 200 characters: what a feed summary holds.
fn lead(text: &str) -> &str {
    let para = text.split("\n\n").next().unwrap_or(text);
    match para.char_indices().find(|&(i, c)| i >= 200 && c == '.') {
        Some((i, _)) => &para[..=i],
        None => para,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_is_first_paragraph_cut_at_a_sentence() {
        let text = format!(
            "{}. Second sentence. More.\n\nNext paragraph.",
            "w ".repeat(110)
        );
        let l = lead(&text);
        assert!(l.ends_with("Second sentence.") || l.ends_with('.'));
        assert!(!l.contains("Next paragraph"));
    }
}
