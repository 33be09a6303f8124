//! Words shown to people come from the catalogues, in French and in English: every kind of
//! record and every act the history records has its words, so no history line reads
//! "Unknown localization key" or a column name.

use std::collections::BTreeSet;
use std::path::Path;

fn sources(dir: &Path, text: &mut String) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, text);
        } else if path.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

/// The values of `name: "…"` in the sources (the fields of a history `Change`).
fn literals(source: &str, name: &str) -> BTreeSet<String> {
    let needle = format!("{name}: \"");
    source
        .match_indices(&needle)
        .filter_map(|(at, _)| source[at + needle.len()..].split('"').next())
        .filter(|v| v.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(ToOwned::to_owned)
        .collect()
}

#[test]
fn every_recorded_kind_of_record_and_act_has_its_words_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut source = String::new();
    sources(&root.join("src"), &mut source);
    let mut wanted: Vec<String> = literals(&source, "entity")
        .into_iter()
        .map(|e| format!("history-entity-{e}"))
        .collect();
    wanted.extend(
        literals(&source, "action")
            .into_iter()
            .map(|a| format!("history-action-{a}")),
    );
    assert!(wanted.len() > 20, "history literals found: {wanted:?}");
    for entity in literals(&source, "entity") {
        assert!(
            qualitrack::models::history::KINDS.contains(&entity.as_str()),
            "{entity} is recorded but not offered by the history's filter"
        );
    }
    for lang in ["fr", "en"] {
        let catalogue =
            std::fs::read_to_string(root.join(format!("locales/{lang}/main.ftl"))).unwrap();
        let keys: BTreeSet<&str> = catalogue
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .collect();
        let missing: Vec<&String> = wanted
            .iter()
            .filter(|k| !keys.contains(k.as_str()))
            .collect();
        assert!(missing.is_empty(), "{lang}: no words for {missing:?}");
    }
}
