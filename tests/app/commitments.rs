//! Commitments and their computed schedules, through the pages: the quality manager records
//! a commitment already granted and sees its whole cycle; states move only as allowed; the
//! calendar, its exports and its subscription feed show what falls due.

use qualitrack::domain::Role;

use crate::helpers::{Client, TestApp, spawn_app};

/// Declares a commitment granted on `decision` and returns its page's path.
fn granted(
    app: &TestApp,
    client: &Client,
    org: &str,
    code: &str,
    start: &str,
    decision: &str,
) -> String {
    let framework = app.framework_id(code);
    let created = client.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "granted"),
            ("start_date", start),
            ("decision_date", decision),
            ("body", "AFNOR Certification"),
            ("certificate_number", "QB-2024-0042"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    created.location.unwrap()
}

#[test]
fn qualibail_granted_on_12_march_2024_shows_every_follow_up_and_the_renewal() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Exemple", 1, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let path = granted(
        &app,
        &manager,
        &org,
        "qualibail-iv",
        "12/12/2023",
        "12/03/2024",
    );
    let page = manager.get(&path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Engagement enregistré"));
    assert!(page.body.contains("Accordé"));
    assert!(page.body.contains("QB-2024-0042"));
    // Follow-up audits at 12 and 24 months, renewal audit 3 months before expiry, decision at expiry.
    for (due, window) in [
        ("12/03/2025", "11/01/2025 – 11/05/2025"),
        ("12/03/2026", "11/01/2026 – 11/05/2026"),
        ("12/12/2026", "13/10/2026 – 26/01/2027"),
        ("12/03/2027", "11/01/2027 – 12/03/2027"),
    ] {
        assert!(page.body.contains(due), "due {due}");
        assert!(page.body.contains(window), "window {window}");
    }
    assert!(page.body.contains("Valable jusqu’au 12/03/2027"));
    let organisme = manager.get(&format!("/organismes/{org}"));
    assert!(organisme.body.contains("Qualibail IV"));
    assert!(organisme.body.contains("Prochaine échéance"));
}

#[test]
fn forbidden_moves_are_refused_with_an_explanation_and_allowed_ones_are_recorded() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat", 2, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let framework = app.framework_id("iso-9001-2015");
    let created = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "considered"),
            ("start_date", "2024-01-15"),
        ],
    );
    let path = created.location.unwrap();
    let before = app.count("commitment_events");
    let refused = manager.post_form(
        &format!("{path}/transition"),
        &[
            ("state", "granted"),
            ("date", "2024-02-01"),
            ("reason", "Trop tôt"),
            ("version", "1"),
        ],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Impossible de passer de « Envisagé » à « Accordé »")
    );
    assert!(refused.body.contains("En préparation, Retiré"));
    assert_eq!(app.count("commitment_events"), before);

    let no_reason = manager.post_form(
        &format!("{path}/transition"),
        &[
            ("state", "preparing"),
            ("date", "2024-02-01"),
            ("reason", ""),
            ("version", "1"),
        ],
    );
    assert_eq!(no_reason.status, 422);
    let moved = manager.post_form(
        &format!("{path}/transition"),
        &[
            ("state", "preparing"),
            ("date", "2024-02-01"),
            ("reason", "Lancement du projet"),
            ("version", "1"),
        ],
    );
    assert_eq!(moved.status, 303, "{}", moved.body);
    let stale = manager.post_form(
        &format!("{path}/transition"),
        &[
            ("state", "initial_audit"),
            ("date", "2024-03-01"),
            ("reason", "Audit planifié"),
            ("version", "1"),
        ],
    );
    assert_eq!(stale.status, 409);
    let earlier = manager.post_form(
        &format!("{path}/transition"),
        &[
            ("state", "initial_audit"),
            ("date", "2024-01-20"),
            ("reason", "Audit planifié"),
            ("version", "2"),
        ],
    );
    assert_eq!(earlier.status, 422);
    assert!(
        earlier
            .body
            .contains("précède le dernier changement d’état (01/02/2024)")
    );
    let page = manager.get(&path);
    assert!(page.body.contains("Lancement du projet"));
    assert!(page.body.contains("Envisagé → En préparation"));

    let audit = manager.post_form(
        &format!("{path}/audits"),
        &[
            ("step", "etape-1"),
            ("date", "2024-02-20"),
            ("note", "Revue documentaire"),
        ],
    );
    assert_eq!(audit.status, 303);
    let page = manager.get(&path);
    assert!(page.body.contains("20/02/2024"));
    let bad_step = manager.post_form(
        &format!("{path}/audits"),
        &[("step", "inventee"), ("date", "2024-02-20")],
    );
    assert_eq!(bad_step.status, 422);
}

#[test]
fn other_people_see_or_change_only_what_their_role_allows() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat", 3, "53");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let path = granted(
        &app,
        &manager,
        &org,
        "qualibail-iv",
        "2023-12-12",
        "2024-03-12",
    );
    let other = app.create_organisation("Autre", 4, "53");
    let stranger = app.login_as(Role::QualityManager, Some(&other), None);
    assert_eq!(stranger.get(&path).status, 404);
    assert_eq!(
        stranger
            .post_form(
                &format!("{path}/transition"),
                &[
                    ("state", "suspended"),
                    ("date", "2024-04-01"),
                    ("reason", "x"),
                    ("version", "1")
                ]
            )
            .status,
        404
    );
    let observer = app.login_as(Role::Observer, Some(&org), None);
    let page = observer.get(&path);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/transition"));
    assert_eq!(
        observer
            .post_form(
                &format!("{path}/audits"),
                &[("step", "suivi-1"), ("date", "2024-04-01")]
            )
            .status,
        403
    );
    let regional = app.login_as(Role::Federation, None, Some("11"));
    assert_eq!(regional.get(&path).status, 404);
}

#[test]
fn the_calendar_shows_what_is_overdue_first_and_exports_it() {
    let app = spawn_app();
    let late = app.create_organisation("Office en retard", 5, "32");
    let calm = app.create_organisation("Office tranquille", 6, "32");
    let admin = app.admin();
    // Granted two years ago without any follow-up recorded: the first follow-up is late.
    let two_years_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(730)).to_string();
    let long_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(800)).to_string();
    granted(
        &app,
        &admin,
        &late,
        "qualibail-iv",
        &long_ago,
        &two_years_ago,
    );
    let recent = (chrono::Utc::now().date_naive() - chrono::Duration::days(300)).to_string();
    let before_recent = (chrono::Utc::now().date_naive() - chrono::Duration::days(400)).to_string();
    granted(&app, &admin, &calm, "qualibail-iv", &before_recent, &recent);

    let federation = app.login_as(Role::Federation, None, Some("32"));
    let calendar = federation.get("/calendrier");
    assert_eq!(calendar.status, 200);
    assert!(calendar.body.contains("échéance(s) en retard"));
    let late_at = calendar.body.find("Office en retard").unwrap();
    let calm_at = calendar.body.find("Office tranquille").unwrap();
    assert!(late_at < calm_at, "overdue first");
    let filtered = federation.get("/calendrier?state=overdue");
    assert!(!filtered.body.contains("Office tranquille"));
    let month = federation.get("/calendrier?vue=mois");
    assert!(month.body.contains("lun."));
    // The list is kept laid out between writes; a new commitment shows at once.
    let newcomer = app.create_organisation("Office nouveau venu", 7, "32");
    granted(
        &app,
        &admin,
        &newcomer,
        "qualibail-iv",
        &long_ago,
        &two_years_ago,
    );
    assert!(
        federation
            .get("/calendrier")
            .body
            .contains("Office nouveau venu")
    );

    let csv = federation.get("/calendrier/export.csv?periode=tout");
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    assert!(
        csv.body
            .contains("Organisme;Région;Famille;Référentiel;Étape")
    );
    assert!(csv.body.contains("Office en retard;Hauts-de-France"));
    let xlsx = federation.get("/calendrier/export.xlsx");
    assert_eq!(xlsx.status, 200);
    assert!(
        xlsx.header("content-type")
            .unwrap()
            .contains("spreadsheetml")
    );

    let renewals = federation.get("/federation/renouvellements?periode=tout");
    assert!(
        renewals.body.contains("Audit de renouvellement")
            || renewals.body.contains("renouvellement")
    );
    // Its exports carry what it shows: renewals only, not the whole calendar.
    let export = renewals
        .body
        .split("href=\"/calendrier/export.csv?")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    assert!(export.contains("renouvellements=1"), "{export}");
    let renewals_csv = federation.get(&format!("/calendrier/export.csv?{export}"));
    let rows = |body: &str| body.lines().count();
    assert!(
        rows(&renewals_csv.body) < rows(&csv.body),
        "{} rows of renewals, {} in the calendar",
        rows(&renewals_csv.body),
        rows(&csv.body)
    );
    let manager = app.login_as(Role::QualityManager, Some(&calm), None);
    assert_eq!(manager.get("/federation/renouvellements").status, 403);
    let own = manager.get("/calendrier?periode=tout");
    assert!(own.body.contains("Office tranquille") && !own.body.contains("Office en retard"));
}

#[test]
fn a_calendar_subscription_serves_a_valid_ics_feed_until_revoked() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Abonné", 7, "84");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    granted(
        &app,
        &manager,
        &org,
        "iso-9001-2015",
        "2024-01-05",
        "2024-05-15",
    );
    let created = manager.post_form(
        "/calendrier/abonnements",
        &[("name", "Mon agenda"), ("organisation", &org)],
    );
    assert_eq!(created.status, 303);
    let page = manager.get("/calendrier");
    let url = page
        .body
        .split("dans votre agenda (elle ne sera plus affichée) : ")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .trim()
        .replace("&#x2F;", "/");
    let path = url.trim_start_matches(&app.base).to_owned();
    assert!(path.starts_with("/ics/qt_"));

    let anonymous = app.client();
    let feed = anonymous.get(&path);
    assert_eq!(feed.status, 200);
    assert!(
        feed.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    // Read back with an independent parser.
    let reader = ical::IcalParser::new(std::io::BufReader::new(feed.body.as_bytes()));
    let calendars: Vec<_> = reader.collect::<Result<_, _>>().expect("valid ICS");
    assert_eq!(calendars.len(), 1);
    let events = &calendars[0].events;
    assert!(!events.is_empty());
    let property = |event: &ical::parser::ical::component::IcalEvent, name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    };
    let uids: Vec<String> = events.iter().filter_map(|e| property(e, "UID")).collect();
    assert!(uids.iter().all(|u| u.ends_with("@qualitrack")));
    let s1 = events
        .iter()
        .find(|e| {
            property(e, "SUMMARY").is_some_and(|s| {
                s.contains("Audit de surveillance n° 1") || s.contains("surveillance")
            })
        })
        .expect("surveillance event");
    assert!(property(s1, "SUMMARY").unwrap().contains("Habitat Abonné"));
    assert!(!s1.alarms.is_empty());
    // The same feed fetched again keeps the same identities.
    let again = anonymous.get(&path);
    let uids_again: Vec<String> =
        ical::IcalParser::new(std::io::BufReader::new(again.body.as_bytes()))
            .flat_map(|c| c.unwrap().events)
            .filter_map(|e| property(&e, "UID"))
            .collect();
    assert_eq!(uids, uids_again);

    let revoke = page
        .body
        .split("action=\"")
        .filter_map(|p| p.split('"').next())
        .find(|a| a.ends_with("/revoquer") && a.starts_with("/calendrier"))
        .unwrap()
        .to_owned();
    assert_eq!(manager.post_form(&revoke, &[]).status, 303);
    assert_eq!(anonymous.get(&path).status, 404);
}

/// The address of a calendar subscription just created on the calendar page.
fn subscribed(
    app: &crate::helpers::TestApp,
    manager: &crate::helpers::Client,
    name: &str,
    org: &str,
) -> String {
    let created = manager.post_form(
        "/calendrier/abonnements",
        &[("name", name), ("organisation", org)],
    );
    assert_eq!(created.status, 303);
    let page = manager.get("/calendrier");
    let url = page
        .body
        .split("dans votre agenda (elle ne sera plus affichée) : ")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .trim()
        .replace("&#x2F;", "/");
    url.trim_start_matches(&app.base).to_owned()
}

#[test]
fn a_feed_keeps_its_whole_name_stable_reminders_and_says_who_made_it() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Agenda", 9, "84");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    granted(
        &app,
        &manager,
        &org,
        "iso-9001-2015",
        "2024-01-05",
        "2024-05-15",
    );
    let path = subscribed(&app, &manager, "Agenda, qualité; test", &org);
    let first = app.client().get(&path).body;
    assert!(
        first.contains("\r\nNAME;VALUE=TEXT:qualitrack — Agenda\\, qualité\\; test\r\n"),
        "NAME escaped like X-WR-CALNAME: {first}"
    );
    assert!(first.contains("\r\nPRODID:-//qualitrack//Calendrier qualité//FR\r\n"));
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(first.as_bytes()))
        .collect::<Result<_, _>>()
        .expect("valid ICS");
    let alarms: Vec<_> = calendars[0].events.iter().flat_map(|e| &e.alarms).collect();
    assert!(!alarms.is_empty());
    for alarm in &alarms {
        let names: Vec<&str> = alarm.properties.iter().map(|p| p.name.as_str()).collect();
        assert!(
            !names.contains(&"UID") && !names.contains(&"DTSTAMP"),
            "RFC 5545's alarm has neither: {names:?}"
        );
    }
    // Fetched again, the feed is the same but for the instants of the fetch.
    let unstamped = |ics: &str| -> String {
        ics.lines()
            .filter(|l| !l.starts_with("DTSTAMP:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(unstamped(&first), unstamped(&app.client().get(&path).body));
}

#[test]
fn the_api_declares_moves_and_schedules_commitments() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat API", 8, "11");
    let token = app
        .login_as(Role::QualityManager, Some(&org), None)
        .create_api_token("API");
    let call = |method: &str, path: &str, body: Option<serde_json::Value>| {
        app.api_call(method, path, Some(&token), body)
    };
    let framework = app.framework_id("qualibail-iv");
    let siren = crate::helpers::siren(8);
    let (status, created) = call(
        "POST",
        "/api/v1/commitments",
        Some(serde_json::json!({
            "organisation": siren, "framework_id": framework, "state": "granted",
            "start_date": "2023-12-12", "decision_date": "2024-03-12", "body": "AFNOR Certification"
        })),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, schedule) = call("GET", &format!("/api/v1/commitments/{id}/schedule"), None);
    let follow_up = schedule["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "suivi-1")
        .unwrap();
    assert_eq!(follow_up["due"], "2025-03-12");
    assert_eq!(schedule["cycles"][0]["expiry"], "2027-03-12");

    let (status, refused) = call(
        "POST",
        &format!("/api/v1/commitments/{id}/transitions"),
        Some(
            serde_json::json!({"state": "preparing", "date": "2024-04-01", "reason": "x", "version": 1}),
        ),
    );
    assert_eq!(status, 422);
    assert!(
        refused["fields"]["state"]
            .as_str()
            .unwrap()
            .contains("Impossible de passer de « Accordé » à « En préparation »")
    );
    let (status, moved) = call(
        "POST",
        &format!("/api/v1/commitments/{id}/transitions"),
        Some(
            serde_json::json!({"state": "surveillance", "date": "2024-04-01", "reason": "Cycle ouvert", "version": 1}),
        ),
    );
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["state"], "surveillance");
    let (_, detail) = call("GET", &format!("/api/v1/commitments/{id}"), None);
    assert_eq!(detail["events"].as_array().unwrap().len(), 2);
    let (_, list) = call("GET", "/api/v1/commitments", None);
    assert_eq!(list["total"], 1);
}

#[test]
fn an_auditor_follows_the_commitments_assigned_to_them() {
    let app = spawn_app();
    let followed = app.create_organisation("Habitat Suivi", 9, "93");
    let other = app.create_organisation("Habitat Autre", 10, "93");
    let auditor_email = app.create_user(Role::Auditor, None, None);
    let auditor_id: String = {
        let email = auditor_email.clone();
        app.with_db(move |conn| {
            Ok(qualitrack::models::user::find_by_email(conn, &email)?
                .unwrap()
                .id)
        })
    };
    let admin = app.admin();
    let framework = app.framework_id("qualibail-iv");
    let created = admin.post_form(
        &format!("/organismes/{followed}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "granted"),
            ("start_date", "2024-01-10"),
            ("decision_date", "2024-04-10"),
            ("auditor_id", &auditor_id),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    granted(
        &app,
        &admin,
        &other,
        "qualibail-iv",
        "2024-01-10",
        "2024-04-10",
    );
    let refused = admin.post_form(
        &format!("/organismes/{other}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "considered"),
            ("start_date", "2024-01-10"),
            ("auditor_id", &followed),
        ],
    );
    assert_eq!(
        refused.status, 422,
        "an auditor must be an auditor's account"
    );

    let auditor = app.client();
    assert_eq!(
        auditor
            .login(&auditor_email, crate::helpers::PASSWORD)
            .status,
        303
    );
    let list = auditor.get("/organismes");
    assert!(list.body.contains("Habitat Suivi") && !list.body.contains("Habitat Autre"));
    assert_eq!(auditor.get(&format!("/organismes/{other}")).status, 404);
    let calendar = auditor.get("/calendrier?periode=tout");
    assert!(calendar.body.contains("Habitat Suivi") && !calendar.body.contains("Habitat Autre"));

    let by_auditor = admin.get(&format!("/calendrier?periode=tout&auditor={auditor_id}"));
    assert!(
        by_auditor.body.contains("Habitat Suivi") && !by_auditor.body.contains("Habitat Autre")
    );
}

#[test]
fn the_home_page_says_what_is_late_and_what_comes_next() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Accueil", 11, "75");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let empty = manager.get("/");
    assert!(
        empty
            .body
            .contains("Rien en retard, rien dans les 90 prochains jours.")
    );
    assert!(
        empty.body.contains(&format!(
            "<p class=\"organisation-name\"><a href=\"/organismes/{org}\">Habitat Accueil</a></p>"
        )),
        "the header names the quality manager's organisme"
    );
    let decided = (chrono::Utc::now().date_naive() - chrono::Duration::days(500)).to_string();
    let started = (chrono::Utc::now().date_naive() - chrono::Duration::days(600)).to_string();
    granted(&app, &manager, &org, "qualibail-iv", &started, &decided);
    let home = manager.get("/");
    assert!(home.body.contains("échéance(s) en retard"));
    assert!(home.body.contains("Audit de suivi") || home.body.contains("suivi"));
    assert!(home.body.contains("en retard de"));
}

#[test]
fn a_long_calendar_goes_by_pages_that_keep_the_filters() {
    let app = spawn_app();
    let admin = app.admin();
    // Six items each over a whole cycle: twenty organismes fill more than a page.
    for n in 0..20 {
        let org = app.create_organisation(&format!("Habitat Paginé {n}"), 60 + n, "53");
        granted(
            &app,
            &admin,
            &org,
            "qualibail-iv",
            "2023-01-09",
            "2023-03-13",
        );
    }
    let first = admin.get("/calendrier?periode=tout&region=53");
    assert_eq!(first.status, 200);
    let total: usize = first
        .body
        .split("Échéances 1 à 100 sur ")
        .nth(1)
        .expect("the first page says which items it shows")
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(total > 100);
    assert_eq!(
        first.body.matches("<tr>").count(),
        101,
        "100 rows and the header"
    );
    assert!(
        first
            .body
            .contains("href=\"?region=53&amp;periode=tout&amp;page=2\" rel=\"next\"")
    );
    let last = admin.get("/calendrier?periode=tout&region=53&page=99");
    assert!(
        last.body
            .contains(&format!("Échéances 101 à {total} sur {total}")),
        "a page past the end shows the last one"
    );
    assert!(last.body.contains("aria-current=\"page\">2</a>"));
    // The month of the first item shows it in the grid, and only that month's items.
    let due = first
        .body
        .split("<td>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let (month, year) = (&due[3..5], &due[6..10]);
    let grid = admin.get(&format!("/calendrier?mois={year}-{month}&region=53"));
    assert_eq!(grid.status, 200);
    assert!(grid.body.contains("class=\"month-item"), "{due}");
    assert!(grid.body.matches("class=\"month-item").count() < total);
}

#[test]
fn an_organismes_yearly_review_of_its_own_charter_is_no_renewal_for_the_federation() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Chartiste", 12, "84");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let created = manager.post_form(&format!("/organismes/{org}/charte"), &[]);
    assert_eq!(created.status, 303);
    let charter = created
        .location
        .unwrap()
        .trim_start_matches("/referentiels/")
        .to_owned();
    let today = chrono::Utc::now().date_naive();
    let committed = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &charter),
            ("state", "granted"),
            (
                "start_date",
                &(today - chrono::Duration::days(420)).to_string(),
            ),
            (
                "decision_date",
                &(today - chrono::Duration::days(340)).to_string(),
            ),
        ],
    );
    assert_eq!(committed.status, 303, "{}", committed.body);
    let own = manager.get("/calendrier?periode=tout");
    assert!(
        own.body.contains("Revue interne annuelle"),
        "the organisme's calendar has it"
    );
    let federation = app.login_as(Role::Federation, None, None);
    let renewals = federation.get("/federation/renouvellements?periode=tout");
    assert_eq!(renewals.status, 200);
    assert!(!renewals.body.contains("Revue interne annuelle"));
    assert!(!renewals.body.contains("Validation annuelle de la charte"));
}
