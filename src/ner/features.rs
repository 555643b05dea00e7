//! Turns the tokens of a sentence into hashed feature keys for the tagger: word forms,
//! shapes, affixes, context windows, word clusters, gazetteer matches and capitalisation
//! statistics. Keys are 64-bit hashes computed without allocating per token, so training
//! and tagging share exactly the same code. It must not look at labels or weights.

use super::lexicon::Lexicon;

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

/// Capitalisation class of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Case {
    #[default]
    NoLetters = 0,
    Lower = 1,
    Initial = 2,
    AllUpper = 3,
    Mixed = 4,
}

/// Everything the feature templates need to know about one token, computed once.
#[derive(Debug, Clone, Copy)]
pub struct Attrs {
    pub form: u64,
    pub lower: u64,
    pub shape: u64,
    pub short: u64,
    pub suf: [u64; 4],
    pub cluster: [u64; 4],
    /// Distributional word class + 1 (0 = none).
    pub class: u64,
    pub gaz: u64,
    pub capstat: u8,
    pub case: Case,
    pub len: u8,
    /// Character trigram hashes of capitalised words (with boundary marks); `n_grams` used.
    pub grams: [u64; MAX_GRAMS],
    pub n_grams: u8,
}

/// Trigrams kept per word; longer words keep the first ones (the suffix features cover
/// the end).
pub const MAX_GRAMS: usize = 12;

/// Sentence-wide facts that change how case is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SentenceCase {
    /// Headline in capitals: "SOCCER - JAPAN GET LUCKY WIN".
    pub all_caps: bool,
    /// Headline in Title Case: "Treasury Warns Chinese Firms".
    pub title_case: bool,
}

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

impl AttrBuilder {
    pub fn token(&mut self, word: &str, lex: &Lexicon) -> Attrs {
        self.chars.clear();
        let mut form = StrHash::new();
        let mut lower = StrHash::new();
        let mut title = StrHash::new();
        let mut shape = StrHash::new();
        let mut short = StrHash::new();
        let (mut up, mut low) = (0u32, 0u32);
        let mut first_upper = false;
        let mut last_class = '\0';
        let mut run = 0;
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
            form.push(d);
            let class = if c.is_uppercase() {
                up += 1;
                if i == 0 {
                    first_upper = true;
                }
                'X'
            } else if c.is_lowercase() {
                low += 1;
                'x'
            } else if c.is_numeric() {
                'd'
            } else {
                c
            };
            if ascii {
                let l = d.to_ascii_lowercase();
                lower.push(l);
                self.chars.push(l);
                title.push(if i == 0 { l.to_ascii_uppercase() } else { l });
            } else {
                for l in d.to_lowercase() {
                    lower.push(l);
                    self.chars.push(l);
                    if i == 0 {
                        for u in l.to_uppercase() {
                            title.push(u);
                        }
                    } else {
                        title.push(l);
                    }
                }
            }
            if class == last_class {
                run += 1;
            } else {
                run = 1;
                short.push(class);
            }
            if run <= 4 {
                shape.push(class);
            }
            last_class = class;
        }
        let case = if up + low == 0 {
            Case::NoLetters
        } else if up == 0 {
            Case::Lower
        } else if low == 0 {
            Case::AllUpper
        } else if first_upper && up == 1 {
            Case::Initial
        } else {
            Case::Mixed
        };
        let n = self.chars.len();
        let mut suf = [0u64; 4];
        for k in 1..=4usize {
            if n > k {
                let mut h = StrHash::new();
                self.chars[n - k..].iter().for_each(|&c| h.push(c));
                suf[k - 1] = h.finish();
            }
        }
        let mut grams = [0u64; MAX_GRAMS];
        let mut n_grams = 0;
        if case != Case::Lower && case != Case::NoLetters && n >= 3 {
            // "^ab", "abc", ..., "yz$": sub-word evidence for names never seen in training.
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
        let form = form.finish();
        let lower = lower.finish();
        let title = title.finish();
        let mut cluster = [0u64; 4];
        if let Some(path) = lex.cluster(form, title, lower) {
            let len = (path >> 32) as u32;
            let bits = path & 0xffff_ffff;
            for (slot, &p) in cluster.iter_mut().zip(CLUSTER_PREFIXES.iter()) {
                let k = p.min(len);
                *slot = mix(((bits >> (len - k)) << 8) | k as u64) | 1;
            }
        }
        Attrs {
            form,
            lower,

            shape: shape.finish(),
            short: short.finish(),
            suf,
            cluster,
            class: lex.class(form, title, lower).map_or(0, |c| c as u64 + 1),
            gaz: 0,
            capstat: lex.capstat(lower),
            case,
            len: n.min(255) as u8,
            grams,
            n_grams: n_grams as u8,
        }
    }
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

/// Writes the base (sentence-local) feature keys of every token of a sentence.
pub fn sentence_features(attrs: &[Attrs], sc: SentenceCase, out: &mut FeatureBuf) {
    out.clear();
    let n = attrs.len();
    let get = |i: isize| -> Option<&Attrs> {
        if i < 0 || i as usize >= n {
            None
        } else {
            Some(&attrs[i as usize])
        }
    };
    let edge = |i: isize| if i < 0 { BOS } else { EOS };
    for i in 0..n {
        let a = &attrs[i];
        let ii = i as isize;
        let lw = |d: isize| get(ii + d).map_or(edge(ii + d), |x| x.lower);
        let sh = |d: isize| get(ii + d).map_or(edge(ii + d), |x| x.short);
        let uncased = sc.all_caps || sc.title_case;
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
        for k in 0..4 {
            if a.cluster[k] != 0 {
                out.push(T_CLUSTER + k as u64, a.cluster[k]);
                if uncased {
                    out.push(T_CAPS_CLUSTER + 100 * k as u64, a.cluster[k]);
                }
            }
            if let Some(p) = get(ii - 1)
                && p.cluster[k] != 0
            {
                out.push(T_CLUSTER_M1 + k as u64, p.cluster[k]);
            }
            if let Some(p) = get(ii + 1)
                && p.cluster[k] != 0
            {
                out.push(T_CLUSTER_P1 + k as u64, p.cluster[k]);
            }
        }
        if a.class != 0 {
            out.push(T_CLASS, a.class);
            out.push(T_CLASS_SHORT, pair(a.class, a.short));
        }
        if let Some(p) = get(ii - 1).filter(|p| p.class != 0) {
            out.push(T_CLASS_M1, p.class);
        }
        if let Some(p) = get(ii + 1).filter(|p| p.class != 0) {
            out.push(T_CLASS_P1, p.class);
        }
        let mut g = a.gaz;
        while g != 0 {
            let b = g.trailing_zeros() as u64;
            g &= g - 1;
            out.push(T_GAZ, b);
        }
        for (d, t) in [(-1isize, T_GAZ_M1), (1, T_GAZ_P1)] {
            if let Some(p) = get(ii + d) {
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
        let start = i == 0 || (i == 1 && matches!(attrs[0].case, Case::NoLetters));
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
            out.push(T_CAPS_LOWER_M1, lw(-1));
            out.push(T_CAPS_LOWER_P1, lw(1));
        } else if sc.title_case {
            out.push(T_TITLE_LOWER, a.lower);
        }
        for &g in &a.grams[..a.n_grams as usize] {
            out.push(T_GRAM, g);
        }
        out.end_token();
    }
}
