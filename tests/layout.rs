//! The house rules of ARCHITECTURE.md, checked on the source tree itself:
//! - no module imports another that imports it back, directly or through others, at any level
//!   of the tree (between top-level modules, between the files of one folder, and between a
//!   folder's `mod.rs` and its children);
//! - `store/` depends on the model and the configuration, never on a stage;
//! - the reading modules (pure text and page work) depend on no stage, store or runtime;
//! - no source file is over 600 lines, except the tables a standard or a word list defines.
//!
//! Imports are read from `use` declarations and inline `crate::`/`super::`/`self::` paths,
//! outside `#[cfg(test)]` code (unit tests may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files that are data tables, allowed past the line limit.
const TABLES: &[&str] = &["clean/entities.rs", "text/stopwords.rs"];

/// Modules that read pages and text: pure, no IO stages, no store.
const READERS: &[&str] = &[
    "clean",
    "ner",
    "category",
    "keyphrases",
    "text",
    "schedule",
    "urls",
    "model",
    "event_time",
    "stories",
    "matcher",
    "trends",
    "alerts",
];

/// Modules that do IO or run the daemon: the readers and the store must not depend on them.
const STAGES: &[&str] = &[
    "cli",
    "pipeline",
    "poll",
    "fetch",
    "robots",
    "enrich",
    "subscriptions",
    "export",
    "store",
    "generate",
    "api",
    "sinks",
    "spikes",
];

struct Tree {
    /// Module path ("" for the crate root, "ner", "ner::train") -> its source text.
    files: BTreeMap<String, String>,
    /// Module path -> path of its file relative to src/.
    paths: BTreeMap<String, String>,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(rel: &str) -> String {
    let rel = rel.trim_end_matches(".rs");
    let mut parts: Vec<&str> = rel.split('/').collect();
    if matches!(parts.last(), Some(&"mod") | Some(&"lib") | Some(&"main")) {
        parts.pop();
    }
    parts.join("::")
}

fn load() -> Tree {
    let root = src_dir();
    let mut all = Vec::new();
    walk(&root, &mut all);
    let mut files = BTreeMap::new();
    let mut paths = BTreeMap::new();
    for path in all {
        let rel = path
            .strip_prefix(&root)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "main.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("utf-8 source");
        let module = module_of(&rel);
        files.insert(module.clone(), text);
        paths.insert(module, rel);
    }
    Tree { files, paths }
}

/// The source without `#[cfg(test)]` items: the attribute and the item after it (to its
/// matching closing brace, or its semicolon for `mod tests;`).
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let semi = after.find(';').unwrap_or(after.len());
        let brace = after.find('{').unwrap_or(after.len());
        if semi < brace {
            rest = &after[semi + 1..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices().skip(brace) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Without `//` comments, so doc comments naming other modules are not imports.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let path: String = path.split_whitespace().collect();
    let (Some(open), Some(close)) = (path.find('{'), path.rfind('}')) else {
        return vec![path];
    };
    if close < open {
        return vec![path];
    }
    let prefix = &path[..open];
    let inner = &path[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .collect()
}

/// Every path written in `code` that starts at `crate`, `super` or `self`.
fn paths_in(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let uses =
        regex::Regex::new(r"(?ms)^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);").expect("regex");
    for c in uses.captures_iter(code) {
        out.extend(expand(&c[1]));
    }
    let inline =
        regex::Regex::new(r"\b(?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+").expect("regex");
    out.extend(inline.find_iter(code).map(|m| m.as_str().to_string()));
    out.into_iter()
        .map(|p| p.split(" as ").next().unwrap_or("").to_string())
        .filter(|p| p.starts_with("crate::") || p.starts_with("super::") || p.starts_with("self::"))
        .collect()
}

/// The module a path points into: the longest prefix that is a module with a file. `self` is
/// the module itself and `super` its parent (for `a/b/mod.rs` as for `a/b.rs`, that is `a`).
fn resolve(tree: &Tree, from: &str, path: &str) -> Option<String> {
    let mut words = path.split("::");
    let mut base: Vec<&str> = from.split("::").filter(|s| !s.is_empty()).collect();
    match words.next()? {
        "crate" => base.clear(),
        "self" => {}
        "super" => {
            base.pop();
        }
        _ => return None,
    }
    let mut best = base.join("::");
    let mut current = base;
    for w in words {
        if w == "super" {
            current.pop();
            best = current.join("::");
            continue;
        }
        current.push(w);
        let name = current.join("::");
        if tree.files.contains_key(&name) {
            best = name;
        } else {
            break;
        }
    }
    Some(best)
}

/// File-level edges: module -> modules it imports (itself excluded).
fn edges(tree: &Tree) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &tree.files {
        let code = without_comments(&without_tests(text));
        for path in paths_in(&code) {
            if let Some(target) = resolve(tree, module, &path)
                && &target != module
            {
                out.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    out
}

/// The child of `parent` that `module` lies in, or `None` when `module` is `parent`'s own
/// file or outside it. The parent's own file is the node "" .
fn node_under(parent: &str, module: &str) -> Option<String> {
    let rest = if parent.is_empty() {
        module
    } else if module == parent {
        return Some(String::new());
    } else {
        module.strip_prefix(parent)?.strip_prefix("::")?
    };
    if rest.is_empty() {
        return Some(String::new());
    }
    Some(rest.split("::").next().unwrap_or(rest).to_string())
}

/// One cycle in `graph`, if any (depth-first search).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let tree = load();
    let edges = edges(&tree);
    let mut parents: BTreeSet<String> = BTreeSet::new();
    for (module, rel) in &tree.paths {
        if rel.ends_with("mod.rs") || rel == "lib.rs" {
            parents.insert(module.clone());
        }
    }
    let mut problems = Vec::new();
    for parent in &parents {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in &edges {
            let Some(a) = node_under(parent, from) else {
                continue;
            };
            for to in targets {
                if let Some(b) = node_under(parent, to)
                    && a != b
                {
                    graph.entry(a.clone()).or_default().insert(b);
                }
            }
        }
        if let Some(cycle) = find_cycle(&graph) {
            let named: Vec<String> = cycle
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        format!("{parent} (mod.rs)")
                    } else {
                        c.clone()
                    }
                })
                .collect();
            let at = if parent.is_empty() { "crate" } else { parent };
            problems.push(format!("in {at}: {}", named.join(" -> ")));
        }
    }
    assert!(
        problems.is_empty(),
        "module cycles:\n{}",
        problems.join("\n")
    );
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

fn top_level_imports(tree: &Tree, of: &str) -> BTreeSet<String> {
    edges(tree)
        .into_iter()
        .filter(|(from, _)| top(from) == of)
        .flat_map(|(_, to)| to)
        .map(|t| top(&t).to_string())
        .filter(|t| t != of && !t.is_empty())
        .collect()
}

#[test]
fn the_store_depends_on_the_model_and_pure_definitions_not_on_stages() {
    let tree = load();
    let imports = top_level_imports(&tree, "store");
    // The model, the configuration, and the pure definitions every stage shares.
    let allowed: BTreeSet<String> = ["model", "config", "event_time", "stories", "urls", "trends"]
        .map(String::from)
        .into();
    let extra: Vec<&String> = imports.difference(&allowed).collect();
    assert!(extra.is_empty(), "store/ imports {extra:?}");
}

#[test]
fn readers_depend_on_no_stage() {
    let tree = load();
    let mut problems = Vec::new();
    for reader in READERS {
        for t in top_level_imports(&tree, reader) {
            if STAGES.contains(&t.as_str()) {
                problems.push(format!("{reader} imports {t}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_source_file_over_600_lines() {
    let tree = load();
    let long: Vec<String> = tree
        .paths
        .iter()
        .filter(|(_, rel)| !TABLES.contains(&rel.as_str()))
        .filter_map(|(module, rel)| {
            let lines = tree.files[module].lines().count();
            (lines > 600).then(|| format!("{rel}: {lines} lines"))
        })
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle_when_there_is_one() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), ["b".to_string()].into()),
        ("b".to_string(), ["c".to_string()].into()),
        ("c".to_string(), ["a".to_string()].into()),
    ]
    .into();
    assert_eq!(find_cycle(&graph).map(|c| c.len()), Some(4));
    assert_eq!(
        expand("super::{a, b::{c, d}}"),
        vec!["super::a", "super::b::c", "super::b::d"]
    );
    let tree = Tree {
        files: [("ner", ""), ("ner::model", ""), ("text", "")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into(),
        paths: BTreeMap::new(),
    };
    assert_eq!(
        resolve(&tree, "ner::model", "super::Tagger").as_deref(),
        Some("ner")
    );
    assert_eq!(
        resolve(&tree, "ner", "self::model::Tagger").as_deref(),
        Some("ner::model")
    );
    assert_eq!(
        resolve(&tree, "ner::model", "crate::text::stemmer").as_deref(),
        Some("text")
    );
}
