//! `stringer train ner`: builds the lexicon (gazetteers, Brown clusters, word classes,
//! capitalisation statistics) from the shared data, trains the two-pass averaged-perceptron
//! tagger on CoNLL-2003 train, picks the number of epochs on valid, and writes
//! `models/ner.bin`.
//! Everything is deterministic (fixed seeds, sorted inputs), so the same data gives the
//! same model. It must not be called when tagging.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};

use super::clusters;
use super::conll::{ColumnFile, Document, spans};
use super::corpus;
use super::docfeatures::{DocFeatures, document_features};
use super::eval::{Counts, Score};
use super::features::{AttrBuilder, Attrs, FeatureBuf, sentence_attrs, sentence_features};
use super::gazetteers;
use super::lexicon::{KeyMap, Lexicon};
use super::model::{Tagger, Weights};
use super::perceptron::{
    Decoder, Instance, Perceptron, Transitions, labels_from_spans, predict, spans_from_labels,
};
use super::wordclasses;
use super::wordstats;

/// What to train from and where to write the model.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub train: PathBuf,
    pub valid: PathBuf,
    /// The shared data folder (`../shared/data`): gazetteers and unlabelled text.
    pub data_dir: PathBuf,
    pub out: PathBuf,
    /// Upper bound on perceptron epochs; the best epoch on valid is kept.
    pub epochs: usize,
    /// Cross-validation folds that give the second pass honest first-pass labels.
    pub folds: usize,
    /// Brown clusters to learn (0 = no clusters). On valid: 256 clusters 0.9324, 512
    /// 0.9358, 1000 0.9301 (the unlabelled text, 1.1 M tokens, is too small for more).
    pub clusters: usize,
    /// Distributional word classes to learn (0 = none). Valid F1, single runs, mean of three
    /// seeds: none 0.9352, 256 classes 0.9385; one seed: 128 0.9364, 512 0.9345.
    pub word_classes: usize,
    /// Perceptrons trained on different shuffles whose weights are averaged (see `fit`).
    /// Single runs with 256 word classes scored 0.9359 to 0.9399 on valid depending on the
    /// seed, and disagreed on single words of real articles; three averaged runs
    /// score 0.9367 and do not depend on one shuffle.
    pub runs: usize,
    /// Train the document-level second pass.
    pub two_pass: bool,
    pub seed: u64,
    /// Where to keep learned Brown clusters between runs (they take the longest to learn);
    /// a cache learned for another cluster count is relearned and replaced.
    pub cluster_cache: Option<PathBuf>,
    /// Rows whose weights are all below this are dropped from the model file: 0.005 keeps
    /// about one row in eight and scores on valid as well as no pruning; 0.02 keeps one in
    /// fourteen and cost 0.001 F1 (measured with 256 clusters).
    pub prune: f32,
    pub learner: Learner,
    /// Progress on stderr.
    pub verbose: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            train: PathBuf::from("../shared/data/ner/conll2003/train.txt"),
            valid: PathBuf::from("../shared/data/ner/conll2003/valid.txt"),
            data_dir: PathBuf::from("../shared/data"),
            out: PathBuf::from("models/ner.bin"),
            epochs: 24,
            folds: 10,
            clusters: 512,
            word_classes: 256,
            runs: 3,
            two_pass: true,
            seed: 0x5eed,
            cluster_cache: None,
            prune: 0.005,
            learner: Learner {
                cost: 1.0,
                pa: Some(1.0),
            },
            verbose: true,
        }
    }
}

/// What a training run produced.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub valid: Score,
    pub first_pass_f1: f64,
    pub epochs_first: usize,
    pub epochs_second: usize,
    pub rows: usize,
    pub bytes: usize,
    pub seconds: f64,
    /// Of which learning the word clusters and classes.
    pub cluster_seconds: f64,
    pub out: PathBuf,
}

impl std::fmt::Display for TrainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "model {} ({} bytes, {} feature rows)",
            self.out.display(),
            self.bytes,
            self.rows
        )?;
        writeln!(
            f,
            "epochs: first pass {} (valid F1 {:.4}), second pass {}",
            self.epochs_first, self.first_pass_f1, self.epochs_second
        )?;
        writeln!(f, "valid:\n{}", self.valid)?;
        write!(
            f,
            "training time {:.1} s (word clusters and classes {:.1} s)",
            self.seconds, self.cluster_seconds
        )
    }
}

/// Function words that AP-style Title Case headlines leave in lower case.
const HEADLINE_SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "by", "with", "as", "from",
];

/// "JAPAN GET LUCKY WIN" -> "Japan Get Lucky Win"; two-letter words ("UK", "EU") stay
/// upper case like acronyms in real headlines; `small` lower-cases function words.
fn title_case(word: &str, small: bool) -> String {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters <= 2 && !HEADLINE_SMALL_WORDS.contains(&word.to_lowercase().as_str()) {
        return word.to_string();
    }
    let lower = word.to_lowercase();
    if small && HEADLINE_SMALL_WORDS.contains(&lower.as_str()) {
        return lower;
    }
    let mut out = String::with_capacity(word.len());
    for (i, c) in lower.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// CoNLL headlines are in capitals; web headlines are mostly in Title Case, which the
/// model would otherwise never see. Each training document whose first sentence is an
/// all-capitals headline gets a Title Case copy of it right after it (same labels), so the
/// document features link it to the text as they do for a real article's title.
fn with_title_case_headlines(docs: &[Document]) -> Vec<Document> {
    docs.iter()
        .enumerate()
        .map(|(d, doc)| {
            let mut doc = doc.clone();
            let Some(first) = doc.sentences.first() else {
                return doc;
            };
            let letters: Vec<&String> = first
                .words
                .iter()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .collect();
            let caps = letters
                .iter()
                .filter(|w| !w.chars().any(char::is_lowercase))
                .count();
            // Every other document: its headline's Title Case form replaces the capitals
            // (a copy next to it would count its mentions twice in the document features).
            if letters.len() >= 3 && caps == letters.len() && d % 2 == 1 {
                let words = first
                    .words
                    .iter()
                    .map(|w| title_case(w, d % 4 == 1))
                    .collect();
                doc.sentences[0].words = words;
            }
            doc
        })
        .collect()
}

/// One sentence ready for learning.
struct Prepared {
    attrs: Vec<Attrs>,
    feats: FeatureBuf,
    gold: Vec<u8>,
}

fn prepare(docs: &[Document], lex: &Lexicon) -> Vec<Vec<Prepared>> {
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
struct FeatureIndex {
    map: KeyMap<u32>,
    keys: Vec<u64>,
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

    fn instance(
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

/// Small deterministic generator for shuffling.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn score(w: &[f32], tr: &Transitions, insts: &[Instance]) -> (f64, Vec<Vec<u8>>) {
    let tr = tr.constrained();
    let mut dec = Decoder::default();
    let mut emit = Vec::new();
    let mut counts = Counts::default();
    let mut all = Vec::with_capacity(insts.len());
    for inst in insts {
        let mut out = Vec::new();
        predict(w, &tr, inst, &mut dec, &mut emit, &mut out);
        counts.add(&spans_from_labels(&inst.gold), &spans_from_labels(&out));
        all.push(out);
    }
    (counts.score().f1, all)
}

/// Trains for up to `epochs`; with `valid`, keeps the averaged weights of the best epoch.
/// With `opts.runs` > 1, that many perceptrons learn from different shuffles, each keeps its
/// own best epoch, and their weights are averaged: the model no longer hangs on one order
/// of the training sentences. Returns the weights, the (mean) epoch count and valid F1.
fn fit(
    train: &[Instance],
    n_features: usize,
    epochs: usize,
    seed: u64,
    valid: Option<&[Instance]>,
    tag: &str,
    opts: &TrainOptions,
) -> (Vec<f32>, Transitions, usize, f64) {
    let runs = opts.runs.max(1);
    let mut fits = (0..runs).map(|r| {
        let seed = seed.wrapping_add(r as u64 * 0x9e37_79b9);
        fit_one(train, n_features, epochs, seed, valid, tag, opts)
    });
    let (mut w, mut tr, mut epoch_sum, f1) = fits.next().expect("at least one run");
    if runs == 1 {
        return (w, tr, epoch_sum, f1);
    }
    for (w2, tr2, e2, _) in fits {
        w.iter_mut().zip(&w2).for_each(|(a, b)| *a += b);
        tr.add(&tr2);
        epoch_sum += e2;
    }
    let k = 1.0 / runs as f32;
    w.iter_mut().for_each(|a| *a *= k);
    tr.scale(k);
    let f1 = valid.map_or(0.0, |v| score(&w, &tr, v).0);
    if opts.verbose && valid.is_some() {
        eprintln!("  {tag}: {runs} runs averaged, valid F1 {f1:.4}");
    }
    (w, tr, (epoch_sum + runs / 2) / runs, f1)
}

/// One averaged perceptron; with `valid`, the averaged weights of its best epoch.
fn fit_one(
    train: &[Instance],
    n_features: usize,
    epochs: usize,
    seed: u64,
    valid: Option<&[Instance]>,
    tag: &str,
    opts: &TrainOptions,
) -> (Vec<f32>, Transitions, usize, f64) {
    let learner = opts.learner;
    let mut p = Perceptron::new(n_features);
    p.cost = learner.cost;
    p.pa = learner.pa;
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut rng = XorShift(seed | 1);
    let mut best = (Vec::new(), Transitions::zero(), 0, -1.0);
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        let mut wrong = 0;
        for &i in &order {
            if !p.learn(&train[i]) {
                wrong += 1;
            }
        }
        if let Some(valid) = valid {
            let (w, tr) = p.averaged();
            let (f1, _) = score(&w, &tr, valid);
            if opts.verbose {
                eprintln!("  {tag} epoch {epoch}: {wrong} wrong sentences, valid F1 {f1:.4}");
            }
            if f1 > best.3 {
                best = (w, tr, epoch, f1);
            }
        }
    }
    if valid.is_none() {
        let (w, tr) = p.averaged();
        best = (w, tr, epochs, 0.0);
    }
    best
}

/// How the perceptron steps.
#[derive(Debug, Clone, Copy)]
pub struct Learner {
    /// Loss-augmented decoding margin (0 = plain perceptron).
    pub cost: f32,
    /// Passive-aggressive step cap (None = step 1).
    pub pa: Option<f32>,
}

/// Trains the tagger and writes it to `opts.out`.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    let started = Instant::now();
    let log = |msg: String| {
        if opts.verbose {
            eprintln!("{msg} ({:.1} s)", started.elapsed().as_secs_f64());
        }
    };
    let train_file = ColumnFile::read(&opts.train)?;
    let valid_file = ColumnFile::read(&opts.valid)?;

    // Lexicon from the shared data.
    let gaz =
        gazetteers::build(&opts.data_dir.join("gazetteers")).context("building gazetteers")?;
    log(format!("gazetteer: {} phrases", gaz.phrases));
    let conll_sentences: corpus::Sentences = train_file
        .documents
        .iter()
        .flat_map(|d| d.sentences.iter().map(|s| s.words.clone()))
        .collect();
    let unlabelled = corpus::unlabelled(&opts.data_dir, &conll_sentences)?;
    log(format!(
        "unlabelled text: {} sentences, {} tokens",
        unlabelled.len(),
        unlabelled.iter().map(Vec::len).sum::<usize>()
    ));
    // Capitalisation statistics leave the CoNLL text out: counted on the training text
    // itself they were more reliable on training words than on new ones (valid F1 -0.3).
    let mut lex = Lexicon {
        capstat: wordstats::capitalisation_buckets(&unlabelled[conll_sentences.len()..]),
        gazetteer: gaz.table,
        gazetteer_max_len: gaz.max_len,
        ..Lexicon::default()
    };
    let cluster_started = Instant::now();
    let mut text = unlabelled.clone();
    text.extend(corpus::tweets(&opts.data_dir)?);
    if opts.clusters > 0 {
        // The cache starts with the cluster count it was learned for; another count relearns.
        let tag = (opts.clusters as u64).to_le_bytes();
        let cached = opts
            .cluster_cache
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .filter(|b| b.starts_with(&tag));
        lex.clusters = match cached {
            Some(bytes) => clusters::from_bytes(&bytes[tag.len()..])?,
            None => {
                let c = clusters::brown(&text, opts.clusters, 2);
                if let Some(p) = &opts.cluster_cache {
                    std::fs::write(p, [&tag[..], &clusters::to_bytes(&c)].concat())
                        .with_context(|| format!("writing {}", p.display()))?;
                }
                c
            }
        };
        log(format!("clusters: {} words", lex.clusters.len()));
    }
    if opts.word_classes > 0 {
        let classes = wordclasses::ClassOptions {
            k: opts.word_classes,
            ..Default::default()
        };
        lex.classes = wordclasses::classes(&text, classes);
        log(format!("word classes: {} words", lex.classes.len()));
    }
    let cluster_seconds = cluster_started.elapsed().as_secs_f64();

    let train_docs = prepare(&with_title_case_headlines(&train_file.documents), &lex);
    let valid_docs = prepare(&valid_file.documents, &lex);
    let mut index = FeatureIndex::default();
    let train_insts: Vec<Instance> = train_docs
        .iter()
        .flatten()
        .map(|p| index.instance(p, None, true))
        .collect();
    let n_base = index.keys.len();
    let valid_insts: Vec<Instance> = valid_docs
        .iter()
        .flatten()
        .map(|p| index.instance(p, None, false))
        .collect();
    log(format!("first pass: {n_base} features"));
    let (w1, tr1, epochs_first, f1_first) = fit(
        &train_insts,
        n_base,
        opts.epochs,
        opts.seed,
        Some(&valid_insts),
        "first pass",
        opts,
    );
    let first = Weights::from_rows(&index.keys[..n_base], &w1, &tr1, opts.prune);
    let mut second = None;
    let mut epochs_second = 0;

    if opts.two_pass {
        // First-pass labels for the training documents from models that did not see them.
        let n_docs = train_docs.len();
        let mut doc_insts: Vec<(usize, usize)> = Vec::new(); // (doc, first instance)
        let mut at = 0;
        for (d, doc) in train_docs.iter().enumerate() {
            doc_insts.push((d, at));
            at += doc.len();
        }
        let mut fold_labels: Vec<Vec<Vec<u8>>> = vec![Vec::new(); n_docs];

        for fold in 0..opts.folds {
            let in_fold = |d: usize| d % opts.folds == fold;
            let sub: Vec<Instance> = doc_insts
                .iter()
                .filter(|(d, _)| !in_fold(*d))
                .flat_map(|&(d, s)| train_insts[s..s + train_docs[d].len()].iter().cloned())
                .collect();
            let (w, tr, _, _) = fit(
                &sub,
                n_base,
                epochs_first,
                opts.seed + fold as u64 + 1,
                None,
                "fold",
                opts,
            );
            let tr = tr.constrained();
            let mut dec = Decoder::default();
            let mut emit = Vec::new();
            for &(d, s) in doc_insts.iter().filter(|(d, _)| in_fold(*d)) {
                for inst in &train_insts[s..s + train_docs[d].len()] {
                    let mut out = Vec::new();
                    predict(&w, &tr, inst, &mut dec, &mut emit, &mut out);
                    fold_labels[d].push(out);
                }
            }
            log(format!("  cross-validation fold {fold} done"));
        }
        let mut index2 = FeatureIndex::default();
        let mut train2 = Vec::new();
        let mut doc_keys = DocFeatures::default();
        for (d, doc) in train_docs.iter().enumerate() {
            let attrs: Vec<Vec<Attrs>> = doc.iter().map(|p| p.attrs.clone()).collect();
            document_features(&attrs, &fold_labels[d], &mut doc_keys);
            for (i, p) in doc.iter().enumerate() {
                train2.push(index2.instance(p, Some((&doc_keys, i)), true));
            }
        }
        // Valid gets its first-pass labels from the full first-pass model, as at run time.
        let (_, valid_first) = score(&w1, &tr1, &valid_insts);

        let mut valid2 = Vec::new();
        let mut at = 0;
        for doc in &valid_docs {
            let attrs: Vec<Vec<Attrs>> = doc.iter().map(|p| p.attrs.clone()).collect();
            document_features(&attrs, &valid_first[at..at + doc.len()], &mut doc_keys);
            for (i, p) in doc.iter().enumerate() {
                valid2.push(index2.instance(p, Some((&doc_keys, i)), false));
            }
            at += doc.len();
        }
        let n2 = index2.keys.len();
        log(format!("second pass: {n2} features"));
        let (w2, tr2, e2, _) = fit(
            &train2,
            n2,
            opts.epochs,
            opts.seed ^ 0xabc,
            Some(&valid2),
            "second pass",
            opts,
        );
        epochs_second = e2;
        second = Some(Weights::from_rows(&index2.keys, &w2, &tr2, opts.prune));
    }

    let tagger = Tagger::new(lex, first, second);
    let bytes = tagger.to_bytes();
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&opts.out, &bytes).with_context(|| format!("writing {}", opts.out.display()))?;
    // The reported score is that of the written file, read back, through the eval path.
    let reread = Tagger::from_bytes(&bytes)?;
    let valid = super::eval::run(&reread, &opts.valid, None)?;
    Ok(TrainReport {
        valid,
        first_pass_f1: f1_first,
        epochs_first,
        epochs_second,
        rows: reread.rows(),
        bytes: bytes.len(),
        seconds: started.elapsed().as_secs_f64(),
        cluster_seconds,
        out: opts.out.clone(),
    })
}
