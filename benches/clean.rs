//! Cleaner throughput over the ScrapingHub dev pages: MB of HTML per second and median ms per
//! page on one core, for main text alone and for main text + metadata.
//!
//! Pages are decompressed once in setup, outside the timing. The data folder is
//! `STRINGER_EXTRACTION_DATA` or `../shared/data/extraction/scrapinghub-dev` next to the crate.
//! Timing only: this file must not assert anything about quality.

use stringer::clean;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, Throughput};

fn data_dir() -> PathBuf {
    if let Ok(d) = std::env::var("STRINGER_EXTRACTION_DATA") {
        return PathBuf::from(d);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../shared/data/extraction/scrapinghub-dev"),
        root.join("../../shared/data/extraction/scrapinghub-dev"),
    ]
    .into_iter()
    .find(|p| p.join("ground-truth.json").exists())
    .expect("set STRINGER_EXTRACTION_DATA to the scrapinghub-dev folder")
}

struct Page {
    html: Vec<u8>,
    url: Option<url::Url>,
}

fn pages() -> Vec<Page> {
    clean::eval::load(&data_dir())
        .expect("benchmark pages")
        .into_iter()
        .map(|p| Page {
            html: p.html,
            url: p.url,
        })
        .collect()
}

fn main_text(p: &Page) -> usize {
    clean::main_text(black_box(&p.html), None).len()
}

fn full(p: &Page) -> usize {
    clean::clean(black_box(&p.html), None, p.url.as_ref())
        .text
        .len()
}

/// Median over pages of each page's fastest of `runs` timings, in milliseconds.
fn median_ms_per_page(pages: &[Page], runs: usize, f: fn(&Page) -> usize) -> f64 {
    let mut per_page: Vec<f64> = pages
        .iter()
        .map(|p| {
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    black_box(f(p));
                    t.elapsed().as_secs_f64() * 1e3
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    per_page.sort_by(f64::total_cmp);
    per_page[per_page.len() / 2]
}

fn main() {
    let pages = pages();
    let bytes: u64 = pages.iter().map(|p| p.html.len() as u64).sum();
    let mut c = Criterion::default().configure_from_args().sample_size(20);
    let mut group = c.benchmark_group("clean");
    group.throughput(Throughput::BytesDecimal(bytes));
    group.bench_function("main_text/all_dev_pages", |b| {
        b.iter(|| pages.iter().map(main_text).sum::<usize>())
    });
    group.bench_function("main_text+metadata/all_dev_pages", |b| {
        b.iter(|| pages.iter().map(full).sum::<usize>())
    });
    group.finish();
    c.final_summary();
    println!(
        "{} pages, {:.1} MB of HTML; median ms per page: main_text {:.3}, main_text+metadata {:.3}",
        pages.len(),
        bytes as f64 / 1e6,
        median_ms_per_page(&pages, 5, main_text),
        median_ms_per_page(&pages, 5, full)
    );
}
