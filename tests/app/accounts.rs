//! Administration of accounts, and the first steps of a new quality manager.

use qualitrack::domain::Role;

use crate::helpers::{PASSWORD, siren, spawn_app};

fn one_time_password(body: &str) -> String {
    body.split("id=\"one-time-password\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn an_administrator_creates_a_quality_manager_who_then_sees_only_their_organisme() {
    let app = spawn_app();
    let own = app.create_organisation("Habitat Exemple", 1, "11");
    app.create_organisation("Autre Office", 2, "11");
    let admin = app.admin();
    let form = admin.get("/admin/utilisateurs/nouveau");
    assert!(form.body.contains("Habitat Exemple"));

    let created = admin.post_form(
        "/admin/utilisateurs",
        &[
            ("email", "Marie.Durand@Habitat-Exemple.fr"),
            ("name", "Marie Durand"),
            ("role", "quality_manager"),
            ("organisation", &siren(1)),
            ("region", ""),
        ],
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("Compte créé"));
    let password = one_time_password(&created.body);

    let marie = app.client();
    let login = marie.login("marie.durand@habitat-exemple.fr", &password);
    assert_eq!(login.location.as_deref(), Some("/compte/mot-de-passe"));
    let changed = marie.post_form(
        "/compte/mot-de-passe",
        &[
            ("current_password", &password),
            ("new_password", PASSWORD),
            ("confirm_password", PASSWORD),
        ],
    );
    assert_eq!(changed.status, 303);
    let list = marie.get("/organismes");
    assert_eq!(list.location, Some(format!("/organismes/{own}")));
    let users = admin.get("/admin/utilisateurs");
    assert!(users.body.contains("marie.durand@habitat-exemple.fr"));
    assert!(users.body.contains("Habitat Exemple"));
}

#[test]
fn account_creation_checks_the_scope_of_the_role() {
    let app = spawn_app();
    let admin = app.admin();
    let before = app.count("users");
    let refused = admin.post_form(
        "/admin/utilisateurs",
        &[
            ("email", "pas-une-adresse"),
            ("name", ""),
            ("role", "observer"),
            ("organisation", ""),
            ("region", "53"),
        ],
    );
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Saisissez une adresse e-mail valide"));
    assert!(refused.body.contains("Ce champ est obligatoire."));
    assert!(
        refused
            .body
            .contains("rattaché à un organisme : choisissez-le.")
    );
    assert!(
        refused
            .body
            .contains("Seul le personnel de fédération peut être limité à une région.")
    );
    let unknown = admin.post_form(
        "/admin/utilisateurs",
        &[
            ("email", "obs@exemple.fr"),
            ("name", "Obs"),
            ("role", "observer"),
            ("organisation", "999999999"),
        ],
    );
    assert_eq!(unknown.status, 422);
    assert!(
        unknown
            .body
            .contains("Aucun organisme ne porte cet identifiant ou ce SIREN.")
    );
    let email = app.create_user(Role::Auditor, None, None);
    let taken = admin.post_form(
        "/admin/utilisateurs",
        &[("email", &email), ("name", "Doublon"), ("role", "auditor")],
    );
    assert_eq!(taken.status, 422);
    assert!(
        taken
            .body
            .contains("Un compte utilise déjà cette adresse e-mail.")
    );
    assert_eq!(app.count("users"), before + 1);
}

#[test]
fn a_reset_password_works_once_and_must_be_changed() {
    let app = spawn_app();
    let admin = app.admin();
    let email = app.create_user(Role::Auditor, None, None);
    let users = admin.get("/admin/utilisateurs").body;
    let row = users.split("<tr>").find(|r| r.contains(&email)).unwrap();
    let reset_action = row
        .split("action=\"")
        .filter_map(|p| p.split('"').next())
        .find(|a| a.ends_with("/reinitialiser"))
        .unwrap()
        .to_owned();
    let reset = admin.post_form(&reset_action, &[]);
    assert_eq!(reset.status, 200);
    let password = one_time_password(&reset.body);
    assert_eq!(
        app.client().login(&email, PASSWORD).status,
        422,
        "the old password no longer works"
    );
    let client = app.client();
    assert_eq!(
        client.login(&email, &password).location.as_deref(),
        Some("/compte/mot-de-passe")
    );
}

#[test]
fn a_password_change_checks_the_current_password_and_the_confirmation() {
    let app = spawn_app();
    let client = app.login_as(Role::Auditor, None, None);
    let refused = client.post_form(
        "/compte/mot-de-passe",
        &[
            ("current_password", "faux"),
            ("new_password", "une autre phrase longue"),
            ("confirm_password", "une autre phrase différente"),
        ],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Le mot de passe actuel est incorrect.")
    );
    assert!(
        refused
            .body
            .contains("Les deux mots de passe ne sont pas identiques.")
    );
}

#[test]
fn the_accounts_list_searches_and_names_regions() {
    let app = spawn_app();
    let admin = app.admin();
    let regional = app.create_user(Role::Federation, None, Some("53"));
    let auditor = app.create_user(Role::Auditor, None, None);
    let all = admin.get("/admin/utilisateurs");
    assert_eq!(all.status, 200);
    assert!(
        all.body.contains("<td>Bretagne</td>"),
        "a region by its name"
    );
    assert!(!all.body.contains("Région 53"));
    let found = admin.get(&format!("/admin/utilisateurs?q={}", &auditor[..6]));
    assert!(found.body.contains(&auditor));
    assert!(!found.body.contains(&regional), "{}", found.body);
    assert!(found.body.contains("compte(s) sur"));
    let none = admin.get("/admin/utilisateurs?q=personne-de-ce-nom");
    assert!(
        none.body
            .contains("Aucun compte ne répond à cette recherche.")
    );
    assert!(
        none.body
            .contains("<a href=\"/admin/utilisateurs\">Voir tous les comptes</a>")
    );
    let by_role = admin.get("/admin/utilisateurs?role=federation");
    assert!(by_role.body.contains(&regional));
    assert!(!by_role.body.contains(&auditor));
}

#[test]
fn an_account_is_created_from_its_organismes_page() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Recruteur", 13, "84");
    let admin = app.admin();
    let page = admin.get(&format!("/organismes/{org}"));
    let link = format!("/admin/utilisateurs/nouveau?organisation={org}&amp;role=quality_manager");
    assert!(page.body.contains(&link), "{}", page.body);
    let form = admin.get(&link.replace("&amp;", "&"));
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains(&format!("<option value=\"{org}\" selected>")),
        "the organisme is chosen"
    );
    assert!(
        form.body
            .contains("<option value=\"quality_manager\" selected>")
    );
}
