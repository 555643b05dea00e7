//! Carves the deterministic, duplicate-aware dev split used for model selection. Training
//! only; it must never put two copies of one story on both sides.

use std::collections::HashMap;

use crate::category::corpus::Doc;

fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Groups of near-duplicates, by the same rule the data was split with: equal title, equal
/// body, or word 5-gram shingles of `title + text` overlapping by half of the smaller document.
fn duplicate_groups(docs: &[Doc]) -> Vec<usize> {
    let mut uf = UnionFind((0..docs.len()).collect());
    let (postings, sizes) = join_equal_and_shingle(docs, &mut uf);
    join_overlapping(&postings, &sizes, &mut uf);
    (0..docs.len()).map(|i| uf.find(i)).collect()
}

/// Joins documents with an equal title or body; returns the documents of each shingle and
/// each document's shingle count.
fn join_equal_and_shingle(
    docs: &[Doc],
    uf: &mut UnionFind,
) -> (HashMap<u64, Vec<u32>>, Vec<usize>) {
    let mut by_title: HashMap<String, usize> = HashMap::new();
    let mut by_body: HashMap<String, usize> = HashMap::new();
    let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut sizes = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        for (map, key) in [
            (&mut by_title, squash(&d.title)),
            (&mut by_body, squash(&d.text)),
        ] {
            if key.is_empty() {
                continue;
            }
            match map.get(&key) {
                Some(&j) => uf.union(i, j),
                None => {
                    map.insert(key, i);
                }
            }
        }
        let words: Vec<String> = format!("{} {}", d.title, d.text)
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let mut shingles: Vec<u64> = words.windows(5).map(|w| fnv64(&w.join(" "))).collect();
        shingles.sort_unstable();
        shingles.dedup();
        sizes.push(shingles.len());
        for s in shingles {
            postings.entry(s).or_default().push(i as u32);
        }
    }
    (postings, sizes)
}

/// Joins documents sharing at least half of the smaller one's shingles.
fn join_overlapping(postings: &HashMap<u64, Vec<u32>>, sizes: &[usize], uf: &mut UnionFind) {
    let mut shared: HashMap<(u32, u32), u32> = HashMap::new();
    for list in postings.values() {
        // Boilerplate shingles shared by many rows are not evidence of one story.
        if list.len() < 2 || list.len() > 20 {
            continue;
        }
        for (a, &x) in list.iter().enumerate() {
            for &y in &list[a + 1..] {
                *shared.entry((x, y)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<_> = shared.into_iter().collect();
    pairs.sort_unstable();
    for ((x, y), n) in pairs {
        let smaller = sizes[x as usize].min(sizes[y as usize]).max(1);
        if 2 * n as usize >= smaller {
            uf.union(x as usize, y as usize);
        }
    }
}

/// `true` for documents in the dev split: about one group in `every`, chosen by a hash of the
/// group's smallest id, so the split does not depend on file order and never splits a group.
pub fn dev_mask(docs: &[Doc], every: u64) -> Vec<bool> {
    folds(docs, every).into_iter().map(|f| f == 0).collect()
}

/// The cross-validation fold (`0..k`) of every document: by a hash of its duplicate group's
/// smallest id, so copies of one story always share a fold. Fold 0 is the dev split.
pub fn folds(docs: &[Doc], k: u64) -> Vec<u64> {
    let groups = duplicate_groups(docs);
    let mut key: HashMap<usize, &str> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let e = key.entry(*g).or_insert(&docs[i].id);
        if docs[i].id.as_str() < *e {
            *e = &docs[i].id;
        }
    }
    groups.iter().map(|g| fnv64(key[g]) % k.max(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Category;

    fn doc(id: &str, title: &str, text: &str) -> Doc {
        Doc {
            id: id.into(),
            label: Category::World,
            title: title.into(),
            text: text.into(),
        }
    }

    #[test]
    fn duplicates_stay_together() {
        let body = "one two three four five six seven eight nine ten eleven twelve";
        let mut docs = vec![
            doc("x/1", "A", body),
            doc("x/2", "B", body),
            doc("x/3", "A", "other"),
        ];
        for i in 4..200 {
            docs.push(doc(
                &format!("x/{i}"),
                &format!("t{i}"),
                &format!("body {i}"),
            ));
        }
        let groups = duplicate_groups(&docs);
        assert_eq!(groups[0], groups[1]);
        assert_eq!(groups[0], groups[2]);
        let mask = dev_mask(&docs, 5);
        assert!(mask[0] == mask[1] && mask[1] == mask[2]);
        let dev = mask.iter().filter(|&&m| m).count();
        assert!((20..=60).contains(&dev), "about a fifth in dev, got {dev}");
    }
}
