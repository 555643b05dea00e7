//! What every feed reader of this module does to an entry the same way: resolve its link
//! against the feed URL, check it, key its GUID and tidy its title.

use url::Url;

use super::{EntryError, MAX_GUID_BYTES, MAX_LINK_BYTES};
use crate::model::NewEntry;
use crate::urls;

/// An entry as a reader found it, before its link is resolved and checked.
#[derive(Debug, Default, Clone)]
pub(super) struct RawEntry {
    pub link: Option<String>,
    pub guid: Option<String>,
    pub title: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The entry ready to store, or why it cannot be. A relative link is resolved against
/// `base` (the feed URL, or the document's own base); an `http(s)` GUID stands in for a
/// missing link, as RSS allows.
pub(super) fn finish(raw: RawEntry, base: Option<&Url>) -> Result<NewEntry, EntryError> {
    let guid = raw
        .guid
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty());
    let link = raw
        .link
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .or_else(|| guid.clone().filter(|g| g.starts_with("http")));
    let resolved = link.and_then(|l| match base {
        Some(b) => b.join(&l).ok().map(String::from),
        None => Url::parse(&l).ok().map(String::from),
    });
    let (url, canonical_url) = checked_link(&resolved.ok_or(EntryError::NoLink)?)?;
    Ok(NewEntry {
        guid: guid.map(guid_key),
        url,
        canonical_url,
        title: raw.title.map(|t| clean_text(&t)).filter(|t| !t.is_empty()),
        published_at: raw.published_at,
    })
}

/// The link and its canonical form, or why the link cannot be taken.
pub(super) fn checked_link(url: &str) -> Result<(String, String), EntryError> {
    if url.len() > MAX_LINK_BYTES {
        let mut end = 80;
        while !url.is_char_boundary(end) {
            end -= 1;
        }
        return Err(EntryError::LinkTooLong {
            bytes: url.len(),
            start: url[..end].to_string(),
        });
    }
    let canonical = urls::canonicalize(url).ok_or_else(|| EntryError::BadLink(url.to_string()))?;
    Ok((url.to_string(), canonical))
}

/// A GUID as stored: as written when short, else `sha256:` and a digest of it.
fn guid_key(guid: String) -> String {
    if guid.len() <= MAX_GUID_BYTES {
        return guid;
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(guid.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Titles arrive with entities, stray tags and runs of whitespace.
pub(super) fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = crate::clean::entities::decode(&out, true);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}
