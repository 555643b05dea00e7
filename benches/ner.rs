//! Tokens per second for tokenize + tag (both passes; canonical-entity grouping not
//! included) over real article text, on one thread. The text is loaded before timing;
//! throughput counts the tokenizer's tokens.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stringer::ner::Tagger;
use stringer::ner::mentions;
use stringer::ner::tokenize::tokenize;

/// The first 200 BBC News training articles (about 77,000 tokens), or the seed article
/// 50 times when the BBC file is missing.
fn articles() -> Vec<String> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
    if let Ok(jsonl) = std::fs::read_to_string(format!("{data}/topics/bbc/train.jsonl")) {
        return jsonl
            .lines()
            .take(200)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
            .collect();
    }
    let seed = std::fs::read_to_string(format!("{data}/seed/article.txt"))
        .expect("shared data for the benchmark");
    vec![seed; 50]
}

fn bench(c: &mut Criterion) {
    let tagger = Tagger::embedded();
    let docs = articles();
    let tokens: usize = docs.iter().map(|d| tokenize(d).len()).sum();
    let mut g = c.benchmark_group("ner");
    g.throughput(Throughput::Elements(tokens as u64));
    g.sample_size(10);
    g.bench_function(
        format!("tokenize+tag {} articles, {tokens} tokens", docs.len()),
        |b| {
            b.iter(|| {
                let mut n = 0;
                for d in &docs {
                    n += mentions(tagger, black_box(d)).len();
                }
                black_box(n)
            })
        },
    );
    g.bench_function("tokenize only", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| tokenize(black_box(d)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
