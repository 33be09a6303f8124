//! An audit end to end: planned from a commitment's schedule, self-assessed by the
//! organisme, recorded by its auditor row by row (htmx), conflicting saves never lost,
//! findings frozen at submission, and the decision moving the commitment.

use qualitrack::domain::Role;

use crate::helpers::{Client, PASSWORD, Resp, TestApp, spawn_app};

pub(crate) fn user_id(app: &TestApp, email: &str) -> String {
    let email = email.to_owned();
    app.with_db(move |conn| {
        Ok(qualitrack::models::user::find_by_email(conn, &email)?
            .unwrap()
            .id)
    })
}

pub(crate) fn sign_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    assert_eq!(client.login(email, PASSWORD).status, 303);
    client
}

/// A row save as htmx sends it (the `HX-Request` header and the CSRF token as a header).
pub(crate) fn htmx_post(client: &Client, path: &str, fields: &[(&str, &str)]) -> Resp {
    let token = client.csrf_token();
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    client.post_with_header(path, &all, ("HX-Request", "true"))
}

pub(crate) struct Setup {
    pub app: TestApp,
    pub org: String,
    pub commitment: String,
    pub manager: Client,
    pub auditor_email: String,
    pub audit: String,
}

pub(crate) fn setup() -> Setup {
    setup_with("qualibail-iv", "step:suivi-1")
}

/// An organisme committed to a framework, with an audit planned on a step of its cycle.
pub(crate) fn setup_with(framework: &str, slot: &str) -> Setup {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Audité", 31, "11");
    let auditor_email = app.create_user(Role::Auditor, None, None);
    let auditor_id = user_id(&app, &auditor_email);
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let framework = app.framework_id(framework);
    let created = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "granted"),
            ("start_date", "2024-01-10"),
            ("decision_date", "2024-04-10"),
        ],
    );
    let commitment = created
        .location
        .unwrap()
        .trim_start_matches("/engagements/")
        .to_owned();
    let form = manager.get(&format!("/engagements/{commitment}/audits/nouveau"));
    assert_eq!(form.status, 200);
    assert!(form.body.contains(slot), "{slot} is offered");
    let planned = manager.post_form(
        &format!("/engagements/{commitment}/planification"),
        &[
            ("slot", slot),
            ("start_date", "2025-03-03"),
            ("end_date", "2025-03-05"),
            ("lead_auditor_id", &auditor_id),
        ],
    );
    assert_eq!(planned.status, 303, "{}", planned.body);
    let audit = planned
        .location
        .unwrap()
        .trim_start_matches("/audits/")
        .to_owned();
    Setup {
        app,
        org,
        commitment,
        manager,
        auditor_email,
        audit,
    }
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one audit told from planning to decision, in order"
)]
fn an_audit_is_planned_self_assessed_recorded_submitted_and_decided() {
    let Setup {
        app,
        org,
        commitment,
        manager,
        auditor_email,
        audit,
    } = setup();
    let page = manager.get(&format!("/audits/{audit}"));
    assert!(page.body.contains("Audit de suivi") || page.body.contains("suivi"));
    assert!(page.body.contains("Planifié"));

    // The organisme self-assesses before the audit.
    let own = htmx_post(
        &manager,
        &format!("/audits/{audit}/autoevaluation/E1.1"),
        &[
            ("self_level", "partial"),
            ("self_comment", "Délai tenu à 92 %"),
            ("version", "0"),
        ],
    );
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.body.contains("Partiellement") && own.body.contains("id=\"req-E1.1\""));
    assert_eq!(
        htmx_post(
            &manager,
            &format!("/audits/{audit}/constats/E1.1"),
            &[("grade_code", "point-fort"), ("version", "1")]
        )
        .status,
        403
    );

    // The auditor sees the organisme through the audit, and records findings.
    let auditor = sign_in(&app, &auditor_email);
    assert_eq!(auditor.get(&format!("/organismes/{org}")).status, 200);
    let screen = auditor.get(&format!("/audits/{audit}/constats?exigence=E1.1"));
    assert_eq!(screen.status, 200);
    assert!(
        screen.body.contains("Délai tenu à 92 %"),
        "the self-assessment is beside the grading"
    );
    assert!(screen.body.contains("0 exigence(s) évaluée(s)"));
    let saved = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-mineure"),
            ("finding", "Trois demandes enregistrées après 10 jours."),
            ("evidence_seen", "Registre mars"),
            ("version", "1"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Enregistré à"));
    assert!(saved.body.contains("name=\"version\" value=\"2\""));
    let nc = auditor.get(&format!("/audits/{audit}/constats?filtre=nc"));
    assert!(nc.body.contains("id=\"req-E1.1\"") && !nc.body.contains("id=\"req-E1.2\""));
    // Without JavaScript, the same form posts and comes back to the row.
    let plain = auditor.post_form(
        &format!("/audits/{audit}/constats/E1.2"),
        &[
            ("grade_code", "point-fort"),
            ("finding", "Accueil exemplaire"),
            ("version", "0"),
        ],
    );
    assert_eq!(plain.status, 303);
    assert_eq!(
        plain.location.as_deref(),
        Some(format!("/audits/{audit}/constats?exigence=E1.2").as_str())
    );

    // Submission freezes the findings.
    submit_report(&auditor, &audit);
    let frozen = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.2"),
        &[("grade_code", "nc-majeure"), ("version", "1")],
    );
    assert_eq!(frozen.status, 422);
    assert!(frozen.body.contains("les constats sont figés"));
    assert!(
        frozen.body.contains("nc-majeure\" checked")
            || frozen.body.contains("value=\"nc-majeure\" checked"),
        "what was typed stays"
    );

    // The decision moves the commitment and counts the audit as held.
    let version = auditor
        .get(&format!("/audits/{audit}"))
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let decided = auditor.post_form(
        &format!("/audits/{audit}/decision"),
        &[
            ("decision", "maintained"),
            ("date", "2025-04-01"),
            ("version", &version),
        ],
    );
    assert_eq!(decided.status, 303, "{}", decided.body);
    let commitment_page = manager.get(&format!("/engagements/{commitment}"));
    assert!(commitment_page.body.contains("En surveillance"));
    assert!(
        commitment_page.body.contains("05/03/2025"),
        "the follow-up audit is held on its last day"
    );
}

#[test]
fn two_people_editing_the_same_finding_never_lose_each_others_work() {
    let Setup {
        app,
        audit,
        auditor_email,
        ..
    } = setup();
    let first = sign_in(&app, &auditor_email);
    let second = sign_in(&app, &auditor_email);
    let path = format!("/audits/{audit}/constats/E1.3");
    let mine = [
        ("grade_code", "point-sensible"),
        ("finding", "Affichage incomplet en agence"),
        ("evidence_seen", ""),
        ("version", "0"),
    ];
    assert_eq!(htmx_post(&first, &path, &mine).status, 200);
    // The second editor started from the same empty row and writes something else.
    let theirs = htmx_post(
        &second,
        &path,
        &[
            ("grade_code", "point-fort"),
            ("finding", "Affichage complet"),
            ("version", "0"),
        ],
    );
    assert_eq!(theirs.status, 409);
    assert!(theirs.body.contains("Rien n’a été écrasé"));
    assert!(
        theirs.body.contains("Affichage incomplet en agence"),
        "the stored version is shown"
    );
    assert!(
        theirs.body.contains("Affichage complet"),
        "and what they typed is kept"
    );
    // Retrying the first save is harmless, even with stray spaces around the text.
    let retry = htmx_post(&first, &path, &mine);
    assert_eq!(retry.status, 200);
    let spaced = htmx_post(
        &first,
        &path,
        &[
            ("grade_code", "point-sensible"),
            ("finding", "  Affichage incomplet en agence \n"),
            ("evidence_seen", ""),
            ("version", "0"),
        ],
    );
    assert_eq!(spaced.status, 200);
    let stored = app.with_db({
        let audit = audit.clone();
        move |conn| {
            Ok(qualitrack::models::finding::findings_of(conn, &audit)?
                .into_iter()
                .find(|f| f.requirement_ref == "E1.3")
                .unwrap())
        }
    });
    assert_eq!(stored.version, 1);
    assert_eq!(stored.finding, "Affichage incomplet en agence");
    // Choosing to overwrite, from the version now shown, is a deliberate save.
    let overwrite = htmx_post(
        &second,
        &path,
        &[
            ("grade_code", "point-fort"),
            ("finding", "Affichage complet"),
            ("version", "1"),
        ],
    );
    assert_eq!(overwrite.status, 200);
}

#[test]
fn audits_are_closed_to_people_outside_them() {
    let Setup { app, audit, .. } = setup();
    let stranger_email = app.create_user(Role::Auditor, None, None);
    let stranger = sign_in(&app, &stranger_email);
    assert_eq!(stranger.get(&format!("/audits/{audit}")).status, 404);
    assert_eq!(
        htmx_post(
            &stranger,
            &format!("/audits/{audit}/constats/E1.1"),
            &[("grade_code", "point-fort"), ("version", "0")]
        )
        .status,
        404
    );
    let other = app.create_organisation("Autre", 32, "11");
    let other_manager = app.login_as(Role::QualityManager, Some(&other), None);
    assert_eq!(
        other_manager
            .get(&format!("/audits/{audit}/constats"))
            .status,
        404
    );
}

/// The audit's current version, read from its page.
/// Moves the audit to *Sur site* from its page's version.
pub(crate) fn take_on_site(auditor: &Client, audit: &str) {
    let version = audit_version(auditor, audit);
    let moved = auditor.post_form(
        &format!("/audits/{audit}/etat"),
        &[("state", "on_site"), ("version", &version)],
    );
    assert_eq!(moved.status, 303, "{}", moved.body);
}

/// Takes the audit on site, then submits its report through the check, leaving what is not
/// assessed so.
pub(crate) fn submit_report(auditor: &Client, audit: &str) {
    take_on_site(auditor, audit);
    let version = audit_version(auditor, audit);
    let submitted = auditor.post_form(
        &format!("/audits/{audit}/soumettre"),
        &[("version", &version), ("confirm", "1")],
    );
    assert_eq!(submitted.status, 303, "{}", submitted.body);
}

pub(crate) fn audit_version(client: &Client, audit: &str) -> String {
    client
        .get(&format!("/audits/{audit}"))
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// The action form as the quality manager fills it, with a status, a note and a version.
fn action_fields<'a>(status: &'a str, note: &'a str, version: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("correction", "Rattrapage des dossiers"),
        ("root_cause", "Absence de suivi des délais"),
        ("corrective_action", "Tableau de bord hebdomadaire"),
        ("owner", "Responsable de la gestion locative"),
        ("due_date", "2025-04-04"),
        ("status", status),
        ("note", note),
        ("version", version),
    ]
}

#[test]
fn nonconformities_become_actions_with_owners_and_due_dates() {
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let auditor = sign_in(&app, &auditor_email);
    let graded = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-mineure"),
            ("finding", "Trois demandes enregistrées hors délai."),
            ("version", "0"),
        ],
    );
    assert_eq!(graded.status, 200);
    assert_eq!(
        htmx_post(
            &auditor,
            &format!("/audits/{audit}/constats/E1.2"),
            &[("grade_code", "point-fort"), ("version", "0")]
        )
        .status,
        200
    );
    submit_report(&auditor, &audit);
    let list = manager.get(&format!("/organismes/{org}/actions"));
    assert_eq!(list.status, 200);
    assert!(list.body.contains("1 action(s) à mener"));
    assert!(list.body.contains("E1.1 — NC mineure") || list.body.contains("E1.1 —"));
    // A minor nonconformity is due 30 days after the audit's last day (05/03/2025).
    assert!(list.body.contains("04/04/2025"));
    let action = list
        .body
        .split("href=\"/actions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let path = format!("/actions/{action}");

    let judged = manager.post_form(&path, &action_fields("effective", "", "1"));
    assert_eq!(judged.status, 422);
    assert!(judged.body.contains("Seul un auditeur juge l’efficacité"));
    assert!(
        judged.body.contains("Tableau de bord hebdomadaire"),
        "what was typed stays"
    );
    let saved = manager.post_form(
        &path,
        &action_fields("in_progress", "Tableau de bord en place", "1"),
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stale = manager.post_form(
        &path,
        &[
            ("due_date", "2025-04-04"),
            ("status", "done"),
            ("version", "1"),
        ],
    );
    assert_eq!(stale.status, 409);
    let verified = auditor.post_form(
        &path,
        &action_fields("effective", "Vérifié à l’audit suivant", "2"),
    );
    assert_eq!(verified.status, 303, "{}", verified.body);
    let page = manager.get(&path);
    assert!(
        page.body.contains("Efficace")
            && page.body.contains("Tableau de bord en place")
            && page.body.contains("Vérifié à l’audit suivant")
    );

    let other = app.create_organisation("Autre", 33, "11");
    let stranger = app.login_as(Role::QualityManager, Some(&other), None);
    assert_eq!(stranger.get(&path).status, 404);
    assert_eq!(
        stranger.get(&format!("/organismes/{org}/actions")).status,
        404
    );

    actions_through_the_api(&app, &manager, &stranger, &action);
}

/// The action of `nonconformities_become_actions…` through the API: read with its updates,
/// written from the version read, out of reach of another organisme.
fn actions_through_the_api(app: &TestApp, manager: &Client, stranger: &Client, action: &str) {
    // The same through the API: read with its updates, written from the version read.
    let token = manager.create_api_token("Plan d’actions");
    let api_path = format!("/api/v1/actions/{action}");
    let (status, detail) = app.api_call("GET", &api_path, Some(&token), None);
    assert_eq!(status, 200);
    assert_eq!(detail["status"], "effective");
    assert_eq!(detail["updates"].as_array().unwrap().len(), 2);
    let body = |status: &str, version: i64| {
        serde_json::json!({
            "correction": "Rattrapage des dossiers",
            "root_cause": "Absence de suivi des délais",
            "corrective_action": "Tableau de bord hebdomadaire et alerte à J-2",
            "owner": "Responsable de la gestion locative",
            "due_date": "2025-05-30",
            "status": status,
            "note": "Alerte ajoutée",
            "version": version,
        })
    };
    let (status, stale) = app.api_call("PUT", &api_path, Some(&token), Some(body("done", 1)));
    assert_eq!(status, 409);
    assert_eq!(stale["current"]["version"], 3);
    let (status, judged) =
        app.api_call("PUT", &api_path, Some(&token), Some(body("ineffective", 3)));
    assert_eq!(status, 422, "{judged}");
    let (status, updated) = app.api_call("PUT", &api_path, Some(&token), Some(body("done", 3)));
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["due_date"], "2025-05-30");
    assert_eq!(updated["version"], 4);
    let foreign = stranger.create_api_token("Autre");
    assert_eq!(app.api_call("GET", &api_path, Some(&foreign), None).0, 404);
    assert_eq!(
        app.api_call("PUT", &api_path, Some(&foreign), Some(body("done", 4)))
            .0,
        404
    );
}

#[test]
fn an_audit_is_compared_with_the_previous_one_of_its_commitment() {
    let Setup {
        app,
        commitment,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let auditor = sign_in(&app, &auditor_email);
    assert!(auditor.get("/").body.contains("Mes audits"));
    let first = auditor.get(&format!("/audits/{audit}/comparaison"));
    assert!(first.body.contains("premier audit de cet engagement"));
    assert_eq!(
        htmx_post(
            &auditor,
            &format!("/audits/{audit}/constats/E1.1"),
            &[("grade_code", "nc-mineure"), ("version", "0")]
        )
        .status,
        200
    );
    assert_eq!(
        htmx_post(
            &auditor,
            &format!("/audits/{audit}/constats/E1.2"),
            &[("grade_code", "point-fort"), ("version", "0")]
        )
        .status,
        200
    );
    let auditor_id = user_id(&app, &auditor_email);
    let planned = manager.post_form(
        &format!("/engagements/{commitment}/planification"),
        &[
            ("slot", "step:suivi-2"),
            ("start_date", "2026-03-02"),
            ("lead_auditor_id", &auditor_id),
        ],
    );
    let second = planned
        .location
        .unwrap()
        .trim_start_matches("/audits/")
        .to_owned();
    assert_eq!(
        htmx_post(
            &auditor,
            &format!("/audits/{second}/constats/E1.1"),
            &[("grade_code", "point-fort"), ("version", "0")]
        )
        .status,
        200
    );
    assert_eq!(
        htmx_post(
            &auditor,
            &format!("/audits/{second}/constats/E1.2"),
            &[("grade_code", "nc-majeure"), ("version", "0")]
        )
        .status,
        200
    );
    assert_eq!(
        htmx_post(
            &auditor,
            &format!("/audits/{second}/constats/E1.3"),
            &[("grade_code", "point-fort"), ("version", "0")]
        )
        .status,
        200
    );
    let compared = auditor.get(&format!("/audits/{second}/comparaison"));
    assert_eq!(compared.status, 200);
    assert!(compared.body.contains("en progrès : 1"));
    assert!(compared.body.contains("en recul : 1"));
    assert!(compared.body.contains("nouveau : 1"));
    let history = auditor.get(&format!("/audits/{second}"));
    assert!(
        history.body.contains("enregistrement (constat « E1.1 »)"),
        "a finding's line names its requirement"
    );
}

#[test]
fn the_api_reads_audits_and_writes_findings_with_their_version() {
    let Setup {
        app,
        org,
        auditor_email,
        audit,
        ..
    } = setup();
    let token = sign_in(&app, &auditor_email).create_api_token("Tablette");
    let (status, list) = app.api_call("GET", "/api/v1/audits", Some(&token), None);
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    let path = format!("/api/v1/audits/{audit}/findings/E1.1");
    let body = |grade: &str, version: i32| {
        Some(serde_json::json!({"grade_code": grade, "finding": "Constat", "version": version}))
    };
    let (status, saved) = app.api_call("PUT", &path, Some(&token), body("nc-mineure", 0));
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 1);
    let (status, again) = app.api_call("PUT", &path, Some(&token), body("nc-mineure", 0));
    assert_eq!(status, 200, "a repeated save is harmless");
    assert_eq!(again["version"], 1);
    let (status, stale) = app.api_call("PUT", &path, Some(&token), body("point-fort", 0));
    assert_eq!(status, 409);
    assert_eq!(stale["current"]["grade_code"], "nc-mineure");
    let (status, refused) = app.api_call("PUT", &path, Some(&token), body("inventee", 1));
    assert_eq!(status, 422);
    assert!(refused["fields"]["grade_code"].is_string());
    let (_, findings) = app.api_call(
        "GET",
        &format!("/api/v1/audits/{audit}/findings"),
        Some(&token),
        None,
    );
    assert_eq!(findings["total"], 1);

    let manager_token = app
        .login_as(Role::QualityManager, Some(&org), None)
        .create_api_token("RQ");
    let (status, _) = app.api_call("PUT", &path, Some(&manager_token), body("point-fort", 1));
    assert_eq!(status, 403);
    let (status, actions) = app.api_call(
        "GET",
        &format!("/api/v1/actions?organisation={org}"),
        Some(&manager_token),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(actions["total"], 0);
}

#[test]
fn a_long_requirement_tree_beside_one_requirement_at_a_time() {
    let Setup {
        app,
        audit,
        auditor_email,
        manager,
        ..
    } = setup_with("iso-9001-2015", "step:surveillance-1");
    let auditor = sign_in(&app, &auditor_email);
    let screen = auditor.get(&format!("/audits/{audit}/constats"));
    assert_eq!(screen.status, 200);
    assert!(
        screen.body.contains("0 exigence(s) évaluée(s) sur 91"),
        "every requirement is counted"
    );
    assert_eq!(
        screen.body.matches("<a id=\"tree-").count(),
        91,
        "a line each"
    );
    assert_eq!(
        screen.body.matches("class=\"finding-form\"").count(),
        1,
        "one requirement's forms at a time"
    );
    let row_path = format!("/audits/{audit}/constats/4.1");
    assert!(screen.body.contains(&format!("data-hx-get=\"{row_path}\"")));
    // htmx opens a requirement in the pane, with its neighbours...
    let row = auditor.get_with(&row_path, ("HX-Request", "true"));
    assert_eq!(row.status, 200);
    assert!(row.body.contains("class=\"finding-form\"") && row.body.contains("id=\"req-4.1\""));
    assert!(row.body.contains("rel=\"next\"") && row.body.contains("rel=\"prev\""));
    // ...and without JavaScript the link opens the workspace on it, its line marked.
    let plain = auditor.get(&row_path);
    assert_eq!(plain.status, 303);
    let opened = plain.location.unwrap();
    assert_eq!(opened, format!("/audits/{audit}/constats?exigence=4.1"));
    let page = auditor.get(&opened);
    assert!(page.body.contains("id=\"req-4.1\""));
    assert!(page.body.contains("id=\"tree-4.1\" aria-current=\"true\""));
    assert_eq!(
        auditor
            .get(&format!("/audits/{audit}/constats/99.9"))
            .status,
        404
    );
    let found = auditor.get(&format!("/audits/{audit}/constats?q=CONTEXTE"));
    assert!(found.body.contains("id=\"tree-4.1\"") && !found.body.contains("id=\"tree-5.1\""));

    // Kept laid out per rights: the organisme is offered its self-assessment where the
    // auditor is offered the grading.
    let own = manager.get(&format!("/audits/{audit}/constats"));
    assert!(own.body.contains("/autoevaluation/") && !own.body.contains("class=\"finding-form\""));
    // A save sends back its tree line and the progress beside the requirement.
    let saved = htmx_post(
        &auditor,
        &row_path,
        &[
            ("grade_code", "nc-mineure"),
            (
                "finding",
                "Enjeux climatiques absents de l’analyse du contexte.",
            ),
            ("version", "0"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let line = saved
        .body
        .split("id=\"tree-4.1\"")
        .nth(1)
        .expect("the tree line");
    assert!(line.contains("data-hx-swap-oob=\"true\""), "{line}");
    assert!(line.contains("Non-conformité mineure"), "{line}");
    assert!(
        saved.body.contains("1 exigence(s) évaluée(s) sur 91"),
        "the progress"
    );
    let again = auditor.get(&format!("/audits/{audit}/constats?filtre=nc"));
    assert!(again.body.contains("1 exigence(s) évaluée(s) sur 91"));
    assert_eq!(again.body.matches("<a id=\"tree-").count(), 1);
    assert!(
        again
            .body
            .contains("Enjeux climatiques absents de l’analyse du contexte.")
    );
}

/// Takes the audit on site then to drafting: the state list offers no submission, and
/// asking for it there is refused with the way to the check.
fn refuses_a_submission_past_the_check(auditor: &Client, audit: &str) {
    take_on_site(auditor, audit);
    // The state list no longer submits: it sends to the check.
    let page = auditor.get(&format!("/audits/{audit}"));
    assert!(!page.body.contains("<option value=\"submitted\">"));
    assert!(
        page.body
            .contains(&format!("href=\"/audits/{audit}/soumettre\""))
    );
    let version = audit_version(auditor, audit);
    let around = auditor.post_form(
        &format!("/audits/{audit}/etat"),
        &[("state", "drafted"), ("version", &version)],
    );
    assert_eq!(around.status, 303);
    let version = audit_version(auditor, audit);
    let sideways = auditor.post_form(
        &format!("/audits/{audit}/etat"),
        &[("state", "submitted"), ("version", &version)],
    );
    assert_eq!(sideways.status, 422);
    assert!(sideways.body.contains("« Soumettre le rapport »"));
}

#[test]
fn a_report_is_submitted_only_once_its_nonconformities_are_written_and_gaps_confirmed() {
    let Setup {
        app,
        audit,
        auditor_email,
        ..
    } = setup();
    let auditor = sign_in(&app, &auditor_email);
    refuses_a_submission_past_the_check(&auditor, &audit);

    // A nonconformity without its finding blocks.
    for (reference, grade, text) in [("E1.1", "nc-majeure", "  "), ("E1.2", "point-fort", "")] {
        let saved = htmx_post(
            &auditor,
            &format!("/audits/{audit}/constats/{reference}"),
            &[("grade_code", grade), ("finding", text), ("version", "0")],
        );
        assert_eq!(saved.status, 200, "{}", saved.body);
    }
    let check = auditor.get(&format!("/audits/{audit}/soumettre"));
    assert_eq!(check.status, 200);
    assert!(
        check
            .body
            .contains("Une non-conformité sans constat rédigé")
    );
    assert!(
        check
            .body
            .contains(&format!("/audits/{audit}/constats?exigence=E1.1"))
    );
    assert!(
        !check.body.contains("action=\"/audits/"),
        "no way to submit yet"
    );
    let version = audit_version(&auditor, &audit);
    let blocked = auditor.post_form(
        &format!("/audits/{audit}/soumettre"),
        &[("version", &version), ("confirm", "1")],
    );
    assert_eq!(blocked.status, 422);
    assert!(
        blocked.body.contains("sans constat rédigé : E1.1"),
        "{}",
        blocked.body
    );
    assert_eq!(app.count("actions"), 0, "nothing written");

    // Written: what is not assessed is listed, and must be confirmed.
    let written = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-majeure"),
            ("finding", "Aucun affichage des critères."),
            ("version", "1"),
        ],
    );
    assert_eq!(written.status, 200);
    let check = auditor.get(&format!("/audits/{audit}/soumettre"));
    assert!(
        check.body.contains("exigences non évaluées"),
        "{}",
        check.body
    );
    assert!(
        check
            .body
            .contains(&format!("/audits/{audit}/constats?exigence=E1.3"))
    );
    let unconfirmed = auditor.post_form(
        &format!("/audits/{audit}/soumettre"),
        &[("version", &version)],
    );
    assert_eq!(unconfirmed.status, 422);
    assert!(unconfirmed.body.contains("cochez la case"));
    assert!(
        unconfirmed
            .body
            .contains("aria-describedby=\"f-confirm-error\"")
    );
    let stale = auditor.post_form(
        &format!("/audits/{audit}/soumettre"),
        &[("version", "0"), ("confirm", "1")],
    );
    assert_eq!(stale.status, 409, "a version read before the audit moved");
    let history_before = app.count("history");
    let submitted = auditor.post_form(
        &format!("/audits/{audit}/soumettre"),
        &[("version", &version), ("confirm", "1")],
    );
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let page = auditor.get(&format!("/audits/{audit}"));
    assert!(page.body.contains("Rapport soumis"));
    assert_eq!(app.count("actions"), 1, "the nonconformity is an action");
    assert!(app.count("history") > history_before);
    let again = auditor.get(&format!("/audits/{audit}/soumettre"));
    assert!(again.body.contains("n’est plus modifiable"));
}
