//! Frameworks in the application: imported at start (idempotently), browsed and searched,
//! uploaded with their errors shown, adapted as an organisme's own charter, and served by
//! the API.

use qualitrack::domain::Role;
use qualitrack::error::AppError;
use qualitrack::models::history::Actor;
use qualitrack::services::frameworks;

use crate::helpers::{Client, TestApp, spawn_app};

fn counts(app: &TestApp) -> [i64; 5] {
    [
        app.count("frameworks"),
        app.count("framework_requirements"),
        app.count("framework_indicators"),
        app.count("framework_mappings"),
        app.count("history"),
    ]
}

#[test]
fn the_bundled_frameworks_are_imported_once_and_again_changes_nothing() {
    let app = spawn_app();
    let before = counts(&app);
    assert_eq!(before[0], 4);
    assert_eq!(before[1], 91 + 34 + 50 + 36);
    let report = app.with_db(|conn| frameworks::import_bundled(conn, &Actor::system("test")));
    assert!(report.imported.is_empty());
    assert_eq!(report.unchanged.len(), 4);
    assert_eq!(counts(&app), before);
}

#[test]
fn changing_an_imported_version_is_refused() {
    let app = spawn_app();
    let (name, source) = qualitrack::domain::framework::bundled()
        .into_iter()
        .find(|(n, _)| n == "iso-9001-2015.toml")
        .unwrap();
    let changed = source.replacen("title = \"", "title = \"Modifié : ", 1);
    let before = counts(&app);
    let pool = app.db.pool().clone();
    let mut conn = pool.get().unwrap();
    let outcome = diesel::Connection::transaction(&mut *conn, |conn| {
        frameworks::import(
            conn,
            &Actor::system("test"),
            &[(name, changed)],
            &frameworks::Ownership::default(),
        )
    });
    match outcome {
        Err(AppError::FrameworkFiles(errors)) => {
            assert_eq!(errors[0].problem.key, "fw-version-changed");
            assert_eq!(errors[0].field, "version");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    drop(conn);
    assert_eq!(counts(&app), before);
}

#[test]
fn a_framework_page_shows_its_tree_crosswalk_cycle_and_grades_and_searches() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat", 1, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let list = manager.get("/referentiels");
    assert!(list.body.contains("Qualibail IV"));
    assert!(list.body.contains("Label Quali’Hlm"));
    let iso = app.framework_id("iso-9001-2015");
    let page = manager.get(&format!("/referentiels/{iso}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("8.2.1"));
    assert!(page.body.contains("id=\"req-9.1.2\""));
    assert!(page.body.contains("Correspondances"));
    assert!(page.body.contains(&format!(
        "/referentiels/{}#req-",
        app.framework_id("qualibail-iv")
    )));
    assert!(page.body.contains("Audit de surveillance"));
    assert!(page.body.contains("12 mois après la décision"));
    assert!(page.body.contains("<svg"));
    assert!(page.body.contains("Non-conformité majeure"));

    let search = manager.get(&format!("/referentiels/{iso}?q=reclamation"));
    assert!(
        search
            .body
            .contains("exigence(s) correspondent à « reclamation »")
    );
    assert!(search.body.contains("matched"));
    let none = manager.get(&format!("/referentiels/{iso}?q=introuvablexyz"));
    assert!(
        none.body
            .contains("Aucune exigence ne correspond à cette recherche.")
    );

    let source = manager.get(&format!("/referentiels/{iso}/source"));
    assert_eq!(source.status, 200);
    assert!(
        source
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert!(source.body.contains("[[requirements]]"));
}

fn minimal() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/frameworks/valid-minimal.toml"
    ))
    .unwrap()
}

#[test]
fn federation_staff_upload_a_new_framework_and_see_errors_of_a_broken_one() {
    let app = spawn_app();
    let federation = app.login_as(Role::Federation, None, None);
    let before = counts(&app);
    let broken = minimal()
        .replace("target = 95.0", "target = 120.0")
        .replace("titre", "title");
    let refused = federation.upload(
        "/referentiels/importer",
        &[("charte-exemple.toml", &broken)],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("charte-exemple.toml, ligne 59, colonne 10 — target")
    );
    assert!(refused.body.contains("doit être comprise entre 0 et 100"));
    assert_eq!(counts(&app), before);

    let accepted = federation.upload(
        "/referentiels/importer",
        &[("charte-exemple.toml", &minimal())],
    );
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(accepted.body.contains("charte-exemple 2025 importé."));
    assert_eq!(app.count("frameworks"), 5);
    let again = federation.upload(
        "/referentiels/importer",
        &[("charte-exemple.toml", &minimal())],
    );
    assert!(again.body.contains("déjà importé à l’identique"));
    assert_eq!(app.count("frameworks"), 5);

    let org = app.create_organisation("Habitat", 2, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    assert_eq!(manager.get("/referentiels/importer").status, 403);
    assert_eq!(
        manager
            .upload("/referentiels/importer", &[("x.toml", &minimal())])
            .status,
        403
    );
}

fn charter_form_fields(page: &str) -> Vec<(String, String)> {
    page.split("name=\"")
        .skip(1)
        .filter_map(|piece| {
            let name = piece.split('"').next()?.to_owned();
            if !(name.starts_with("title.") || name.starts_with("target.")) {
                return None;
            }
            let value = piece
                .split("value=\"")
                .nth(1)?
                .split('"')
                .next()?
                .replace("&#x27;", "'")
                .replace("&amp;", "&")
                .replace("&#x2F;", "/")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
            Some((name, value))
        })
        .collect()
}

fn post_owned(client: &Client, path: &str, fields: &[(String, String)]) -> crate::helpers::Resp {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post_form(path, &borrowed)
}

#[test]
fn a_quality_manager_adapts_the_model_charter_into_new_versions() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat du Lac", 3, "84");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let page = manager.get(&format!("/organismes/{org}"));
    assert!(page.body.contains("Créer la charte à partir du modèle"));
    let created = manager.post_form(&format!("/organismes/{org}/charte"), &[]);
    assert_eq!(created.status, 303);
    let v1 = created.location.unwrap();
    let charter = manager.get(&v1);
    assert!(
        charter
            .body
            .contains("Charte qualité de service — Habitat du Lac")
    );
    assert!(charter.body.contains("Adapter la charte"));

    let edit_path = format!("{v1}/modifier");
    let form = manager.get(&edit_path);
    assert_eq!(form.status, 200);
    let mut fields = charter_form_fields(&form.body);
    assert!(fields.len() > 30);
    let (title_field, _) = fields
        .iter()
        .find(|(n, _)| n.starts_with("title."))
        .unwrap()
        .clone();
    let (target_field, _) = fields
        .iter()
        .find(|(n, _)| n.starts_with("target."))
        .unwrap()
        .clone();

    let mut bad = fields.clone();
    bad.retain(|(n, _)| *n != target_field);
    bad.push((target_field.clone(), "beaucoup".into()));
    let refused = post_owned(&manager, &edit_path, &bad);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Saisissez un nombre"));
    assert!(refused.body.contains("value=\"beaucoup\""));

    for field in &mut fields {
        if field.0 == title_field {
            field.1 = "Nous vous répondons sous 5 jours".into();
        }
        if field.0 == target_field {
            field.1 = "97,5".into();
        }
    }
    fields.push(("new_parent".into(), String::new()));
    fields.push(("new_ref".into(), "C10".into()));
    fields.push((
        "new_title".into(),
        "Nous associons les locataires au bilan annuel".into(),
    ));
    let saved = post_owned(&manager, &edit_path, &fields);
    assert_eq!(saved.status, 303, "{}", saved.body);
    let v2 = saved.location.unwrap();
    assert_ne!(v2, v1);
    let second = manager.get(&v2);
    assert!(
        second
            .body
            .contains("Nouvelle version de la charte enregistrée.")
    );
    assert!(second.body.contains("Nous vous répondons sous 5 jours"));
    assert!(
        second
            .body
            .contains("C10 — Nous associons les locataires au bilan annuel")
    );
    assert!(second.body.contains("97,5"));
    // The first version is still there, unchanged, and saving from it now is a conflict.
    assert!(
        !manager
            .get(&v1)
            .body
            .contains("Nous vous répondons sous 5 jours")
    );
    let stale = post_owned(&manager, &edit_path, &fields);
    assert_eq!(stale.status, 409);

    // Another organisme's people do not see this charter.
    let other = app.create_organisation("Autre", 4, "84");
    let stranger = app.login_as(Role::QualityManager, Some(&other), None);
    assert_eq!(stranger.get(&v2).status, 404);
    assert_eq!(
        stranger
            .post_form(&format!("/organismes/{org}/charte"), &[])
            .status,
        404
    );
}

#[test]
fn the_api_serves_frameworks_with_their_full_tree() {
    let app = spawn_app();
    let token = app
        .login_as(Role::Auditor, None, None)
        .create_api_token("API");
    let get = |path: &str| -> serde_json::Value {
        let (status, body) = app.api_call("GET", path, Some(&token), None);
        assert_eq!(status, 200);
        body
    };
    let list = get("/api/v1/frameworks");
    assert_eq!(list["total"], 4);
    let iso = app.framework_id("iso-9001-2015");
    let detail = get(&format!("/api/v1/frameworks/{iso}"));
    assert_eq!(detail["code"], "iso-9001-2015");
    assert_eq!(detail["cycle"]["validity_months"], 36);
    let clause8 = detail["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ref"] == "8")
        .unwrap();
    assert!(
        clause8["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["ref"] == "8.2")
    );
    assert!(detail["grades"].as_array().unwrap().len() >= 4);
    let has_mapping =
        |node: &serde_json::Value| node["mappings"].as_array().is_some_and(|m| !m.is_empty());
    assert!(
        detail["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["children"].as_array().unwrap())
            .any(has_mapping)
    );
}
