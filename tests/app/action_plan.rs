//! The action plan a quality manager runs: actions of the organisme's own beside those of
//! findings, owners who have accounts, filters kept in the address, the most overdue first
//! with its delay in days, exports of what the page shows, and simultaneous writers.

use std::sync::Barrier;

use chrono::NaiveDate;
use qualitrack::domain::Role;

use crate::audits::{Setup, setup, user_id};
use crate::helpers::{Client, TestApp};

fn create_site(app: &TestApp, manager: &Client, org: &str, name: &str) -> String {
    let created = manager.post_form(
        &format!("/organismes/{org}/sites"),
        &[
            ("name", name),
            ("kind", "residence"),
            ("address", "12 rue Vauban"),
            ("postal_code", "92320"),
            ("commune", "Châtillon"),
            ("homes", "240"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let name = name.to_owned();
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use qualitrack::db::schema::sites;
        Ok(sites::table
            .filter(sites::name.eq(name))
            .select(sites::id)
            .first::<String>(conn)?)
    })
}

fn new_action<'a>(
    title: &'a str,
    origin: &'a str,
    site: &'a str,
    owner: &'a str,
    priority: &'a str,
    due: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("origin", origin),
        ("site_id", site),
        ("owner_id", owner),
        ("priority", priority),
        ("due_date", due),
        (
            "corrective_action",
            "Diagnostic concerté avec les locataires",
        ),
    ]
}

fn days_since(day: &str) -> i64 {
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    (chrono::Utc::now().date_naive() - day).num_days()
}

#[test]
fn a_quality_manager_records_improvement_actions_and_reads_the_most_overdue_first() {
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        ..
    } = setup();
    let owner_email = app.create_user(Role::QualityManager, Some(&org), None);
    let owner = user_id(&app, &owner_email);
    let site = create_site(&app, &manager, &org, "Résidence Vauban");
    let plan = format!("/organismes/{org}/actions");

    let form = manager.get(&format!("{plan}/nouvelle"));
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Résidence Vauban") && form.body.contains("Test quality_manager"));
    assert!(
        !form.body.contains("value=\"finding\""),
        "findings open their own actions"
    );

    // A local action names its site; an unknown owner is refused; nothing is written.
    let before = app.count("actions");
    let refused = manager.post_form(
        &plan,
        &new_action(
            "Réfection du hall",
            "local",
            "",
            "inconnu",
            "high",
            "2025-01-15",
        ),
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Une action locale désigne le site qu’elle améliore.")
    );
    assert!(
        refused.body.contains("Site\u{a0}: Une action locale"),
        "the summary names the field"
    );
    assert!(refused.body.contains("Responsable\u{a0}: Choisissez"));
    assert!(
        refused.body.contains("Réfection du hall"),
        "what was typed stays"
    );
    assert_eq!(app.count("actions"), before);
    let finding = manager.post_form(
        &plan,
        &new_action("Hors audit", "finding", "", "", "normal", "2025-01-15"),
    );
    assert_eq!(finding.status, 422);
    assert_eq!(app.count("actions"), before);

    let late_local = manager.post_form(
        &plan,
        &new_action(
            "Réfection du hall",
            "local",
            &site,
            &owner,
            "high",
            "2025-01-15",
        ),
    );
    assert_eq!(late_local.status, 303, "{}", late_local.body);
    let local_id = late_local
        .location
        .unwrap()
        .trim_start_matches("/actions/")
        .to_owned();
    for (title, due) in [
        ("Accueil téléphonique unifié", "2025-06-30"),
        ("Charte de propreté", "2099-06-30"),
    ] {
        let created = manager.post_form(
            &plan,
            &new_action(title, "transversal", "", "", "normal", due),
        );
        assert_eq!(created.status, 303, "{}", created.body);
    }

    // Open actions, the most overdue first, each saying by how much.
    let page = manager.get(&plan);
    assert_eq!(page.status, 200);
    let body = &page.body;
    let hall = body.find("Réfection du hall").unwrap();
    let phone = body.find("Accueil téléphonique unifié").unwrap();
    let charter = body.find("Charte de propreté").unwrap();
    assert!(hall < phone && phone < charter, "most overdue first");
    let late = days_since("2025-01-15");
    assert!(body.contains(&format!("en retard de {late} jour(s)")));
    assert!(body.contains("3 action(s) à mener, dont 2 en retard"));
    assert!(
        body.contains("class=\"row-alert\""),
        "a late high-priority line stands out"
    );
    assert!(body.contains("Amélioration locale (site)") && body.contains("Résidence Vauban"));

    filters_and_exports(&manager, &plan, late);

    // The action's page names its owner and site; the owner's change is kept in words.
    let item = manager.get(&format!("/actions/{local_id}"));
    assert!(item.body.contains("Résidence Vauban") && item.body.contains("Test quality_manager"));
    assert!(item.body.contains(&format!("en retard de {late} jour(s)")));

    history_names_what_actions_point_at(&manager, &org, &site);

    others_may_not(&app, &org, &auditor_email);
}

#[test]
fn actions_are_created_and_owned_through_the_api() {
    let Setup {
        app, org, manager, ..
    } = setup();
    let owner = user_id(
        &app,
        &app.create_user(Role::QualityManager, Some(&org), None),
    );
    let token = manager.create_api_token("Plan");
    let body = serde_json::json!({
        "organisation": org,
        "title": "Enquête : délais de réparation",
        "origin": "survey",
        "owner_id": owner,
        "priority": "high",
        "due_date": "2027-03-31",
    });
    let (status, created) = app.api_call("POST", "/api/v1/actions", Some(&token), Some(body));
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["origin"], "survey");
    assert_eq!(created["owner_id"], owner.as_str());
    assert!(created["audit_id"].is_null());
    let (status, refused) = app.api_call(
        "POST",
        "/api/v1/actions",
        Some(&token),
        Some(
            serde_json::json!({"organisation": org, "title": "", "origin": "local",
            "priority": "urgent", "due_date": "2027-03-31"}),
        ),
    );
    assert_eq!(status, 422, "{refused}");
    let (_, list) = app.api_call(
        "GET",
        &format!("/api/v1/actions?organisation={org}"),
        Some(&token),
        None,
    );
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["title"], "Enquête : délais de réparation");
}

#[test]
fn simultaneous_creations_and_updates_of_the_plan_are_all_kept() {
    let Setup {
        app, org, manager, ..
    } = setup();
    let plan = format!("/organismes/{org}/actions");
    let writers: Vec<Client> = (0..6)
        .map(|_| app.login_as(Role::QualityManager, Some(&org), None))
        .collect();
    let start = Barrier::new(writers.len());
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = writers
            .iter()
            .enumerate()
            .map(|(n, client)| {
                let (start, plan) = (&start, &plan);
                s.spawn(move || {
                    let title = format!("Action simultanée {n}");
                    let fields = new_action(&title, "transversal", "", "", "normal", "2027-01-31");
                    client.csrf_token();
                    start.wait();
                    client.post_form(plan, &fields).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let page = manager.get(&plan);
    for n in 0..6 {
        assert!(page.body.contains(&format!("Action simultanée {n}")));
    }
    assert_eq!(app.count("actions"), 6);

    // Two people update one action from the same version: one is kept, one is told.
    let id = page
        .body
        .split("href=\"/actions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let path = format!("/actions/{id}");
    let start = Barrier::new(2);
    let mut answers: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = writers[..2]
            .iter()
            .zip(["in_progress", "done"])
            .map(|(client, status)| {
                let (start, path) = (&start, &path);
                s.spawn(move || {
                    client.csrf_token();
                    start.wait();
                    client
                        .post_form(
                            path,
                            &[
                                ("due_date", "2027-01-31"),
                                ("priority", "high"),
                                ("status", status),
                                ("note", status),
                                ("version", "1"),
                            ],
                        )
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    answers.sort_unstable();
    assert_eq!(answers, [303, 409]);
    assert_eq!(app.count("action_updates"), 1);
}

/// The plan of `a_quality_manager_records…` filtered by the address, and exported as shown.
fn filters_and_exports(manager: &Client, plan: &str, late: i64) {
    // Filters live in the address; exports carry them.
    let local = manager.get(&format!("{plan}?origine=local"));
    assert!(local.body.contains("Réfection du hall"));
    assert!(!local.body.contains("Charte de propreté"));
    assert!(local.body.contains("export.csv?origine=local"));
    let unowned = manager.get(&format!("{plan}?responsable=aucun"));
    assert!(!unowned.body.contains("Réfection du hall"));
    assert!(unowned.body.contains("Charte de propreté"));
    let overdue = manager.get(&format!("{plan}?etat=en-retard"));
    assert!(!overdue.body.contains("Charte de propreté"));
    assert!(overdue.body.contains("Accueil téléphonique unifié"));
    let none = manager.get(&format!("{plan}?etat=terminees"));
    assert!(
        none.body
            .contains("Aucune action ne répond à ces critères.")
    );

    let csv = manager.get(&format!("{plan}/export.csv?etat=en-retard"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and the two late actions: {text}");
    assert!(lines[0].starts_with("Action;Exigence;Origine;Référentiel;Site;Responsable;Priorité;Échéance;Jours de retard;État"));
    assert!(lines[1].starts_with("Réfection du hall;;Amélioration locale (site);;Résidence Vauban;Test quality_manager;Haute;15/01/2025;"));
    assert!(lines[1].contains(&format!(";{late};À traiter;")));
    let xlsx = manager.get(&format!("{plan}/export.xlsx"));
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"));
}

/// Who may not: an auditor follows actions but does not create them; an observer never sees
/// the working plan; another organisme's people do not find it.
fn others_may_not(app: &TestApp, org: &str, auditor_email: &str) {
    let plan = format!("/organismes/{org}/actions");
    let auditor = crate::audits::sign_in(app, auditor_email);
    assert_eq!(auditor.get(&format!("{plan}/nouvelle")).status, 403);
    assert_eq!(
        auditor
            .post_form(
                &plan,
                &new_action("x", "transversal", "", "", "normal", "2026-01-01")
            )
            .status,
        403
    );
    let observer = app.login_as(Role::Observer, Some(org), None);
    assert_eq!(observer.get(&plan).status, 403);
    let other = app.create_organisation("Autre", 33, "11");
    let stranger = app.login_as(Role::QualityManager, Some(&other), None);
    assert_eq!(stranger.get(&format!("{plan}/nouvelle")).status, 404);
    assert_eq!(stranger.get(&format!("{plan}/export.csv")).status, 404);
}

/// The history names what the action points at, never its identifiers.
fn history_names_what_actions_point_at(manager: &Client, org: &str, site: &str) {
    let history = manager.get(&format!("/organismes/{org}/historique"));
    assert!(history.body.contains("<ins>Résidence Vauban</ins>"));
    assert!(history.body.contains("(action « Réfection du hall »)"));
    assert!(!history.body.contains(&format!("<ins>{site}</ins>")));
}
