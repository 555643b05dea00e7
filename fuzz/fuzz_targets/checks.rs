#![allow(dead_code)]

//! What each fuzz target checks, shared by the cargo-fuzz targets (nightly, coverage-guided)
//! and tests/fuzz_corpus.rs (stable, the committed corpus and seeded mutations of it). Each
//! takes any bytes; a panic is a finding.

/// Feed parsing: any bytes give entries or an error, never a panic.
pub fn feed(data: &[u8]) {
    let _ = stringer::poll::parse(data, "https://news.example/section/feed.xml");
}

/// OPML: any bytes give subscriptions or an error; what we write of them reads back the same.
pub fn opml(data: &[u8]) {
    let Ok((subscriptions, _)) = stringer::subscriptions::parse(data) else {
        return;
    };
    let written = stringer::subscriptions::render(&subscriptions);
    let (again, _) = stringer::subscriptions::parse(written.as_bytes())
        .unwrap_or_else(|e| panic!("our own OPML does not read back: {e}\n{written}"));
    assert_eq!(
        again, subscriptions,
        "the OPML round trip changed the feeds\n{written}"
    );
}

/// HTML cleaning: any bytes, with or without a declared type, give a page, never a panic.
pub fn clean(data: &[u8]) {
    let url = url::Url::parse("https://news.example/2026/12/03/story.html").ok();
    let _ = stringer::clean::clean(data, Some("text/html"), url.as_ref());
    let _ = stringer::clean::clean(data, None, None);
}

/// URL canonicalisation: any text; a canonical URL is its own canonical form.
pub fn url(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(canonical) = stringer::urls::canonicalize(text) {
        assert_eq!(
            stringer::urls::canonicalize(&canonical).as_deref(),
            Some(canonical.as_str()),
            "canonicalize is not idempotent on {text:?}"
        );
    }
    if let Ok(base) = url::Url::parse("https://news.example/a/b.html") {
        let _ = stringer::urls::canonicalize_relative(text, &base);
    }
}
