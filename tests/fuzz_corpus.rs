//! The fuzz targets' checks on stable: every file of the committed corpus (`fuzz/corpus/T`;
//! for the cleaner, its golden pages in `tests/fixtures/clean`)
//! and of past findings (`fuzz/artifacts/T`, when any), then seeded mutations of each
//! (flipped bytes, cuts, splices, inserted markup). A short run for every test pass; the
//! coverage-guided runs are `scripts/fuzz` (cargo-fuzz on nightly).
//!
//! `STRINGER_FUZZ_MUTATIONS` sets the mutations per file (default 40).

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Fragments worth inserting: the syntax the parsers branch on.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"<![CDATA[",
    b"]]>",
    b"&amp;",
    b"&#",
    b"&bogus;",
    b"\"",
    b"'",
    b"<item>",
    b"</item>",
    b"<entry>",
    b"<outline xmlUrl=\"",
    b"<script>",
    b"<p>",
    b"<div>",
    b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    b"%",
    b"%2",
    b"#",
    b"?",
    b"//",
    b"../",
    b"@",
    b":",
    b"[::1]",
    b"xn--",
    b"\0",
];

fn mutate(seed: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let at = if data.is_empty() {
            0
        } else {
            rng.random_range(0..=data.len())
        };
        match rng.random_range(0..5) {
            0 if !data.is_empty() => {
                let i = rng.random_range(0..data.len());
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 => data.truncate(at),
            2 => {
                let token = TOKENS[rng.random_range(0..TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
            3 if !data.is_empty() => {
                let from = rng.random_range(0..data.len());
                let to = (from + rng.random_range(1..64)).min(data.len());
                let piece = data[from..to].to_vec();
                data.splice(at..at, piece);
            }
            _ if at < data.len() => {
                let end = (at + rng.random_range(1..32)).min(data.len());
                data.drain(at..end);
            }
            _ => {}
        }
    }
    data
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn run(target: &str, check: fn(&[u8])) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = repo.join("fuzz");
    let mut seeds = files(&root.join("corpus").join(target));
    // The cleaner's seeds are its golden test pages.
    if target == "clean" {
        seeds.extend(files(&repo.join("tests/fixtures/clean")));
    }
    assert!(!seeds.is_empty(), "no corpus for {target}");
    seeds.extend(files(&root.join("artifacts").join(target)));
    let mutations: usize = std::env::var("STRINGER_FUZZ_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut rng = StdRng::seed_from_u64(0x5752_494e_4745_5200);
    for (name, seed) in &seeds {
        check(seed);
        for round in 0..mutations {
            let input = mutate(seed, &mut rng);
            let outcome = std::panic::catch_unwind(|| check(&input));
            assert!(
                outcome.is_ok(),
                "{target}: mutation {round} of {name} panicked; input: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

#[test]
fn feed_parsing_survives_the_corpus_and_its_mutations() {
    run("feed", checks::feed);
}

#[test]
fn opml_survives_and_round_trips() {
    run("opml", checks::opml);
}

#[test]
fn html_cleaning_survives_the_corpus_and_its_mutations() {
    run("clean", checks::clean);
}

#[test]
fn url_canonicalisation_survives_and_is_idempotent() {
    run("url", checks::url);
}
