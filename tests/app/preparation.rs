//! "Are we ready for the next audit?": the quality manager's home counts what is
//! self-assessed, what no document supports, what expires before the audit, and the open
//! nonconformities and late actions; the self-assessment has its own screen with progress,
//! saved states, the documents linked, and a message after each save.

use std::sync::Barrier;

use crate::audits::{Setup, setup};
use crate::evidence::PDF;
use crate::evidence_links::first_link;

/// "N / M" as the home page's self-assessment card shows it.
fn self_assessed(home: &str) -> (usize, usize) {
    let card = home
        .split("Exigences autoévaluées")
        .nth(1)
        .expect("the self-assessment card");
    let value = card
        .split("<p class=\"value\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let (done, total) = value.split_once(" / ").unwrap();
    (done.trim().parse().unwrap(), total.trim().parse().unwrap())
}

fn card_value(home: &str, title: &str) -> usize {
    home.split(title)
        .nth(1)
        .unwrap_or_else(|| panic!("a card {title}"))
        .split("<p class=\"value\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn the_quality_managers_home_says_how_ready_the_organisme_is_for_its_next_audit() {
    let Setup {
        app: _app,
        org,
        manager,
        audit,
        ..
    } = setup();
    let home = manager.get("/");
    assert!(home.body.contains("Préparation") && home.body.contains("Prochain audit"));
    assert!(
        !home.body.contains(">Logements<"),
        "no figures that mean nothing here"
    );
    let (done, total) = self_assessed(&home.body);
    assert_eq!(done, 0);
    assert!(total > 20, "the framework's requirements: {total}");
    assert_eq!(card_value(&home.body, "Exigences sans document"), total);
    assert!(
        home.body
            .contains(&format!("/audits/{audit}/autoevaluation"))
    );
    assert!(home.body.contains("Qualibail"), "the commitments' cards");

    // A document supporting two requirements, whose validity ended before the audit.
    let library = format!("/organismes/{org}/preuves");
    let uploaded = manager.upload_with(
        &library,
        &[
            ("title", "Registre des demandes"),
            ("req:qualibail-iv", "E1.1 ; E1.2"),
            ("valid_until", "2020-01-01"),
        ],
        &[("registre.pdf", PDF)],
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let doc = first_link(&manager.get(&library).body, "href=\"/preuves/");

    // Self-assessed on its own screen, without JavaScript: back at the requirement, told so.
    let screen = format!("/audits/{audit}/autoevaluation");
    let saved = manager.post_form(
        &format!("{screen}/E1.1"),
        &[
            ("self_level", "partial"),
            ("self_comment", "Délai tenu à 92 %"),
            ("self_evidence_ids", &doc),
            ("version", "0"),
        ],
    );
    assert_eq!(saved.status, 303);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("{screen}#req-E1.1").as_str())
    );
    let page = manager.get(&screen);
    assert!(page.body.contains("Autoévaluation enregistrée."));
    assert!(
        page.body
            .contains(&format!("1 exigence(s) autoévaluée(s) sur {total}"))
    );
    let row = page.body.split("id=\"req-E1.1\"").nth(1).unwrap();
    let row = row.split("</details>").next().unwrap();
    assert!(
        row.contains("Partiellement"),
        "the saved state shows when closed"
    );
    assert!(row.contains("Délai tenu à 92 %"));
    assert!(row.contains(&format!("value=\"{doc}\" checked")));
    let todo = manager.get(&format!("{screen}?filtre=a-faire"));
    assert!(!todo.body.contains("id=\"req-E1.1\"") && todo.body.contains("id=\"req-E1.3\""));
    let undocumented = manager.get(&format!("{screen}?filtre=sans-document"));
    assert!(!undocumented.body.contains("id=\"req-E1.2\""));
    assert!(
        undocumented
            .body
            .contains(&format!("sans document ({})", total - 2))
            || undocumented
                .body
                .contains(&format!("Sans document ({})", total - 2))
    );

    // A late action of the organisme's own.
    let created = manager.post_form(
        &format!("/organismes/{org}/actions"),
        &[
            ("title", "Mise à jour du registre"),
            ("origin", "transversal"),
            ("priority", "high"),
            ("due_date", "2020-06-30"),
        ],
    );
    assert_eq!(created.status, 303);

    let home = manager.get("/");
    assert_eq!(self_assessed(&home.body), (1, total));
    assert_eq!(card_value(&home.body, "Exigences sans document"), total - 2);
    assert_eq!(
        card_value(&home.body, "Documents expirés ou expirant avant l’audit"),
        1
    );
    assert!(home.body.contains("expiré le 01/01/2020"));
    assert!(home.body.contains("1 action(s) en retard"));
    assert!(home.body.contains("Mise à jour du registre"));
}

#[test]
fn simultaneous_self_assessments_of_several_requirements_are_all_kept() {
    let Setup {
        app,
        org,
        manager,
        audit,
        ..
    } = setup();
    let people: Vec<_> = (0..4)
        .map(|_| app.login_as(qualitrack::domain::Role::QualityManager, Some(&org), None))
        .collect();
    let start = Barrier::new(people.len());
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = people
            .iter()
            .zip(["E1.1", "E1.2", "E1.3", "E1.4"])
            .map(|(client, reference)| {
                let (start, audit) = (&start, &audit);
                s.spawn(move || {
                    client.csrf_token();
                    start.wait();
                    client
                        .post_form(
                            &format!("/audits/{audit}/autoevaluation/{reference}"),
                            &[("self_level", "met"), ("version", "0")],
                        )
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses, [303; 4]);
    let page = manager.get(&format!("/audits/{audit}/autoevaluation"));
    assert!(page.body.contains("4 exigence(s) autoévaluée(s)"));
}
