//! From article text to the article's canonical entities: tags the title and text as one
//! document, turns spans into mentions with byte offsets, and merges the mentions of one
//! entity ("Treasury Secretary Janet Yellen" ... "Yellen"; "IMF" after "International
//! Monetary Fund"; "U.S." and "United States" through the user's alias table). The
//! normalised key makes the same entity match across articles. It must not guess entities
//! in text that is not English, and must not do IO.

use std::collections::{BTreeMap, HashMap};

use super::aliases::Aliases;
use super::keys::normalise_key;
use super::labels::spans_from_labels;
use super::model::Tagger;
use super::tokenize::units;
use crate::model::{Entity, EntityType};
use crate::text::language::looks_english;

/// One tagged stretch of text: `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
}

/// Tags `text` as one document and returns its mentions in text order.
pub fn mentions(tagger: &Tagger, text: &str) -> Vec<Mention> {
    let u = units(text);
    let words: Vec<Vec<&str>> = u
        .sentences
        .iter()
        .map(|r| {
            u.tokens[r.clone()]
                .iter()
                .map(|t| &text[t.start..t.end])
                .collect()
        })
        .collect();
    let refs: Vec<&[&str]> = words.iter().map(Vec::as_slice).collect();
    let labels = tagger.tag_document(&refs);
    let mut out = Vec::new();
    for (r, l) in u.sentences.iter().zip(&labels) {
        let toks = &u.tokens[r.clone()];
        for s in spans_from_labels(l) {
            out.push(Mention {
                start: toks[s.start].start,
                end: toks[s.end - 1].end,
                kind: s.kind,
            });
        }
    }
    out
}

struct Group {
    name: String,
    kind_votes: [u32; 4],
    tokens: Vec<String>,
    mentions: u32,
    /// First mention in the text (None: only in the title so far).
    first_offset: Option<usize>,
    first_seen: usize,
}

impl Group {
    fn kind(&self) -> EntityType {
        let kinds = [
            EntityType::PER,
            EntityType::ORG,
            EntityType::LOC,
            EntityType::MISC,
        ];
        let best = (0..4)
            .max_by_key(|&i| (self.kind_votes[i], 4 - i))
            .unwrap_or(0);
        kinds[best]
    }
}

fn kind_index(k: EntityType) -> usize {
    k as usize
}

/// `short` occurs as consecutive tokens inside `long` ("Yellen" in "Janet Yellen").
fn is_part_of(short: &[String], long: &[String]) -> bool {
    short.len() < long.len() && long.windows(short.len()).any(|w| w == short)
}

/// "IMF" for "International Monetary Fund" (capitalised words only; "of", "and" skipped).
fn is_acronym_of(short: &str, long: &[String]) -> bool {
    let initials: String = long
        .iter()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    let short: String = short.chars().filter(|c| c.is_alphanumeric()).collect();
    short.chars().count() >= 2
        && short.chars().all(char::is_uppercase)
        && initials.len() >= 2
        && initials == short
}

/// All canonical entities of one article. `language` is ISO 639-1; only English is
/// tagged, and an unknown language is tagged only when the text looks English.
pub fn entities(
    tagger: &Tagger,
    title: &str,
    text: &str,
    language: Option<&str>,
    aliases: &Aliases,
) -> Vec<Entity> {
    match language {
        Some(l) if !l.eq_ignore_ascii_case("en") => return Vec::new(),
        None if !looks_english(text) => return Vec::new(),
        _ => {}
    }
    // Title and text are tagged as one document, so that a headline's "Yellen" and the
    // text's "Janet Yellen" inform each other.
    let sep = "\n\n";
    let joined = if title.trim().is_empty() {
        text.to_string()
    } else {
        format!("{title}{sep}{text}")
    };
    let text_start = if title.trim().is_empty() {
        0
    } else {
        title.len() + sep.len()
    };
    let found = mentions(tagger, &joined);
    let groups = group_mentions(&joined, text_start, &found, aliases);
    let target = merge_targets(&groups);
    canonical_entities(&groups, &target)
}

/// Groups mentions by normalised key (after aliases); the type is decided by vote.
fn group_mentions(
    joined: &str,
    text_start: usize,
    found: &[Mention],
    aliases: &Aliases,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (i, m) in found.iter().enumerate() {
        let surface = &joined[m.start..m.end];
        let mut name = surface.to_string();
        let mut key = normalise_key(&name);
        if key.is_empty() {
            continue;
        }
        if let Some(c) = aliases.canonical(&key) {
            name = c.to_string();
            key = normalise_key(c);
        }
        let offset = m.start.checked_sub(text_start);
        let g = *by_key.entry(key.clone()).or_insert_with(|| {
            groups.push(Group {
                tokens: name.split_whitespace().map(str::to_string).collect(),
                name: name.clone(),
                kind_votes: [0; 4],
                mentions: 0,
                first_offset: None,
                first_seen: i,
            });
            groups.len() - 1
        });
        let grp = &mut groups[g];
        grp.kind_votes[kind_index(m.kind)] += 1;
        grp.mentions += 1;
        grp.first_offset = match (grp.first_offset, offset) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    groups
}

/// The group each group merges into (itself if none). Short mentions join a longer one:
/// "Yellen" -> "Janet Yellen", "IMF" -> its full name; only when exactly one longer entity
/// fits, so two Smiths stay apart.
fn merge_targets(groups: &[Group]) -> Vec<usize> {
    let n = groups.len();
    let mut target: Vec<usize> = (0..n).collect();
    for s in 0..n {
        let sk = groups[s].kind();
        let candidates: Vec<usize> = (0..n)
            .filter(|&l| l != s)
            .filter(|&l| {
                let lk = groups[l].kind();
                let part = is_part_of(&groups[s].tokens, &groups[l].tokens);
                match lk {
                    // A person's surname may have been typed ORG or MISC on its own.
                    EntityType::PER => part && sk != EntityType::LOC,
                    EntityType::ORG => {
                        (sk == EntityType::ORG && part && groups[s].tokens.len() > 1)
                            || is_acronym_of(&groups[s].name, &groups[l].tokens)
                    }
                    _ => false,
                }
            })
            .collect();
        if candidates.len() == 1 {
            target[s] = candidates[0];
        }
    }
    // Follow chains ("Yellen" -> "Janet Yellen" -> nothing further).
    for s in 0..n {
        let mut t = target[s];
        let mut steps = 0;
        while target[t] != t && steps < n {
            t = target[t];
            steps += 1;
        }
        target[s] = t;
    }
    target
}

/// One entity per merge target, with the mentions of every group merged into it, ordered
/// by first offset in the text (title-only entities first) and then first mention.
fn canonical_entities(groups: &[Group], target: &[usize]) -> Vec<Entity> {
    let mut merged: BTreeMap<usize, (u32, usize, usize)> = BTreeMap::new();
    for s in 0..groups.len() {
        let e = merged
            .entry(target[s])
            .or_insert((0, usize::MAX, usize::MAX));
        e.0 += groups[s].mentions;
        e.1 = e.1.min(groups[s].first_offset.unwrap_or(usize::MAX));
        e.2 = e.2.min(groups[s].first_seen);
    }
    let mut out: Vec<(usize, Entity)> = merged
        .into_iter()
        .map(|(g, (mentions, first_offset, first_seen))| {
            let grp = &groups[g];
            (
                first_seen,
                Entity {
                    name: grp.name.clone(),
                    key: normalise_key(&grp.name),
                    kind: grp.kind(),
                    mentions,
                    first_offset: if first_offset == usize::MAX {
                        0
                    } else {
                        first_offset
                    },
                },
            )
        })
        .collect();
    out.sort_by_key(|(seen, e)| (e.first_offset, *seen));
    out.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_diacritics_possessives_the_and_dots() {
        assert_eq!(
            normalise_key("The Wall Street Journal"),
            "wall street journal"
        );
        assert_eq!(normalise_key("China’s"), "china");
        assert_eq!(normalise_key("U.S."), "us");
        assert_eq!(normalise_key("Zürich"), "zurich");
        assert_eq!(normalise_key("  Xi   Jinping "), "xi jinping");
    }

    #[test]
    fn aliases_map_every_form_to_the_canonical_name() {
        let mut m = BTreeMap::new();
        m.insert(
            "United States".to_string(),
            vec!["U.S.".to_string(), "USA".to_string()],
        );
        let a = Aliases::new(&m);
        assert_eq!(a.canonical(&normalise_key("U.S.")), Some("United States"));
        assert_eq!(a.canonical(&normalise_key("usa")), Some("United States"));
        assert_eq!(a.canonical("china"), None);
    }

    #[test]
    fn acronyms_and_parts() {
        let long: Vec<String> = ["International", "Monetary", "Fund"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(is_acronym_of("IMF", &long));
        assert!(!is_acronym_of("IM", &long));
        assert!(is_part_of(&["Fund".to_string()], &long));
        assert!(!is_part_of(&long, &long));
    }

    #[test]
    fn non_english_text_is_not_english() {
        assert!(!looks_english(
            "Die Bundesregierung hat am Mittwoch beschlossen, die Sanktionen gegen Russland zu verschärfen, teilte ein Sprecher mit."
        ));
        assert!(looks_english(
            "The government said on Wednesday that it would tighten the sanctions against Russia, a spokesman said."
        ));
    }
}
