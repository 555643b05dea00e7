//! Articles per second on one core for the category classifier and the keyphrase extractor,
//! on the seed article (about 680 words) and on a short feed-summary-sized text.
//! It must not assert anything about speed: numbers are for reading, not for CI.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stringer::category::Classifier;
use stringer::keyphrases;

fn seed_article() -> String {
    include_str!("../tests/fixtures/clean/seed_article.txt").to_string()
}

fn bench(c: &mut Criterion) {
    let long = seed_article();
    let short = long.split("\n\n").next().unwrap_or(&long).to_string();
    let classifier = Classifier::embedded();
    let mut g = c.benchmark_group("topics");
    g.throughput(Throughput::Elements(1));
    for (name, text) in [("article", &long), ("summary", &short)] {
        g.bench_function(format!("classify/{name}"), |b| {
            b.iter(|| classifier.classify(black_box(""), black_box(text), Some("en")))
        });
        g.bench_function(format!("keyphrases/{name}"), |b| {
            b.iter(|| keyphrases::extract(black_box(""), black_box(text), Some("en"), 10))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
