//! The trained tagger: lexicon, feature weights and transitions, its binary file format,
//! the embedded copy committed at `models/ner.bin`, and tagging of a document in two
//! passes (sentence features, then the same plus document features built from the first
//! pass). It must not train or read training data, and must stay cheap per token: one
//! probe per feature key serves both passes, most absent keys are rejected by a small
//! bit filter that stays in cache, and weights are 16-bit.

use std::sync::OnceLock;

use anyhow::{Result, bail};

use super::attrs::Attrs;
use super::codec::{Reader, Writer};
use super::decoder::{Decoder, Transitions};
use super::docfeatures::{DocFeatures, document_features};
use super::features::{AttrBuilder, FeatureBuf, sentence_attrs, sentence_features};
use super::labels::N_LABELS;
use super::lexicon::Lexicon;

const MAGIC: &[u8; 8] = b"STRNER05";

/// Weights of one pass as learned (training side): feature keys, rows of `N_LABELS`
/// scores, and transitions.
pub struct Weights {
    pub keys: Vec<u64>,
    pub w: Vec<f32>,
    pub tr: Transitions,
}

impl Weights {
    /// Keeps only rows that are not (almost) all zero.
    pub fn from_rows(keys: &[u64], w: &[f32], tr: &Transitions, min_abs: f32) -> Weights {
        let mut out_keys = Vec::new();
        let mut out = Vec::new();
        for (i, &k) in keys.iter().enumerate() {
            let row = &w[i * N_LABELS..(i + 1) * N_LABELS];
            if row.iter().any(|x| x.abs() > min_abs) {
                out_keys.push(k);
                out.extend_from_slice(row);
            }
        }
        Weights {
            keys: out_keys,
            w: out,
            tr: tr.clone(),
        }
    }
}

/// Row width: the first pass's scores, then the second pass's.
const ROW: usize = 2 * N_LABELS;

/// Weights of one feature for both passes, 8-bit with a scale per pass, one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Row {
    scale: [f32; 2],
    w: [i8; ROW],
}

impl Row {
    fn quantise(w1: &[f32], w2: &[f32]) -> Row {
        let mut row = Row {
            scale: [0.0; 2],
            w: [0; ROW],
        };
        for (pass, w) in [w1, w2].into_iter().enumerate() {
            let max = w.iter().fold(0f32, |m, x| m.max(x.abs()));
            if max == 0.0 {
                continue;
            }
            row.scale[pass] = max / 127.0;
            for (q, &x) in row.w[pass * N_LABELS..(pass + 1) * N_LABELS]
                .iter_mut()
                .zip(w)
            {
                *q = (x / row.scale[pass]).round().clamp(-127.0, 127.0) as i8;
            }
        }
        row
    }
}

/// Feature key -> row. Open addressing on the key's low bits with a 32-bit fingerprint
/// from its high bits (a false match needs 64 equal bits of two different keys' hashes).
/// (A bit filter in front of it was measured: no gain.)
struct Table {
    mask: usize,
    slots: Vec<u64>,
    rows: Vec<Row>,
    keys: Vec<u64>,
}

impl Table {
    fn build(keys: Vec<u64>, rows: Vec<Row>) -> Table {
        let cap = (keys.len() + keys.len() / 2).next_power_of_two().max(16);
        let mut t = Table {
            mask: cap - 1,
            slots: vec![0; cap],
            rows,
            keys: Vec::new(),
        };
        for (r, &k) in keys.iter().enumerate() {
            let mut i = k as usize & t.mask;
            while t.slots[i] != 0 {
                i = (i + 1) & t.mask;
            }
            t.slots[i] = ((Self::fingerprint(k) as u64) << 32) | r as u64;
        }
        t.keys = keys;
        t
    }

    #[inline]
    fn fingerprint(k: u64) -> u32 {
        ((k >> 32) as u32) | 1
    }

    #[inline]
    fn get(&self, k: u64) -> Option<&Row> {
        let fp = Self::fingerprint(k);
        let mut i = k as usize & self.mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return None;
            }
            if (s >> 32) as u32 == fp {
                return self.rows.get((s & 0xffff_ffff) as usize);
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[inline]
fn add_both(row: &Row, acc1: &mut [f32; N_LABELS], acc2: &mut [f32; N_LABELS]) {
    let (w1, w2) = row.w.split_at(N_LABELS);
    for (a, &w) in acc1.iter_mut().zip(w1) {
        *a += w as f32 * row.scale[0];
    }
    for (a, &w) in acc2.iter_mut().zip(w2) {
        *a += w as f32 * row.scale[1];
    }
}

#[inline]
fn add_second(row: &Row, acc: &mut [f32]) {
    for (a, &w) in acc.iter_mut().zip(&row.w[N_LABELS..]) {
        *a += w as f32 * row.scale[1];
    }
}

/// A trained named-entity tagger.
pub struct Tagger {
    lexicon: Lexicon,
    table: Table,
    /// Transitions of each pass, BILOU constraints applied.
    tr: [Transitions; 2],
    two_pass: bool,
}

/// Buffers reused across the sentences of a document.
#[derive(Default)]
struct Work {
    builder: AttrBuilder,
    decoder: Decoder,
    feats: FeatureBuf,
    emit: Vec<f32>,
}

impl Tagger {
    pub(super) fn new(lexicon: Lexicon, first: Weights, second: Option<Weights>) -> Tagger {
        let two_pass = second.is_some();
        let second = second.unwrap_or(Weights {
            keys: Vec::new(),
            w: Vec::new(),
            tr: Transitions::zero(),
        });
        let mut merged: std::collections::BTreeMap<u64, [f32; ROW]> =
            std::collections::BTreeMap::new();
        for (pass, w) in [&first, &second].into_iter().enumerate() {
            for (i, &k) in w.keys.iter().enumerate() {
                let row = merged.entry(k).or_insert([0.0; ROW]);
                row[pass * N_LABELS..(pass + 1) * N_LABELS]
                    .copy_from_slice(&w.w[i * N_LABELS..(i + 1) * N_LABELS]);
            }
        }
        let keys: Vec<u64> = merged.keys().copied().collect();
        let rows: Vec<Row> = merged
            .values()
            .map(|r| Row::quantise(&r[..N_LABELS], &r[N_LABELS..]))
            .collect();
        Tagger {
            lexicon,
            table: Table::build(keys, rows),
            tr: [first.tr.constrained(), second.tr.constrained()],
            two_pass,
        }
    }

    /// The committed model, parsed on first use.
    pub fn embedded() -> &'static Tagger {
        static TAGGER: OnceLock<Tagger> = OnceLock::new();
        TAGGER.get_or_init(|| {
            Tagger::from_bytes(include_bytes!("../../models/ner.bin"))
                .expect("models/ner.bin is committed with the code and must parse; retrain with `stringer train ner`")
        })
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            bail!("not a Stringer NER model (bad magic)");
        }
        let mut r = Reader::new(&bytes[MAGIC.len()..]);
        let lexicon = Lexicon::read(&mut r)?;
        let two_pass = r.u8()? == 1;
        let mut tr = [Transitions::zero(), Transitions::zero()];
        for t in &mut tr {
            for v in [&mut t.pair, &mut t.start, &mut t.end] {
                for x in v.iter_mut() {
                    *x = r.f32()?;
                }
            }
        }
        let n = r.count(8 + 8 + ROW)?;
        let mut keys = Vec::with_capacity(n);
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            keys.push(r.u64()?);
        }
        for _ in 0..n {
            let mut row = Row {
                scale: [r.f32()?, r.f32()?],
                w: [0; ROW],
            };
            for x in row.w.iter_mut() {
                *x = r.u8()? as i8;
            }
            rows.push(row);
        }
        if !r.is_empty() {
            bail!("trailing bytes after the NER model");
        }
        Ok(Tagger {
            lexicon,
            table: Table::build(keys, rows),
            tr,
            two_pass,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.buf.extend_from_slice(MAGIC);
        self.lexicon.write(&mut w);
        w.u8(self.two_pass as u8);
        for t in &self.tr {
            for v in [&t.pair, &t.start, &t.end] {
                for x in v.iter() {
                    w.f32(*x);
                }
            }
        }
        w.u64(self.table.keys.len() as u64);
        for &k in &self.table.keys {
            w.u64(k);
        }
        for row in &self.table.rows {
            w.f32(row.scale[0]);
            w.f32(row.scale[1]);
            for &x in &row.w {
                w.u8(x as u8);
            }
        }
        w.buf
    }

    /// Feature rows in the model.
    pub fn rows(&self) -> usize {
        self.table.keys.len()
    }

    /// BILOU label ids of every token of one document, sentence by sentence.
    pub fn tag_document<S: AsRef<str>>(&self, doc: &[&[S]]) -> Vec<Vec<u8>> {
        let mut work = Work::default();
        let mut attrs: Vec<Vec<Attrs>> = Vec::with_capacity(doc.len());
        // The second pass's scores of the sentence features, summed while each row is in
        // cache for the first pass; the second pass then only adds document features.
        let mut second_base: Vec<Vec<f32>> = Vec::with_capacity(doc.len());
        let mut labels: Vec<Vec<u8>> = Vec::with_capacity(doc.len());
        for words in doc {
            let (a, base2, l) = self.first_pass(words, &mut work);
            attrs.push(a);
            second_base.push(base2);
            labels.push(l);
        }
        if !self.two_pass {
            return labels;
        }
        let mut doc_feats = DocFeatures::default();
        document_features(&attrs, &labels, &mut doc_feats);
        for (s, (base2, l)) in second_base.iter_mut().zip(labels.iter_mut()).enumerate() {
            for t in 0..l.len() {
                let acc = &mut base2[t * N_LABELS..(t + 1) * N_LABELS];
                for &k in doc_feats.token(s, t) {
                    if let Some(r) = self.table.get(k) {
                        add_second(r, acc);
                    }
                }
            }
            work.decoder.viterbi(base2, &self.tr[1], l);
        }
        labels
    }

    /// One sentence's attributes, its second-pass scores of the sentence features (empty
    /// for a one-pass model) and its first-pass labels.
    fn first_pass<S: AsRef<str>>(
        &self,
        words: &[S],
        work: &mut Work,
    ) -> (Vec<Attrs>, Vec<f32>, Vec<u8>) {
        let mut a = Vec::with_capacity(words.len());
        let sc = sentence_attrs(words, &self.lexicon, &mut work.builder, &mut a);
        sentence_features(&a, sc, &mut work.feats);
        work.emit.clear();
        let mut base2 = Vec::with_capacity(if self.two_pass {
            words.len() * N_LABELS
        } else {
            0
        });
        for t in 0..work.feats.tokens() {
            let mut acc1 = [0f32; N_LABELS];
            let mut acc2 = [0f32; N_LABELS];
            for &k in work.feats.token(t) {
                if let Some(r) = self.table.get(k) {
                    add_both(r, &mut acc1, &mut acc2);
                }
            }
            work.emit.extend_from_slice(&acc1);
            if self.two_pass {
                base2.extend_from_slice(&acc2);
            }
        }
        let mut l = Vec::with_capacity(words.len());
        work.decoder.viterbi(&work.emit, &self.tr[0], &mut l);
        (a, base2, l)
    }
}
