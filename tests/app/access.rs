//! Who sees what: the role table of DESIGN.md, checked through the pages. Another
//! organisme's ids answer 404, as if they did not exist.

use qualitrack::domain::Role;
use qualitrack::models::history::Actor;
use qualitrack::models::site::{self, SiteForm, SiteInput};

use crate::helpers::{TestApp, spawn_app};

fn add_site(app: &TestApp, organisation_id: &str, name: &str) -> String {
    let form = SiteForm {
        name: name.into(),
        kind: "residence".into(),
        address: "1 place de la Mairie".into(),
        postal_code: "75011".into(),
        commune: "Paris".into(),
        homes: "100".into(),
        qpv: None,
        version: None,
    };
    let organisation_id = organisation_id.to_owned();
    app.with_db(move |conn| {
        let input = SiteInput::try_from(&form).map_err(qualitrack::error::AppError::Validation)?;
        Ok(site::create(conn, &Actor::system("test"), &organisation_id, &input)?.id)
    })
}

#[test]
fn a_quality_manager_sees_only_their_organisme() {
    let app = spawn_app();
    let own = app.create_organisation("Mon Habitat", 1, "11");
    let other = app.create_organisation("Autre Habitat", 2, "11");
    let other_site = add_site(&app, &other, "Résidence voisine");
    let manager = app.login_as(Role::QualityManager, Some(&own), None);

    let list = manager.get("/organismes");
    assert_eq!(list.location, Some(format!("/organismes/{own}")));
    let page = manager.get(&format!("/organismes/{own}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mon Habitat"));
    assert!(page.body.contains("Modifier"));
    let home = manager.get("/");
    assert!(home.body.contains("Mon organisme"));
    assert!(!home.body.contains("Autre Habitat"));

    for path in [
        format!("/organismes/{other}"),
        format!("/organismes/{other}/modifier"),
        format!("/organismes/{other}/historique"),
        format!("/organismes/{other}/sites/nouveau"),
        format!("/sites/{other_site}"),
        format!("/sites/{other_site}/modifier"),
    ] {
        let response = manager.get(&path);
        assert_eq!(response.status, 404, "{path}");
        assert!(
            !response.body.contains("Autre Habitat"),
            "{path} leaks the name"
        );
    }
    let before = app.count("sites");
    let post = manager.post_form(
        &format!("/organismes/{other}/sites"),
        &[
            ("name", "Intrus"),
            ("kind", "agence"),
            ("address", "x"),
            ("postal_code", "75001"),
            ("commune", "Paris"),
            ("homes", "1"),
        ],
    );
    assert_eq!(post.status, 404);
    assert_eq!(app.count("sites"), before);
    assert_eq!(manager.get("/organismes/nouveau").status, 403);
    assert_eq!(manager.get("/admin/utilisateurs").status, 403);
}

#[test]
fn an_observer_reads_their_organisme_without_changing_it() {
    let app = spawn_app();
    let own = app.create_organisation("Habitat Observé", 3, "53");
    let site = add_site(&app, &own, "Résidence des Pins");
    let observer = app.login_as(Role::Observer, Some(&own), None);
    let page = observer.get(&format!("/organismes/{own}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Résidence des Pins"));
    assert!(!page.body.contains("/modifier"));
    assert!(
        !page.body.contains("Dernières modifications"),
        "no history for observers"
    );
    assert_eq!(
        observer.get(&format!("/organismes/{own}/modifier")).status,
        403
    );
    assert_eq!(
        observer
            .get(&format!("/organismes/{own}/historique"))
            .status,
        403
    );
    assert_eq!(observer.get(&format!("/sites/{site}")).status, 200);
    let versions_before = app.count("history");
    let post = observer.post_form(
        &format!("/sites/{site}"),
        &[
            ("name", "Renommée"),
            ("kind", "agence"),
            ("address", "x"),
            ("postal_code", "75001"),
            ("commune", "Paris"),
            ("homes", "1"),
            ("version", "1"),
        ],
    );
    assert_eq!(post.status, 403);
    assert_eq!(app.count("history"), versions_before);
}

#[test]
fn federation_staff_of_a_region_see_only_that_region() {
    let app = spawn_app();
    let breton = app.create_organisation("Habitat Breton", 4, "53");
    let normand = app.create_organisation("Habitat Normand", 5, "28");
    let regional = app.login_as(Role::Federation, None, Some("53"));
    let list = regional.get("/organismes");
    assert!(list.body.contains("Habitat Breton"));
    assert!(!list.body.contains("Habitat Normand"));
    assert_eq!(regional.get(&format!("/organismes/{breton}")).status, 200);
    assert_eq!(regional.get(&format!("/organismes/{normand}")).status, 404);
    assert_eq!(
        regional
            .get(&format!("/organismes/{breton}/modifier"))
            .status,
        403
    );

    let national = app.login_as(Role::Federation, None, None);
    let list = national.get("/organismes");
    assert!(list.body.contains("Habitat Breton") && list.body.contains("Habitat Normand"));
    assert_eq!(national.get("/organismes/nouveau").status, 403);
}

#[test]
fn an_auditor_without_assigned_audits_sees_no_organisme() {
    let app = spawn_app();
    let id = app.create_organisation("Habitat Audité", 6, "11");
    let auditor = app.login_as(Role::Auditor, None, None);
    assert!(
        auditor
            .get("/organismes")
            .body
            .contains("Aucun organisme pour l’instant.")
    );
    assert_eq!(auditor.get(&format!("/organismes/{id}")).status, 404);
}

#[test]
fn only_administrators_reach_administration_pages() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat", 7, "11");
    for (role, organisation) in [
        (Role::Federation, None),
        (Role::Auditor, None),
        (Role::QualityManager, Some(org.as_str())),
        (Role::Observer, Some(org.as_str())),
    ] {
        let client = app.login_as(role, organisation, None);
        for path in [
            "/admin/utilisateurs",
            "/admin/utilisateurs/nouveau",
            "/admin/historique",
        ] {
            assert_eq!(client.get(path).status, 403, "{role} on {path}");
        }
        let before = app.count("users");
        let post = client.post_form(
            "/admin/utilisateurs",
            &[("email", "x@exemple.fr"), ("name", "X"), ("role", "admin")],
        );
        assert_eq!(post.status, 403);
        assert_eq!(app.count("users"), before);
    }
}

#[test]
fn the_accessibility_statement_is_public_and_says_whom_to_tell() {
    let app = spawn_app();
    let visitor = app.client();
    let login = visitor.get("/connexion");
    assert!(
        login
            .body
            .contains("<a href=\"/accessibilite\">Accessibilité : non conforme</a>"),
        "every page's footer states the conformity and links to the statement"
    );
    let page = visitor.get("/accessibilite");
    assert_eq!(page.status, 200);
    for part in [
        "<h1>Déclaration d’accessibilité</h1>",
        "<strong>non conforme</strong>",
        "Contenus non accessibles",
        "<a href=\"mailto:accessibilite@exemple.fr\">accessibilite@exemple.fr</a>",
        "Voies de recours",
    ] {
        assert!(page.body.contains(part), "{part}");
    }
    let signed_in = app.admin().get("/accessibilite");
    assert_eq!(signed_in.status, 200);
    assert!(
        signed_in.body.contains("class=\"main-nav\""),
        "the navigation stays"
    );
}
