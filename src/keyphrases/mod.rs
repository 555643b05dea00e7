//! PLACEHOLDER until the keyphrase extractor lands.
pub fn extract(_title: &str, text: &str, _l: Option<&str>, n: usize) -> Vec<String> {
    let mut words: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.len() > 7)
        .map(|w| w.to_lowercase())
        .collect();
    words.dedup();
    words.truncate(n);
    words
}
