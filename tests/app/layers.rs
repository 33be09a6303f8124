//! The layers of `src/` and the direction of their dependencies (docs/architecture.md):
//! domain ← models ← services ← (web, api, cli), with the foundation (db, auth, error,
//! i18n, storage, templates, config) below models. A module that imports from a layer above
//! its own, pages and API that reach into each other's handlers, or a page or route that
//! writes its own query fail here, with the file and line.

use std::path::{Path, PathBuf};

/// Where a file of `src/` lives: its first path component, or the file itself.
fn room(path: &Path) -> String {
    let relative = path.strip_prefix("src").unwrap_or(path);
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

/// What sits above the data layer: a module of `models` or below names none of it.
const ABOVE_MODELS: &[&str] = &[
    "crate::services",
    "crate::reports",
    "crate::web",
    "crate::api",
    "crate::cli",
    "crate::startup",
];

/// What each room must not name.
fn forbidden(room: &str, file: &Path) -> Vec<&'static str> {
    let mut refused: Vec<&'static str> = Vec::new();
    match room {
        // Pure rules: nothing but other rules.
        "domain" => {
            refused.extend([
                "crate::models",
                "crate::db",
                "crate::auth",
                "crate::error",
                "crate::i18n",
                "crate::storage",
                "crate::templates",
                "crate::config",
            ]);
            refused.extend(ABOVE_MODELS);
        }
        "auth" | "db" | "error" | "i18n" | "storage" | "templates" | "config" => {
            refused.push("crate::models");
            refused.extend(ABOVE_MODELS);
        }
        "models" => refused.extend(ABOVE_MODELS),
        "services" | "reports" => {
            refused.extend(["crate::web", "crate::api", "crate::cli", "crate::startup"]);
        }
        // Pages and API read the request and shape the answer: no query of their own.
        "web" => {
            // The route table (`web/mod.rs`) mounts the API beside the pages.
            if file != Path::new("src/web/mod.rs") {
                refused.push("crate::api");
            }
            refused.extend(["crate::cli", "diesel::", "crate::db::schema"]);
        }
        "api" => refused.extend([
            "crate::web::handlers",
            "crate::cli",
            "diesel::",
            "crate::db::schema",
        ]),
        "cli" => refused.extend(["crate::web::handlers", "crate::api"]),
        _ => {}
    }
    refused
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("an entry of src/").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Lines that name a path of the crate (or diesel): `use` lines and paths written in full.
fn violations() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("the crate's directory");
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let here = room(file);
        let refused = forbidden(&here, file);
        let source = std::fs::read_to_string(file).expect("a source file");
        // Within a nested `use crate::{a, b}` the names follow on later lines too.
        let mut in_use = false;
        for (number, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("").trim();
            if code.starts_with("use crate::{") {
                in_use = !code.ends_with(';');
            }
            let mut named: Vec<String> = refused
                .iter()
                .filter(|prefix| code.contains(**prefix))
                .map(|prefix| (*prefix).to_owned())
                .collect();
            if in_use || code.starts_with("use crate::{") {
                for prefix in &refused {
                    let word = prefix.trim_start_matches("crate::");
                    if word.ends_with("::") {
                        continue;
                    }
                    let bare = format!("{word}::");
                    let first = format!("{{{word}");
                    if code.starts_with(&bare)
                        || code.contains(&format!(" {bare}"))
                        || code.contains(&first)
                    {
                        named.push((*prefix).to_owned());
                    }
                }
                if code.ends_with(';') {
                    in_use = false;
                }
            }
            for prefix in named {
                wrong.push(format!(
                    "{}:{}: {here} names {prefix}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    wrong
}

#[test]
fn every_module_depends_only_on_the_layers_below_it() {
    let wrong = violations();
    assert!(
        wrong.is_empty(),
        "dependencies pointing up ({}):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_bare_lookup_by_id_is_not_reachable_above_models() {
    // Each aggregate's `get` is `pub(in crate::models)`: pages, API and services find one
    // through the actor's scope (`find`).
    for model in [
        "audit",
        "commitment",
        "action",
        "site",
        "evidence",
        "survey",
    ] {
        let path = format!("{}/src/models/{model}.rs", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(&path).expect("a model");
        assert!(
            source.contains("pub(in crate::models) fn get("),
            "{model}: the bare lookup must stay in models"
        );
        assert!(
            source.contains("pub fn find(\n    conn: &mut DbConnection,\n    scope: &OrgScope,"),
            "{model}: a scoped finder"
        );
    }
}
