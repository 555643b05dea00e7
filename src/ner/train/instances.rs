//! Training sentences as the perceptron sees them (attributes, feature keys, gold labels) and the
//! feature key -> row id index. Training only; the daemon never calls it.

use super::perceptron::Instance;
use crate::ner::attrs::Attrs;
use crate::ner::conll::{Document, spans};
use crate::ner::docfeatures::DocFeatures;
use crate::ner::features::{AttrBuilder, FeatureBuf, sentence_attrs, sentence_features};
use crate::ner::hash::KeyMap;
use crate::ner::labels::labels_from_spans;
use crate::ner::lexicon::Lexicon;

/// One sentence ready for learning.
pub struct Prepared {
    pub attrs: Vec<Attrs>,
    pub feats: FeatureBuf,
    pub gold: Vec<u8>,
}

pub fn prepare(docs: &[Document], lex: &Lexicon) -> Vec<Vec<Prepared>> {
    let mut b = AttrBuilder::default();
    docs.iter()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| {
                    let mut attrs = Vec::new();
                    let sc = sentence_attrs(&s.words, lex, &mut b, &mut attrs);
                    let mut feats = FeatureBuf::default();
                    sentence_features(&attrs, sc, &mut feats);
                    let gold = labels_from_spans(&spans(&s.gold), s.words.len());
                    Prepared { attrs, feats, gold }
                })
                .collect()
        })
        .collect()
}

/// Feature key -> row id, grown from training data only.
#[derive(Default)]
pub struct FeatureIndex {
    map: KeyMap<u32>,
    pub keys: Vec<u64>,
}

impl FeatureIndex {
    fn id(&mut self, k: u64, grow: bool) -> Option<u32> {
        if let Some(&i) = self.map.get(&k) {
            return Some(i);
        }
        if !grow {
            return None;
        }
        let i = self.keys.len() as u32;
        self.map.insert(k, i);
        self.keys.push(k);
        Some(i)
    }

    pub fn instance(
        &mut self,
        p: &Prepared,
        doc: Option<(&DocFeatures, usize)>,
        grow: bool,
    ) -> Instance {
        let mut inst = Instance {
            gold: p.gold.clone(),
            offsets: vec![0],
            feats: Vec::new(),
        };
        for t in 0..p.feats.tokens() {
            for &k in p.feats.token(t) {
                if let Some(i) = self.id(k, grow) {
                    inst.feats.push(i);
                }
            }
            if let Some((doc, s)) = doc {
                for &k in doc.token(s, t) {
                    if let Some(i) = self.id(k, grow) {
                        inst.feats.push(i);
                    }
                }
            }
            inst.offsets.push(inst.feats.len() as u32);
        }
        inst
    }
}
