//! Match rules: the shared matcher (`crate::matcher`) plus optional regular expressions on the
//! title and the text, compiled once from `[[alerts]]`, then a function of one article.

use regex::Regex;

use crate::config::AlertConfig;
use crate::matcher::{Matcher, Subject};
use crate::model::AlertHit;

/// One compiled match rule.
#[derive(Debug, Clone)]
pub struct MatchRule {
    pub name: String,
    matcher: Option<Matcher>,
    title_regex: Option<Regex>,
    text_regex: Option<Regex>,
    sinks: Vec<String>,
    cooldown: std::time::Duration,
}

impl MatchRule {
    /// `None` for a spike rule (or a regular expression the configuration check would refuse).
    pub fn new(cfg: &AlertConfig) -> Option<MatchRule> {
        let m = cfg.matcher.as_ref()?;
        let compile = |re: &Option<String>| re.as_deref().map(Regex::new).transpose();
        Some(MatchRule {
            name: cfg.name.clone(),
            matcher: (!m.is_empty()).then(|| Matcher::new(m)),
            title_regex: compile(&cfg.title_regex).ok()?,
            text_regex: compile(&cfg.text_regex).ok()?,
            sinks: cfg.sinks.clone(),
            cooldown: cfg.cooldown,
        })
    }

    /// What matched, or `None` when the article does not fire the rule.
    pub fn matches(&self, subject: &Subject) -> Option<Vec<String>> {
        let mut why = match &self.matcher {
            Some(m) => m.matches(subject)?,
            None => Vec::new(),
        };
        for (re, text) in [
            (&self.title_regex, subject.title),
            (&self.text_regex, subject.text),
        ] {
            if let Some(re) = re {
                why.push(re.find(text)?.as_str().to_string());
            }
        }
        Some(why)
    }

    pub fn hit(&self, matched: Vec<String>) -> AlertHit {
        AlertHit {
            rule: self.name.clone(),
            matched,
            sinks: self.sinks.clone(),
            cooldown: self.cooldown,
        }
    }
}

/// Every match rule of the configuration.
#[derive(Debug, Clone, Default)]
pub struct MatchRules(Vec<MatchRule>);

impl MatchRules {
    pub fn new(cfg: &[AlertConfig]) -> MatchRules {
        MatchRules(cfg.iter().filter_map(MatchRule::new).collect())
    }

    /// The rules the article fires, in configuration order.
    pub fn hits(&self, subject: &Subject) -> Vec<AlertHit> {
        self.0
            .iter()
            .filter_map(|r| r.matches(subject).map(|why| r.hit(why)))
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<&MatchRule> {
        self.0.iter().find(|r| r.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(toml: &str) -> MatchRule {
        let cfg: AlertConfig = toml::from_str(toml).unwrap();
        MatchRule::new(&cfg).unwrap()
    }

    #[test]
    fn the_matcher_and_the_regular_expressions_must_all_match() {
        let keys = vec!["treasury".to_string()];
        let s = Subject {
            title: "Treasury sanctions 3 firms",
            text: "The Treasury imposed sanctions on Friday.",
            language: Some("en"),
            entity_keys: &keys,
            ..Default::default()
        };
        let r = rule(
            "name = \"s\"\nsinks = [\"x\"]\nmatch = { any = [\"sanction\"] }\ntitle_regex = '\\d+ firms'",
        );
        assert_eq!(
            r.matches(&s),
            Some(vec!["sanction".to_string(), "3 firms".to_string()])
        );
        let r = rule("name = \"s\"\nsinks = [\"x\"]\nmatch = {}\ntext_regex = 'Monday'");
        assert_eq!(r.matches(&s), None);
        let rules = MatchRules::new(&[toml::from_str(
            "name = \"t\"\nsinks = [\"x\"]\nmatch = { entities = [\"the Treasury\"] }",
        )
        .unwrap()]);
        let hits = rules.hits(&s);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].rule, "t");
        assert_eq!(hits[0].cooldown, std::time::Duration::from_secs(6 * 3600));
    }
}
