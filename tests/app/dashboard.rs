//! The federation dashboard against a small federation counted by hand: five organismes in
//! three regions and four families, committed to Quali'Hlm and Qualibail in every standing.
//! Figures, drill-down lists, the map, exports, the API, and a regional user's scope.

use qualitrack::domain::Role;

use crate::audits::{Setup, htmx_post, setup_with, sign_in};
use crate::helpers::{Client, TestApp, siren, spawn_app};

fn organisme(
    admin: &Client,
    name: &str,
    n: u32,
    family: &str,
    region: &str,
    homes: &str,
) -> String {
    let created = admin.post_form(
        "/organismes",
        &[
            ("name", name),
            ("siren", &siren(n)),
            ("family", family),
            ("region", region),
            ("homes", homes),
            ("federation", ""),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    created
        .location
        .unwrap()
        .trim_start_matches("/organismes/")
        .to_owned()
}

fn commit(
    app: &TestApp,
    admin: &Client,
    org: &str,
    code: &str,
    state: &str,
    start: &str,
    decision: &str,
) {
    let created = admin.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &app.framework_id(code)),
            ("state", state),
            ("start_date", start),
            ("decision_date", decision),
        ],
    );
    assert_eq!(created.status, 303, "{state}: {}", created.body);
}

struct Federation {
    app: TestApp,
    admin: Client,
    alpha: String,
    beta: String,
    epsilon: String,
}

/// Quali'Hlm: Alpha holds it (granted 2022), Epsilon holds it suspended (2021), Beta is
/// engaged, Gamma's lapsed, Delta has none. Qualibail: Delta holds it, Alpha prepares it.
fn federation() -> Federation {
    let app = spawn_app();
    let admin = app.admin();
    let alpha = organisme(&admin, "Office Alpha", 1, "oph", "84", "10000");
    let beta = organisme(&admin, "ESH Beta", 2, "esh", "84", "5000");
    let gamma = organisme(&admin, "Coop Gamma", 3, "coop", "53", "2000");
    let delta = organisme(&admin, "SEM Delta", 4, "sem", "53", "3000");
    let epsilon = organisme(&admin, "Office Epsilon", 5, "oph", "11", "20000");
    commit(
        &app,
        &admin,
        &alpha,
        "quali-hlm",
        "granted",
        "2022-01-10",
        "2022-06-15",
    );
    commit(
        &app,
        &admin,
        &alpha,
        "qualibail-iv",
        "preparing",
        "2025-01-06",
        "",
    );
    commit(
        &app,
        &admin,
        &beta,
        "quali-hlm",
        "preparing",
        "2025-02-03",
        "",
    );
    commit(
        &app,
        &admin,
        &gamma,
        "quali-hlm",
        "expired",
        "2019-01-07",
        "2019-05-02",
    );
    commit(
        &app,
        &admin,
        &delta,
        "qualibail-iv",
        "granted",
        "2023-10-02",
        "2024-02-01",
    );
    commit(
        &app,
        &admin,
        &epsilon,
        "quali-hlm",
        "suspended",
        "2021-03-01",
        "2021-09-01",
    );
    Federation {
        app,
        admin,
        alpha,
        beta,
        epsilon,
    }
}

fn framework<'a>(d: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    d["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {d}"))
}

fn names(list: &crate::helpers::Resp) -> Vec<&'static str> {
    [
        "Office Alpha",
        "ESH Beta",
        "Coop Gamma",
        "SEM Delta",
        "Office Epsilon",
    ]
    .into_iter()
    .filter(|n| list.body.contains(&format!(">{n}</a>")))
    .collect()
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one hand-counted federation, figure by figure"
)]
fn the_dashboard_counts_what_was_recorded_and_every_figure_leads_to_its_organismes() {
    let Federation { app, admin, .. } = federation();
    let token = admin.create_api_token("tableau de bord");
    let (status, d) = app.api_call("GET", "/api/v1/federation/dashboard", Some(&token), None);
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["organisations"], 5);
    assert_eq!(d["homes"], 40_000);
    assert_eq!(d["focus"], "quali-hlm", "Quali'Hlm is in focus by default");

    let q = framework(&d, "quali-hlm");
    assert_eq!(
        (
            &q["counts"]["holding"],
            &q["counts"]["renewal_due"],
            &q["counts"]["suspended"],
            &q["counts"]["engaged"],
            &q["counts"]["lapsed"],
            &q["counts"]["none"]
        ),
        (
            &1.into(),
            &0.into(),
            &1.into(),
            &1.into(),
            &1.into(),
            &1.into()
        )
    );
    assert_eq!(q["holds"], 2);
    assert_eq!(q["rate"], 40.0);
    assert_eq!(q["homes_covered"], 30_000);
    let b = framework(&d, "qualibail-iv");
    assert_eq!(b["holds"], 1);
    assert_eq!(b["counts"]["engaged"], 1);
    assert_eq!(b["counts"]["none"], 3);
    assert_eq!(b["homes_covered"], 3000);
    // Labels come before certifications, charters last.
    let keys: Vec<&str> = d["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.first(), Some(&"quali-hlm"), "{keys:?}");
    assert_eq!(
        keys.last(),
        Some(&"charte-qualite"),
        "charters together, last: {keys:?}"
    );

    // Quali'Hlm by region and family.
    let region = |code: &str| {
        d["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (
            region("84")["organisations"].clone(),
            region("84")["holds"].clone(),
            region("84")["rate"].clone()
        ),
        (2.into(), 1.into(), 50.0.into())
    );
    assert_eq!(region("53")["rate"], 0.0);
    assert_eq!(region("11")["rate"], 100.0);
    assert_eq!(region("84")["engaged"], 1);
    assert_eq!(
        d["regions"].as_array().unwrap().len(),
        3,
        "regions without organisme are left out"
    );
    let oph = d["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "oph")
        .unwrap();
    assert_eq!(
        (
            oph["organisations"].clone(),
            oph["holds"].clone(),
            oph["homes_covered"].clone()
        ),
        (2.into(), 2.into(), 30_000.into())
    );

    // Years: Epsilon first held it in 2021, Alpha in 2022; Gamma's lapse never counted.
    let years = d["rollout"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "quali-hlm")
        .unwrap()["years"]
        .as_array()
        .unwrap()
        .clone();
    let year = |y: i64| years.iter().find(|e| e["year"] == y).cloned().unwrap();
    assert_eq!(years[0]["year"], 2019);
    assert_eq!(
        (year(2019)["granted"].clone(), year(2019)["holding"].clone()),
        (0.into(), 0.into())
    );
    assert_eq!(
        (year(2021)["granted"].clone(), year(2021)["holding"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(
        (year(2022)["granted"].clone(), year(2022)["holding"].clone()),
        (1.into(), 2.into())
    );
    assert_eq!(years.last().unwrap()["holding"], 2);

    // Another focus moves the breakdowns.
    let (_, ql) = app.api_call(
        "GET",
        "/api/v1/federation/dashboard?framework=qualibail-iv",
        Some(&token),
        None,
    );
    assert_eq!(ql["focus"], "qualibail-iv");
    let sem = ql["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "sem")
        .unwrap();
    assert_eq!(sem["rate"], 100.0);

    // The page shows the figures and links each to its list, filters in the URL.
    let page = admin.get("/federation");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Déploiement des engagements qualité"));
    assert!(
        page.body
            .contains("href=\"/organismes?framework=quali-hlm&amp;standing=holds\">2</a>")
    );
    assert!(page.body.contains("40,0 %"));
    assert!(page.body.contains("<svg") && page.body.contains("Auvergne-Rhône-Alpes : 50,0 %"));
    assert!(
        page.body.contains("/federation/synthese.pdf"),
        "the rollout summary PDF is one click away"
    );
    assert!(
        page.body.contains(
            "href=\"/organismes?framework=quali-hlm&amp;standing=holds&amp;region=84\">1</a>"
        ),
        "a region's holders are one click away"
    );
    assert!(
        page.body.contains(
            "href=\"/organismes?framework=quali-hlm&amp;standing=holds&amp;family=oph\">2</a>"
        ),
        "a family's holders too"
    );
    let lagging = page
        .body
        .split("Régions les moins avancées")
        .nth(1)
        .unwrap();
    assert!(
        lagging
            .trim_start()
            .contains("region=53\">Bretagne</a> (0,0 %)"),
        "the region lagging most comes first: {}",
        &lagging[..300]
    );
    let holders = admin.get("/organismes?framework=quali-hlm&standing=holds");
    assert_eq!(names(&holders), ["Office Alpha", "Office Epsilon"]);
    let suspended = admin.get("/organismes?framework=quali-hlm&standing=suspended");
    assert_eq!(names(&suspended), ["Office Epsilon"]);
    let none = admin.get("/organismes?framework=quali-hlm&standing=none");
    assert_eq!(names(&none), ["SEM Delta"]);
    let lapsed = admin.get("/organismes?framework=quali-hlm&standing=lapsed");
    assert_eq!(names(&lapsed), ["Coop Gamma"]);
    let engaged_in_ara = admin.get("/organismes?framework=quali-hlm&standing=engaged&region=84");
    assert_eq!(names(&engaged_in_ara), ["ESH Beta"]);
    assert!(
        engaged_in_ara.body.contains("value=\"engaged\" selected"),
        "the filter shows"
    );
    let (_, api_list) = app.api_call(
        "GET",
        "/api/v1/organisations?framework=qualibail-iv&standing=holding",
        Some(&token),
        None,
    );
    assert_eq!(api_list["total"], 1);
    assert_eq!(api_list["items"][0]["name"], "SEM Delta");

    // The tables go out as CSV and XLSX.
    let csv = admin.get("/federation/tableau-de-bord.csv?table=regions");
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("deploiement-regions.csv")
    );
    assert!(csv.body.contains("Auvergne-Rhône-Alpes;"), "{}", csv.body);
    assert!(
        csv.body.contains(";50;"),
        "the rate as a number: {}",
        csv.body
    );
    let frameworks_csv = admin.get("/federation/tableau-de-bord.csv");
    assert!(
        frameworks_csv
            .body
            .lines()
            .any(|l| l.contains("Quali’Hlm") && l.contains(";1;0;1;1;1;1;2;40;30000;")),
        "{}",
        frameworks_csv.body
    );
    assert_eq!(
        admin
            .get("/federation/tableau-de-bord.csv?table=secret")
            .status,
        404
    );
    let xlsx = admin.get("/federation/tableau-de-bord.xlsx");
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.bytes.starts_with(b"PK"));
}

#[test]
fn a_regional_user_sees_only_their_region_and_others_see_no_dashboard() {
    let Federation {
        app,
        alpha,
        beta,
        epsilon,
        ..
    } = federation();
    let regional = app.login_as(Role::Federation, None, Some("84"));
    let page = regional.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Déploiement des engagements qualité"),
        "their home is the dashboard"
    );
    assert!(page.body.contains("en Auvergne-Rhône-Alpes : 2 organismes"));
    // Asking for another region changes nothing.
    let other = regional.get("/federation?region=11");
    assert!(
        other
            .body
            .contains("en Auvergne-Rhône-Alpes : 2 organismes")
    );
    assert!(!other.body.contains("Île-de-France : 100,0 %"));
    let csv = regional.get("/federation/tableau-de-bord.csv?table=regions&region=11");
    assert!(!csv.body.contains("Île-de-France"), "{}", csv.body);
    let list = regional.get("/organismes?framework=quali-hlm&standing=holds");
    assert_eq!(names(&list), ["Office Alpha"]);
    assert_eq!(regional.get(&format!("/organismes/{epsilon}")).status, 404);
    assert_eq!(regional.get(&format!("/organismes/{beta}")).status, 200);

    let manager = app.login_as(Role::QualityManager, Some(&alpha), None);
    assert_eq!(manager.get("/federation").status, 403);
    assert_eq!(manager.get("/federation/tableau-de-bord.xlsx").status, 403);
    let token = manager.create_api_token("rq");
    let (status, _) = app.api_call("GET", "/api/v1/federation/dashboard", Some(&token), None);
    assert_eq!(status, 403);
    let anonymous = app.client();
    let redirected = anonymous.get("/federation");
    assert_eq!(redirected.status, 303);
}

#[test]
fn an_open_major_nonconformity_shows_until_its_action_is_judged_effective() {
    let Setup {
        app,
        org,
        auditor_email,
        audit,
        ..
    } = setup_with("qualibail-iv", "step:suivi-1");
    let auditor = sign_in(&app, &auditor_email);
    let saved = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.2"),
        &[
            ("grade_code", "nc-majeure"),
            ("finding", "Aucun suivi des réclamations écrites."),
            ("version", "0"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let federation = app.login_as(Role::Federation, None, None);
    let token = federation.create_api_token("nc");
    let (_, d) = app.api_call("GET", "/api/v1/federation/dashboard", Some(&token), None);
    assert_eq!(framework(&d, "qualibail-iv")["open_majors"], 1, "{d}");
    assert_eq!(d["majors"][0]["organisation_name"], "Habitat Audité");
    assert_eq!(d["majors"][0]["audit_id"], audit.as_str());
    let page = federation.get("/federation?framework=qualibail-iv");
    assert!(page.body.contains(&format!("/audits/{audit}")));

    // Submitting opens its action: still open until an auditor judges it effective.
    crate::audits::submit_report(&auditor, &audit);
    assert_eq!(app.count("actions"), 1);
    let (_, d) = app.api_call("GET", "/api/v1/federation/dashboard", Some(&token), None);
    assert_eq!(framework(&d, "qualibail-iv")["open_majors"], 1);
    // The auditor judges the action effective: the dashboard sees it at once.
    let judge = auditor.create_api_token("verification");
    let (_, plan) = app.api_call(
        "GET",
        &format!("/api/v1/actions?organisation={org}"),
        Some(&judge),
        None,
    );
    let action = &plan["items"][0];
    let (status, judged) = app.api_call(
        "PUT",
        &format!("/api/v1/actions/{}", action["id"].as_str().unwrap()),
        Some(&judge),
        Some(serde_json::json!({
            "correction": "Relance des réclamations en attente",
            "root_cause": "Aucun registre des réclamations écrites",
            "corrective_action": "Registre et revue hebdomadaire",
            "owner": "Responsable qualité",
            "due_date": action["due_date"],
            "status": "effective",
            "note": "Registre vérifié",
            "version": action["version"],
        })),
    );
    assert_eq!(status, 200, "{judged}");
    let (_, d) = app.api_call("GET", "/api/v1/federation/dashboard", Some(&token), None);
    assert_eq!(framework(&d, "qualibail-iv")["open_majors"], 0);
    assert!(d["majors"].as_array().unwrap().is_empty());
}
