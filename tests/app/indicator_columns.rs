//! An indicator file with a misspelt column (`numerateurs;denominateurs`) is refused whole, on
//! the import page and on the command line, naming the known columns and the one meant:
//! its numerators would otherwise be dropped without a word.

use std::fmt::Write as _;

use crate::indicators::{Setup, setup};

/// Nine rates with their numerators and denominators, these under misspelt headers.
fn misspelt() -> String {
    let mut text = String::from("indicateur;site;periode;valeur;numerateurs;denominateurs\n");
    for month in 1..=9 {
        writeln!(text, "taux-decroche;;2025-{month:02};8{month};8{month};100").unwrap();
    }
    text
}

#[test]
fn the_import_page_refuses_an_unknown_column_and_suggests_the_known_one() {
    let Setup { app, org, manager } = setup();
    let (values, history) = (app.count("indicator_values"), app.count("history"));
    let import = format!("/organismes/{org}/indicateurs/import");
    let refused = manager.upload_with(&import, &[], &[("valeurs.csv", misspelt().as_bytes())]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(
            "Colonne inconnue : numerateurs, denominateurs (vouliez-vous dire numerateur, \
             denominateur ?). Les colonnes connues sont : indicateur, site, periode, valeur, \
             numerateur, denominateur, source (voir le modèle) ; rien n’a été importé."
        ),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("valable(s)"), "no preview of values");
    // Confirming afterwards has nothing to import.
    let confirmed = manager.post_form(&format!("{import}/confirmer"), &[("keep_valid", "on")]);
    assert_ne!(confirmed.status, 303, "{}", confirmed.body);
    assert_eq!(app.count("indicator_values"), values, "nothing written");
    assert_eq!(app.count("history"), history, "nothing written");
}

#[test]
fn the_command_line_refuses_an_unknown_column_and_writes_nothing() {
    let Setup { app, .. } = setup();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("valeurs.csv");
    std::fs::write(&file, misspelt()).unwrap();
    let siren = crate::helpers::siren(51);
    for extra in [&[][..], &["--keep-valid"][..]] {
        let mut args = vec![
            "indicators",
            "import",
            file.to_str().unwrap(),
            "--organisation",
            &siren,
        ];
        args.extend_from_slice(extra);
        let run = crate::cli::qualitrack(&app.database_url, &app.data_dir, &args, "");
        assert!(!run.status.success(), "{extra:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains(
                "Unknown column: numerateurs, denominateurs (did you mean numerateur, \
                 denominateur?). The known columns are: indicateur, site, periode, valeur, \
                 numerateur, denominateur, source"
            ),
            "{stderr}"
        );
        assert!(
            !String::from_utf8_lossy(&run.stdout).contains("valid"),
            "no count of valid lines"
        );
    }
    assert_eq!(app.count("indicator_values"), 0, "nothing written");
}
