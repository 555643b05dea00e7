//! Golden tests for the HTML cleaner: each `tests/fixtures/clean/NAME.html` must clean to
//! exactly `NAME.txt`, and the metadata listed under "expect" in `NAME.json` (with the page URL
//! and HTTP Content-Type to clean with) must match. The fixtures were written for these tests;
//! none is copied from a benchmark page. This file must not reach into the cleaner's internals:
//! only the public `clean`/`main_text` API.

use stringer::clean;

use std::path::{Path, PathBuf};

fn fixture(name: &str, ext: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/clean")
        .join(format!("{name}.{ext}"))
}

/// Cleans fixture `name` and checks its text and the expected metadata.
fn check(name: &str) -> stringer::model::CleanPage {
    let html = std::fs::read(fixture(name, "html")).expect("fixture html");
    let spec: serde_json::Value = std::fs::read(fixture(name, "json"))
        .ok()
        .map(|b| serde_json::from_slice(&b).expect("fixture json"))
        .unwrap_or_default();
    let url = spec
        .get("url")
        .and_then(|u| u.as_str())
        .map(|u| url::Url::parse(u).expect("fixture url"));
    let content_type = spec.get("content_type").and_then(|c| c.as_str());
    let page = clean::clean(&html, content_type, url.as_ref());

    let expected = std::fs::read_to_string(fixture(name, "txt")).expect("fixture txt");
    assert_eq!(page.text, expected.trim_end(), "{name}: text differs");
    assert_eq!(
        clean::main_text(&html, content_type),
        page.text,
        "{name}: main_text must agree with clean"
    );
    assert!(
        !page.text.contains("  "),
        "{name}: whitespace not normalised"
    );

    if let Some(expect) = spec.get("expect").and_then(|e| e.as_object()) {
        let actual = serde_json::to_value(&page).expect("serialize");
        for (key, want) in expect {
            let got = &actual[key];
            let same = match (key.as_str(), want.as_str(), got.as_str()) {
                // Same instant and same offset as the page wrote ("Z" and "+00:00" are equal).
                ("published_at" | "modified_at", Some(w), Some(g)) => {
                    let (w, g) = (
                        chrono::DateTime::parse_from_rfc3339(w),
                        chrono::DateTime::parse_from_rfc3339(g),
                    );
                    matches!((w, g), (Ok(w), Ok(g)) if w == g && w.offset() == g.offset())
                }
                _ => got == want,
            };
            assert!(same, "{name}: {key} is {got}, expected {want}");
        }
    }
    page
}

#[test]
fn seed_article_keeps_exactly_its_six_paragraphs() {
    let page = check("seed_article");
    assert_eq!(page.text.split("\n\n").count(), 6);
    for furniture in [
        "Share.",
        "Exit mobile version",
        "Trending Now",
        "Related Posts",
        "Marcus Hale",
        "cookies",
    ] {
        assert!(
            !page.text.contains(furniture),
            "furniture left in text: {furniture}"
        );
    }
}

#[test]
fn share_bars_related_lists_and_boxes_are_removed() {
    check("share_related_boxes");
}

#[test]
fn comments_are_not_story_text() {
    check("comments_section");
}

#[test]
fn bylines_and_datelines_in_the_body_are_dropped() {
    check("byline_dateline");
}

#[test]
fn headings_lists_quotes_and_captions_stay_in_order() {
    check("structure_kept");
}

#[test]
fn broken_markup_still_reads_right() {
    check("broken_markup");
}

#[test]
fn windows_1252_without_declaration_is_detected() {
    let page = check("windows1252_undeclared");
    assert!(page.text.contains("café") && page.text.contains("€"));
}

#[test]
fn shift_jis_declared_in_meta() {
    check("shift_jis_meta");
}

#[test]
fn gbk_declared_in_http_equiv() {
    check("gbk_http_equiv");
}

#[test]
fn page_lying_about_utf8_is_redetected() {
    let page = check("lying_utf8");
    assert!(!page.text.contains('\u{FFFD}'));
}

#[test]
fn http_header_charset_wins_over_nothing() {
    check("header_charset");
}

#[test]
fn url_date_suffix_title_and_detected_language() {
    check("url_date_language");
}

#[test]
fn time_elements_separate_published_from_modified() {
    check("time_elements");
}

#[test]
fn script_rendered_page_falls_back_to_json_ld_article_body() {
    check("jsonld_body_fallback");
}
