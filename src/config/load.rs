//! Reading the configuration: the TOML file, then `STRINGER_<SECTION>_<KEY>` variables, then
//! the command line; errors name the file or variable, the line and the key.

use std::collections::BTreeMap;
use std::path::Path;

use super::error::ConfigError;
use super::sections::Config;

/// Where the default configuration lives, relative to the working directory.
pub const DEFAULT_PATH: &str = "config/default.toml";

/// Environment variables that are flags, not `[section] key` overrides.
const RESERVED_ENV: &[&str] = &[
    "STRINGER_CONFIG",
    "STRINGER_TEST_POSTGRES_URL",
    "STRINGER_REQUIRE_POSTGRES",
    "STRINGER_REQUIRE_CHROMIUM",
    "STRINGER_LOG",
];

/// What the command line contributes on top of file and environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database_url: Option<String>,
}

impl Config {
    /// Reads `path` (the default path may be absent: defaults apply), then applies `env`
    /// (`STRINGER_SECTION_KEY=value`) and `overrides`, then validates.
    pub fn load(
        path: &Path,
        path_is_explicit: bool,
        env: &[(String, String)],
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let origin = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !path_is_explicit => {
                String::new()
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut config = Config::from_toml(&text, &origin)?;
        let overridden = apply_env(&text, &origin, env)?;
        if let Some(c) = overridden {
            config = c;
        }
        if let Some(url) = &overrides.database_url {
            config.database.url = url.clone();
        }
        config.validate(&origin)?;
        Ok(config)
    }

    /// Parses TOML text; errors name `origin`, the key path and the line.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(origin, text, &e, None))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            toml_error(origin, text, e.inner(), Some(&key))
        })
    }
}

/// Applies `STRINGER_<SECTION>_<KEY>` variables; `None` when there are none.
fn apply_env(
    text: &str,
    origin: &str,
    env: &[(String, String)],
) -> Result<Option<Config>, ConfigError> {
    const SECTIONS: &[&str] = &[
        "database", "http", "poll", "articles", "pipeline", "log", "server",
    ];
    let vars: Vec<&(String, String)> = env
        .iter()
        .filter(|(k, _)| k.starts_with("STRINGER_") && !RESERVED_ENV.contains(&k.as_str()))
        .collect();
    if vars.is_empty() {
        return Ok(None);
    }
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| toml_error(origin, text, &e, None))?;
    let mut names = BTreeMap::new();
    for (name, raw) in vars {
        let rest = name["STRINGER_".len()..].to_ascii_lowercase();
        let Some((section, key)) = SECTIONS.iter().find_map(|s| {
            rest.strip_prefix(s)
                .and_then(|k| k.strip_prefix('_'))
                .map(|k| (*s, k.to_string()))
        }) else {
            return Err(ConfigError::invalid(
                format!("environment variable {name}"),
                format!(
                    "not a configuration key: use STRINGER_<SECTION>_<KEY> with a section among {}",
                    SECTIONS.join(", ")
                ),
            ));
        };
        // A value that is valid TOML (a number, a boolean) is taken as such, anything else as text.
        let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.clone()));
        let entry = table
            .entry(section.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(section_table) = entry.as_table_mut() else {
            return Err(ConfigError::invalid(
                origin,
                format!("`{section}` must be a table"),
            ));
        };
        section_table.insert(key.clone(), value);
        names.insert(format!("{section}.{key}"), name.clone());
    }
    let config =
        serde_path_to_error::deserialize::<_, Config>(toml::Value::Table(table)).map_err(|e| {
            let key = e.path().to_string();
            let origin = names
                .get(&key)
                .map(|n| format!("environment variable {n}"))
                .unwrap_or_else(|| origin.to_string());
            ConfigError::invalid(origin, format!("key `{key}`: {}", e.inner().message()))
        })?;
    Ok(Some(config))
}

fn toml_error(origin: &str, text: &str, e: &toml::de::Error, key: Option<&str>) -> ConfigError {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let mut message = String::new();
    if let Some(line) = line {
        message.push_str(&format!("line {line}: "));
    }
    if let Some(key) = key.filter(|k| !k.is_empty() && *k != ".") {
        message.push_str(&format!("key `{key}`: "));
    }
    message.push_str(e.message().trim());
    ConfigError::invalid(origin, message)
}
