//! How often an English word is a noun, a verb or an adjective, from the part-of-speech column
//! of CoNLL-2003 train (`models/keyphrase_pos.bin`, built by `stringer train keyphrases`), with
//! a fallback on the last three letters for words it has not seen. The keyphrase scorer's cue
//! that a phrase is a noun phrase, not "providing" or "significant". Lookups and the file
//! format; it must not read files at run time (building is `from_conll`, called by training).
//!
//! Format, little-endian: magic `STRKPOS\x01`; entries u32; sorted key hashes u32[n]; then per
//! entry three u8 shares (noun, verb, adjective, in 255ths); FNV-1a 32 checksum of all before it.
//! A word is keyed by the hash of its lower-case form, a suffix by the hash of `~` + suffix.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use anyhow::ensure;

const MAGIC: &[u8; 8] = b"STRKPOS\x01";
static EMBEDDED: &[u8] = include_bytes!("../../models/keyphrase_pos.bin");

/// Shares of noun, verb and adjective readings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pos {
    pub noun: f32,
    pub verb: f32,
    pub adj: f32,
}

/// Neutral shares for a language without a table or a word without a clue.
pub const UNKNOWN: Pos = Pos {
    noun: 0.5,
    verb: 0.2,
    adj: 0.15,
};

#[derive(Debug, Clone, PartialEq)]
pub struct PosTable {
    keys: Vec<u32>,
    shares: Vec<[u8; 3]>,
}

/// Words seen fewer times are left to their suffix.
const MIN_WORD: u32 = 2;
const MIN_SUFFIX: u32 = 5;

impl PosTable {
    /// # Panics
    /// If the committed table is corrupt; a unit test parses it, so this cannot ship.
    pub fn embedded() -> &'static PosTable {
        static CELL: OnceLock<PosTable> = OnceLock::new();
        CELL.get_or_init(|| {
            PosTable::from_bytes(EMBEDDED).expect("embedded models/keyphrase_pos.bin is valid")
        })
    }

    /// The shares of `lower` (a lower-case English word).
    pub fn of(&self, lower: &str) -> Pos {
        self.get(hash(lower.as_bytes()))
            .or_else(|| self.get(suffix_key(lower)?))
            .unwrap_or(UNKNOWN)
    }

    fn get(&self, key: u32) -> Option<Pos> {
        let i = self.keys.binary_search(&key).ok()?;
        let [n, v, a] = self.shares[i];
        let f = |x: u8| f32::from(x) / 255.0;
        Some(Pos {
            noun: f(n),
            verb: f(v),
            adj: f(a),
        })
    }

    /// Counts the tags of CoNLL-2003 lines (`word POS chunk NER`).
    pub fn from_conll(text: &str) -> PosTable {
        let mut counts: BTreeMap<u32, [u32; 4]> = BTreeMap::new();
        let mut suffixes: BTreeMap<u32, [u32; 4]> = BTreeMap::new();
        for line in text.lines() {
            let mut cols = line.split(' ');
            let (Some(word), Some(tag)) = (cols.next(), cols.next()) else {
                continue;
            };
            if word == "-DOCSTART-" || !word.chars().any(char::is_alphabetic) {
                continue;
            }
            let class = match tag {
                t if t.starts_with("NN") => 0,
                t if t.starts_with("VB") => 1,
                t if t.starts_with("JJ") => 2,
                _ => 3,
            };
            let lower = word.to_lowercase();
            counts.entry(hash(lower.as_bytes())).or_default()[class] += 1;
            if let Some(k) = suffix_key(&lower) {
                suffixes.entry(k).or_default()[class] += 1;
            }
        }
        let mut table: BTreeMap<u32, [u8; 3]> = BTreeMap::new();
        let share = |c: &[u32; 4], i: usize| {
            let all: u32 = c.iter().sum();
            ((c[i] * 255 + all / 2) / all.max(1)) as u8
        };
        for (min, map) in [(MIN_SUFFIX, &suffixes), (MIN_WORD, &counts)] {
            for (k, c) in map {
                if c.iter().sum::<u32>() >= min {
                    table.insert(*k, [share(c, 0), share(c, 1), share(c, 2)]);
                }
            }
        }
        PosTable {
            keys: table.keys().copied().collect(),
            shares: table.values().copied().collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.keys.len() * 7);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for s in &self.shares {
            out.extend_from_slice(s);
        }
        let sum = hash(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    pub fn from_bytes(b: &[u8]) -> anyhow::Result<PosTable> {
        ensure!(
            b.len() >= 16 && &b[..8] == MAGIC,
            "keyphrase pos table: bad magic or version"
        );
        let (body, tail) = b.split_at(b.len() - 4);
        ensure!(
            hash(body).to_le_bytes() == tail,
            "keyphrase pos table: checksum mismatch (corrupt file)"
        );
        let word = |i: usize| u32::from_le_bytes(body[i..i + 4].try_into().unwrap_or_default());
        let n = word(8) as usize;
        ensure!(
            body.len() == 12 + n * 7,
            "keyphrase pos table: size does not match {n} entries"
        );
        let keys: Vec<u32> = (0..n).map(|i| word(12 + 4 * i)).collect();
        ensure!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keyphrase pos table: keys not sorted"
        );
        let base = 12 + 4 * n;
        let shares = (0..n)
            .map(|i| {
                let s = &body[base + 3 * i..base + 3 * i + 3];
                [s[0], s[1], s[2]]
            })
            .collect();
        Ok(PosTable { keys, shares })
    }
}

/// The key of a word's last three letters, for words of five letters or more.
fn suffix_key(lower: &str) -> Option<u32> {
    let chars: Vec<char> = lower.chars().collect();
    if chars.len() < 5 {
        return None;
    }
    let s: String = std::iter::once('~')
        .chain(chars[chars.len() - 3..].iter().copied())
        .collect();
    Some(hash(s.as_bytes()))
}

/// FNV-1a 32: stable across platforms and Rust versions.
fn hash(b: &[u8]) -> u32 {
    b.iter().fold(0x811c_9dc5, |h, &x| {
        (h ^ u32::from(x)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tags_round_trips_and_falls_back_on_suffixes() {
        let conll = "-DOCSTART- -X- O O\n\nsanctions NNS I-NP O\nsanctions NNS I-NP O\n\
                     providing VBG I-VP O\nproviding VBG I-VP O\nmaking VBG I-VP O\n\
                     taking VBG I-VP O\nsaying VBG I-VP O\nhoping VBG I-VP O\n";
        let t = PosTable::from_conll(conll);
        let back = PosTable::from_bytes(&t.to_bytes()).unwrap();
        assert_eq!(back, t);
        assert!(t.of("sanctions").noun > 0.99);
        assert!(t.of("providing").verb > 0.99);
        assert!(t.of("escalating").verb > 0.99, "suffix -ing");
        assert_eq!(t.of("zq"), UNKNOWN);
        let mut bad = t.to_bytes();
        bad[13] ^= 1;
        assert!(PosTable::from_bytes(&bad).is_err());
    }

    #[test]
    fn embedded_table_knows_common_words() {
        let t = PosTable::embedded();
        assert!(t.len() > 1000);
        assert!(t.of("sanctions").noun > 0.8);
        assert!(t.of("providing").verb > 0.8);
    }
}
