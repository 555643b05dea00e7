//! Names that mean the same entity: a built-in table of the common ones (countries and
//! institutions written as initials or in full) and the user's `[entities.aliases]`, which add
//! to it and win where they differ. Data and lookups only.

use std::collections::{BTreeMap, HashMap};

use super::keys::normalise_key;

/// Canonical name and the other names news writes it as. Only unambiguous forms: "America" or
/// "WHO" are left out, since they also mean other things.
pub const BUILT_IN: &[(&str, &[&str])] = &[
    (
        "United States",
        &["U.S.", "US", "USA", "U.S.A.", "United States of America"],
    ),
    (
        "United Kingdom",
        &["U.K.", "UK", "Britain", "Great Britain"],
    ),
    ("European Union", &["EU", "E.U."]),
    ("United Nations", &["UN", "U.N."]),
    ("United Arab Emirates", &["UAE", "U.A.E."]),
    (
        "North Korea",
        &["DPRK", "Democratic People's Republic of Korea"],
    ),
    ("South Korea", &["Republic of Korea"]),
    ("China", &["People's Republic of China", "PRC"]),
    ("Russia", &["Russian Federation"]),
    ("NATO", &["North Atlantic Treaty Organization"]),
    ("International Monetary Fund", &["IMF"]),
    (
        "Federal Reserve",
        &["U.S. Federal Reserve", "US Federal Reserve"],
    ),
    ("European Central Bank", &["ECB"]),
];

/// The user's alias table: every alias (and the canonical name itself) by normalised key.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    by_key: HashMap<String, String>,
}

impl Aliases {
    /// The built-in table ([`BUILT_IN`]) with `map` added: the user's entries win.
    pub fn with_built_in(map: &BTreeMap<String, Vec<String>>) -> Aliases {
        let mut all: BTreeMap<String, Vec<String>> = BUILT_IN
            .iter()
            .map(|(name, aliases)| {
                (
                    name.to_string(),
                    aliases.iter().map(|a| a.to_string()).collect(),
                )
            })
            .collect();
        let mut users = Aliases::new(map);
        let built_in = Aliases::new(&std::mem::take(&mut all));
        for (key, name) in built_in.by_key {
            users.by_key.entry(key).or_insert(name);
        }
        users
    }

    /// Only the entries of `map`: canonical name -> aliases, e.g. "United States" -> ["U.S.",
    /// "US", "USA"].
    pub fn new(map: &BTreeMap<String, Vec<String>>) -> Aliases {
        let mut by_key = HashMap::new();
        for (canonical, aliases) in map {
            by_key.insert(normalise_key(canonical), canonical.clone());
            for a in aliases {
                by_key
                    .entry(normalise_key(a))
                    .or_insert_with(|| canonical.clone());
            }
        }
        Aliases { by_key }
    }

    /// The key a stored entity named `name` has: its normalised form, or its canonical
    /// name's when it is an alias (so "U.S." finds "United States").
    pub fn key_of(&self, name: &str) -> String {
        let key = normalise_key(name);
        match self.canonical(&key) {
            Some(c) => normalise_key(c),
            None => key,
        }
    }

    pub(super) fn canonical(&self, key: &str) -> Option<&str> {
        self.by_key.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_names_apply_and_the_users_win() {
        let mut users = BTreeMap::new();
        users.insert("Britain".to_string(), vec!["UK".to_string()]);
        let a = Aliases::with_built_in(&users);
        assert_eq!(a.canonical("us"), Some("United States"));
        assert_eq!(a.canonical("usa"), Some("United States"));
        assert_eq!(a.canonical("uk"), Some("Britain"), "the user's entry wins");
        assert_eq!(Aliases::new(&BTreeMap::new()).canonical("us"), None);
        assert_eq!(a.key_of("U.S.A."), "united states");
        assert_eq!(a.key_of("The Kremlin"), "kremlin");
    }
}
