//! Brown clustering (Brown et al. 1992, in the form of Liang 2005): words of unlabelled
//! text are merged bottom-up into a binary tree that keeps the mutual information of
//! adjacent cluster pairs high, with at most `c` active clusters at a time. A word's path
//! in the tree (its bit string) gives cluster features at several granularities. Training
//! time only: the result is a map from word-form hash to path, stored in the lexicon.
//!
//! Costs: every step is O(c^2) with no logarithm inside the pair loops (all `n ln n` terms
//! come from a table and the marginal logarithms cancel in the incremental updates).

use crate::ner::hash::{KeyMap, form_hash};

/// `n * (ln n - ln l - ln r)` up to the constant `ln N` term, i.e. `N *` the mutual-information
/// contribution of a cluster pair with count `n` and marginals `l`, `r` (logs given).
struct Q {
    nlogn: Vec<f64>,
    ln_total: f64,
}

impl Q {
    fn new(total: u64) -> Q {
        Q {
            nlogn: (0..=total)
                .map(|n| {
                    if n == 0 {
                        0.0
                    } else {
                        n as f64 * (n as f64).ln()
                    }
                })
                .collect(),
            ln_total: (total.max(1) as f64).ln(),
        }
    }

    #[inline]
    fn q(&self, n: u64, ln_l: f64, ln_r: f64) -> f64 {
        if n == 0 {
            0.0
        } else {
            self.nlogn[n as usize] + n as f64 * (self.ln_total - ln_l - ln_r)
        }
    }
    #[inline]
    fn g(&self, n: u64) -> f64 {
        self.nlogn[n as usize]
    }
}

struct State {
    s: usize, // slots
    n: Vec<u64>,
    pl: Vec<u64>,
    pr: Vec<u64>,
    ll: Vec<f64>,
    lr: Vec<f64>,
    /// ln(pl[x] + pl[y]) and ln(pr[x] + pr[y]).
    llp: Vec<f64>,
    lrp: Vec<f64>,
    contrib: Vec<f64>,
    loss: Vec<f64>,
    active: Vec<bool>,
    node: Vec<u32>,
}

impl State {
    fn new(s: usize) -> State {
        State {
            s,
            n: vec![0; s * s],
            pl: vec![0; s],
            pr: vec![0; s],
            ll: vec![0.0; s],
            lr: vec![0.0; s],
            llp: vec![0.0; s * s],
            lrp: vec![0.0; s * s],
            contrib: vec![0.0; s],
            loss: vec![0.0; s * s],
            active: vec![false; s],
            node: vec![0; s],
        }
    }

    #[inline]
    fn n(&self, a: usize, b: usize) -> u64 {
        self.n[a * self.s + b]
    }

    fn fresh_contrib(&self, q: &Q, a: usize) -> f64 {
        let mut sum = 0.0;
        for d in 0..self.s {
            if self.active[d] {
                sum += q.q(self.n(a, d), self.ll[a], self.lr[d])
                    + q.q(self.n(d, a), self.ll[d], self.lr[a]);
            }
        }
        sum - q.q(self.n(a, a), self.ll[a], self.lr[a])
    }

    fn fresh_loss(&self, q: &Q, a: usize, b: usize) -> f64 {
        let (lla, lra) = (self.llp[a * self.s + b], self.lrp[a * self.s + b]);
        let mut sum = 0.0;
        for d in 0..self.s {
            if self.active[d] && d != a && d != b {
                sum += q.q(self.n(a, d) + self.n(b, d), lla, self.lr[d])
                    + q.q(self.n(d, a) + self.n(d, b), self.ll[d], lra);
            }
        }
        let nab = self.n(a, a) + self.n(a, b) + self.n(b, a) + self.n(b, b);
        self.contrib[a] + self.contrib[b]
            - q.q(self.n(a, b), self.ll[a], self.lr[b])
            - q.q(self.n(b, a), self.ll[b], self.lr[a])
            - sum
            - q.q(nab, lla, lra)
    }

    fn refresh_marginal_logs(&mut self, a: usize) {
        let ln = |x: u64| if x == 0 { 0.0 } else { (x as f64).ln() };
        self.ll[a] = ln(self.pl[a]);
        self.lr[a] = ln(self.pr[a]);
        for d in 0..self.s {
            let l = ln(self.pl[a] + self.pl[d]);
            let r = ln(self.pr[a] + self.pr[d]);
            self.llp[a * self.s + d] = l;
            self.llp[d * self.s + a] = l;
            self.lrp[a * self.s + d] = r;
            self.lrp[d * self.s + a] = r;
        }
    }

    fn refresh_losses_of(&mut self, q: &Q, a: usize) {
        for x in 0..self.s {
            if self.active[x] && x != a {
                let l = self.fresh_loss(q, a.min(x), a.max(x));
                self.loss[a * self.s + x] = l;
                self.loss[x * self.s + a] = l;
            }
        }
    }

    /// Merges slot `b` into slot `a` (the new cluster lives in `a`, `b` becomes free).
    fn merge(&mut self, q: &Q, a: usize, b: usize) {
        let others: Vec<usize> = (0..self.s)
            .filter(|&x| self.active[x] && x != a && x != b)
            .collect();
        let ds = self.merge_deltas(q, a, b, &others);
        self.update_pair_losses(q, a, b, &others, &ds);
        self.fold_counts(a, b);
        self.refresh_marginal_logs(a);
        for &x in &others {
            self.contrib[x] += ds[x];
        }
        self.contrib[a] = self.fresh_contrib(q, a);
        self.refresh_losses_of(q, a);
    }

    /// How the merge of `a` and `b` changes the contribution of each other cluster.
    fn merge_deltas(&self, q: &Q, a: usize, b: usize, others: &[usize]) -> Vec<f64> {
        let s = self.s;
        let ll_k = self.llp[a * s + b];
        let lr_k = self.lrp[a * s + b];
        let mut ds = vec![0.0; s];
        for &x in others {
            ds[x] = q.q(self.n(x, a) + self.n(x, b), self.ll[x], lr_k)
                + q.q(self.n(a, x) + self.n(b, x), ll_k, self.lr[x])
                - q.q(self.n(x, a), self.ll[x], self.lr[a])
                - q.q(self.n(a, x), self.ll[a], self.lr[x])
                - q.q(self.n(x, b), self.ll[x], self.lr[b])
                - q.q(self.n(b, x), self.ll[b], self.lr[x]);
        }
        ds
    }

    /// Updates the loss of merging every pair of other clusters for the merge of `a` and `b`.
    fn update_pair_losses(&mut self, q: &Q, a: usize, b: usize, others: &[usize], ds: &[f64]) {
        let s = self.s;
        let ll_k = self.llp[a * s + b];
        let lr_k = self.lrp[a * s + b];
        let (ll_a, ll_b, lr_a, lr_b) = (self.ll[a], self.ll[b], self.lr[a], self.lr[b]);
        for (i, &x) in others.iter().enumerate() {
            for &y in &others[i + 1..] {
                // The ln(marginal of x+y) terms cancel: only counts and the a/b/k logs stay.
                let (xa, xb) = (self.n(x, a) + self.n(y, a), self.n(x, b) + self.n(y, b));
                let (ax, bx) = (self.n(a, x) + self.n(a, y), self.n(b, x) + self.n(b, y));
                let bracket = q.g(xa + xb) - q.g(xa) - q.g(xb) - (xa + xb) as f64 * lr_k
                    + xa as f64 * lr_a
                    + xb as f64 * lr_b
                    + q.g(ax + bx)
                    - q.g(ax)
                    - q.g(bx)
                    - (ax + bx) as f64 * ll_k
                    + ax as f64 * ll_a
                    + bx as f64 * ll_b;
                let d = ds[x] + ds[y] - bracket;
                self.loss[x * s + y] += d;
                self.loss[y * s + x] += d;
            }
        }
    }

    /// Counts: row and column of `b` folded into `a`; `b` becomes free.
    fn fold_counts(&mut self, a: usize, b: usize) {
        let s = self.s;
        for d in 0..s {
            let nb = self.n[b * s + d];
            self.n[a * s + d] += nb;
        }
        for d in 0..s {
            let nb = self.n[d * s + b];
            self.n[d * s + a] += nb;
        }
        for d in 0..s {
            self.n[b * s + d] = 0;
            self.n[d * s + b] = 0;
        }
        self.pl[a] += self.pl[b];
        self.pr[a] += self.pr[b];
        self.pl[b] = 0;
        self.pr[b] = 0;
        self.active[b] = false;
    }

    /// Makes the newly placed cluster `f` active in the losses: adding a cluster changes
    /// the loss of every existing pair through the new terms.
    fn admit(&mut self, q: &Q, f: usize) {
        let s = self.s;
        self.refresh_marginal_logs(f);
        let others: Vec<usize> = (0..s).filter(|&x| self.active[x] && x != f).collect();
        let touching: Vec<usize> = others
            .iter()
            .copied()
            .filter(|&x| self.n(x, f) > 0 || self.n(f, x) > 0)
            .collect();
        let mut is_touching = vec![false; s];
        for &x in &touching {
            is_touching[x] = true;
        }
        let add_term = |st: &State, x: usize| {
            q.q(st.n(x, f), st.ll[x], st.lr[f]) + q.q(st.n(f, x), st.ll[f], st.lr[x])
        };
        let terms: Vec<f64> = (0..s)
            .map(|x| {
                if is_touching[x] {
                    add_term(self, x)
                } else {
                    0.0
                }
            })
            .collect();
        for &x in &touching {
            for &y in &others {
                if y == x || (is_touching[y] && y < x) {
                    continue;
                }
                let nxy_f = self.n(x, f) + self.n(y, f);
                let nf_xy = self.n(f, x) + self.n(f, y);
                let d = terms[x] + terms[y]
                    - q.q(nxy_f, self.llp[x * s + y], self.lr[f])
                    - q.q(nf_xy, self.ll[f], self.lrp[x * s + y]);
                self.loss[x * s + y] += d;
                self.loss[y * s + x] += d;
            }
        }
        for &x in &touching {
            self.contrib[x] += terms[x];
        }
        self.contrib[f] = self.fresh_contrib(q, f);
        self.refresh_losses_of(q, f);
    }

    fn best_pair(&self) -> (usize, usize) {
        let mut best = (f64::INFINITY, 0, 0);
        for a in 0..self.s {
            if !self.active[a] {
                continue;
            }
            for b in a + 1..self.s {
                if self.active[b] && self.loss[a * self.s + b] < best.0 {
                    best = (self.loss[a * self.s + b], a, b);
                }
            }
        }
        (best.1, best.2)
    }
}

/// Learns `c` Brown clusters over words seen at least `min_count` times and returns
/// `form_hash(word) -> (path_len << 32) | path_bits` (paths cut to 32 bits).
pub fn brown(sentences: &[Vec<String>], c: usize, min_count: u32) -> KeyMap<u64> {
    let hashed: Vec<Vec<u64>> = sentences
        .iter()
        .map(|s| s.iter().map(|w| form_hash(w)).collect())
        .collect();
    let vocab = vocabulary(&hashed, min_count);
    let v = vocab.len();
    if v < 2 || c < 2 {
        return KeyMap::default();
    }
    let bigrams = Bigrams::new(&hashed, &vocab);
    let q = Q::new(bigrams.total);
    let c = c.min(v);
    let mut m = Merges::start(&bigrams, &q, v, c);
    let mut free = c;
    for w in c..v {
        m.place(w, free);
        m.st.admit(&q, free);
        free = m.merge_best();
    }
    // Merge what is left into one tree.
    while m.st.active.iter().filter(|&&a| a).count() > 1 {
        m.merge_best();
    }
    let path = m.paths();
    vocab
        .iter()
        .enumerate()
        .map(|(w, &(h, _))| (h, ((path[w].1 as u64) << 32) | path[w].0))
        .collect()
}

/// Vocabulary by form hash, most frequent first (ties by hash: deterministic).
fn vocabulary(hashed: &[Vec<u64>], min_count: u32) -> Vec<(u64, u32)> {
    let mut counts: KeyMap<u32> = KeyMap::default();
    for s in hashed {
        for &h in s {
            *counts.entry(h).or_default() += 1;
        }
    }
    let mut vocab: Vec<(u64, u32)> = counts
        .into_iter()
        .filter(|&(_, n)| n >= min_count)
        .collect();
    vocab.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    vocab
}

/// Word bigrams inside sentences, both words in the vocabulary, by word id (vocabulary rank).
struct Bigrams {
    right: Vec<Vec<(u32, u64)>>,
    left: Vec<Vec<(u32, u64)>>,
    /// Occurrences of each word as the left and as the right word of a bigram.
    wl: Vec<u64>,
    wr: Vec<u64>,
    total: u64,
}

impl Bigrams {
    fn new(hashed: &[Vec<u64>], vocab: &[(u64, u32)]) -> Bigrams {
        let v = vocab.len();
        let id: KeyMap<u32> = vocab
            .iter()
            .enumerate()
            .map(|(i, &(h, _))| (h, i as u32))
            .collect();
        let mut bigrams: std::collections::HashMap<(u32, u32), u64> =
            std::collections::HashMap::new();
        for s in hashed {
            for w in s.windows(2) {
                if let (Some(&a), Some(&b)) = (id.get(&w[0]), id.get(&w[1])) {
                    *bigrams.entry((a, b)).or_default() += 1;
                }
            }
        }
        let mut out = Bigrams {
            right: vec![Vec::new(); v],
            left: vec![Vec::new(); v],
            wl: vec![0u64; v],
            wr: vec![0u64; v],
            total: 0,
        };
        let mut pairs: Vec<((u32, u32), u64)> = bigrams.into_iter().collect();
        pairs.sort_unstable();
        for ((a, b), n) in pairs {
            out.right[a as usize].push((b, n));
            out.left[b as usize].push((a, n));
            out.wl[a as usize] += n;
            out.wr[b as usize] += n;
            out.total += n;
        }
        out
    }
}

/// The merging in progress: the active clusters, which slot holds each word, and the tree.
struct Merges<'a> {
    st: State,
    q: &'a Q,
    bigrams: &'a Bigrams,
    /// Vocabulary size.
    v: usize,
    word_slot: Vec<u32>,
    members: Vec<Vec<u32>>,
    /// Tree: nodes 0..v are words; merges append (left, right) children.
    children: Vec<(u32, u32)>,
}

impl<'a> Merges<'a> {
    /// The `c` most frequent words start as clusters of their own.
    fn start(bigrams: &'a Bigrams, q: &'a Q, v: usize, c: usize) -> Merges<'a> {
        let s = c + 1;
        let mut m = Merges {
            st: State::new(s),
            q,
            bigrams,
            v,
            word_slot: vec![u32::MAX; v],
            members: vec![Vec::new(); s],
            children: Vec::new(),
        };
        for w in 0..c {
            m.place(w, w);
        }
        let st = &mut m.st;
        for a in 0..c {
            st.refresh_marginal_logs(a);
        }
        for a in 0..c {
            st.contrib[a] = st.fresh_contrib(q, a);
        }
        for a in 0..c {
            for b in a + 1..c {
                let l = st.fresh_loss(q, a, b);
                st.loss[a * s + b] = l;
                st.loss[b * s + a] = l;
            }
        }
        m
    }

    /// Word `w` becomes the cluster in `slot`, with its bigram counts to placed words.
    fn place(&mut self, w: usize, slot: usize) {
        let s = self.st.s;
        let st = &mut self.st;
        self.word_slot[w] = slot as u32;
        self.members[slot] = vec![w as u32];
        st.active[slot] = true;
        st.node[slot] = w as u32;
        st.pl[slot] = self.bigrams.wl[w];
        st.pr[slot] = self.bigrams.wr[w];
        for &(b, n) in &self.bigrams.right[w] {
            let t = self.word_slot[b as usize];
            if t != u32::MAX {
                st.n[slot * s + t as usize] += n;
            }
        }
        for &(a, n) in &self.bigrams.left[w] {
            let t = self.word_slot[a as usize];
            // The self-bigram (w, w) was already counted from `right`.
            if t != u32::MAX && a as usize != w {
                st.n[t as usize * s + slot] += n;
            }
        }
    }

    /// Merges the pair that loses least; returns the slot it freed.
    fn merge_best(&mut self) -> usize {
        let (a, b) = self.st.best_pair();
        self.children.push((self.st.node[a], self.st.node[b]));
        self.st.merge(self.q, a, b);
        self.st.node[a] = (self.v + self.children.len() - 1) as u32;
        let moved = std::mem::take(&mut self.members[b]);
        for &w in &moved {
            self.word_slot[w as usize] = a as u32;
        }
        self.members[a].extend(moved);
        b
    }

    /// `(bits, len)` of every node's path from the root: left child 0, right child 1.
    fn paths(&self) -> Vec<(u64, u32)> {
        let v = self.v;
        let n_nodes = v + self.children.len();
        let mut path: Vec<(u64, u32)> = vec![(0, 0); n_nodes];
        for node in (v..n_nodes).rev() {
            let (bits, len) = path[node];
            let (l, r) = self.children[node - v];
            let grow = |b: u64| {
                if len < 32 {
                    ((bits << 1) | b, len + 1)
                } else {
                    (bits, len)
                }
            };
            path[l as usize] = grow(0);
            path[r as usize] = grow(1);
        }
        path
    }
}

/// Serialises a cluster map (for the training cache only).
pub fn to_bytes(m: &KeyMap<u64>) -> Vec<u8> {
    let mut keys: Vec<(&u64, &u64)> = m.iter().collect();
    keys.sort_unstable();
    keys.iter()
        .flat_map(|(k, v)| k.to_le_bytes().into_iter().chain(v.to_le_bytes()))
        .collect()
}

pub fn from_bytes(b: &[u8]) -> anyhow::Result<KeyMap<u64>> {
    anyhow::ensure!(b.len().is_multiple_of(16), "bad cluster cache");
    Ok(b.chunks_exact(16)
        .map(|c| {
            let k = u64::from_le_bytes(c[..8].try_into().unwrap_or_default());
            let v = u64::from_le_bytes(c[8..].try_into().unwrap_or_default());
            (k, v)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_the_same_contexts_share_a_cluster() {
        let mut text = Vec::new();
        for i in 0..50 {
            let city = ["Paris", "London", "Berlin"][i % 3];
            let person = ["Smith", "Jones", "Brown"][i % 3];
            text.push(vec![
                "in".to_string(),
                city.to_string(),
                "today".to_string(),
            ]);
            text.push(vec![
                "Mr".to_string(),
                person.to_string(),
                "said".to_string(),
            ]);
        }
        let m = brown(&text, 4, 1);
        let p = |w: &str| m[&form_hash(w)];
        let prefix = |x: u64, k: u32| {
            let len = (x >> 32) as u32;
            (x & 0xffff_ffff) >> (len - k.min(len))
        };
        // The deepest split that separates cities from people is shared within each group.
        let common = |a: u64, b: u64| {
            (1..=32)
                .take_while(|&k| prefix(a, k) == prefix(b, k))
                .count()
        };
        assert!(common(p("Paris"), p("London")) > common(p("Paris"), p("Smith")));
        assert!(common(p("Jones"), p("Brown")) > common(p("Jones"), p("Berlin")));
    }
}
