//! Indicators of an organisme: values entered per period, site values rolled up, a CSV
//! import checked line by line before anything is written (and harmless to repeat), the
//! status against the target, the organisme's own target, and who may do what.

use std::fmt::Write as _;

use qualitrack::domain::Role;

use crate::helpers::{Client, TestApp, spawn_app};

pub(crate) struct Setup {
    pub app: TestApp,
    pub org: String,
    pub manager: Client,
}

/// An organisme committed to Qualibail IV, with two sites.
pub(crate) fn setup() -> Setup {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Mesuré", 51, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let framework = app.framework_id("qualibail-iv");
    let created = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "granted"),
            ("start_date", "2024-01-10"),
            ("decision_date", "2024-04-10"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    agencies(
        &manager,
        &org,
        &[("Agence Nord", "3000"), ("Agence Sud", "1000")],
    );
    Setup { app, org, manager }
}

/// Agencies of the organisme, declared by its quality manager: (name, homes).
pub(crate) fn agencies(manager: &Client, org: &str, sites: &[(&str, &str)]) {
    for (name, homes) in sites {
        let site = manager.post_form(
            &format!("/organismes/{org}/sites"),
            &[
                ("name", name),
                ("kind", "agence"),
                ("address", "1 rue Haute"),
                ("postal_code", "11000"),
                ("commune", "Carcassonne"),
                ("homes", homes),
            ],
        );
        assert_eq!(site.status, 303, "{}", site.body);
    }
}

fn value_count(app: &TestApp) -> i64 {
    app.count("indicator_values")
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "values entered, rolled up, judged, then retargeted, in order"
)]
fn values_are_entered_rolled_up_and_judged_against_their_target() {
    let Setup { app, org, manager } = setup();
    let board = manager.get(&format!("/organismes/{org}/indicateurs"));
    assert_eq!(board.status, 200, "{}", board.body);
    assert!(board.body.contains("Qualibail IV"));
    assert!(board.body.contains("Pas de donnée"));

    // One wrong field refuses the whole form and keeps what was typed.
    let entry = format!("/organismes/{org}/indicateurs/saisie");
    let refused = manager.post_form(
        &entry,
        &[
            ("periode", "2025-03"),
            ("referentiel", "qualibail-iv"),
            ("v:taux-decroche", "80,5"),
            ("v:enregistrement-demande-10jo", "120"),
        ],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("La valeur doit être comprise entre 0 et 100.")
    );
    assert!(refused.body.contains("value=\"80,5\""));
    assert_eq!(value_count(&app), 0);

    let saved = manager.post_form(
        &entry,
        &[
            ("periode", "03/2025"),
            ("referentiel", "qualibail-iv"),
            ("v:taux-decroche", "80,5"),
            ("n:enregistrement-demande-10jo", "48"),
            ("d:enregistrement-demande-10jo", "50"),
            ("source", "Autocommutateur"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(value_count(&app), 2);
    let board = manager.get(&format!("/organismes/{org}/indicateurs"));
    assert!(
        board
            .body
            .contains("Valeurs enregistrées : 2 ajoutée(s), 0 modifiée(s).")
    );
    // 48 / 50 = 96 % against a target of 95 %: met; 80,5 % against 85 %: not met.
    assert!(board.body.contains("96,0\u{a0}%") && board.body.contains("✓ Atteint"));
    assert!(board.body.contains("80,5\u{a0}%") && board.body.contains("✕ Non atteint"));
    let home = manager.get("/");
    assert!(
        home.body
            .contains("1 atteint(s), 1 non atteint(s), 23 sans donnée."),
        "{}",
        home.body
    );
    assert!(home.body.contains("Taux de décroché</a> — 80,5\u{a0}%"));
    // The form shows what is stored for that period.
    let again = manager.get(&format!("{entry}?periode=2025-03&referentiel=qualibail-iv"));
    assert!(
        again
            .body
            .contains("name=\"v:taux-decroche\" value=\"80,5\"")
    );

    // Sites' values roll up when the organisme has none of its own for the period.
    let sites_body = manager.get(&format!("/organismes/{org}"));
    let site_ids: Vec<String> = sites_body
        .body
        .split("href=\"/sites/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect();
    for (site, calls, answered) in [(&site_ids[0], "100", "90"), (&site_ids[1], "50", "10")] {
        let posted = manager.post_form(
            &entry,
            &[
                ("periode", "2025-04"),
                ("site", site),
                ("referentiel", "qualibail-iv"),
                ("n:taux-decroche", answered),
                ("d:taux-decroche", calls),
            ],
        );
        assert_eq!(posted.status, 303, "{}", posted.body);
    }
    let page = manager.get(&format!("/organismes/{org}/indicateurs/taux-decroche"));
    assert_eq!(page.status, 200);
    // (90 + 10) / (100 + 50) = 66,7 %, not the mean of 90 % and 20 %.
    assert!(page.body.contains("66,7\u{a0}%"), "{}", page.body);
    assert!(page.body.contains("Calculée à partir de 2 site(s)"));
    assert!(
        page.body
            .contains("somme des numérateurs ÷ somme des dénominateurs")
    );
    assert!(
        page.body.contains("Saisie pour l’organisme"),
        "March was entered whole"
    );
    assert!(
        page.body
            .contains("<svg role=\"img\" aria-label=\"Taux de décroché : évolution et cible\"")
    );
    assert!(
        page.body
            .contains("aria-label=\"Valeurs des sites pour 2025-04\"")
    );
    // Frameworks by their names, periods as people write them.
    let frameworks = page
        .body
        .split("<dt>Référentiels</dt><dd>")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .unwrap_or_default();
    assert!(!frameworks.is_empty());
    for code in ["qualibail-iv", "quali-hlm", "iso-9001-2015", "charte-"] {
        assert!(!frameworks.contains(code), "{frameworks}");
    }
    assert!(page.body.contains("avr. 2025"), "April 2025 in words");

    // The organisme's own target replaces the framework's.
    let target = format!("/organismes/{org}/indicateurs/taux-decroche/cible");
    assert_eq!(manager.post_form(&target, &[("target", "140")]).status, 422);
    assert_eq!(manager.post_form(&target, &[("target", "60")]).status, 303);
    let page = manager.get(&format!("/organismes/{org}/indicateurs/taux-decroche"));
    assert!(page.body.contains("≥ 60,0\u{a0}%") && page.body.contains("✓ Atteint"));
    assert!(app.count("history") > 0);
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one file refused, one imported twice, one kept in part"
)]
fn a_csv_file_is_checked_before_anything_is_written_and_reimporting_changes_nothing() {
    let Setup { app, org, manager } = setup();
    let import = format!("/organismes/{org}/indicateurs/import");
    // Windows-1252, semicolons, decimal commas, as a spreadsheet exports it.
    let mut wrong =
        b"indicateur;site;p\xe9riode;valeur;num\xe9rateur;d\xe9nominateur;source\r\n".to_vec();
    wrong.extend_from_slice(b"taux-decroche;Agence Nord;2025-01;81,5;;;Autocom\r\n");
    wrong.extend_from_slice(b"taux-decroche;Agence Ouest;2025-01;80;;;\r\n");
    wrong.extend_from_slice(b"inconnu;;2025-01;12;;;\r\n");
    wrong.extend_from_slice(b"taux-decroche;;2025-13;12;;;\r\n");
    let preview = manager.upload_with(&import, &[], &[("valeurs.csv", &wrong)]);
    assert_eq!(preview.status, 422);
    assert!(
        preview
            .body
            .contains("4 ligne(s) lue(s) (Windows-1252) : 1 valable(s), 3 refusée(s).")
    );
    assert!(
        preview
            .body
            .contains("« Agence Ouest » n’est pas un site de l’organisme.")
    );
    assert!(
        preview
            .body
            .contains("<th scope=\"row\">3</th><td>2 (site)</td>")
    );
    assert!(
        preview
            .body
            .contains("« inconnu » n’est pas un indicateur suivi par l’organisme.")
    );
    assert!(
        preview
            .body
            .contains("<th scope=\"row\">5</th><td>3 (periode)</td>")
    );
    assert_eq!(value_count(&app), 0, "a preview writes nothing");
    // Confirming without keeping the valid lines still writes nothing, and says why.
    let unticked = manager.post_form(&format!("{import}/confirmer"), &[]);
    assert_eq!(unticked.status, 422);
    assert!(
        unticked
            .body
            .contains("ligne(s) du fichier sont refusées : cochez la case"),
        "{}",
        unticked.body
    );
    assert!(
        unticked
            .body
            .contains("aria-describedby=\"f-keep_valid-error\"")
    );
    assert_eq!(value_count(&app), 0);

    let mut good = String::from("indicateur,site,periode,valeur,numerateur,denominateur\n");
    for month in 1..=12 {
        writeln!(
            good,
            "taux-decroche,Agence Nord,2025-{month:02},\"8{},5\",,",
            month % 10
        )
        .unwrap();
        writeln!(
            good,
            "taux-decroche,agence sud,2025-{month:02},,{},100",
            70 + month
        )
        .unwrap();
    }
    let preview = manager.upload_with(&import, &[], &[("annee.csv", good.as_bytes())]);
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("24 ligne(s) lue(s) (UTF-8) : 24 valable(s), 0 refusée(s).")
    );
    let done = manager.post_form(&format!("{import}/confirmer"), &[]);
    assert_eq!(done.status, 303);
    assert_eq!(value_count(&app), 24);
    let board = manager.get(&format!("/organismes/{org}/indicateurs"));
    assert!(
        board
            .body
            .contains("Import terminé : 24 valeur(s) ajoutée(s), 0 modifiée(s), 0 inchangée(s)")
    );
    let history_before = app.count("history");
    manager.upload_with(&import, &[], &[("annee.csv", good.as_bytes())]);
    assert_eq!(
        manager
            .post_form(&format!("{import}/confirmer"), &[])
            .status,
        303
    );
    let board = manager.get(&format!("/organismes/{org}/indicateurs"));
    assert!(
        board
            .body
            .contains("0 valeur(s) ajoutée(s), 0 modifiée(s), 24 inchangée(s)")
    );
    assert_eq!(value_count(&app), 24);
    assert_eq!(
        app.count("history"),
        history_before,
        "an identical import writes nothing"
    );

    // The valid lines of a wrong file are imported only when asked.
    manager.upload_with(&import, &[], &[("valeurs.csv", &wrong)]);
    let kept = manager.post_form(&format!("{import}/confirmer"), &[("keep_valid", "1")]);
    assert_eq!(kept.status, 303);
    assert_eq!(
        value_count(&app),
        24,
        "81,5 for January replaced the value imported before"
    );
}

#[test]
fn the_template_names_the_organismes_indicators_and_sites_and_imports_once_filled() {
    let Setup { app, org, manager } = setup();
    let template = manager.get(&format!("/organismes/{org}/indicateurs/modele.csv"));
    assert_eq!(template.status, 200);
    let text = template.body.trim_start_matches('\u{feff}');
    assert!(text.starts_with("indicateur;site;periode;valeur"));
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert!(
        lines.iter().any(|l| l.starts_with("taux-decroche;;")),
        "{text}"
    );
    for site in ["Agence Nord", "Agence Sud"] {
        assert!(
            lines.iter().any(|l| l.split(';').nth(1) == Some(site)),
            "its own sites: {text}"
        );
    }
    let import = format!("/organismes/{org}/indicateurs/import");
    // Sent back unfilled, every line is refused and nothing is written.
    let unfilled = manager.upload_with(&import, &[], &[("modele.csv", text.as_bytes())]);
    assert!(
        unfilled
            .body
            .contains(&format!("0 valable(s), {} refusée(s)", lines.len())),
        "{}",
        unfilled.body
    );
    // Filled in (a value on every line), every line is accepted as it stands.
    let filled = text.replace(";;;;", ";12;;;");
    let preview = manager.upload_with(&import, &[], &[("modele.csv", filled.as_bytes())]);
    assert!(
        preview.body.contains(&format!(
            "{0} ligne(s) lue(s) (UTF-8) : {0} valable(s), 0 refusée(s).",
            lines.len()
        )),
        "{}",
        preview.body
    );
    let done = manager.post_form(&format!("{import}/confirmer"), &[]);
    assert_eq!(done.status, 303);
    assert_eq!(value_count(&app), i64::try_from(lines.len()).unwrap());
    let other = app.create_organisation("Habitat Voisin", 52, "11");
    assert_eq!(
        manager
            .get(&format!("/organismes/{other}/indicateurs/modele.csv"))
            .status,
        404,
        "another organisme's names stay its own"
    );
}

#[test]
fn only_the_organismes_people_enter_values_and_others_do_not_see_them() {
    let Setup {
        app,
        org,
        manager: _,
    } = setup();
    let observer = app.login_as(Role::Observer, Some(&org), None);
    assert_eq!(
        observer
            .get(&format!("/organismes/{org}/indicateurs"))
            .status,
        200
    );
    assert_eq!(
        observer
            .get(&format!("/organismes/{org}/indicateurs/saisie"))
            .status,
        403
    );
    assert_eq!(
        observer
            .post_form(
                &format!("/organismes/{org}/indicateurs/saisie"),
                &[("periode", "2025-03"), ("v:taux-decroche", "80")]
            )
            .status,
        403
    );
    let federation = app.login_as(Role::Federation, None, None);
    assert_eq!(
        federation
            .get(&format!("/organismes/{org}/indicateurs"))
            .status,
        200
    );
    assert_eq!(
        federation
            .get(&format!("/organismes/{org}/indicateurs/import"))
            .status,
        403
    );
    let other = app.create_organisation("Habitat Voisin", 52, "11");
    let stranger = app.login_as(Role::QualityManager, Some(&other), None);
    for path in [
        format!("/organismes/{org}/indicateurs"),
        format!("/organismes/{org}/indicateurs/taux-decroche"),
        format!("/organismes/{org}/indicateurs/saisie"),
    ] {
        assert_eq!(stranger.get(&path).status, 404, "{path}");
    }
    assert_eq!(
        stranger
            .upload_with(
                &format!("/organismes/{org}/indicateurs/import"),
                &[],
                &[(
                    "x.csv",
                    b"indicateur;periode;valeur\ntaux-decroche;2025-01;80\n"
                )]
            )
            .status,
        404
    );
    assert_eq!(value_count(&app), 0);
}

#[test]
fn the_command_line_imports_the_same_files_with_the_same_checks() {
    let Setup { app, .. } = setup();
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("faux.csv");
    std::fs::write(
        &wrong,
        "indicateur;site;periode;valeur\ntaux-decroche;;2025-01;80\ntaux-decroche;Nulle Part;2025-01;80\n",
    )
    .unwrap();
    let siren = crate::helpers::siren(51);
    let run = |file: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "indicators",
            "import",
            file.to_str().unwrap(),
            "--organisation",
            &siren,
        ];
        args.extend_from_slice(extra);
        crate::cli::qualitrack(&app.database_url, &app.data_dir, &args, "")
    };
    let refused = run(&wrong, &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("line 3, column 2 (site): “Nulle Part” is not a site of the organisme."),
        "{stderr}"
    );
    assert!(stderr.contains("nothing written"));
    assert_eq!(value_count(&app), 0);
    let dry = run(&wrong, &["--keep-valid", "--dry-run"]);
    assert!(dry.status.success());
    assert_eq!(value_count(&app), 0);

    let good = dir.path().join("annee.csv");
    let mut text = String::from("indicateur;site;periode;valeur\n");
    for month in 1..=12 {
        writeln!(
            text,
            "taux-decroche;Agence Nord;2025-{month:02};8{},5",
            month % 10
        )
        .unwrap();
    }
    std::fs::write(&good, text).unwrap();
    let first = run(&good, &[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("12 values added, 0 changed, 0 unchanged")
    );
    let second = run(&good, &[]);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("0 values added, 0 changed, 12 unchanged")
    );
    assert_eq!(value_count(&app), 12);
}

#[test]
fn the_api_writes_batches_of_values_all_or_nothing_and_reads_them_back() {
    let Setup { app, org, manager } = setup();
    let token = manager.create_api_token("Infocentre");
    let batch = |values: serde_json::Value| {
        app.api_call(
            "POST",
            "/api/v1/indicator-values",
            Some(&token),
            Some(
                serde_json::json!({ "organisation": crate::helpers::siren(51), "values": values }),
            ),
        )
    };
    let (status, refused) = batch(serde_json::json!([
        { "indicator": "taux-decroche", "period": "2025-01", "value": 82.5 },
        { "indicator": "taux-decroche", "period": "2025-02", "numerator": 120, "denominator": 100 },
        { "indicator": "taux-decroche", "site": "Agence Nord", "period": "2025-14", "value": 80 },
    ]));
    assert_eq!(status, 422);
    assert_eq!(
        refused["fields"]["values[1].numerator"],
        "Le numérateur dépasse le dénominateur."
    );
    assert!(
        refused["fields"]["values[2].period"]
            .as_str()
            .unwrap()
            .contains("« 2025-14 »")
    );
    assert_eq!(value_count(&app), 0);
    let values = serde_json::json!([
        { "indicator": "taux-decroche", "period": "2025-01", "value": 82.5, "source": "Autocom" },
        { "indicator": "taux-decroche", "site": "Agence Nord", "period": "2025-02", "numerator": 45, "denominator": 50 },
    ]);
    let (status, written) = batch(values.clone());
    assert_eq!(status, 200, "{written}");
    assert_eq!(written["inserted"], 2);
    let (_, again) = batch(values);
    assert_eq!(
        (again["inserted"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(2))
    );

    let (status, read) = app.api_call(
        "GET",
        &format!("/api/v1/indicator-values?organisation={org}&site=organisme"),
        Some(&token),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(read["total"], 1);
    assert_eq!(read["items"][0]["value"], 82.5);
    let (_, board) = app.api_call(
        "GET",
        &format!("/api/v1/indicators?organisation={org}"),
        Some(&token),
        None,
    );
    let rate = board["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["definition"]["code"] == "taux-decroche")
        .unwrap();
    // February comes from the site alone: 45 / 50 = 90 %, above the 85 % target.
    assert_eq!(rate["latest"]["period"], "2025-02");
    assert!((rate["latest"]["value"].as_f64().unwrap() - 90.0).abs() < 1e-9);
    assert_eq!(rate["latest"]["rollup"]["method"], "ratio_of_sums");
    assert_eq!(rate["status"], "met");

    let observer = app
        .login_as(Role::Observer, Some(&org), None)
        .create_api_token("Lecture");
    let (status, _) = app.api_call(
        "POST",
        "/api/v1/indicator-values",
        Some(&observer),
        Some(serde_json::json!({ "organisation": org, "values": [{ "indicator": "taux-decroche", "period": "2025-03", "value": 1 }] })),
    );
    assert_eq!(status, 403);
    let stranger = app
        .login_as(
            Role::QualityManager,
            Some(&app.create_organisation("Autre", 53, "11")),
            None,
        )
        .create_api_token("Autre");
    assert_eq!(
        app.api_call(
            "GET",
            &format!("/api/v1/indicators?organisation={org}"),
            Some(&stranger),
            None
        )
        .0,
        404
    );
}

#[test]
fn an_organisme_adds_its_own_indicators_beside_its_frameworks() {
    let Setup { app, org, manager } = setup();
    let create = format!("/organismes/{org}/indicateurs/propres");
    let fields = |code: &'static str, target: &'static str| {
        vec![
            ("code", code),
            ("name", "Courriers traités sous 8 jours"),
            ("unit", "percent"),
            ("direction", "higher_is_better"),
            ("target", target),
            ("frequency", "monthly"),
            (
                "definition",
                "Part des courriers de locataires traités dans les 8 jours.",
            ),
        ]
    };
    let taken = manager.post_form(&create, &fields("taux-decroche", "90"));
    assert_eq!(taken.status, 422);
    assert!(
        taken
            .body
            .contains("Ce code est celui d’un indicateur de référentiel")
    );
    let bad = manager.post_form(&create, &fields("Courriers 8j", "190"));
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("Le code s’écrit en minuscules") && bad.body.contains("entre 0 et 100")
    );
    assert!(
        bad.body
            .contains("value=\"Courriers traités sous 8 jours\"")
    );
    let created = manager.post_form(&create, &fields("courriers-8j", "90"));
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(
        manager
            .post_form(&create, &fields("courriers-8j", "90"))
            .status,
        422
    );

    let entry = manager.post_form(
        &format!("/organismes/{org}/indicateurs/saisie"),
        &[
            ("periode", "2025-05"),
            ("referentiel", "propres"),
            ("v:courriers-8j", "92"),
        ],
    );
    assert_eq!(entry.status, 303, "{}", entry.body);
    let board = manager.get(&format!("/organismes/{org}/indicateurs"));
    assert!(board.body.contains("Indicateurs propres à l’organisme"));
    assert!(board.body.contains("92,0\u{a0}%"));

    // Changes come from the version read; the second stale one is refused.
    let edit = format!("/organismes/{org}/indicateurs/propres/courriers-8j");
    let mut changed = fields("courriers-8j", "95");
    changed.push(("version", "1"));
    assert_eq!(manager.post_form(&edit, &changed).status, 303);
    assert_eq!(manager.post_form(&edit, &changed).status, 409);
    let page = manager.get(&format!("/organismes/{org}/indicateurs/courriers-8j"));
    assert!(page.body.contains("≥ 95,0\u{a0}%") && page.body.contains("✕ Non atteint"));
    let observer = app.login_as(Role::Observer, Some(&org), None);
    assert_eq!(observer.get(&edit).status, 403);
}

#[test]
fn an_entry_form_lists_the_indicators_measured_at_its_periods_rhythm() {
    // The app is kept to the end: dropping it stops the server.
    let Setup {
        app: _app,
        org,
        manager,
    } = setup();
    let month = manager.get(&format!(
        "/organismes/{org}/indicateurs/saisie?periode=2025-03"
    ));
    assert_eq!(month.status, 200);
    assert!(month.body.contains("name=\"v:taux-decroche\""), "monthly");
    assert!(
        !month.body.contains("name=\"v:regularisation-charges\""),
        "a yearly indicator has no place in a month's form"
    );
    let year = manager.get(&format!(
        "/organismes/{org}/indicateurs/saisie?periode=2025"
    ));
    assert!(year.body.contains("name=\"v:regularisation-charges\""));
    assert!(!year.body.contains("name=\"v:taux-decroche\""));
}
