//! The JSON API: bearer tokens, the same permissions as the pages, JSON errors in French.

use qualitrack::domain::Role;

use crate::helpers::{TestApp, siren, spawn_app};

/// A token of a new account with this role.
fn token_for(
    app: &TestApp,
    role: Role,
    organisation: Option<&str>,
    region: Option<&str>,
) -> String {
    app.login_as(role, organisation, region)
        .create_api_token("Tests")
}

#[test]
fn requests_without_a_valid_token_are_refused_in_json() {
    let app = spawn_app();
    let (status, body) = app.api_call("GET", "/api/v1/organisations", None, None);
    assert_eq!(status, 401);
    assert_eq!(body["error"], "Connectez-vous pour continuer.");
    let (status, _) = app.api_call("GET", "/api/v1/organisations", Some("qt_invente"), None);
    assert_eq!(status, 401);
    let (status, body) = app.api_call("GET", "/api/v1/inconnu", None, None);
    assert_eq!(status, 404);
    assert_eq!(body["error"], "Page introuvable");
}

#[test]
fn an_administrator_manages_organismes_and_sites_through_the_api() {
    let app = spawn_app();
    let token = token_for(&app, Role::Admin, None, None);
    let (status, me) = app.api_call("GET", "/api/v1/me", Some(&token), None);
    assert_eq!(status, 200);
    assert_eq!(me["role"], "admin");

    let (status, created) = app.api_call(
        "POST",
        "/api/v1/organisations",
        Some(&token),
        Some(serde_json::json!({
            "name": "Habitat API", "siren": siren(1), "family": "esh", "region": "75", "homes": 4200
        })),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["federation"], "esh");
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, by_siren) = app.api_call(
        "GET",
        &format!("/api/v1/organisations/{}", siren(1)),
        Some(&token),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(by_siren["id"], id.as_str());

    let (status, list) = app.api_call("GET", "/api/v1/organisations?region=75", Some(&token), None);
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["name"], "Habitat API");
    assert_eq!(list["items"][0]["sites_count"], 0);

    let (status, site) = app.api_call(
        "POST",
        &format!("/api/v1/organisations/{id}/sites"),
        Some(&token),
        Some(serde_json::json!({
            "name": "Siège", "kind": "siege", "address": "1 cours de l’Intendance", "postal_code": "33000", "commune": "Bordeaux", "homes": 0
        })),
    );
    assert_eq!(status, 201, "{site}");
    let (_, sites) = app.api_call(
        "GET",
        &format!("/api/v1/organisations/{id}/sites"),
        Some(&token),
        None,
    );
    assert_eq!(sites["total"], 1);

    let update = serde_json::json!({"name": "Habitat API renommé", "siren": siren(1), "family": "esh", "region": "75", "homes": 4300, "version": 1});
    let (status, updated) = app.api_call(
        "PUT",
        &format!("/api/v1/organisations/{id}"),
        Some(&token),
        Some(update.clone()),
    );
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["version"], 2);
    let (status, conflict) = app.api_call(
        "PUT",
        &format!("/api/v1/organisations/{id}"),
        Some(&token),
        Some(update),
    );
    assert_eq!(status, 409);
    assert!(
        conflict["error"]
            .as_str()
            .unwrap()
            .contains("modifiée entre-temps")
    );

    let (status, missing_version) = app.api_call(
        "PUT",
        &format!("/api/v1/organisations/{id}"),
        Some(&token),
        Some(
            serde_json::json!({"name": "x", "siren": siren(1), "family": "esh", "region": "75", "homes": 1}),
        ),
    );
    assert_eq!(status, 422);
    assert!(missing_version["fields"]["version"].is_string());
}

#[test]
fn invalid_organismes_are_refused_with_a_reason_per_field() {
    let app = spawn_app();
    let token = token_for(&app, Role::Admin, None, None);
    let (status, refused) = app.api_call(
        "POST",
        "/api/v1/organisations",
        Some(&token),
        Some(serde_json::json!({
            "name": "", "siren": "123", "family": "hlm", "region": "11", "homes": 10
        })),
    );
    assert_eq!(status, 422);
    assert_eq!(refused["error"], "Certaines valeurs sont invalides.");
    assert_eq!(
        refused["fields"]["siren"],
        "Le SIREN compte exactement 9 chiffres."
    );
    assert_eq!(refused["fields"]["name"], "Ce champ est obligatoire.");
    assert_eq!(
        refused["fields"]["family"],
        "Choisissez une valeur de la liste."
    );
    assert_eq!(app.count("organisations"), 0);

    let (status, malformed) = app.api_call(
        "POST",
        "/api/v1/organisations",
        Some(&token),
        Some(serde_json::json!({"homes": "beaucoup"})),
    );
    assert_eq!(status, 400);
    assert!(malformed["error"].is_string());
}

#[test]
fn the_api_applies_the_same_scopes_as_the_pages() {
    let app = spawn_app();
    let own = app.create_organisation("Mon Office", 1, "11");
    let other = app.create_organisation("Autre Office", 2, "11");
    let token = token_for(&app, Role::QualityManager, Some(&own), None);
    let (_, list) = app.api_call("GET", "/api/v1/organisations", Some(&token), None);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], own.as_str());
    let (status, _) = app.api_call(
        "GET",
        &format!("/api/v1/organisations/{other}"),
        Some(&token),
        None,
    );
    assert_eq!(status, 404);
    let (status, _) = app.api_call(
        "GET",
        &format!("/api/v1/organisations/{other}/sites"),
        Some(&token),
        None,
    );
    assert_eq!(status, 404);
    let (status, _) = app.api_call(
        "POST",
        "/api/v1/organisations",
        Some(&token),
        Some(
            serde_json::json!({"name": "X", "siren": siren(3), "family": "oph", "region": "11", "homes": 1}),
        ),
    );
    assert_eq!(status, 403);
    let (status, _) = app.api_call(
        "POST",
        &format!("/api/v1/organisations/{own}/sites"),
        Some(&token),
        Some(serde_json::json!({
            "name": "Agence", "kind": "agence", "address": "2 rue Haute", "postal_code": "75002", "commune": "Paris", "homes": 300
        })),
    );
    assert_eq!(status, 201);

    let observer = token_for(&app, Role::Observer, Some(&own), None);
    let (status, _) = app.api_call(
        "POST",
        &format!("/api/v1/organisations/{own}/sites"),
        Some(&observer),
        Some(serde_json::json!({
            "name": "Agence 2", "kind": "agence", "address": "2 rue Haute", "postal_code": "75002", "commune": "Paris", "homes": 300
        })),
    );
    assert_eq!(status, 403);
}

#[test]
fn a_revoked_token_stops_working() {
    let app = spawn_app();
    let client = app.login_as(Role::Auditor, None, None);
    let page = client.post_form("/compte/jetons", &[("name", "Éphémère")]);
    let token = page
        .body
        .split("<code class=\"token\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(app.api_call("GET", "/api/v1/me", Some(&token), None).0, 200);
    let account = client.get("/compte");
    assert!(account.body.contains("Éphémère"));
    assert!(
        !account.body.contains(&token),
        "the secret is shown only once"
    );
    let revoke = account
        .body
        .split("action=\"")
        .filter_map(|p| p.split('"').next())
        .find(|a| a.ends_with("/revoquer"))
        .unwrap()
        .to_owned();
    assert_eq!(client.post_form(&revoke, &[]).status, 303);
    assert_eq!(app.api_call("GET", "/api/v1/me", Some(&token), None).0, 401);
}

#[test]
fn the_openapi_document_and_its_readable_page_describe_the_api() {
    let app = spawn_app();
    let (status, spec) = app.api_call("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(status, 200);
    for path in [
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/organisations/{id}/sites",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} documented");
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let docs = app.client().get("/api/docs");
    assert_eq!(docs.status, 200);
    assert!(docs.body.contains("{site_id}"));
    assert!(docs.body.contains("OrganisationPayload"));
}
