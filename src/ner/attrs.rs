//! What the feature templates know about one token (`Attrs`, computed once per token by
//! `features::AttrBuilder`) and about its sentence. Plain data: it must not compute anything.

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
