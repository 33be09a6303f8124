//! What a client generated from the OpenAPI document relies on (checked in full by
//! schemathesis in `api-contract/run.sh`): credentials asked for the standard way, HEAD and
//! 405, every list paged and filtered, instants with their offset, fields named in refusals.

use qualitrack::domain::Role;

use crate::audits::{Setup, setup};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

#[test]
fn credentials_are_asked_for_as_rfc_6750_says_and_the_scheme_is_case_insensitive() {
    let Setup { app, manager, .. } = setup();
    let token = manager.create_api_token("client");
    let anonymous = agent()
        .get(format!("{}/api/v1/actions?organisation=", app.base))
        .call()
        .unwrap();
    assert_eq!(
        anonymous.status().as_u16(),
        401,
        "401 before the query is judged"
    );
    assert!(
        anonymous
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer")),
        "{:?}",
        anonymous.headers()
    );
    let lower = agent()
        .get(format!("{}/api/v1/me", app.base))
        .header("Authorization", format!("bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(lower.status().as_u16(), 200);
}

#[test]
fn head_answers_like_get_and_an_unknown_method_gets_405_with_allow() {
    let Setup { app, manager, .. } = setup();
    let token = manager.create_api_token("client");
    let head = agent()
        .head(format!("{}/api/v1/me", app.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    let delete = agent()
        .delete(format!("{}/api/v1/organisations", app.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(delete.status().as_u16(), 405);
    assert_eq!(
        delete.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, HEAD, POST")
    );
}

#[test]
fn every_list_pages_and_instants_carry_their_offset() {
    let Setup {
        app, org, manager, ..
    } = setup();
    let token = manager.create_api_token("client");
    for name in ["Résidence A", "Résidence B", "Résidence C"] {
        let (status, _) = app.api_call(
            "POST",
            &format!("/api/v1/organisations/{org}/sites"),
            Some(&token),
            Some(
                serde_json::json!({"name": name, "kind": "residence", "address": "1 rue Haute",
                "postal_code": "31000", "commune": "Toulouse", "homes": 10}),
            ),
        );
        assert_eq!(status, 201);
    }
    let (status, page) = app.api_call(
        "GET",
        &format!("/api/v1/organisations/{org}/sites?page=2&per_page=2"),
        Some(&token),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(page["total"], 3);
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 2);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let created = page["items"][0]["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "RFC 3339: {created}"
    );
    let (status, _) = app.api_call(
        "GET",
        &format!("/api/v1/organisations/{org}/sites?per_page=500"),
        Some(&token),
        None,
    );
    assert_eq!(
        status, 400,
        "a page size out of range is refused, not moved"
    );
}

#[test]
fn administrators_list_audits_of_their_scope_with_filters() {
    let Setup {
        app, org, audit, ..
    } = setup();
    let admin = app.login_as(Role::Admin, None, None);
    let token = admin.create_api_token("federation tools");
    let (status, all) = app.api_call("GET", "/api/v1/audits", Some(&token), None);
    assert_eq!(status, 200);
    assert_eq!(all["total"], 1, "{all}");
    assert_eq!(all["items"][0]["id"], audit.as_str());
    let (_, planned) = app.api_call(
        "GET",
        &format!("/api/v1/audits?organisation={org}&framework=qualibail-iv&state=planned"),
        Some(&token),
        None,
    );
    assert_eq!(planned["total"], 1, "{planned}");
    let (_, decided) = app.api_call(
        "GET",
        "/api/v1/audits?state=decided&commitment=",
        Some(&token),
        None,
    );
    assert_eq!(
        decided["total"], 0,
        "an empty filter is no filter: {decided}"
    );
}

#[test]
fn a_value_of_the_wrong_type_is_refused_naming_its_field() {
    let Setup {
        app, org, manager, ..
    } = setup();
    let token = manager.create_api_token("client");
    let (status, refused) = app.api_call(
        "PUT",
        &format!("/api/v1/organisations/{org}"),
        Some(&token),
        Some(serde_json::json!({"name": "Habitat", "homes": "12", "version": 1})),
    );
    assert_eq!(status, 400);
    assert_eq!(
        refused["fields"]["homes"], "Un nombre entier est attendu ici (dans les limites admises).",
        "{refused}"
    );
    let (status, refused) = app.api_call(
        "GET",
        "/api/v1/indicators/taux-decroche/benchmark?year=-5",
        Some(&token),
        None,
    );
    assert_eq!(status, 422);
    assert!(refused["fields"]["year"].is_string(), "{refused}");
}
