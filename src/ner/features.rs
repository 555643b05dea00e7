//! Turns the tokens of a sentence into hashed feature keys for the tagger: word forms,
//! shapes, affixes, context windows, word clusters, gazetteer matches and capitalisation
//! statistics. Keys are 64-bit hashes computed without allocating per token, so training
//! and tagging share exactly the same code. It must not look at labels or weights.

use super::attrs::{Attrs, Case, MAX_GRAMS, SentenceCase};
use super::hash::{StrHash, fold, key, mix, pair};
use super::lexicon::Lexicon;

/// Computes per-token attributes; `scratch` is reused between calls.
pub struct AttrBuilder {
    chars: Vec<char>,
}

impl Default for AttrBuilder {
    fn default() -> Self {
        AttrBuilder {
            chars: Vec::with_capacity(64),
        }
    }
}

/// Cluster path prefix lengths used as features (Ratinov & Roth 2009 use 4, 6, 10, 20).
pub const CLUSTER_PREFIXES: [u32; 4] = [4, 6, 10, 20];

/// The hashes and letter counts of one pass over a word's characters.
struct Scan {
    form: StrHash,
    lower: StrHash,
    title: StrHash,
    shape: StrHash,
    short: StrHash,
    up: u32,
    low: u32,
    first_upper: bool,
    last_class: char,
    run: u32,
}

impl Scan {
    fn new() -> Scan {
        Scan {
            form: StrHash::new(),
            lower: StrHash::new(),
            title: StrHash::new(),
            shape: StrHash::new(),
            short: StrHash::new(),
            up: 0,
            low: 0,
            first_upper: false,
            last_class: '\0',
            run: 0,
        }
    }

    /// The shape class of character `c` at position `i` ('X', 'x', 'd' or itself),
    /// counting upper- and lower-case letters.
    fn class(&mut self, i: usize, c: char) -> char {
        if c.is_uppercase() {
            self.up += 1;
            if i == 0 {
                self.first_upper = true;
            }
            'X'
        } else if c.is_lowercase() {
            self.low += 1;
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        }
    }

    /// Feeds the lower-case form (and the Title Case form) of `d`, the `i`-th character,
    /// to the hashes and to `chars`.
    fn push_lower(&mut self, i: usize, d: char, ascii: bool, chars: &mut Vec<char>) {
        if ascii {
            let l = d.to_ascii_lowercase();
            self.lower.push(l);
            chars.push(l);
            self.title
                .push(if i == 0 { l.to_ascii_uppercase() } else { l });
        } else {
            for l in d.to_lowercase() {
                self.lower.push(l);
                chars.push(l);
                if i == 0 {
                    for u in l.to_uppercase() {
                        self.title.push(u);
                    }
                } else {
                    self.title.push(l);
                }
            }
        }
    }

    /// Shape keeps runs of up to four equal classes; the short shape one per run.
    fn push_shape(&mut self, class: char) {
        if class == self.last_class {
            self.run += 1;
        } else {
            self.run = 1;
            self.short.push(class);
        }
        if self.run <= 4 {
            self.shape.push(class);
        }
        self.last_class = class;
    }

    fn case(&self) -> Case {
        let (up, low) = (self.up, self.low);
        if up + low == 0 {
            Case::NoLetters
        } else if up == 0 {
            Case::Lower
        } else if low == 0 {
            Case::AllUpper
        } else if self.first_upper && up == 1 {
            Case::Initial
        } else {
            Case::Mixed
        }
    }
}

impl AttrBuilder {
    pub fn token(&mut self, word: &str, lex: &Lexicon) -> Attrs {
        self.chars.clear();
        let scan = self.scan(word);
        let case = scan.case();
        let n = self.chars.len();
        let suf = self.suffixes();
        let (grams, n_grams) = self.trigrams(case);
        let form = scan.form.finish();
        let lower = scan.lower.finish();
        let title = scan.title.finish();
        Attrs {
            form,
            lower,

            shape: scan.shape.finish(),
            short: scan.short.finish(),
            suf,
            cluster: cluster_features(lex.cluster(form, title, lower)),
            class: lex.class(form, title, lower).map_or(0, |c| c as u64 + 1),
            gaz: 0,
            capstat: lex.capstat(lower),
            case,
            len: n.min(255) as u8,
            grams,
            n_grams: n_grams as u8,
        }
    }

    /// One pass over the word's characters; leaves its lower-case characters in `chars`.
    fn scan(&mut self, word: &str) -> Scan {
        let mut scan = Scan::new();
        // ASCII words (nearly all of English news) skip Unicode case mapping; both branches
        // feed the same characters to the same hashes.
        let ascii = word.is_ascii();
        for (i, c) in word.chars().enumerate() {
            let c = if ascii {
                if c == '`' { '\'' } else { c }
            } else {
                fold(c)
            };
            // Digits are one class: "1996" and "2024" share every feature.
            let d = if c.is_ascii_digit() { '0' } else { c };
            scan.form.push(d);
            let class = scan.class(i, c);
            scan.push_lower(i, d, ascii, &mut self.chars);
            scan.push_shape(class);
        }
        scan
    }

    /// Hashes of the last 1 to 4 lower-case characters (0 when the word is not longer).
    fn suffixes(&self) -> [u64; 4] {
        let n = self.chars.len();
        let mut suf = [0u64; 4];
        for k in 1..=4usize {
            if n > k {
                let mut h = StrHash::new();
                self.chars[n - k..].iter().for_each(|&c| h.push(c));
                suf[k - 1] = h.finish();
            }
        }
        suf
    }

    /// "^ab", "abc", ..., "yz$" of a capitalised word: sub-word evidence for names never
    /// seen in training.
    fn trigrams(&self, case: Case) -> ([u64; MAX_GRAMS], usize) {
        let n = self.chars.len();
        let mut grams = [0u64; MAX_GRAMS];
        let mut n_grams = 0;
        if case != Case::Lower && case != Case::NoLetters && n >= 3 {
            let at = |i: isize| {
                if i < 0 {
                    '^'
                } else if i as usize >= n {
                    '$'
                } else {
                    self.chars[i as usize]
                }
            };
            for i in -1..(n as isize - 1) {
                if n_grams == MAX_GRAMS {
                    break;
                }
                let mut h = StrHash::new();
                h.push(at(i));
                h.push(at(i + 1));
                h.push(at(i + 2));
                grams[n_grams] = h.finish();
                n_grams += 1;
            }
        }
        (grams, n_grams)
    }
}

/// Cluster path prefixes of a word's Brown cluster path (all 0 without one).
fn cluster_features(path: Option<u64>) -> [u64; 4] {
    let mut cluster = [0u64; 4];
    if let Some(path) = path {
        let len = (path >> 32) as u32;
        let bits = path & 0xffff_ffff;
        for (slot, &p) in cluster.iter_mut().zip(CLUSTER_PREFIXES.iter()) {
            let k = p.min(len);
            *slot = mix(((bits >> (len - k)) << 8) | k as u64) | 1;
        }
    }
    cluster
}

/// Attributes of all tokens of a sentence, gazetteer matches included.
pub fn sentence_attrs<S: AsRef<str>>(
    words: &[S],
    lex: &Lexicon,
    builder: &mut AttrBuilder,
    out: &mut Vec<Attrs>,
) -> SentenceCase {
    out.clear();
    for w in words {
        out.push(builder.token(w.as_ref(), lex));
    }
    lex.mark_gazetteers(out);
    let (mut caps, mut init, mut letters) = (0, 0, 0);
    for a in out.iter() {
        match a.case {
            Case::AllUpper if a.len > 1 => caps += 1,
            Case::Initial | Case::Mixed | Case::AllUpper => init += 1,
            _ => {}
        }
        if a.case != Case::NoLetters {
            letters += 1;
        }
    }
    SentenceCase {
        all_caps: letters >= 2 && caps * 10 >= letters * 7,
        title_case: letters >= 3 && (caps + init) * 10 >= letters * 8,
    }
}

/// A flat list of feature keys per token.
#[derive(Debug, Clone, Default)]
pub struct FeatureBuf {
    pub keys: Vec<u64>,
    /// `keys[offsets[i]..offsets[i + 1]]` are the keys of token `i`.
    pub offsets: Vec<u32>,
}

impl FeatureBuf {
    pub fn clear(&mut self) {
        self.keys.clear();
        self.offsets.clear();
        self.offsets.push(0);
    }
    /// Tokens in the buffer.
    pub fn tokens(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
    pub fn token(&self, i: usize) -> &[u64] {
        &self.keys[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    #[inline]
    fn push(&mut self, t: u64, v: u64) {
        self.keys.push(key(t, v));
    }
    fn end_token(&mut self) {
        self.offsets.push(self.keys.len() as u32);
    }
}

const BOS: u64 = 0x5eed_0000_0000_0001;
const EOS: u64 = 0x5eed_0000_0000_0002;

// Template ids. Changing one changes every key of that template (retrain after edits).
const T_BIAS: u64 = 1;
const T_FORM: u64 = 2;
const T_LOWER_M1: u64 = 4;
const T_LOWER_P1: u64 = 5;
const T_LOWER_M2: u64 = 6;
const T_LOWER_P2: u64 = 7;
const T_SUF: u64 = 20; // +k
const T_SHAPE: u64 = 30;
const T_SHORT_M1: u64 = 32;
const T_SHORT_P1: u64 = 33;
const T_SHORT_M2: u64 = 34;
const T_SHORT_P2: u64 = 35;
const T_SHORT_M1_0: u64 = 36;
const T_SHORT_0_P1: u64 = 37;
const T_SHORT_M1_0_P1: u64 = 38;
const T_LOWER_M1_0: u64 = 40;
const T_LOWER_0_P1: u64 = 41;
const T_LOWER_M1_SHORT: u64 = 42;
const T_SHORT_LOWER_P1: u64 = 43;
const T_CLUSTER: u64 = 50; // +k
const T_CLUSTER_M1: u64 = 60; // +k
const T_CLUSTER_P1: u64 = 70; // +k
const T_GAZ: u64 = 80;
const T_GAZ_M1: u64 = 81;
const T_GAZ_P1: u64 = 82;
const T_CAPSTAT: u64 = 90;
const T_CAPSTAT_START: u64 = 91;
const T_START_SHORT: u64 = 92;
const T_CAPS_LOWER: u64 = 93;
const T_CAPS_SHORT: u64 = 94;
const T_TITLE_LOWER: u64 = 95;
const T_CAPS_LOWER_M1: u64 = 96;
const T_CAPS_LOWER_P1: u64 = 97;
const T_CAPS_CLUSTER: u64 = 98;
const T_GRAM: u64 = 100;
const T_CLASS: u64 = 110;
const T_CLASS_M1: u64 = 111;
const T_CLASS_P1: u64 = 112;
const T_CLASS_SHORT: u64 = 113;

/// Token `i` of a sentence and its neighbours; sentence edges read as BOS / EOS.
struct Window<'a> {
    attrs: &'a [Attrs],
    i: isize,
}

impl<'a> Window<'a> {
    /// The token `d` places away, if inside the sentence.
    fn at(&self, d: isize) -> Option<&'a Attrs> {
        let i = self.i + d;
        if i < 0 || i as usize >= self.attrs.len() {
            None
        } else {
            Some(&self.attrs[i as usize])
        }
    }
    fn edge(&self, d: isize) -> u64 {
        if self.i + d < 0 { BOS } else { EOS }
    }
    fn lower(&self, d: isize) -> u64 {
        self.at(d).map_or(self.edge(d), |x| x.lower)
    }
    fn short(&self, d: isize) -> u64 {
        self.at(d).map_or(self.edge(d), |x| x.short)
    }
}

/// Writes the base (sentence-local) feature keys of every token of a sentence.
pub fn sentence_features(attrs: &[Attrs], sc: SentenceCase, out: &mut FeatureBuf) {
    out.clear();
    for i in 0..attrs.len() {
        let a = &attrs[i];
        let win = Window {
            attrs,
            i: i as isize,
        };
        let uncased = sc.all_caps || sc.title_case;
        word_features(a, &win, sc, out);
        cluster_features_of(a, &win, uncased, out);
        class_features(a, &win, out);
        gazetteer_features(a, &win, out);
        let start = i == 0 || (i == 1 && matches!(attrs[0].case, Case::NoLetters));
        case_features(a, &win, sc, start, out);
        for &g in &a.grams[..a.n_grams as usize] {
            out.push(T_GRAM, g);
        }
        out.end_token();
    }
}

/// Bias, form, shape, suffixes, and the words and short shapes around the token.
fn word_features(a: &Attrs, win: &Window, sc: SentenceCase, out: &mut FeatureBuf) {
    let lw = |d: isize| win.lower(d);
    let sh = |d: isize| win.short(d);
    out.push(T_BIAS, 0);
    if !sc.all_caps {
        out.push(T_FORM, a.form);
        out.push(T_SHAPE, a.shape);
    }
    out.push(T_LOWER_M1, lw(-1));
    out.push(T_LOWER_P1, lw(1));
    out.push(T_LOWER_M2, lw(-2));
    out.push(T_LOWER_P2, lw(2));
    for k in 0..4 {
        if a.suf[k] != 0 {
            out.push(T_SUF + k as u64, a.suf[k]);
        }
    }
    out.push(T_SHORT_M1, sh(-1));
    out.push(T_SHORT_P1, sh(1));
    out.push(T_SHORT_M2, sh(-2));
    out.push(T_SHORT_P2, sh(2));
    out.push(T_SHORT_M1_0, pair(sh(-1), sh(0)));
    out.push(T_SHORT_0_P1, pair(sh(0), sh(1)));
    out.push(T_SHORT_M1_0_P1, pair(pair(sh(-1), sh(0)), sh(1)));
    out.push(T_LOWER_M1_0, pair(lw(-1), lw(0)));
    out.push(T_LOWER_0_P1, pair(lw(0), lw(1)));
    out.push(T_LOWER_M1_SHORT, pair(lw(-1), sh(0)));
    out.push(T_SHORT_LOWER_P1, pair(sh(0), lw(1)));
}

/// Cluster path prefixes of the token and its neighbours.
fn cluster_features_of(a: &Attrs, win: &Window, uncased: bool, out: &mut FeatureBuf) {
    for k in 0..4 {
        if a.cluster[k] != 0 {
            out.push(T_CLUSTER + k as u64, a.cluster[k]);
            if uncased {
                out.push(T_CAPS_CLUSTER + 100 * k as u64, a.cluster[k]);
            }
        }
        if let Some(p) = win.at(-1)
            && p.cluster[k] != 0
        {
            out.push(T_CLUSTER_M1 + k as u64, p.cluster[k]);
        }
        if let Some(p) = win.at(1)
            && p.cluster[k] != 0
        {
            out.push(T_CLUSTER_P1 + k as u64, p.cluster[k]);
        }
    }
}

/// Distributional word classes of the token and its neighbours.
fn class_features(a: &Attrs, win: &Window, out: &mut FeatureBuf) {
    if a.class != 0 {
        out.push(T_CLASS, a.class);
        out.push(T_CLASS_SHORT, pair(a.class, a.short));
    }
    if let Some(p) = win.at(-1).filter(|p| p.class != 0) {
        out.push(T_CLASS_M1, p.class);
    }
    if let Some(p) = win.at(1).filter(|p| p.class != 0) {
        out.push(T_CLASS_P1, p.class);
    }
}

/// Gazetteer matches of the token (class and position) and of its neighbours (class only).
fn gazetteer_features(a: &Attrs, win: &Window, out: &mut FeatureBuf) {
    let mut g = a.gaz;
    while g != 0 {
        let b = g.trailing_zeros() as u64;
        g &= g - 1;
        out.push(T_GAZ, b);
    }
    for (d, t) in [(-1isize, T_GAZ_M1), (1, T_GAZ_P1)] {
        if let Some(p) = win.at(d) {
            // Only the class, not the position, of the neighbour's matches.
            let mut g = p.gaz;
            let mut seen = 0u64;
            while g != 0 {
                let b = g.trailing_zeros() as u64;
                g &= g - 1;
                let class = b / 4;
                if seen & (1 << class) == 0 {
                    seen |= 1 << class;
                    out.push(t, class);
                }
            }
        }
    }
}

/// Capitalisation statistics, the sentence start, and the words of headlines in capitals
/// or Title Case (whose case says little).
fn case_features(a: &Attrs, win: &Window, sc: SentenceCase, start: bool, out: &mut FeatureBuf) {
    out.push(T_CAPSTAT, a.capstat as u64);
    out.push(
        T_CAPSTAT_START,
        pair(a.capstat as u64, start as u64 | ((a.case as u64) << 1)),
    );
    if start {
        out.push(T_START_SHORT, a.short);
    }
    if sc.all_caps {
        out.push(T_CAPS_LOWER, a.lower);
        out.push(T_CAPS_SHORT, a.short);
        out.push(T_CAPS_LOWER_M1, win.lower(-1));
        out.push(T_CAPS_LOWER_P1, win.lower(1));
    } else if sc.title_case {
        out.push(T_TITLE_LOWER, a.lower);
    }
}
