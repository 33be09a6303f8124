//! `qualitrack frameworks validate my-charter.toml`, as README says: a file checked alone
//! finds the frameworks it maps to among the bundled ones and those of the database.

use crate::cli::qualitrack;

/// The model charter under the organisme's own code: it maps to ISO 9001, Qualibail IV and
/// Quali'Hlm, none of which is among the files given.
fn my_charter(extra: &str) -> String {
    let model = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/audit-frameworks/charte-qualite.toml"
    ))
    .unwrap();
    let own = model.replacen(
        "code = \"charte-qualite\"",
        "code = \"charte-mon-office\"",
        1,
    );
    format!("{own}\n{extra}")
}

/// A correspondence to a framework version that only the database holds.
const TO_IMPORTED: &str = r#"
[[mappings]]
from = "C1.1"
framework = "charte-exemple"
version = "2025"
to = "C1.1"
relation = "related"
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_charter_alone_is_checked_against_the_bundled_frameworks_without_creating_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none-yet.db");
    let url = format!("sqlite://{}", db.display());
    let file = dir.path().join("my-charter.toml");
    std::fs::write(&file, my_charter("")).unwrap();
    let run = qualitrack(
        &url,
        dir.path(),
        &["frameworks", "validate", file.to_str().unwrap()],
        "",
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("1 file(s) valid"));
    assert!(!db.exists(), "checking a file creates no database");
}

#[test]
fn a_charter_is_checked_against_the_versions_of_the_database_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let migrate = qualitrack(&url, dir.path(), &["migrate"], "");
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/frameworks");
    let import = qualitrack(&url, dir.path(), &["frameworks", "import", fixtures], "");
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert!(text(&import.stdout).contains("imported  charte-exemple 2025"));

    let file = dir.path().join("my-charter.toml");
    std::fs::write(&file, my_charter(TO_IMPORTED)).unwrap();
    let args = ["frameworks", "validate", file.to_str().unwrap()];
    let run = qualitrack(&url, dir.path(), &args, "");
    assert!(run.status.success(), "{}", text(&run.stderr));

    // Without that database, the same file names the version it cannot find, and only it.
    let elsewhere = tempfile::tempdir().unwrap();
    let empty = format!("sqlite://{}", elsewhere.path().join("empty.db").display());
    let refused = qualitrack(&empty, elsewhere.path(), &args, "");
    assert_eq!(refused.status.code(), Some(1));
    let said = text(&refused.stderr);
    assert!(
        said.contains("version charte-exemple 2025 is not loaded"),
        "{said}"
    );
    assert!(said.contains("1 error(s) in 1 file(s)"), "{said}");
}
