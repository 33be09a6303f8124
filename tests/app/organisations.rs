//! Organismes through the pages: create, validation, edit with conflict detection, history,
//! search, filters and pagination.

use crate::helpers::{siren, spawn_app};

#[test]
fn an_administrator_creates_an_organisme_and_sees_it_with_its_history() {
    let app = spawn_app();
    let admin = app.admin();
    let created = admin.post_form(
        "/organismes",
        &[
            ("name", "Habitat Exemple"),
            ("siren", "732 829 320"),
            ("family", "oph"),
            ("region", "32"),
            ("homes", "12 500"),
            ("federation", ""),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let location = created.location.unwrap();
    let page = admin.get(&location);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Organisme « Habitat Exemple » créé."));
    assert!(page.body.contains("732829320"));
    assert!(page.body.contains("Hauts-de-France"));
    assert!(page.body.contains("12\u{202f}500"));
    assert!(
        page.body.contains("Fédération des OPH"),
        "the usual federation of an OPH is chosen"
    );
    assert!(
        page.body.contains("création"),
        "the history shows the creation"
    );

    let list = admin.get("/organismes");
    assert!(list.body.contains("Habitat Exemple"));
    assert!(app.count("history") > 0);
}

#[test]
fn bad_input_is_refused_with_a_message_per_field_and_nothing_is_written() {
    let app = spawn_app();
    let admin = app.admin();
    let before = (app.count("organisations"), app.count("history"));
    let long_name = "x".repeat(201);
    let refused = admin.post_form(
        "/organismes",
        &[
            ("name", &long_name),
            ("siren", "732829321"),
            ("family", "oph"),
            ("region", "99"),
            ("homes", "beaucoup"),
        ],
    );
    assert_eq!(refused.status, 422);
    let body = &refused.body;
    assert!(body.contains("200 caractères au maximum."));
    assert!(body.contains("Ce SIREN n’existe pas : sa clé de contrôle est fausse."));
    assert!(body.contains("Cette région n’existe pas"));
    assert!(body.contains("Saisissez un nombre entier"));
    assert!(
        body.contains("value=\"732829321\""),
        "what was typed is shown again"
    );
    assert!(body.contains("aria-invalid=\"true\""));
    // The summary above the form names each field it lists.
    assert!(
        body.contains("<a href=\"#f-siren\">SIREN\u{a0}: Ce SIREN n’existe pas"),
        "{body}"
    );
    assert!(body.contains("<a href=\"#f-homes\">Logements\u{a0}: Saisissez un nombre entier"));
    assert_eq!((app.count("organisations"), app.count("history")), before);
}

#[test]
fn a_siren_can_only_be_used_once() {
    let app = spawn_app();
    let admin = app.admin();
    app.create_organisation("Premier", 1, "11");
    let refused = admin.post_form(
        "/organismes",
        &[
            ("name", "Second"),
            ("siren", &siren(1)),
            ("family", "esh"),
            ("region", "11"),
            ("homes", "10"),
        ],
    );
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Un organisme porte déjà ce SIREN."));
    assert_eq!(app.count("organisations"), 1);
}

#[test]
fn a_stale_edit_is_refused_and_both_versions_are_shown() {
    let app = spawn_app();
    let id = app.create_organisation("Habitat Concurrent", 2, "84");
    let alice = app.admin();
    let bob = app.admin();
    let form = alice.get(&format!("/organismes/{id}/modifier"));
    assert!(form.body.contains("name=\"version\" value=\"1\""));

    let number = siren(2);
    let fields = |name: &'static str| {
        vec![
            ("name", name),
            ("siren", number.as_str()),
            ("family", "oph"),
            ("region", "84"),
            ("homes", "11000"),
            ("version", "1"),
        ]
    };
    let saved = bob.post_form(&format!("/organismes/{id}"), &fields("Habitat selon Bob"));
    assert_eq!(saved.status, 303, "{}", saved.body);

    let conflict = alice.post_form(&format!("/organismes/{id}"), &fields("Habitat selon Alice"));
    assert_eq!(conflict.status, 409);
    assert!(conflict.body.contains("Quelqu’un a modifié cette fiche"));
    assert!(
        conflict.body.contains("Habitat selon Bob"),
        "the stored version is shown"
    );
    assert!(
        conflict.body.contains("value=\"Habitat selon Alice\""),
        "what Alice typed is kept"
    );
    assert!(conflict.body.contains("name=\"version\" value=\"2\""));

    let page = alice.get(&format!("/organismes/{id}"));
    assert!(page.body.contains("Habitat selon Bob"));
    let history = alice.get(&format!("/organismes/{id}/historique"));
    assert!(history.body.contains("Habitat Concurrent"));
    assert!(history.body.contains("Habitat selon Bob"));
}

#[test]
fn the_list_searches_filters_and_paginates_with_shareable_links() {
    let app = spawn_app();
    app.create_organisation("Hérault Habitat", 10, "76");
    app.create_organisation("Lille Métropole Habitat", 11, "32");
    for n in 0..55 {
        app.create_organisation(&format!("Office {n:02}"), 100 + n, "11");
    }
    let admin = app.admin();
    let search = admin.get("/organismes?q=herault");
    assert!(search.body.contains("Hérault Habitat"));
    assert!(!search.body.contains("Lille Métropole"));
    let by_siren = admin.get(&format!("/organismes?q={}", &siren(11)[..6]));
    assert!(by_siren.body.contains("Lille Métropole Habitat"));

    let region = admin.get("/organismes?region=32");
    assert!(region.body.contains("Lille Métropole Habitat"));
    assert!(region.body.contains("1 organisme(s)"));

    let first = admin.get("/organismes?region=11");
    assert!(first.body.contains("55 organisme(s)"));
    assert!(first.body.contains("Office 49"));
    assert!(!first.body.contains("Office 50"));
    assert!(
        first
            .body
            .contains("href=\"/organismes?region=11&amp;page=2\"")
    );
    let second = admin.get("/organismes?region=11&page=2");
    assert!(second.body.contains("Office 54"));

    let none = admin.get("/organismes?q=introuvable");
    assert!(
        none.body
            .contains("Aucun organisme ne correspond à ces critères.")
    );
}

#[test]
fn an_empty_list_says_what_to_do() {
    let app = spawn_app();
    let page = app.admin().get("/organismes");
    assert!(page.body.contains("Aucun organisme pour l’instant."));
    assert!(page.body.contains("href=\"/organismes/nouveau\""));
}

#[test]
fn the_list_of_one_framework_says_where_each_organisme_stands_and_exports_every_page() {
    let app = spawn_app();
    let admin = app.admin();
    let framework = app.framework_id("qualibail-iv");
    for (name, n, decided) in [
        ("Habitat Certifié", 12, "2024-03-12"),
        ("Habitat Labellisé", 13, "2025-06-02"),
    ] {
        let labelled = app.create_organisation(name, n, "11");
        let created = admin.post_form(
            &format!("/organismes/{labelled}/engagements"),
            &[
                ("framework_id", &framework),
                ("state", "granted"),
                ("start_date", "2024-01-10"),
                ("decision_date", decided),
            ],
        );
        assert_eq!(created.status, 303, "{}", created.body);
    }
    for n in 0..3 {
        app.create_organisation(&format!("Office sans label {n}"), 200 + n, "11");
    }
    let page = admin.get("/organismes?framework=qualibail-iv&per_page=1");
    assert_eq!(page.status, 200);
    let body = &page.body;
    let row = body.split("Habitat Certifié").nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(
        row.contains("Accordé") && row.contains("12/03/2024"),
        "{row}"
    );
    assert!(row.contains("Audit de suivi"), "the next step: {row}");
    assert!(!body.contains("Habitat Labellisé"), "one per page");
    let none = admin.get("/organismes?framework=qualibail-iv&standing=none");
    assert!(none.body.contains("Office sans label 0") && none.body.contains("Pas d’engagement"));
    assert!(body.contains("/organismes/export.csv?framework=qualibail-iv"));
    assert!(
        !body.contains(">Sites</th>") && !row.contains("Office public"),
        "the family and sites make room for the standing"
    );

    // The export holds every page, not only the one shown, with the framework's columns.
    let csv = admin.get("/organismes/export.csv?framework=qualibail-iv&per_page=1");
    assert_eq!(csv.status, 200);
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and both organismes: {text}");
    assert!(lines[0].contains("Référentiel;État;Dernière décision;Valable jusqu’au"));
    let certified = lines
        .iter()
        .find(|l| l.starts_with("Habitat Certifié"))
        .unwrap();
    assert!(certified.contains(";Accordé;12/03/2024;"), "{certified}");
    let xlsx = admin.get("/organismes/export.xlsx?framework=qualibail-iv");
    assert!(xlsx.body.starts_with("PK"));
    // Without a framework, the export is the plain list.
    let plain = admin.get("/organismes/export.csv");
    assert!(!plain.body.contains("Dernière décision"));
}
