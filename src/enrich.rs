//! The enrich stage: from a fetched page to an [`EnrichedArticle`] — cleaned text and metadata
//! ([`crate::clean`]), canonical named entities ([`crate::ner`]), a category
//! ([`crate::category`]) and keyphrases ([`crate::keyphrases`]).
//!
//! Pure and CPU-bound: the pipeline runs it on blocking threads. Models are loaded once,
//! when the first [`Enricher`] is built, and shared read-only.

use url::Url;

use crate::alerts::MatchRules;
use crate::category::Classifier;
use crate::clean;
use crate::config::Config;
use crate::matcher::{Matcher, Subject, Topics};
use crate::model::{AlertHit, CleanPage, EnrichedArticle, Entity, SinkHit};
use crate::ner::{self, Aliases, Tagger};
use crate::{stories, urls};

/// How many keyphrases an article keeps.
pub const KEYPHRASES: usize = 10;

pub struct Enricher {
    tagger: &'static Tagger,
    classifier: &'static Classifier,
    aliases: Aliases,
    topics: Topics,
    rules: MatchRules,
    /// The sinks taking article events, with the events they take and their filters.
    streams: Vec<(SinkHit, Option<Matcher>)>,
}

impl Enricher {
    pub fn new(cfg: &Config) -> Enricher {
        Enricher {
            tagger: Tagger::embedded(),
            classifier: Classifier::embedded(),
            aliases: Aliases::with_built_in(&cfg.entities.aliases),
            topics: Topics::new(&cfg.topics),
            rules: MatchRules::new(&cfg.alerts),
            streams: cfg
                .sinks
                .iter()
                .filter(|s| !s.article_events().is_empty())
                .map(|s| {
                    let hit = SinkHit {
                        name: s.name.clone(),
                        events: s.article_events(),
                    };
                    (hit, s.filter.as_ref().map(Matcher::new))
                })
                .collect(),
        }
    }

    /// Cleans and enriches one page. `url` is the page's URL (after redirects).
    pub fn read_page(
        &self,
        html: &[u8],
        content_type: Option<&str>,
        url: &str,
        http_status: u16,
    ) -> EnrichedArticle {
        self.read_feed_page(html, content_type, url, http_status, &[])
    }

    /// Cleans and enriches a page that a feed with `feed_tags` listed.
    pub fn read_feed_page(
        &self,
        html: &[u8],
        content_type: Option<&str>,
        url: &str,
        http_status: u16,
        feed_tags: &[String],
    ) -> EnrichedArticle {
        let parsed = Url::parse(url).ok();
        let page = clean::clean(html, content_type, parsed.as_ref());
        self.enrich(page, url, http_status, feed_tags)
    }

    pub fn enrich(
        &self,
        page: CleanPage,
        url: &str,
        http_status: u16,
        feed_tags: &[String],
    ) -> EnrichedArticle {
        let title = page.title.as_deref().unwrap_or("");
        let language = page.language.as_deref();
        let entities = ner::entities(self.tagger, title, &page.text, language, &self.aliases);
        let category = self.classifier.classify(title, &page.text, language);
        let keyphrases = crate::keyphrases::extract(title, &page.text, language, KEYPHRASES);
        let category_name = category.map(|(c, _)| c.as_str());
        let (topics, alerts, sinks) = self.matches(&page, &entities, category_name, feed_tags);
        EnrichedArticle {
            final_url: url.to_string(),
            http_status,
            content_hash: content_hash(&page.text),
            source: urls::source_of(url),
            signature: stories::signature(&page.text),
            page,
            entities,
            category,
            keyphrases,
            topics,
            alerts,
            sinks,
        }
    }

    /// The user topics the article matches, the match rules it fires, and the sinks that take
    /// it.
    fn matches(
        &self,
        page: &CleanPage,
        entities: &[Entity],
        category: Option<&str>,
        feed_tags: &[String],
    ) -> (Vec<String>, Vec<AlertHit>, Vec<SinkHit>) {
        let keys: Vec<String> = entities.iter().map(|e| e.key.clone()).collect();
        let subject = Subject {
            title: page.title.as_deref().unwrap_or(""),
            text: &page.text,
            language: page.language.as_deref(),
            category,
            tags: feed_tags,
            entity_keys: &keys,
        };
        let sinks = self
            .streams
            .iter()
            .filter(|(_, f)| f.as_ref().is_none_or(|m| m.matches(&subject).is_some()))
            .map(|(hit, _)| hit.clone())
            .collect();
        (self.topics.of(&subject), self.rules.hits(&subject), sinks)
    }
}

/// xxh3-128 of the text with case and whitespace normalised, as 32 hex digits.
pub fn content_hash(text: &str) -> String {
    let mut normalised = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !normalised.is_empty() {
            normalised.push(' ');
        }
        normalised.extend(word.chars().flat_map(char::to_lowercase));
    }
    format!(
        "{:032x}",
        xxhash_rust::xxh3::xxh3_128(normalised.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_ignores_case_and_spacing_only() {
        assert_eq!(
            content_hash("A  story\n\nabout X"),
            content_hash("a story about x")
        );
        assert_ne!(
            content_hash("a story about x"),
            content_hash("a story about y")
        );
    }
}
