//! Builds the gazetteer phrase table from the shared GeoNames / Census / demonym files at
//! training time (countries, cities by size, US states and counties, continents,
//! demonyms, given names and surnames by frequency). It must only run when training:
//! tagging reads the table from the model file, never these files.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};

use crate::ner::hash::{KeyMap, lower_hash};
use crate::ner::lexicon::{GazClass, phrase_key};
use crate::ner::tokenize::tokenize;

/// Longest phrase kept, in tokens.
pub const MAX_PHRASE: usize = 6;

/// Collects phrases and their classes.
#[derive(Default)]
pub struct GazetteerBuilder {
    pub table: KeyMap<u32>,
    pub max_len: usize,
    pub phrases: usize,
}

impl GazetteerBuilder {
    pub fn add(&mut self, phrase: &str, class: GazClass) {
        let phrase = phrase.trim();
        if phrase.is_empty() {
            return;
        }
        let toks = tokenize(phrase);
        if toks.is_empty() || toks.len() > MAX_PHRASE {
            return;
        }
        let key = phrase_key(toks.iter().map(|t| lower_hash(&phrase[t.start..t.end])));
        let e = self.table.entry(key).or_insert(0);
        if *e & (1 << class as u32) == 0 {
            self.phrases += 1;
        }
        *e |= 1 << class as u32;
        self.max_len = self.max_len.max(toks.len());
    }
}

fn read_tsv(path: &Path) -> Result<Vec<Vec<String>>> {
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut s = String::new();
        flate2::read::GzDecoder::new(f)
            .read_to_string(&mut s)
            .with_context(|| format!("reading {}", path.display()))?;
        s
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    };
    Ok(text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect())
}

fn col(row: &[String], i: usize) -> &str {
    row.get(i).map_or("", String::as_str)
}

/// Capitalised like a name: "Mary" from the Census's "MARY".
fn name_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Alternate city names worth matching: Latin-script, capitalised, not codes ("SHA") and
/// not lower-case romanisations ("shang hai").
fn usable_alternate(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_uppercase()
        && s.chars().count() >= 4
        && s.chars().any(char::is_lowercase)
        && s.chars()
            .all(|c| c.is_alphabetic() && (c as u32) < 0x250 || matches!(c, ' ' | '-' | '\'' | '.'))
}

/// Reads every gazetteer file under `dir` (`../shared/data/gazetteers`).
pub fn build(dir: &Path) -> Result<GazetteerBuilder> {
    let mut g = GazetteerBuilder::default();
    for row in read_tsv(&dir.join("countries.tsv"))? {
        g.add(col(&row, 2), GazClass::Country);
    }
    for row in read_tsv(&dir.join("continents.tsv"))? {
        g.add(col(&row, 1), GazClass::Continent);
        for n in col(&row, 6).split('|') {
            g.add(n, GazClass::Continent);
        }
    }
    add_cities(&mut g, dir)?;
    // countries_iso.tsv and subdivisions.tsv (pycountry, LGPL-2.1) are left out on purpose:
    // their README asks to keep them as separate replaceable files, and the model file is
    // compiled into the binary.
    for row in read_tsv(&dir.join("us_states.tsv"))? {
        g.add(col(&row, 1), GazClass::Subdivision);
    }
    for row in read_tsv(&dir.join("us_counties.tsv"))? {
        g.add(col(&row, 1), GazClass::Subdivision);
    }
    for row in read_tsv(&dir.join("demonyms.tsv"))? {
        let d = col(&row, 0);
        g.add(d, GazClass::Demonym);
        // Plurals are not listed ("Americans", "Iraqis").
        if d.ends_with("an") || d.ends_with('i') {
            g.add(&format!("{d}s"), GazClass::Demonym);
        }
    }
    add_names(&mut g, dir)?;
    Ok(g)
}

/// Cities by population, and the usable alternate names of the largest.
fn add_cities(g: &mut GazetteerBuilder, dir: &Path) -> Result<()> {
    for row in read_tsv(&dir.join("cities.tsv.gz"))? {
        let pop: u64 = col(&row, 8).parse().unwrap_or(0);
        let class = if pop >= 1_000_000 {
            GazClass::CityLarge
        } else if pop >= 100_000 {
            GazClass::City
        } else {
            GazClass::CitySmall
        };
        g.add(col(&row, 1), class);
        g.add(col(&row, 2), class);
        if pop >= 500_000 {
            for alt in col(&row, 3).split('|').filter(|a| usable_alternate(a)) {
                g.add(alt, GazClass::CityAlternate);
            }
        }
    }
    Ok(())
}

/// Given names and surnames, by frequency rank.
fn add_names(g: &mut GazetteerBuilder, dir: &Path) -> Result<()> {
    for row in read_tsv(&dir.join("given_names.tsv"))? {
        let rank: u32 = col(&row, 4).parse().unwrap_or(u32::MAX);
        let class = if rank <= 200 {
            GazClass::GivenCommon
        } else {
            GazClass::Given
        };
        g.add(&name_case(col(&row, 0)), class);
    }
    for row in read_tsv(&dir.join("surnames.tsv"))? {
        let rank: u32 = col(&row, 3).parse().unwrap_or(u32::MAX);
        let class = if rank <= 1000 {
            GazClass::SurnameCommon
        } else if rank <= 10_000 {
            GazClass::Surname
        } else {
            GazClass::SurnameRare
        };
        g.add(&name_case(col(&row, 0)), class);
    }
    Ok(())
}
