//! Word lists the tagger consults at run time: Brown clusters, distributional word classes,
//! how often a word is capitalised in running text, and gazetteer phrases (places, person
//! names, demonyms). They are built at training time from the shared data (see
//! `train::gazetteers`, `train::clusters` and `train::wordclasses`)
//! and stored inside the model file, so nothing is read from disk when tagging. It must not
//! hold raw text of research-only corpora: only hashed keys and small integers.

use anyhow::Result;

use super::attrs::{Attrs, Case};
use super::codec::{Reader, Writer};
use super::hash::{KeyMap, pair};

/// Gazetteer classes; a token's `gaz` bits are `class * 4 + position` (B, I, L, U).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum GazClass {
    Country = 0,
    CityLarge = 1,
    City = 2,
    CitySmall = 3,
    Subdivision = 4,
    Continent = 5,
    Demonym = 6,
    GivenCommon = 7,
    Given = 8,
    SurnameCommon = 9,
    Surname = 10,
    SurnameRare = 11,
    CityAlternate = 12,
}

const PHRASE_SEED: u64 = 0x9a2e_11d3_0b7c_5e41;

/// Key of a gazetteer phrase from the lower-case hashes of its tokens.
pub fn phrase_key(lowers: impl IntoIterator<Item = u64>) -> u64 {
    lowers.into_iter().fold(PHRASE_SEED, pair)
}

#[derive(Default)]
pub struct Lexicon {
    /// Case-sensitive form hash -> Brown cluster path, packed as `len << 32 | bits`.
    pub clusters: KeyMap<u64>,
    /// Case-sensitive form hash -> distributional word class (see `train::wordclasses`).
    pub classes: KeyMap<u16>,
    /// Lower-case hash -> capitalisation bucket (see `train::wordstats`).
    pub capstat: KeyMap<u8>,
    /// Phrase key -> bit set of `GazClass`es.
    pub gazetteer: KeyMap<u32>,
    pub gazetteer_max_len: usize,
}

impl Lexicon {
    #[inline]
    pub fn cluster(&self, form: u64, title: u64, lower: u64) -> Option<u64> {
        by_form(&self.clusters, form, title, lower)
    }

    #[inline]
    pub fn class(&self, form: u64, title: u64, lower: u64) -> Option<u16> {
        by_form(&self.classes, form, title, lower)
    }

    #[inline]
    pub fn capstat(&self, lower: u64) -> u8 {
        self.capstat.get(&lower).copied().unwrap_or(0)
    }

    /// Sets the `gaz` bits of every token covered by a gazetteer phrase that starts with a
    /// capitalised token ("may" is not the name May).
    pub fn mark_gazetteers(&self, attrs: &mut [Attrs]) {
        if self.gazetteer.is_empty() {
            return;
        }
        let n = attrs.len();
        for i in 0..n {
            if !matches!(attrs[i].case, Case::Initial | Case::AllUpper | Case::Mixed) {
                continue;
            }
            let mut h = PHRASE_SEED;
            for len in 1..=self.gazetteer_max_len.min(n - i) {
                h = pair(h, attrs[i + len - 1].lower);
                let Some(&classes) = self.gazetteer.get(&h) else {
                    continue;
                };
                mark_phrase(&mut attrs[i..i + len], classes);
            }
        }
    }

    pub fn write(&self, w: &mut Writer) {
        write_map(w, &self.clusters, |w, v| w.u64(*v));
        write_map(w, &self.capstat, |w, v| w.u8(*v));
        write_map(w, &self.gazetteer, |w, v| w.u32(*v));
        w.u32(self.gazetteer_max_len as u32);
        write_map(w, &self.classes, |w, v| w.u16(*v));
    }

    pub fn read(r: &mut Reader) -> Result<Lexicon> {
        let clusters = read_map(r, 16, |r| r.u64())?;
        let capstat = read_map(r, 9, |r| r.u8())?;
        let gazetteer = read_map(r, 12, |r| r.u32())?;
        let gazetteer_max_len = r.u32()? as usize;
        let classes = read_map(r, 10, |r| r.u16())?;
        Ok(Lexicon {
            clusters,
            classes,
            capstat,
            gazetteer,
            gazetteer_max_len,
        })
    }
}

/// Sets the `gaz` bits of the tokens of one matched phrase for each of its `classes`.
fn mark_phrase(phrase: &mut [Attrs], classes: u32) {
    let len = phrase.len();
    let mut c = classes;
    while c != 0 {
        let class = c.trailing_zeros() as u64;
        c &= c - 1;
        for (j, a) in phrase.iter_mut().enumerate() {
            let pos = if len == 1 {
                3
            } else if j == 0 {
                0
            } else if j + 1 == len {
                2
            } else {
                1
            };
            a.gaz |= 1 << (class * 4 + pos);
        }
    }
}

/// A word's entry by its form as written, else in Title Case, else in lower case (sentence
/// starts and headlines change the case of words seen otherwise in running text).
#[inline]
fn by_form<V: Copy>(m: &KeyMap<V>, form: u64, title: u64, lower: u64) -> Option<V> {
    m.get(&form)
        .or_else(|| m.get(&title))
        .or_else(|| m.get(&lower))
        .copied()
}

fn write_map<V>(w: &mut Writer, m: &KeyMap<V>, put: impl Fn(&mut Writer, &V)) {
    // Sorted so that the same lexicon always gives the same bytes.
    let mut keys: Vec<&u64> = m.keys().collect();
    keys.sort_unstable();
    w.u64(keys.len() as u64);
    for k in keys {
        w.u64(*k);
        put(w, &m[k]);
    }
}

fn read_map<V>(
    r: &mut Reader,
    min_size: usize,
    get: impl Fn(&mut Reader) -> Result<V>,
) -> Result<KeyMap<V>> {
    let n = r.count(min_size)?;
    let mut m = KeyMap::with_capacity_and_hasher(n, Default::default());
    for _ in 0..n {
        let k = r.u64()?;
        m.insert(k, get(r)?);
    }
    Ok(m)
}
