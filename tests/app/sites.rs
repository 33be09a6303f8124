//! Sites through the pages, by the organisme's own quality manager.

use qualitrack::domain::Role;

use crate::helpers::spawn_app;

#[test]
fn a_quality_manager_adds_and_edits_the_sites_of_their_organisme() {
    let app = spawn_app();
    let id = app.create_organisation("Habitat du Nord", 1, "32");
    let manager = app.login_as(Role::QualityManager, Some(&id), None);

    let refused = manager.post_form(
        &format!("/organismes/{id}/sites"),
        &[
            ("name", "Agence de Lille"),
            ("kind", "agence"),
            ("address", "3 rue des Lilas"),
            ("postal_code", "5900"),
            ("commune", "Lille"),
            ("homes", "1200"),
        ],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Le code postal compte exactement 5 chiffres.")
    );
    assert!(refused.body.contains("value=\"Agence de Lille\""));
    assert_eq!(app.count("sites"), 0);

    let created = manager.post_form(
        &format!("/organismes/{id}/sites"),
        &[
            ("name", "Agence de Lille"),
            ("kind", "agence"),
            ("address", "3 rue des Lilas"),
            ("postal_code", "59000"),
            ("commune", "Lille"),
            ("homes", "1 200"),
            ("qpv", "on"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let second = manager.post_form(
        &format!("/organismes/{id}/sites"),
        &[
            ("name", "Résidence Les Tilleuls"),
            ("kind", "residence"),
            ("address", "12 avenue Foch"),
            ("postal_code", "59100"),
            ("commune", "Roubaix"),
            ("homes", "240"),
        ],
    );
    assert_eq!(second.status, 303);

    let page = manager.get(&format!("/organismes/{id}"));
    assert!(
        page.body
            .contains("Site « Résidence Les Tilleuls » ajouté.")
    );
    assert!(page.body.contains("2 site(s), 1440 logement(s)"));
    let site_href = page
        .body
        .split("href=\"/sites/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let edit = manager.post_form(
        &format!("/sites/{site_href}"),
        &[
            ("name", "Agence de Lille-Centre"),
            ("kind", "agence"),
            ("address", "3 rue des Lilas"),
            ("postal_code", "59000"),
            ("commune", "Lille"),
            ("homes", "1300"),
            ("version", "1"),
        ],
    );
    assert_eq!(edit.status, 303, "{}", edit.body);
    let site = manager.get(&format!("/sites/{site_href}"));
    assert!(site.body.contains("Agence de Lille-Centre"));
    assert!(site.body.contains("1\u{202f}300"));
    // The history shows what changed, from what to what.
    assert!(site.body.contains("<del>Agence de Lille</del>"));
    assert!(site.body.contains("<ins>Agence de Lille-Centre</ins>"));
    // The QPV box was not ticked this time: the site is no longer in a QPV, said in words.
    assert!(site.body.contains("<del>Oui</del>"));
    assert!(site.body.contains(
        "<th scope=\"row\">Situé en quartier prioritaire de la politique de la ville (QPV)</th>"
    ));

    let stale = manager.post_form(
        &format!("/sites/{site_href}"),
        &[
            ("name", "Autre nom"),
            ("kind", "agence"),
            ("address", "3 rue des Lilas"),
            ("postal_code", "59000"),
            ("commune", "Lille"),
            ("homes", "1300"),
            ("version", "1"),
        ],
    );
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("Agence de Lille-Centre"));
}
