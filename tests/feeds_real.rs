//! Every real feed file of the shared corpus (`../shared/data/feeds/real`, README there) is
//! read without a panic: every file that has items yields entries, and every other file is a
//! classified error or an empty feed. Prints the share; passes with a note when the corpus is
//! not there.

use std::io::Read;
use std::path::{Path, PathBuf};

use stringer::poll::{self, ParseError};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/feeds/real");
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("malformed")] {
        for entry in std::fs::read_dir(&sub).unwrap().map(Result::unwrap) {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_file() && name != "README.md" && name != "MANIFEST.tsv" {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// How many items with a link the document lists, counted without a feed parser: `item` or
/// `entry` elements under any prefix with a `link` element or a URL as their id, or the JSON
/// Feed's `items` with a `url`.
fn items_in(bytes: &[u8]) -> usize {
    let mut inflated = Vec::new();
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut inflated)
            .unwrap();
        &inflated[..]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(bytes);
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        return serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.get("items")
                    .and_then(|i| i.as_array())
                    .map(|items| items.iter().filter(|i| i.get("url").is_some()).count())
            })
            .unwrap_or(0);
    }
    let item = regex::Regex::new(r"(?s)<([\w.-]+:)?(item|entry)[\s>].*?</([\w.-]+:)?(item|entry)>")
        .unwrap();
    let link = regex::Regex::new(r"<([\w.-]+:)?link[\s>]|<(guid|id)[^>]*>\s*https?:").unwrap();
    item.find_iter(&text)
        .filter(|m| link.is_match(m.as_str()))
        .count()
}

#[test]
fn every_real_feed_with_items_yields_entries() {
    let Some(dir) = corpus() else {
        eprintln!("no real-feeds corpus next to the repository: not run");
        return;
    };
    let (mut with_items, mut yielding, mut errors) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in files(&dir) {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let items = items_in(&bytes);
        let url = format!("https://feeds.example/{name}");
        let result = std::panic::catch_unwind(|| poll::parse(&bytes, &url));
        let Ok(result) = result else {
            failures.push(format!("{name}: panicked"));
            continue;
        };
        match (&result, items) {
            (Ok(feed), n) if n > 0 => {
                with_items += 1;
                if feed.entries.is_empty() {
                    failures.push(format!("{name}: {n} items, no entry ({:?})", feed.rejected));
                } else {
                    yielding += 1;
                }
            }
            (Ok(_), _) => {}
            (Err(e), n) => {
                errors += 1;
                with_items += usize::from(n > 0);
                assert!(
                    matches!(
                        e,
                        ParseError::NotAFeed(_) | ParseError::Page | ParseError::Malformed(_)
                    ),
                    "{name}: {e}"
                );
                eprintln!("{name}: {n} items, error: {e}");
                if n > 0 {
                    failures.push(format!("{name}: {n} items, error: {e}"));
                }
            }
        }
    }
    eprintln!(
        "real feeds: {yielding} of {with_items} files with items yield entries; {errors} errors"
    );
    // Links no reader can take: a `tag:` URI given as the only link.
    let allowed = ["node-feedparser__atom-with-tag-uri-links.xml"];
    failures.retain(|f| !allowed.iter().any(|a| f.contains(a)));
    assert!(failures.is_empty(), "{failures:#?}");
}
