//! Satisfaction surveys: waves on a scale, results per theme entered or imported (all or
//! nothing), per site, and compared with the wave before.

use qualitrack::domain::Role;

use crate::indicators::{Setup, setup};

fn wave(manager: &crate::helpers::Client, org: &str, title: &str, end: &str) -> String {
    let created = manager.post_form(
        &format!("/organismes/{org}/enquetes"),
        &[
            ("title", title),
            ("fieldwork_end", end),
            ("scale", "score10"),
            ("respondents", "1200"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    created
        .location
        .unwrap()
        .trim_start_matches("/enquetes/")
        .to_owned()
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "two waves entered, imported, compared, then read by others"
)]
fn waves_are_entered_imported_and_compared_with_the_one_before() {
    let Setup { app, org, manager } = setup();
    let refused = manager.post_form(
        &format!("/organismes/{org}/enquetes"),
        &[
            ("title", ""),
            ("fieldwork_end", "31/02/2025"),
            ("scale", "score10"),
        ],
    );
    assert_eq!(refused.status, 422);
    assert_eq!(app.count("survey_waves"), 0);

    let first = wave(&manager, &org, "Enquête triennale 2022", "2022-06-30");
    assert_eq!(
        manager
            .post_form(
                &format!("/enquetes/{first}/resultats"),
                &[("t:global", "7,5"), ("t:proprete", "6,1")]
            )
            .status,
        303
    );
    let second = wave(&manager, &org, "Enquête triennale 2025", "30/06/2025");
    let out_of_range = manager.post_form(
        &format!("/enquetes/{second}/resultats"),
        &[("t:global", "78")],
    );
    assert_eq!(out_of_range.status, 422);
    assert!(
        out_of_range
            .body
            .contains("La valeur doit être comprise entre 0 et 10.")
    );
    assert_eq!(
        manager
            .post_form(
                &format!("/enquetes/{second}/resultats"),
                &[("t:global", "7,8"), ("r:global", "1180")]
            )
            .status,
        303
    );

    let import = format!("/enquetes/{second}/import");
    let before = app.count("survey_results");
    let wrong = "theme;site;valeur\nPropreté des parties communes;Agence Nord;6,9\nmétéo;;5\n";
    let refused = manager.upload_with(&import, &[], &[("resultats.csv", wrong.as_bytes())]);
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Ligne 3 : « météo » n’est pas un thème d’enquête."),
        "{}",
        refused.body
    );
    assert_eq!(app.count("survey_results"), before, "nothing is written");
    let two = manager.upload_with(
        &import,
        &[],
        &[
            ("a.csv", b"theme;valeur\nglobale;7\n"),
            ("b.csv", b"theme;valeur\nglobale;8\n"),
        ],
    );
    assert_eq!(two.status, 422);
    assert!(two.body.contains("Déposez un seul fichier."));
    assert_eq!(app.count("survey_results"), before);
    let good = "theme;site;valeur;repondants\nproprete;;6,5;1150\nproprete;Agence Nord;6,9;300\nproprete;agence sud;5,8;250\n";
    let imported = manager.upload_with(&import, &[], &[("resultats.csv", good.as_bytes())]);
    assert_eq!(imported.status, 303, "{}", imported.body);

    let page = manager.get(&format!("/enquetes/{second}"));
    assert!(
        page.body
            .contains("Comparée à « Enquête triennale 2022 » (30/06/2022).")
    );
    // 7,8 against 7,5 and 6,5 against 6,1.
    assert!(
        page.body.contains("↗ +0,3") && page.body.contains("↗ +0,4"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Agence Nord<") && page.body.contains("6,9\u{a0}/ 10"));
    assert!(
        page.body
            .contains("aria-label=\"Enquête triennale 2025 : résultats par thème\"")
    );

    let token = manager.create_api_token("Enquêtes");
    let (status, waves) = app.api_call(
        "GET",
        &format!("/api/v1/surveys?organisation={org}"),
        Some(&token),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(waves["total"], 2);
    assert_eq!(waves["items"][0]["title"], "Enquête triennale 2025");
    assert_eq!(waves["items"][0]["results"].as_array().unwrap().len(), 4);

    let other = app.create_organisation("Habitat Voisin", 54, "11");
    let stranger = app.login_as(Role::QualityManager, Some(&other), None);
    assert_eq!(stranger.get(&format!("/enquetes/{second}")).status, 404);
    assert_eq!(
        stranger
            .post_form(
                &format!("/enquetes/{second}/resultats"),
                &[("t:global", "1")]
            )
            .status,
        404
    );
    let observer = app.login_as(Role::Observer, Some(&org), None);
    assert_eq!(observer.get(&format!("/enquetes/{second}")).status, 200);
    assert_eq!(
        observer
            .post_form(
                &format!("/enquetes/{second}/resultats"),
                &[("t:global", "1")]
            )
            .status,
        403
    );
}
