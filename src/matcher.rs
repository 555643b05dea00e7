//! The one matcher of articles, used for user topics here and by alert rules and sink filters:
//! phrases (`any`, `all`, `none`) match stemmed, case-insensitive, whole words in the title
//! and text; `entities` canonical names; `categories`, `tags` (of the article's feed) and
//! `languages` exact values. Every key given must match. Pure: compiled once from the
//! configuration, then a function of the article.

use std::collections::HashMap;

use crate::config::MatcherConfig;
use crate::ner::normalise_key;
use crate::text::stemmer;
use crate::text::tokenize::{Kind, tokens};

/// What the matcher looks at in an article.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    pub title: &'a str,
    pub text: &'a str,
    /// ISO 639-1.
    pub language: Option<&'a str>,
    /// One of the five labels, or `other`.
    pub category: Option<&'a str>,
    /// The feed's tags.
    pub tags: &'a [String],
    /// Normalised keys of the article's entities (`ner::normalise_key`).
    pub entity_keys: &'a [String],
}

/// A phrase as the stems of its words, and as written.
#[derive(Debug, Clone)]
struct Phrase {
    stems: Vec<String>,
    written: String,
}

/// A compiled matcher.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    any: Vec<Phrase>,
    all: Vec<Phrase>,
    none: Vec<Phrase>,
    entities: Vec<(String, String)>,
    categories: Vec<String>,
    tags: Vec<String>,
    languages: Vec<String>,
}

/// The stems of the words of `text`, lower-cased.
fn stems(text: &str) -> Vec<String> {
    let stemmer = stemmer();
    tokens(text)
        .into_iter()
        .filter(|t| t.kind != Kind::Punct)
        .map(|t| stemmer.stem(&t.text.to_lowercase()).into_owned())
        .collect()
}

fn phrases(list: &[String]) -> Vec<Phrase> {
    list.iter()
        .map(|p| Phrase {
            stems: stems(p),
            written: p.clone(),
        })
        .filter(|p| !p.stems.is_empty())
        .collect()
}

/// Where each stem occurs in a text: whole-word phrase search without rescanning.
struct Index {
    positions: HashMap<String, Vec<usize>>,
    stems: Vec<String>,
}

impl Index {
    fn new(subject: &Subject) -> Index {
        let stems = stems(&format!("{}\n{}", subject.title, subject.text));
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in stems.iter().enumerate() {
            positions.entry(s.clone()).or_default().push(i);
        }
        Index { positions, stems }
    }

    fn contains(&self, phrase: &Phrase) -> bool {
        let Some(starts) = self.positions.get(&phrase.stems[0]) else {
            return false;
        };
        starts.iter().any(|&at| {
            self.stems
                .get(at..at + phrase.stems.len())
                .is_some_and(|run| run == phrase.stems.as_slice())
        })
    }
}

impl Matcher {
    pub fn new(cfg: &MatcherConfig) -> Matcher {
        let lower = |l: &[String]| l.iter().map(|s| s.trim().to_lowercase()).collect();
        Matcher {
            any: phrases(&cfg.any),
            all: phrases(&cfg.all),
            none: phrases(&cfg.none),
            entities: cfg
                .entities
                .iter()
                .map(|e| (normalise_key(e), e.clone()))
                .collect(),
            categories: lower(&cfg.categories),
            tags: lower(&cfg.tags),
            languages: lower(&cfg.languages),
        }
    }

    /// `None` when the article does not match; else what matched it (phrases and entities as
    /// the configuration wrote them, or the values that did), for a reader to see why.
    pub fn matches(&self, subject: &Subject) -> Option<Vec<String>> {
        let mut why = self.match_values(subject)?;
        if !self.entities.is_empty() {
            let (_, name) = self
                .entities
                .iter()
                .find(|(key, _)| subject.entity_keys.contains(key))?;
            why.push(name.clone());
        }
        if !(self.any.is_empty() && self.all.is_empty() && self.none.is_empty()) {
            why.extend(self.match_phrases(&Index::new(subject))?);
        }
        Some(why)
    }

    /// Categories, tags and languages: cheap, so they are checked first.
    fn match_values(&self, subject: &Subject) -> Option<Vec<String>> {
        let mut why = Vec::new();
        for (wanted, have) in [
            (
                &self.categories,
                subject.category.map(|c| vec![c.to_lowercase()]),
            ),
            (
                &self.languages,
                subject.language.map(|l| vec![l.to_lowercase()]),
            ),
            (
                &self.tags,
                Some(subject.tags.iter().map(|t| t.to_lowercase()).collect()),
            ),
        ] {
            if wanted.is_empty() {
                continue;
            }
            let hit = have?.into_iter().find(|v| wanted.contains(v))?;
            why.push(hit);
        }
        Some(why)
    }

    fn match_phrases(&self, index: &Index) -> Option<Vec<String>> {
        if self.none.iter().any(|p| index.contains(p)) {
            return None;
        }
        let mut why: Vec<String> = Vec::new();
        for p in &self.all {
            if !index.contains(p) {
                return None;
            }
            why.push(p.written.clone());
        }
        if !self.any.is_empty() {
            let hits: Vec<String> = self
                .any
                .iter()
                .filter(|p| index.contains(p))
                .map(|p| p.written.clone())
                .collect();
            if hits.is_empty() {
                return None;
            }
            why.extend(hits);
        }
        Some(why)
    }
}

/// Named matchers: the user's topics.
#[derive(Debug, Clone, Default)]
pub struct Topics(Vec<(String, Matcher)>);

impl Topics {
    pub fn new<'a>(cfg: impl IntoIterator<Item = (&'a String, &'a MatcherConfig)>) -> Topics {
        Topics(
            cfg.into_iter()
                .map(|(name, m)| (name.clone(), Matcher::new(m)))
                .collect(),
        )
    }

    /// The names of the topics the article matches, in name order.
    pub fn of(&self, subject: &Subject) -> Vec<String> {
        self.0
            .iter()
            .filter(|(_, m)| m.matches(subject).is_some())
            .map(|(name, _)| name.clone())
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<&Matcher> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(toml: &str) -> Matcher {
        Matcher::new(&toml::from_str::<MatcherConfig>(toml).unwrap())
    }

    const TEXT: &str = "The Treasury imposed sanctions on three Chinese companies on Friday. \
        Officials said export controls on microelectronics would follow.";

    fn subject<'a>(keys: &'a [String], tags: &'a [String]) -> Subject<'a> {
        Subject {
            title: "U.S. sanctions Chinese firms",
            text: TEXT,
            language: Some("en"),
            category: Some("world"),
            tags,
            entity_keys: keys,
        }
    }

    #[test]
    fn phrases_match_stemmed_whole_words() {
        let keys = vec!["treasury".to_string()];
        let s = subject(&keys, &[]);
        let m = matcher(r#"any = ["sanction", "export control", "blacklist"]"#);
        assert_eq!(
            m.matches(&s),
            Some(vec!["sanction".to_string(), "export control".to_string()])
        );
        assert!(
            matcher(r#"any = ["sanct"]"#).matches(&s).is_none(),
            "whole words"
        );
        assert!(
            matcher(r#"all = ["sanctions", "chips"]"#)
                .matches(&s)
                .is_none()
        );
        assert!(
            matcher(
                r#"any = ["sanctions"]
none = ["microelectronics"]"#
            )
            .matches(&s)
            .is_none()
        );
        assert!(
            matcher(r#"any = ["CHINESE COMPANY"]"#)
                .matches(&s)
                .is_some()
        );
    }

    #[test]
    fn every_key_given_must_match() {
        let keys = vec!["treasury".to_string()];
        let tags = vec!["Asia".to_string()];
        let s = subject(&keys, &tags);
        assert!(
            matcher(
                r#"entities = ["the Treasury"]
categories = ["world"]
tags = ["asia"]
languages = ["en"]"#
            )
            .matches(&s)
            .is_some()
        );
        assert!(
            matcher(
                r#"entities = ["the Treasury"]
languages = ["de"]"#
            )
            .matches(&s)
            .is_none()
        );
        assert!(matcher(r#"categories = ["sport"]"#).matches(&s).is_none());
        assert!(matcher(r#"entities = ["Pentagon"]"#).matches(&s).is_none());
    }
}
