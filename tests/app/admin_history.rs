//! The administrator's history: filtered by organisme, person, kind of record and dates in
//! the address, paged past its first hundred lines, exported as the page filters it, and
//! refused dates said beside their field.

use qualitrack::domain::Role;

use crate::audits::user_id;
use crate::helpers::spawn_app;

#[test]
fn the_administrator_filters_pages_and_exports_the_history() {
    let app = spawn_app();
    let admin = app.admin();
    let first = app.create_organisation("Habitat Premier", 41, "11");
    let second = app.create_organisation("Habitat Second", 42, "11");
    let manager_email = app.create_user(Role::QualityManager, Some(&first), None);
    let manager = crate::audits::sign_in(&app, &manager_email);
    let created = manager.post_form(
        &format!("/organismes/{first}/sites"),
        &[
            ("name", "Agence des Dunes"),
            ("kind", "agence"),
            ("address", "1 quai des Dunes"),
            ("postal_code", "59140"),
            ("commune", "Dunkerque"),
            ("homes", "800"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let other = app.create_user(Role::QualityManager, Some(&second), None);
    let other = crate::audits::sign_in(&app, &other);
    let created = other.post_form(
        &format!("/organismes/{second}/sites"),
        &[
            ("name", "Résidence des Pins"),
            ("kind", "residence"),
            ("address", "2 allée des Pins"),
            ("postal_code", "33000"),
            ("commune", "Bordeaux"),
            ("homes", "120"),
        ],
    );
    assert_eq!(created.status, 303);

    let by_organisme = admin.get(&format!("/admin/historique?organisme={first}"));
    assert!(by_organisme.body.contains("Agence des Dunes"));
    assert!(!by_organisme.body.contains("Résidence des Pins"));
    let person = user_id(&app, &manager_email);
    let by_person = admin.get(&format!("/admin/historique?personne={person}"));
    assert!(by_person.body.contains("Agence des Dunes"));
    assert!(!by_person.body.contains("Résidence des Pins"));
    assert!(
        by_person.body.contains("connexion"),
        "signing in is recorded too"
    );
    let sites_by_person = admin.get(&format!("/admin/historique?personne={person}&type=site"));
    assert!(
        sites_by_person.body.contains("1 modification(s)"),
        "only the site it created"
    );
    let sites = admin.get("/admin/historique?type=site");
    assert!(sites.body.contains("Agence des Dunes") && sites.body.contains("Résidence des Pins"));
    assert!(sites.body.contains("2 modification(s)"));
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    let later = admin.get(&format!("/admin/historique?du={tomorrow}"));
    assert!(later.body.contains("0 modification(s)"));
    assert!(
        later
            .body
            .contains("Aucune modification ne répond à ces critères.")
    );
    assert!(
        later.body.contains("href=\"/admin/historique\""),
        "the way back to all"
    );
    let refused = admin.get("/admin/historique?du=hier&type=site");
    assert_eq!(refused.status, 200);
    assert!(
        refused.body.contains("Du\u{a0}: "),
        "the summary names the field"
    );
    assert!(refused.body.contains("aria-invalid=\"true\""));
    assert!(
        refused.body.contains("Agence des Dunes"),
        "the other filters still apply"
    );

    // The export holds what the page filters, in words.
    let csv = admin.get("/admin/historique/export.csv?type=site");
    assert_eq!(csv.status, 200);
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("Date;Personne;Organisme;Type de fiche;Acte;Champs modifiés"));
    assert!(text.contains(";Habitat Premier;site;création;"), "{text}");
    assert!(
        text.contains("Nom :  → Agence des Dunes") || text.contains("Nom : → Agence des Dunes"),
        "{text}"
    );
    assert_eq!(manager.get("/admin/historique/export.csv").status, 403);

    pages_past_a_hundred(&app, &admin);
}

/// Past a hundred lines, the history pages.
fn pages_past_a_hundred(app: &crate::helpers::TestApp, admin: &crate::helpers::Client) {
    for n in 0..110 {
        app.create_organisation(&format!("Office {n:03}"), 300 + n, "11");
    }
    let all = admin.get("/admin/historique?type=organisation");
    assert!(all.body.contains("112 modification(s)"));
    assert!(all.body.contains("Page 1 sur 2"));
    assert!(
        all.body.contains("type=organisation&amp;page=2")
            || all.body.contains("type=organisation&page=2")
    );
    let next = admin.get("/admin/historique?type=organisation&page=2");
    assert!(next.body.contains("Page 2 sur 2"));
    assert_eq!(
        next.body.matches("<li>\n    <p class=\"meta\">").count(),
        12
    );
}
