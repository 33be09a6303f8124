//! The published view: what an observer (tenant representative, board member) lands on —
//! commitments in plain words, results against targets, audit outcomes and actions under
//! way — and what it never shows: findings' texts, evidence, people's e-mails.

use qualitrack::domain::Role;

use crate::audits::{Setup, htmx_post, setup, sign_in};

#[test]
fn an_observer_lands_on_what_the_organisme_promises_and_what_its_audits_concluded() {
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let auditor = sign_in(&app, &auditor_email);
    for (reference, grade, text) in [
        (
            "E1.1",
            "nc-mineure",
            "Trois demandes enregistrées hors délai.",
        ),
        ("E1.2", "point-fort", "Accueil remarquable."),
    ] {
        let saved = htmx_post(
            &auditor,
            &format!("/audits/{audit}/constats/{reference}"),
            &[("grade_code", grade), ("finding", text), ("version", "0")],
        );
        assert_eq!(saved.status, 200);
    }
    crate::audits::submit_report(&auditor, &audit);
    let created = manager.post_form(
        &format!("/organismes/{org}/actions"),
        &[
            ("title", "Affichage des engagements dans les halls"),
            ("origin", "transversal"),
            ("priority", "normal"),
            ("due_date", "2020-02-01"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);

    let observer = app.login_as(Role::Observer, Some(&org), None);
    let home = observer.get("/");
    assert_eq!(home.status, 303);
    let path = format!("/organismes/{org}/vue-publique");
    assert_eq!(home.location.as_deref(), Some(path.as_str()));
    let page = observer.get(&path);
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("Habitat Audité : nos engagements et nos résultats"));
    assert!(body.contains("Qualibail") && body.contains("Accordé"));
    assert!(body.contains("Prochaine étape"));
    // The audit's outcome, counted: one strength, one nonconformity, its action not done.
    let outcome = body.split("Ce que concluent nos audits").nth(1).unwrap();
    assert!(outcome.contains("décision attendue"));
    assert!(
        outcome.contains("<td>1</td>\n      <td>1</td>"),
        "{outcome}"
    );
    assert!(outcome.contains("0 sur 1"));
    // Actions under way: the requirement for the finding's, the title for the organisme's.
    let under_way = body.split("Les actions en cours").nth(1).unwrap();
    assert!(under_way.contains("E1.1 — "));
    assert!(under_way.contains("Affichage des engagements dans les halls"));
    assert!(under_way.contains("en retard de"));
    // Never the auditor's words, documents or people.
    assert!(!body.contains("Trois demandes enregistrées hors délai."));
    assert!(!body.contains("Accueil remarquable."));
    assert!(!body.contains("@exemple.fr"));
    assert!(!body.contains("/preuves"));
    assert!(!body.contains(&format!("/audits/{audit}")));

    // Others who see the organisme may open it too; another organisme's observer may not.
    assert_eq!(manager.get(&path).status, 200);
    let other = app.create_organisation("Autre", 33, "11");
    let stranger = app.login_as(Role::Observer, Some(&other), None);
    assert_eq!(stranger.get(&path).status, 404);
}
