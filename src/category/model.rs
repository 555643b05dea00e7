//! The category model's in-memory form, its scoring, and its compact binary file format
//! (`models/category.bin`). It must not train or read files: bytes in, bytes out.
//!
//! Format, little-endian: magic `STRCAT\0\x02`; `bigrams, title_repeat, drop_stopwords, classes`
//! as u8; long-text threshold u16; `char_min, char_max, char_share`, reserved as u8; the
//! confidence below which an article is `other` as u16 (times 1/65535); reserved u16; feature count u32; idf scale f32; weight scale f32; 5 biases f32; sorted term hashes
//! u32[n]; idf u16[n] (times the idf scale); weights i16[n * 5] (times the weight scale);
//! FNV-1a 32 checksum of everything before it. Term hashes, not terms, are stored: the training
//! text is research-only and no piece of it may ship in the binary.

use anyhow::{Context, bail, ensure};

use super::features::{CHAR_BLOCK, FeatureConfig, term_counts};

const MAGIC: &[u8; 8] = b"STRCAT\0\x02";
/// Bytes before the term hashes.
const HEADER: usize = 54;
pub const CLASSES: usize = 5;

#[derive(Debug, Clone)]
pub struct Model {
    pub config: FeatureConfig,
    /// Strictly ascending, so lookups are a binary search and no hash table is built at load.
    pub keys: Vec<u32>,
    pub idf: Vec<f32>,
    pub weights: Vec<[f32; CLASSES]>,
    pub bias: [f32; CLASSES],
    /// Below this probability of its best label an article is `other` (none of the five).
    pub other_below: f32,
}

impl Model {
    /// L2-normalised sublinear TF-IDF vector of a document over the model's terms, as
    /// `(row index, value)`; empty when no term is known.
    pub fn vectorise(&self, title: &str, text: &str) -> Vec<(u32, f32)> {
        tfidf(&self.config, &self.keys, &self.idf, title, text)
    }

    pub fn scores(&self, x: &[(u32, f32)]) -> [f32; CLASSES] {
        let mut z = self.bias;
        for &(i, v) in x {
            let w = &self.weights[i as usize];
            for k in 0..CLASSES {
                z[k] += v * w[k];
            }
        }
        z
    }

    pub fn probabilities(&self, title: &str, text: &str) -> Option<[f32; CLASSES]> {
        let x = self.vectorise(title, text);
        if x.is_empty() {
            return None;
        }
        Some(softmax(self.scores(&x)))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.keys.len();
        let mut out = Vec::with_capacity(HEADER + 4 + n * 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[
            u8::from(self.config.bigrams),
            self.config.title_repeat,
            u8::from(self.config.drop_stopwords),
            CLASSES as u8,
        ]);
        out.extend_from_slice(&self.config.long_text_words.to_le_bytes());
        out.extend_from_slice(&[
            self.config.char_min,
            self.config.char_max,
            self.config.char_share,
            0,
        ]);
        let other = (self.other_below.clamp(0.0, 1.0) * f32::from(u16::MAX)).round() as u16;
        out.extend_from_slice(&other.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(n as u32).to_le_bytes());
        let idf_max = self.idf.iter().fold(0f32, |m, &v| m.max(v.abs()));
        let w_max = self
            .weights
            .iter()
            .flatten()
            .fold(0f32, |m, &v| m.max(v.abs()));
        let idf_scale = if idf_max > 0.0 {
            idf_max / f32::from(u16::MAX)
        } else {
            1.0
        };
        let w_scale = if w_max > 0.0 {
            w_max / f32::from(i16::MAX)
        } else {
            1.0
        };
        out.extend_from_slice(&idf_scale.to_le_bytes());
        out.extend_from_slice(&w_scale.to_le_bytes());
        for b in self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for v in &self.idf {
            out.extend_from_slice(&((v / idf_scale).round() as u16).to_le_bytes());
        }
        for w in self.weights.iter().flatten() {
            out.extend_from_slice(&((w / w_scale).round() as i16).to_le_bytes());
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    pub fn from_bytes(b: &[u8]) -> anyhow::Result<Model> {
        let body = checked_body(b)?;
        let mut r = Reader { b: body, pos: 8 };
        let config = read_config(&mut r)?;
        let other_below = f32::from(u16::from_le_bytes(r.array()?)) / f32::from(u16::MAX);
        r.take(2)?;
        let n = r.u32()? as usize;
        ensure!(
            body.len() == HEADER + n * (4 + 2 + 2 * CLASSES),
            "category model: size does not match {n} features"
        );
        let idf_scale = r.f32()?;
        let w_scale = r.f32()?;
        let mut bias = [0f32; CLASSES];
        for v in &mut bias {
            *v = r.f32()?;
        }
        let keys = (0..n)
            .map(|_| r.u32())
            .collect::<anyhow::Result<Vec<_>>>()?;
        ensure!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "category model: term hashes not sorted"
        );
        let idf = (0..n)
            .map(|_| Ok(f32::from(u16::from_le_bytes(r.array()?)) * idf_scale))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut weights = Vec::with_capacity(n);
        for _ in 0..n {
            let mut w = [0f32; CLASSES];
            for v in &mut w {
                *v = f32::from(i16::from_le_bytes(r.array()?)) * w_scale;
            }
            weights.push(w);
        }
        Ok(Model {
            config,
            keys,
            idf,
            weights,
            bias,
            other_below,
        })
    }
}

/// The file without its checksum, once the length, magic and checksum are checked.
fn checked_body(b: &[u8]) -> anyhow::Result<&[u8]> {
    ensure!(
        b.len() >= HEADER + 4,
        "category model: file too short ({} bytes)",
        b.len()
    );
    ensure!(
        &b[..8] == MAGIC,
        "category model: bad magic or unsupported version"
    );
    let (body, tail) = b.split_at(b.len() - 4);
    let stored = u32::from_le_bytes(tail.try_into().context("checksum")?);
    ensure!(
        checksum(body) == stored,
        "category model: checksum mismatch (corrupt file)"
    );
    Ok(body)
}

/// The feature configuration after the magic (flags, class count, long-text threshold).
fn read_config(r: &mut Reader) -> anyhow::Result<FeatureConfig> {
    let flags: [u8; 4] = r.array()?;
    if usize::from(flags[3]) != CLASSES {
        bail!("category model: {} classes, expected {CLASSES}", flags[3]);
    }
    let long_text_words = u16::from_le_bytes(r.array()?);
    let chars: [u8; 4] = r.array()?;
    ensure!(
        chars[2] <= 100,
        "category model: character share {} over 100",
        chars[2]
    );
    Ok(FeatureConfig {
        bigrams: flags[0] != 0,
        title_repeat: flags[1],
        drop_stopwords: flags[2] != 0,
        long_text_words,
        char_min: chars[0],
        char_max: chars[1],
        char_share: chars[2],
    })
}

/// Sublinear TF-IDF over the model's terms with the word and character blocks each
/// L2-normalised, then weighted by the character share (a document with one block only gets
/// it at full length). Shared by training and scoring so both see exactly the same vectors.
pub fn tfidf(
    cfg: &FeatureConfig,
    keys: &[u32],
    idf: &[f32],
    title: &str,
    text: &str,
) -> Vec<(u32, f32)> {
    let mut x: Vec<(u32, f32)> = term_counts(cfg, title, text)
        .into_iter()
        .filter_map(|(k, c)| {
            let i = keys.binary_search(&k).ok()?;
            Some((i as u32, (1.0 + c.ln()) * idf[i]))
        })
        .collect();
    let is_char = |i: u32| keys[i as usize] & CHAR_BLOCK != 0;
    let (mut words, mut chars) = (0f32, 0f32);
    for &(i, v) in &x {
        if is_char(i) {
            chars += v * v;
        } else {
            words += v * v;
        }
    }
    let share = match (words > 0.0, chars > 0.0) {
        (true, true) => f32::from(cfg.char_share) / 100.0,
        (false, true) => 1.0,
        (true, false) => 0.0,
        (false, false) => {
            x.clear();
            return x;
        }
    };
    let word_scale = (1.0 - share).sqrt() / words.sqrt().max(f32::MIN_POSITIVE);
    let char_scale = share.sqrt() / chars.sqrt().max(f32::MIN_POSITIVE);
    for (i, v) in &mut x {
        *v *= if is_char(*i) { char_scale } else { word_scale };
    }
    x
}

pub fn softmax(z: [f32; CLASSES]) -> [f32; CLASSES] {
    let m = z.iter().fold(f32::MIN, |a, &b| a.max(b));
    let mut p = z.map(|v| (v - m).exp());
    let s: f32 = p.iter().sum();
    for v in &mut p {
        *v /= s;
    }
    p
}

fn checksum(b: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &x in b {
        h ^= u32::from(x);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> anyhow::Result<&[u8]> {
        let s = self
            .b
            .get(self.pos..self.pos + n)
            .context("category model: truncated")?;
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> anyhow::Result<[u8; N]> {
        Ok(self.take(N)?.try_into()?)
    }

    fn u32(&mut self) -> anyhow::Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn f32(&mut self) -> anyhow::Result<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }
}
