//! Framework files (pure, no server): a valid minimal file loads, and each file of the
//! broken corpus is refused with the expected message at the expected place. A corpus file
//! starts with `# attendu : ligne L, colonne C : fragment of the French message`.

use qualitrack::domain::framework::validate;
use qualitrack::i18n::{Lang, framework_error};

fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frameworks")
}

#[test]
fn a_minimal_valid_file_loads() {
    let source = std::fs::read_to_string(corpus_dir().join("valid-minimal.toml")).unwrap();
    let outcome = validate(&[("valid-minimal.toml".into(), source)], &[]);
    assert!(outcome.is_ok(), "{:?}", outcome.errors);
    assert_eq!(outcome.loaded[0].code(), "charte-exemple");
}

#[test]
fn every_broken_file_is_refused_with_the_expected_message_and_place() {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir().join("broken"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 15,
        "the corpus covers at least 15 kinds of mistakes"
    );
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let header = source
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("# attendu : ");
        let (place, fragment) = header
            .split_once(" : ")
            .expect("header: ligne L, colonne C : message");
        let outcome = validate(&[(name.clone(), source.clone())], &[]);
        let messages: Vec<String> = outcome
            .errors
            .iter()
            .map(|e| framework_error(Lang::Fr, e))
            .collect();
        assert!(!outcome.is_ok(), "{name} should be refused");
        let expected_prefix = format!("{name}, {place} — ");
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(&expected_prefix) && m.contains(fragment)),
            "{name}: expected «{place} … {fragment}», got {messages:#?}"
        );
    }
}
