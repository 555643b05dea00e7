//! Fixed-size keys for values that may be of any length: an index entry must never be too
//! large for the database (PostgreSQL's btree rows stop at 2704 bytes).

use sha2::{Digest, Sha256};

/// The unique key of an article: the first 128 bits of SHA-256 of its canonical URL, as 32 hex
/// digits. A cryptographic hash, so a stranger's feed cannot craft a link that collides with
/// another article's and hides it.
pub fn url_key(canonical_url: &str) -> String {
    let digest = Sha256::digest(canonical_url.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_keys_are_fixed_size_and_distinct() {
        let short = url_key("https://example.com/a");
        let long = url_key(&format!("https://example.com/{}", "x".repeat(100_000)));
        assert_eq!((short.len(), long.len()), (32, 32));
        assert_ne!(short, url_key("https://example.com/b"));
        assert_eq!(short, url_key("https://example.com/a"));
    }
}
