//! PLACEHOLDER until the tagger of issue 4 lands.
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EntityType {
    PER,
    ORG,
    LOC,
    MISC,
}
impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
impl std::str::FromStr for EntityType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "PER" => Ok(Self::PER),
            "ORG" => Ok(Self::ORG),
            "LOC" => Ok(Self::LOC),
            "MISC" => Ok(Self::MISC),
            _ => Err(format!("unknown entity type {s}")),
        }
    }
}
pub struct Tagger;
impl Tagger {
    pub fn embedded() -> &'static Tagger {
        &Tagger
    }
}
pub struct Aliases;
impl Aliases {
    pub fn new(_m: &BTreeMap<String, Vec<String>>) -> Aliases {
        Aliases
    }
}
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entity {
    pub name: String,
    pub key: String,
    pub kind: EntityType,
    pub mentions: u32,
    pub first_offset: usize,
}
pub fn entities(
    _t: &Tagger,
    _title: &str,
    text: &str,
    _l: Option<&str>,
    _a: &Aliases,
) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::new();
    for (i, w) in text.split_whitespace().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.len() > 3 && w.chars().next().is_some_and(char::is_uppercase) && i > 0 {
            if let Some(e) = out.iter_mut().find(|e| e.name == w) {
                e.mentions += 1;
            } else {
                out.push(Entity {
                    name: w.into(),
                    key: w.to_lowercase(),
                    kind: EntityType::MISC,
                    mentions: 1,
                    first_offset: 0,
                });
            }
        }
    }
    out
}
pub fn normalise_key(name: &str) -> String {
    name.to_lowercase()
}
