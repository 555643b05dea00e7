//! Hashing shared by NER features and word lists: 64-bit mixing, word-form hashes, key maps.
//! It must stay byte-for-byte stable (the model's keys are these hashes) and know no features.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// splitmix64's finaliser: turns structured 64-bit values into well-spread keys.
#[inline]
pub fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hash of two values, order-sensitive.
#[inline]
pub fn pair(a: u64, b: u64) -> u64 {
    mix(a.rotate_left(23) ^ b ^ 0x2545_f491_4f6c_dd1d)
}

/// Key of feature template `t` with value `v`; never 0 (0 marks an empty slot).
#[inline]
pub fn key(t: u64, v: u64) -> u64 {
    let k = mix(v ^ t.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    if k == 0 { 1 } else { k }
}

/// Hash of a string of chars fed one by one (FNV-1a, then mixed).
#[derive(Clone, Copy)]
pub struct StrHash(u64);

impl StrHash {
    pub fn new() -> StrHash {
        StrHash(0xcbf2_9ce4_8422_2325)
    }
    #[inline]
    pub fn push(&mut self, c: char) {
        self.0 = (self.0 ^ c as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    #[inline]
    pub fn finish(self) -> u64 {
        mix(self.0)
    }
}

impl Default for StrHash {
    fn default() -> Self {
        StrHash::new()
    }
}

/// Typographic variants read as their ASCII forms, so curly quotes and dashes of web text
/// match the straight ones of the training data.
#[inline]
pub fn fold(c: char) -> char {
    match c {
        '’' | '‘' | '‛' | 'ʼ' | '′' | '`' | '´' => '\'',
        '“' | '”' | '„' | '″' | '«' | '»' => '"',
        '–' | '—' | '―' | '−' | '‐' | '‑' => '-',
        '…' => '.',
        _ => c,
    }
}

/// `fold`, and every digit read as "0": "1996" and "2024" share every feature.
#[inline]
fn fold_digit(c: char) -> char {
    let c = fold(c);
    if c.is_ascii_digit() { '0' } else { c }
}

/// Hash of the lower-cased, folded form of a word (the key used by every lexicon); equal
/// to `Attrs::lower`.
pub fn lower_hash(word: &str) -> u64 {
    let mut h = StrHash::new();
    for c in word.chars() {
        for l in fold_digit(c).to_lowercase() {
            h.push(l);
        }
    }
    h.finish()
}

/// Hash of the folded form, case kept; equal to `Attrs::form`.
pub fn form_hash(word: &str) -> u64 {
    let mut h = StrHash::new();
    for c in word.chars() {
        h.push(fold_digit(c));
    }
    h.finish()
}

/// Keys are already well-mixed 64-bit hashes: hashing them again would only cost time.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;
