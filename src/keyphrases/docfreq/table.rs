//! The embedded stem document-frequency table (`models/keyphrase_df.bin`): format, idf lookups.
//! It must not read files at run time, nor build tables (that is `build`, training code).
//!
//! Format, little-endian: magic `STRKDF\0\x01`; documents u32; entries u32; sorted stem hashes
//! u32[n]; document counts u16[n] (saturating); FNV-1a 32 checksum of everything before it.

use std::sync::OnceLock;

use anyhow::ensure;

const MAGIC: &[u8; 8] = b"STRKDF\0\x01";

/// Relative to this file in both the scratch crate and the daemon: `<crate>/models/keyphrase_df.bin`.
static EMBEDDED: &[u8] = include_bytes!("../../../models/keyphrase_df.bin");

#[derive(Debug, Clone)]
pub struct DocFreq {
    pub(super) documents: u32,
    pub(super) keys: Vec<u32>,
    pub(super) counts: Vec<u16>,
}

impl DocFreq {
    /// # Panics
    /// If the committed table is corrupt; a unit test parses it, so this cannot ship.
    pub fn embedded() -> &'static DocFreq {
        static CELL: OnceLock<DocFreq> = OnceLock::new();
        CELL.get_or_init(|| {
            DocFreq::from_bytes(EMBEDDED).expect("embedded models/keyphrase_df.bin is valid")
        })
    }

    /// Smoothed inverse document frequency of a stem; a stem never seen gets the highest value,
    /// which is right for the names that make most keyphrases.
    pub fn idf(&self, stem: &str) -> f32 {
        let df = self
            .keys
            .binary_search(&stem_hash(stem))
            .map_or(0, |i| u32::from(self.counts[i]));
        ((1.0 + self.documents as f32) / (1.0 + df as f32)).ln() + 1.0
    }

    /// The idf of a stem never seen: the highest there is.
    pub fn max_idf(&self) -> f32 {
        (1.0 + self.documents as f32).ln() + 1.0
    }

    pub fn from_bytes(b: &[u8]) -> anyhow::Result<DocFreq> {
        ensure!(
            b.len() >= 20 && &b[..8] == MAGIC,
            "keyphrase df table: bad magic or version"
        );
        let (body, tail) = b.split_at(b.len() - 4);
        ensure!(
            checksum(body).to_le_bytes() == tail,
            "keyphrase df table: checksum mismatch (corrupt file)"
        );
        let word = |i: usize| u32::from_le_bytes(body[i..i + 4].try_into().unwrap_or_default());
        let documents = word(8);
        let n = word(12) as usize;
        ensure!(
            body.len() == 16 + n * 6,
            "keyphrase df table: size does not match {n} entries"
        );
        let keys: Vec<u32> = (0..n).map(|i| word(16 + 4 * i)).collect();
        ensure!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keyphrase df table: keys not sorted"
        );
        let base = 16 + 4 * n;
        let counts = (0..n)
            .map(|i| u16::from_le_bytes([body[base + 2 * i], body[base + 2 * i + 1]]))
            .collect();
        Ok(DocFreq {
            documents,
            keys,
            counts,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.keys.len() * 6);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.documents.to_le_bytes());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for c in &self.counts {
            out.extend_from_slice(&c.to_le_bytes());
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }
}

/// FNV-1a 32 of the stem's bytes: stable across platforms and Rust versions.
pub(super) fn stem_hash(stem: &str) -> u32 {
    checksum(stem.as_bytes())
}

fn checksum(b: &[u8]) -> u32 {
    b.iter().fold(0x811c_9dc5, |h, &x| {
        (h ^ u32::from(x)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_loads() {
        let t = DocFreq::embedded();
        assert!(t.documents > 1000);
        assert!(t.idf("said") < t.idf("microelectron"));
    }
}
