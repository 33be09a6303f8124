//! Many people write at once: simultaneous writes of every kind queue and succeed, reads go
//! on meanwhile, and two application nodes on one database see each other's writes at once.

use std::sync::Barrier;

use qualitrack::domain::Role;
use serde_json::{Value, json};

use crate::audits::{Setup, setup, sign_in};
use crate::helpers::{PASSWORD, TestApp, TestDatabase, spawn_app_on, test_database};

/// One request of the storm: what it sends, and what its answer must be.
enum Write {
    Value(u32),
    Site(u32),
    Upload(u32),
    /// A finding saved at this version with this grade.
    Finding(&'static str, &'static str, i32),
}

const RESAVED: [&str; 4] = ["E6.1", "E6.2", "E6.3", "E5.4"];
const FIRST: [&str; 8] = [
    "E1.1", "E1.2", "E1.3", "E1.4", "E1.5", "E1.6", "E1.7", "E2.1",
];
/// Two first saves of each of these arrive together, with different grades.
const CONTESTED: [&str; 2] = ["E3.1", "E3.2"];

fn storm() -> Vec<Write> {
    let mut writes: Vec<Write> = (0..16)
        .flat_map(|i| [Write::Value(i), Write::Site(i), Write::Upload(i)])
        .collect();
    writes.extend(RESAVED.iter().map(|r| Write::Finding(r, "point-fort", 1)));
    writes.extend(
        FIRST
            .iter()
            .map(|r| Write::Finding(r, "constat-conformite", 0)),
    );
    for r in CONTESTED {
        writes.push(Write::Finding(r, "nc-mineure", 0));
        writes.push(Write::Finding(r, "point-fort", 0));
    }
    writes
}

fn finding_body(grade: &str, version: i32) -> Value {
    json!({ "grade_code": grade, "finding": format!("Constat {grade}"), "version": version })
}

fn send(
    app: &TestApp,
    org: &str,
    audit: &str,
    tokens: (&str, &str),
    write: &Write,
) -> (u16, Value) {
    let (manager, auditor) = tokens;
    match write {
        Write::Value(i) => app.api_call(
            "POST",
            "/api/v1/indicator-values",
            Some(manager),
            Some(json!({ "organisation": org, "values": [
                { "indicator": "taux-decroche", "period": format!("{}-{:02}", 2023 + i / 12, i % 12 + 1), "value": 80 + i }
            ]})),
        ),
        Write::Site(i) => app.api_call(
            "POST",
            &format!("/api/v1/organisations/{org}/sites"),
            Some(manager),
            Some(json!({ "name": format!("Résidence {i}"), "kind": "residence", "address": "1 rue de la Paix",
                "postal_code": "33000", "commune": "Bordeaux", "homes": 10 + i })),
        ),
        Write::Upload(i) => app.api_upload(
            &format!("/api/v1/organisations/{org}/evidence"),
            manager,
            &[("title", &format!("Compte rendu {i}"))],
            &[(&format!("cr-{i}.txt"), format!("Compte rendu de la réunion {i}\n").as_bytes())],
        ),
        Write::Finding(reference, grade, version) => app.api_call(
            "PUT",
            &format!("/api/v1/audits/{audit}/findings/{reference}"),
            Some(auditor),
            Some(finding_body(grade, *version)),
        ),
    }
}

#[test]
fn sixty_four_simultaneous_writes_of_every_kind_all_succeed_while_reads_go_on() {
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let manager_token = manager.create_api_token("Infocentre");
    let auditor_token = sign_in(&app, &auditor_email).create_api_token("Tablette");
    for reference in RESAVED {
        let (status, body) = app.api_call(
            "PUT",
            &format!("/api/v1/audits/{audit}/findings/{reference}"),
            Some(&auditor_token),
            Some(finding_body("constat-conformite", 0)),
        );
        assert_eq!(status, 200, "{body}");
    }
    let tables = ["indicator_values", "sites", "evidence", "history"];
    let before: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();

    let writes = storm();
    assert_eq!(writes.len(), 64);
    let readers = 4;
    let start = Barrier::new(writes.len() + readers);
    let findings_path = format!("/api/v1/audits/{audit}/findings");
    let tokens = (manager_token.as_str(), auditor_token.as_str());
    let (answers, reads) = std::thread::scope(|s| {
        let writing: Vec<_> = writes
            .iter()
            .map(|w| {
                s.spawn(|| {
                    start.wait();
                    send(&app, &org, &audit, tokens, w)
                })
            })
            .collect();
        let reading: Vec<_> = (0..readers)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    (0..10)
                        .map(|_| {
                            app.api_call("GET", &findings_path, Some(&auditor_token), None)
                                .0
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        (
            writing
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            reading
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
        )
    });

    assert!(
        reads.iter().all(|s| *s == 200),
        "every read answered while the writes went on: {reads:?}"
    );
    for (write, (status, body)) in writes.iter().zip(&answers) {
        let contested = matches!(write, Write::Finding(r, _, 0) if CONTESTED.contains(r));
        let expected: &[u16] = match write {
            Write::Value(_) => &[200, 201],
            Write::Site(_) | Write::Upload(_) => &[201],
            Write::Finding(..) if contested => &[200, 409],
            Write::Finding(..) => &[200],
        };
        assert!(expected.contains(status), "{status} {body}");
    }
    let after: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();
    assert_eq!(after[0] - before[0], 16, "every indicator value was kept");
    assert_eq!(after[1] - before[1], 16, "every site was kept");
    assert_eq!(after[2] - before[2], 16, "every document was kept");
    assert!(after[3] - before[3] >= 62, "every write left a history row");

    let (_, kept) = app.api_call("GET", &findings_path, Some(&auditor_token), None);
    every_finding_kept(&kept, &writes, &answers);
}

/// Each finding holds what its accepted save sent; a refused first save was told which.
fn every_finding_kept(kept: &Value, writes: &[Write], answers: &[(u16, Value)]) {
    let grade_of = |reference: &str| {
        kept["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["requirement_ref"] == reference)
            .map(|f| (f["grade_code"].clone(), f["version"].clone()))
    };
    for reference in RESAVED {
        assert_eq!(grade_of(reference), Some((json!("point-fort"), json!(2))));
    }
    for reference in FIRST {
        assert_eq!(
            grade_of(reference),
            Some((json!("constat-conformite"), json!(1)))
        );
    }
    for reference in CONTESTED {
        let pair: Vec<(&Write, &(u16, Value))> = writes
            .iter()
            .zip(answers)
            .filter(|(w, _)| matches!(w, Write::Finding(r, _, _) if *r == reference))
            .collect();
        let winners: Vec<&str> = pair
            .iter()
            .filter(|(_, (status, _))| *status == 200)
            .map(|(w, _)| match w {
                Write::Finding(_, grade, _) => *grade,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "one of two first saves of {reference} wins"
        );
        assert_eq!(grade_of(reference), Some((json!(winners[0]), json!(1))));
        let (_, refused) = pair.iter().find(|(_, (s, _))| *s == 409).unwrap().1.clone();
        assert_eq!(
            refused["current"]["grade_code"], winners[0],
            "the refused save is told what was kept: {refused}"
        );
    }
}

#[test]
fn two_first_saves_of_one_finding_through_the_pages_give_one_save_and_one_conflict() {
    let Setup {
        app,
        auditor_email,
        audit,
        ..
    } = setup();
    let auditors = [sign_in(&app, &auditor_email), sign_in(&app, &auditor_email)];
    let path = format!("/audits/{audit}/constats/E1.1");
    let start = Barrier::new(2);
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = auditors
            .iter()
            .zip(["nc-mineure", "point-fort"])
            .map(|(client, grade)| {
                let (start, path) = (&start, &path);
                s.spawn(move || {
                    let token = client.csrf_token();
                    start.wait();
                    let r = client.post_with_header(
                        path,
                        &[
                            ("csrf_token", token.as_str()),
                            ("grade_code", grade),
                            ("finding", grade),
                            ("version", "0"),
                        ],
                        ("HX-Request", "true"),
                    );
                    (r.status, r.body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 409], "{answers:?}");
    let (_, conflict) = answers.iter().find(|(s, _)| *s == 409).unwrap();
    assert!(
        conflict.contains("nc-mineure") && conflict.contains("point-fort"),
        "both versions are on the page"
    );
}

/// A second application node on the database of `first` (its own data directory and pool).
fn second_node(first: &TestApp) -> TestApp {
    let node = spawn_app_on(TestDatabase::at(first.database_url.clone()));
    assert!(node.admin_password.is_empty(), "the accounts are shared");
    node
}

#[test]
fn a_write_on_one_node_is_seen_on_the_other_nodes_next_request() {
    let one = spawn_app_on(test_database());
    let two = second_node(&one);
    let token = one
        .login_as(Role::Admin, None, None)
        .create_api_token("Supervision");
    let dashboard = |node: &TestApp| {
        let (status, d) = node.api_call("GET", "/api/v1/federation/dashboard", Some(&token), None);
        assert_eq!(status, 200, "{d}");
        d["organisations"].as_i64().unwrap()
    };
    assert_eq!(dashboard(&two), 0);
    assert_eq!(dashboard(&two), 0, "kept on node two");
    // A history row dated far ahead (a dataset generated "as of" a later day, a node whose
    // clock runs ahead) must not hide later writes.
    one.with_db(|conn| {
        let ahead = chrono::Utc::now().naive_utc() + chrono::Duration::days(400);
        qualitrack::models::history::record_as::<()>(
            conn,
            &qualitrack::models::history::Actor::system("test"),
            &qualitrack::models::history::Change {
                entity: "dataset",
                entity_id: "ahead",
                organisation_id: None,
                action: "generate",
                before: None,
                after: None,
            },
            uuid::Uuid::now_v7().to_string().replacen('0', "f", 1),
            ahead,
        )
    });
    let created = one.api_call(
        "POST",
        "/api/v1/organisations",
        Some(&token),
        Some(json!({ "name": "Habitat Nouveau", "siren": crate::helpers::siren(77), "family": "oph", "region": "52", "homes": 900 })),
    );
    assert_eq!(created.0, 201, "{}", created.1);
    assert_eq!(dashboard(&two), 1, "node two sees node one's write at once");
    assert_eq!(dashboard(&one), 1);
}

#[test]
fn a_locked_account_is_locked_on_every_node_and_after_a_restart() {
    let one = spawn_app_on(test_database());
    let email = one.create_user(Role::Auditor, None, None);
    let two = second_node(&one);
    for _ in 0..5 {
        assert_eq!(
            one.client().login(&email, "mauvais mot de passe").status,
            422
        );
    }
    let refused = two.client().login(&email, PASSWORD);
    assert_eq!(refused.status, 429, "node two knows of node one's failures");
    assert!(refused.body.contains("minute"), "{}", refused.body);
    drop(two);
    let restarted = second_node(&one);
    assert_eq!(
        restarted.client().login(&email, PASSWORD).status,
        429,
        "a node started afterwards still refuses"
    );
}

#[test]
fn a_write_to_one_organisme_leaves_the_other_organismes_kept_answers_alone() {
    use qualitrack::db::clock::{Reach, stamp};
    let app = spawn_app_on(test_database());
    let (a, b) = (
        app.create_organisation("Habitat A", 81, "11"),
        app.create_organisation("Habitat B", 82, "11"),
    );
    let manager = app.login_as(Role::QualityManager, Some(&b), None);
    let stamps = || {
        let (a, b) = (a.clone(), b.clone());
        app.with_db(move |conn| {
            Ok([
                stamp(conn, Reach::Organisation(&a))?,
                stamp(conn, Reach::Organisation(&b))?,
                stamp(conn, Reach::All)?,
            ])
        })
    };
    let before = stamps();
    crate::indicators::agencies(&manager, &b, &[("Agence Est", "800")]);
    let after = stamps();
    assert_eq!(after[0], before[0], "organisme A's answers stay kept");
    assert_ne!(
        after[1], before[1],
        "organisme B's answers are computed again"
    );
    assert_ne!(after[2], before[2], "pages over every organisme too");
    // What belongs to no organisme (an auditor's account) may show on any page.
    app.create_user(Role::Auditor, None, None);
    let shared = stamps();
    assert!(shared.iter().zip(&after).all(|(s, a)| s != a), "{shared:?}");
}

#[test]
fn indicator_values_leave_calendars_and_dashboards_over_every_organisme_kept() {
    use qualitrack::db::clock::{Reach, stamp};
    use qualitrack::services::schedules::UNREAD_BY_SCHEDULES;
    let crate::indicators::Setup { app, org, manager } = crate::indicators::setup();
    let token = manager.create_api_token("Infocentre");
    let stamps = || {
        app.with_db(|conn| {
            Ok([
                stamp(conn, Reach::AllBut(UNREAD_BY_SCHEDULES))?,
                stamp(conn, Reach::All)?,
            ])
        })
    };
    let before = stamps();
    let (status, body) = app.api_call(
        "POST",
        "/api/v1/indicator-values",
        Some(&token),
        Some(json!({ "organisation": org, "values": [
            { "indicator": "taux-decroche", "period": "2025-06", "value": 81 }
        ]})),
    );
    assert!(status == 200 || status == 201, "{body}");
    let after = stamps();
    assert_eq!(
        after[0], before[0],
        "a value changes no calendar or rollout dashboard"
    );
    assert_ne!(
        after[1], before[1],
        "benchmarks among peers are computed again"
    );
    crate::indicators::agencies(&manager, &org, &[("Siège social", "0")]);
    assert_ne!(
        stamps()[0],
        after[0],
        "a site may move a head office, hence holidays"
    );
}

#[test]
fn simultaneous_writers_of_the_same_indicator_value_all_succeed_and_one_value_is_kept() {
    let Setup {
        app, org, manager, ..
    } = setup();
    let token = manager.create_api_token("Infocentre");
    let before = app.count("indicator_values");
    let start = Barrier::new(8);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (app, org, token, start) = (&app, &org, &token, &start);
                s.spawn(move || {
                    start.wait();
                    app.api_call(
                        "POST",
                        "/api/v1/indicator-values",
                        Some(token),
                        Some(json!({ "organisation": org, "values": [
                            { "indicator": "taux-decroche", "period": "2025-06", "value": 70 + i }
                        ]})),
                    )
                    .0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    assert_eq!(
        app.count("indicator_values") - before,
        1,
        "one value for one period"
    );
}

#[test]
fn a_saved_finding_leaves_what_the_audits_rows_share_kept_and_a_document_does_not() {
    use qualitrack::db::clock::{Reach, stamp};
    const UNREAD: &[&str] = &["finding"];
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let token = sign_in(&app, &auditor_email).create_api_token("Tablette");
    let rows = || {
        let org = org.clone();
        app.with_db(move |conn| stamp(conn, Reach::OrganisationBut(&org, UNREAD)))
    };
    let before = rows();
    let (status, body) = app.api_call(
        "PUT",
        &format!("/api/v1/audits/{audit}/findings/E1.1"),
        Some(&token),
        Some(finding_body("point-fort", 0)),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(rows(), before, "a finding is not what rows share");
    let uploaded = manager.upload(&format!("/organismes/{org}/preuves"), &[("cr.txt", "CR\n")]);
    assert!(uploaded.status < 400, "{}", uploaded.body);
    assert_ne!(rows(), before, "a new document is offered on every row");
}

#[test]
fn two_auditors_submitting_one_report_at_once_submit_it_once() {
    let Setup {
        app,
        auditor_email,
        audit,
        ..
    } = setup();
    let auditors = [sign_in(&app, &auditor_email), sign_in(&app, &auditor_email)];
    let saved = crate::audits::htmx_post(
        &auditors[0],
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-mineure"),
            ("finding", "Critères absents de l’accueil."),
            ("version", "0"),
        ],
    );
    assert_eq!(saved.status, 200);
    crate::audits::take_on_site(&auditors[0], &audit);
    let version = crate::audits::audit_version(&auditors[0], &audit);
    let path = format!("/audits/{audit}/soumettre");
    let start = Barrier::new(2);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = auditors
            .iter()
            .map(|client| {
                let (start, path, version) = (&start, &path, &version);
                s.spawn(move || {
                    let token = client.csrf_token();
                    start.wait();
                    client
                        .post_raw(
                            path,
                            &[
                                ("csrf_token", token.as_str()),
                                ("version", version.as_str()),
                                ("confirm", "1"),
                            ],
                            None,
                        )
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        vec![303, 409],
        "one submits, the other meets the new version"
    );
    assert_eq!(
        app.count("actions"),
        1,
        "the nonconformity became one action, not two"
    );
}

/// Two administrators post their forms at the same instant; their answers' statuses.
fn two_admins_at_once(app: &TestApp, path: &str, forms: [&[(&str, &str)]; 2]) -> Vec<u16> {
    let admins = [app.admin(), app.admin()];
    let start = Barrier::new(2);
    let mut statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = admins
            .iter()
            .zip(forms)
            .map(|(admin, fields)| {
                let start = &start;
                s.spawn(move || {
                    let token = admin.csrf_token();
                    let mut all = vec![("csrf_token", token.as_str())];
                    all.extend_from_slice(fields);
                    start.wait();
                    admin.post_raw(path, &all, None).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    statuses.sort_unstable();
    statuses
}

#[test]
fn two_administrators_choosing_the_second_factors_roles_at_once_keep_one_choice() {
    let app = crate::helpers::spawn_app();
    let statuses = two_admins_at_once(
        &app,
        "/admin/parametres/second-facteur",
        [
            &[("seen", "admin"), ("roles", "auditor")],
            &[("seen", "admin"), ("roles", "federation")],
        ],
    );
    assert_eq!(
        statuses,
        vec![303, 409],
        "the second read a choice changed since"
    );
    let required = app.with_db(qualitrack::models::second_factor::required_roles);
    assert_eq!(
        required.len(),
        2,
        "admins and one of the two choices: {required:?}"
    );
}

#[test]
fn two_administrators_turning_on_an_organismes_self_joining_at_once_both_succeed() {
    let app = crate::helpers::spawn_app();
    let org = app.create_organisation("Habitat Ouvert", 71, "11");
    let path = format!("/organismes/{org}/rattachement");
    let statuses = two_admins_at_once(
        &app,
        &path,
        [&[("auto_join", "on")], &[("auto_join", "on")]],
    );
    assert_eq!(statuses, vec![303, 303]);
    assert_eq!(app.count("auto_joins"), 1);
    let lines = app.with_db(move |conn| {
        Ok(
            qualitrack::models::history::for_entity(conn, "organisation", &org, 20)?
                .into_iter()
                .filter(|e| {
                    e.after_data
                        .as_deref()
                        .is_some_and(|a| a.contains("auto_join"))
                })
                .count(),
        )
    });
    assert_eq!(lines, 1, "one change, one history line");
}
