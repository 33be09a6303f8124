//! The security matrix: every route of the pages and of the API, tried by every kind of user
//! against one small world, with the answer DESIGN.md's roles table calls for. A route added
//! to `src/web/mod.rs` or `src/api/mod.rs` without a line here fails
//! `every_route_is_in_the_matrix`.
//! Also: CSRF on every form, security headers, and error pages that leak nothing.

use std::collections::BTreeSet;

use qualitrack::domain::Role;

use crate::audits::{Setup, htmx_post, setup, sign_in, user_id};
use crate::helpers::{Client, Resp, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// The actors, in the order of the expectation columns of `ROUTES`.
const ACTORS: [&str; 9] = [
    "anonymous",
    "admin",
    "federation (national)",
    "federation of B's region",
    "quality manager of A",
    "observer of A",
    "auditor of A's audit",
    "quality manager of B",
    "auditor not assigned",
];

/// How a route is called.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// A page or a file (GET).
    Get,
    /// A form posted with the session's CSRF token, a version and nothing else of use.
    Post,
    /// A `multipart/form-data` form with the CSRF token and an empty file.
    Upload,
    /// An API read with the actor's bearer token.
    ApiGet,
    /// An API write with the actor's token and a body of the right shape (`{}` or close).
    ApiPost,
    ApiPut,
    /// An API upload with no file.
    ApiUpload,
}

use Call::{ApiGet, ApiPost, ApiPut, ApiUpload, Get, Post, Upload};

/// One line per route: how it is called, its path (`{…}` filled from the world), and one
/// letter per actor (see `ACTORS`):
/// `O` 200 · `R` 303 elsewhere than the login page · `L` 303 to `/connexion` · `U` 401 ·
/// `F` 403 · `N` 404 (as if it did not exist) · `W` the write is tried (any answer but
/// 401/403/404, a redirection to the login page or a server error: 303, 400, 409, 422…) ·
/// `V` 422, refused on its content before anything else (nothing to confirm, nothing written).
#[rustfmt::skip]
const ROUTES: &[(Call, &str, &str)] = &[
    // Health, assets, signing in and out, language.
    (Get, "/healthz", "OOOOOOOOO"),
    (Get, "/static/{static}", "OOOOOOOOO"),
    (Get, "/", "LOOOOROOO"),
    (Get, "/accessibilite", "OOOOOOOOO"),
    (Get, "/connexion", "ORRRRRRRR"),
    (Post, "/connexion", "WWWWWWWWW"),
    // The code step without a right password first: back to the password.
    (Get, "/connexion/code", "LLLLLLLLL"),
    (Get, "/connexion/oidc/{provider}", "NNNNNNNNN"),
    (Get, "/connexion/oidc/{provider}/retour", "NNNNNNNNN"),
    (Post, "/connexion/code", "LLLLLLLLL"),
    (Post, "/langue", "WWWWWWWWW"),
    // The user's own account and API tokens (a token of A's quality manager).
    (Get, "/compte", "LOOOOOOOO"),
    (Get, "/compte/mot-de-passe", "LOOOOOOOO"),
    (Post, "/compte/mot-de-passe", "LWWWWWWWW"),
    (Post, "/compte/jetons", "LWWWWWWWW"),
    (Post, "/compte/jetons/{token}/revoquer", "LNNNWNNNN"),
    // Another session of A's quality manager; then each closes their other sessions.
    (Post, "/compte/sessions/{session}/fermer", "LNNNWNNNN"),
    (Post, "/compte/sessions/fermer-autres", "LWWWWWWWW"),
    (Get, "/compte/second-facteur", "LOOOOOOOO"),
    (Post, "/compte/second-facteur", "LWWWWWWWW"),
    // Only the administrator of the world has a factor: the others have none to change.
    (Post, "/compte/second-facteur/codes", "LWNNNNNNN"),
    (Post, "/compte/second-facteur/desactiver", "LWNNNNNNN"),
    // Administration.
    (Get, "/admin/utilisateurs", "LOFFFFFFF"),
    (Post, "/admin/utilisateurs", "LWFFFFFFF"),
    (Get, "/admin/utilisateurs/nouveau", "LOFFFFFFF"),
    (Post, "/admin/utilisateurs/{user}/etat", "LWFFFFFFF"),
    (Post, "/admin/utilisateurs/{user}/reinitialiser", "LWFFFFFFF"),
    (Post, "/admin/utilisateurs/{user}/second-facteur", "LWFFFFFFF"),
    (Post, "/admin/parametres/second-facteur", "LWFFFFFFF"),
    (Post, "/admin/identites/{user}/refuser", "LWFFFFFFF"),
    (Get, "/admin/historique", "LOFFFFFFF"),
    (Get, "/admin/historique/export.csv", "LOFFFFFFF"),
    (Get, "/admin/parametres", "LOFFFFFFF"),
    (Post, "/admin/parametres/courriel-test", "LWFFFFFFF"),
    // Organismes and sites.
    (Get, "/organismes", "LOOORRORO"),
    (Get, "/organismes/export.csv", "LOOOOOOOO"),
    (Get, "/organismes/export.xlsx", "LOOOOOOOO"),
    (Get, "/organismes/export.ods", "LOOOOOOOO"),
    (Post, "/organismes", "LWFFFFFFF"),
    (Get, "/organismes/nouveau", "LOFFFFFFF"),
    (Get, "/organismes/{A}", "LOONOOONN"),
    (Post, "/organismes/{A}", "LWFNWFFNN"),
    (Get, "/organismes/{A}/modifier", "LOFNOFFNN"),
    (Get, "/organismes/{A}/historique", "LOONOFONN"),
    (Get, "/organismes/{A}/vue-publique", "LOONOOONN"),
    (Post, "/organismes/{A}/sites", "LWFNWFFNN"),
    (Get, "/organismes/{A}/sites/nouveau", "LOFNOFFNN"),
    (Get, "/sites/{site}", "LOONOOONN"),
    (Post, "/sites/{site}", "LWFNWFFNN"),
    (Get, "/sites/{site}/modifier", "LOFNOFFNN"),
    // Frameworks and A's charter.
    (Post, "/organismes/{A}/charte", "LWFNWFFNN"),
    (Get, "/referentiels", "LOOOOOOOO"),
    (Get, "/referentiels/importer", "LOOOFFFFF"),
    (Upload, "/referentiels/importer", "LWWWFFFFF"),
    (Get, "/referentiels/{framework}", "LOOOOOOOO"),
    (Get, "/referentiels/{framework}/source", "LOOOOOOOO"),
    (Get, "/referentiels/{charter}/modifier", "LOFNOFNNN"),
    (Post, "/referentiels/{charter}/modifier", "LWFNWFNNN"),
    // Commitments, audits, evidence, actions.
    (Post, "/organismes/{A}/engagements", "LWFNWFFNN"),
    (Get, "/organismes/{A}/engagements/nouveau", "LOFNOFFNN"),
    (Get, "/engagements/{commitment}", "LOONOOONN"),
    (Post, "/engagements/{commitment}/transition", "LWFNWFFNN"),
    (Post, "/engagements/{commitment}/audits", "LWFNWFFNN"),
    (Get, "/engagements/{commitment}/audits/nouveau", "LOFNOFFNN"),
    (Post, "/engagements/{commitment}/planification", "LWFNWFFNN"),
    (Get, "/organismes/{A}/actions", "LOONOFONN"),
    (Post, "/organismes/{A}/actions", "LWFNWFFNN"),
    (Get, "/organismes/{A}/actions/nouvelle", "LOFNOFFNN"),
    (Get, "/organismes/{A}/actions/export.csv", "LOONOFONN"),
    (Get, "/organismes/{A}/actions/export.xlsx", "LOONOFONN"),
    (Get, "/organismes/{A}/actions/export.ods", "LOONOFONN"),
    (Post, "/organismes/{A}/rattachement", "LWFFFFFFF"),
    (Get, "/organismes/{A}/preuves", "LOONOFONN"),
    (Upload, "/organismes/{A}/preuves", "LWFNWFWNN"),
    (Get, "/preuves/{evidence}", "LOONOFONN"),
    (Post, "/preuves/{evidence}", "LWFNWFFNN"),
    (Upload, "/preuves/{evidence}/revisions", "LWFNWFFNN"),
    (Get, "/preuves/fichiers/{file}", "LOONOFONN"),
    (Get, "/actions/{action}", "LOONOFONN"),
    (Post, "/actions/{action}", "LWFNWFWNN"),
    (Get, "/audits/{audit}", "LOONOOONN"),
    (Post, "/audits/{audit}/etat", "LWFNFFWNN"),
    (Post, "/audits/{audit}/decision", "LWFNFFWNN"),
    (Get, "/audits/{audit}/comparaison", "LOONOFONN"),
    (Get, "/audits/{audit}/constats", "LOONOFONN"),
    (Get, "/audits/{audit}/constats/{ref}", "LRRNRFRNN"),
    (Post, "/audits/{audit}/constats/{ref}", "LWFNFFWNN"),
    (Upload, "/audits/{audit}/constats/{ref}/photos", "LWFNFFWNN"),
    (Get, "/audits/{audit}/autoevaluation", "LOONOFONN"),
    (Post, "/audits/{audit}/autoevaluation/{ref}", "LWFNWFFNN"),
    (Get, "/audits/{audit}/soumettre", "LOFNFFONN"),
    (Post, "/audits/{audit}/soumettre", "LWFNFFWNN"),
    (Get, "/audits/{audit}/rapport.pdf", "LOONOFONN"),
    (Get, "/audits/{audit}/rapport.odt", "LOONOFONN"),
    (Get, "/audits/{audit}/rapport.docx", "LOONOFONN"),
    (Get, "/verify/{fingerprint}", "OOOOOOOOO"),
    // The calendar, its exports and feeds (a feed of A's quality manager).
    (Get, "/calendrier", "LOOOOOOOO"),
    (Get, "/calendrier/export.csv", "LOOOOOOOO"),
    (Get, "/calendrier/export.xlsx", "LOOOOOOOO"),
    (Get, "/calendrier/export.ods", "LOOOOOOOO"),
    (Get, "/calendrier/export.pdf", "LOOOOOOOO"),
    (Post, "/calendrier/abonnements", "LWWWWWWWW"),
    (Post, "/calendrier/abonnements/{feed}/revoquer", "LNNNWNNNN"),
    (Get, "/ics/{ics}", "OOOOOOOOO"),
    // Federation views.
    (Get, "/federation", "LOOOFFFFF"),
    (Get, "/federation/synthese.pdf", "LOOOFFFFF"),
    (Get, "/federation/renouvellements", "LOOOFFFFF"),
    (Get, "/federation/indicateurs", "LOOOFFFFF"),
    (Get, "/federation/tableau-de-bord.csv", "LOOOFFFFF"),
    (Get, "/federation/tableau-de-bord.xlsx", "LOOOFFFFF"),
    (Get, "/federation/tableau-de-bord.ods", "LOOOFFFFF"),
    // Surveys and indicators.
    (Get, "/organismes/{A}/enquetes", "LOONOOONN"),
    (Post, "/organismes/{A}/enquetes", "LWFNWFFNN"),
    (Get, "/enquetes/{wave}", "LOONOOONN"),
    (Post, "/enquetes/{wave}/resultats", "LWFNWFFNN"),
    (Upload, "/enquetes/{wave}/import", "LWFNWFFNN"),
    (Get, "/organismes/{A}/indicateurs", "LOONOOONN"),
    (Get, "/organismes/{A}/indicateurs/{indicator}", "LOONOOONN"),
    (Post, "/organismes/{A}/indicateurs/{indicator}/cible", "LWFNWFFNN"),
    (Get, "/organismes/{A}/indicateurs/saisie", "LOFNOFFNN"),
    (Post, "/organismes/{A}/indicateurs/saisie", "LWFNWFFNN"),
    (Get, "/organismes/{A}/indicateurs/import", "LOFNOFFNN"),
    (Upload, "/organismes/{A}/indicateurs/import", "LWFNWFFNN"),
    (Post, "/organismes/{A}/indicateurs/import/confirmer", "LWVVWVVVV"),
    (Get, "/organismes/{A}/indicateurs/propres/nouveau", "LOFNOFFNN"),
    (Post, "/organismes/{A}/indicateurs/propres", "LWFNWFFNN"),
    (Get, "/organismes/{A}/indicateurs/propres/{own}", "LOFNOFFNN"),
    (Post, "/organismes/{A}/indicateurs/propres/{own}", "LWFNWFFNN"),
    (Get, "/organismes/{A}/indicateurs/modele.csv", "LOFNOFFNN"),
    // The API.
    (Get, "/sw.js", "OOOOOOOOO"),
    (Get, "/manifest.webmanifest", "OOOOOOOOO"),
    (Get, "/api/v1/openapi.json", "OOOOOOOOO"),
    (Get, "/api/docs", "OOOOOOOOO"),
    (ApiGet, "/api/v1/me", "UOOOOOOOO"),
    (ApiGet, "/api/v1/organisations", "UOOOOOOOO"),
    (ApiPost, "/api/v1/organisations", "UWFFFFFFF"),
    (ApiGet, "/api/v1/organisations/{A}", "UOONOOONN"),
    (ApiPut, "/api/v1/organisations/{A}", "UWFNWFFNN"),
    (ApiGet, "/api/v1/organisations/{A}/sites", "UOONOOONN"),
    (ApiPost, "/api/v1/organisations/{A}/sites", "UWFNWFFNN"),
    (ApiGet, "/api/v1/organisations/{A}/sites/{site}", "UOONOOONN"),
    (ApiPut, "/api/v1/organisations/{A}/sites/{site}", "UWFNWFFNN"),
    (ApiGet, "/api/v1/frameworks", "UOOOOOOOO"),
    (ApiGet, "/api/v1/frameworks/{framework}", "UOOOOOOOO"),
    (ApiGet, "/api/v1/commitments", "UOOOOOOOO"),
    (ApiPost, "/api/v1/commitments", "UWFNWFFNN"),
    (ApiGet, "/api/v1/commitments/{commitment}", "UOONOOONN"),
    (ApiPost, "/api/v1/commitments/{commitment}/transitions", "UWFNWFFNN"),
    (ApiGet, "/api/v1/commitments/{commitment}/schedule", "UOONOOONN"),
    (ApiGet, "/api/v1/audits", "UOOOOOOOO"),
    (ApiGet, "/api/v1/audits/{audit}", "UOONOOONN"),
    (ApiGet, "/api/v1/audits/{audit}/findings", "UOONOFONN"),
    (ApiPut, "/api/v1/audits/{audit}/findings/{ref}", "UWFNFFWNN"),
    (ApiGet, "/api/v1/audits/{audit}/report.pdf", "UOONOFONN"),
    (ApiGet, "/api/v1/audits/{audit}/report.odt", "UOONOFONN"),
    (ApiGet, "/api/v1/audits/{audit}/report.docx", "UOONOFONN"),
    (ApiGet, "/api/v1/organisations/{A}/evidence", "UOONOFONN"),
    (ApiUpload, "/api/v1/organisations/{A}/evidence", "UWFNWFWNN"),
    (ApiGet, "/api/v1/evidence/{evidence}", "UOONOFONN"),
    (ApiGet, "/api/v1/evidence/files/{file}", "UOONOFONN"),
    (ApiGet, "/api/v1/actions?organisation={A}", "UOONOFONN"),
    (ApiGet, "/api/v1/actions/{action}", "UOONOFONN"),
    (ApiPut, "/api/v1/actions/{action}", "UWFNWFWNN"),
    (ApiPost, "/api/v1/actions", "UWFNWFFNN"),
    (ApiGet, "/api/v1/indicators?organisation={A}", "UOONOOONN"),
    (ApiGet, "/api/v1/indicators/{indicator}/benchmark", "UOOOOOOOO"),
    (ApiGet, "/api/v1/indicator-values?organisation={A}", "UOONOOONN"),
    (ApiPost, "/api/v1/indicator-values", "UWFNWFFNN"),
    (ApiGet, "/api/v1/surveys?organisation={A}", "UOONOOONN"),
    (ApiGet, "/api/v1/federation/dashboard", "UOOOFFFFF"),
    // Last, as it ends the sessions.
    (Post, "/deconnexion", "LLLLLLLLL"),
];

/// The small world every actor is tried against: organisme A with all it can hold, organisme
/// B in another region, and one browser and one API token per actor.
struct World {
    app: TestApp,
    ids: Vec<(&'static str, String)>,
    /// One browser per actor (the anonymous one is never signed in).
    browsers: Vec<Client>,
    /// One API token per actor (none for the anonymous one).
    tokens: Vec<Option<String>>,
}

fn link(body: &str, prefix: &str) -> String {
    body.split(prefix)
        .nth(1)
        .unwrap_or_else(|| panic!("a link {prefix}… in {body}"))
        .split(['"', '/', '?', '<', ' ', '\n'])
        .next()
        .unwrap()
        .to_owned()
}

fn created(response: &Resp, prefix: &str) -> String {
    assert_eq!(response.status, 303, "{}", response.body);
    response
        .location
        .as_deref()
        .unwrap()
        .trim_start_matches(prefix)
        .to_owned()
}

#[expect(
    clippy::too_many_lines,
    reason = "the world is built in the order a user would build it"
)]
fn world() -> World {
    let Setup {
        app,
        org,
        commitment,
        manager,
        auditor_email,
        audit,
    } = setup();
    let other = app.create_organisation("Habitat Voisin", 32, "53");
    let added = manager.post_form(
        &format!("/organismes/{org}/sites"),
        &[
            ("name", "Résidence des Tilleuls"),
            ("kind", "residence"),
            ("address", "1 rue Haute"),
            ("postal_code", "75011"),
            ("commune", "Paris"),
            ("homes", "120"),
        ],
    );
    assert_eq!(added.status, 303, "{}", added.body);
    let site = link(
        &manager.get(&format!("/organismes/{org}")).body,
        "href=\"/sites/",
    );
    let uploaded = manager.upload_with(
        &format!("/organismes/{org}/preuves"),
        &[],
        &[("procedure.pdf", PDF)],
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let library = manager.get(&format!("/organismes/{org}/preuves")).body;
    let evidence = link(&library, "href=\"/preuves/");
    let file = link(&library, "href=\"/preuves/fichiers/");
    let saved = manager.post_form(
        &format!("/organismes/{org}/indicateurs/saisie"),
        &[
            ("periode", "03/2025"),
            ("referentiel", "qualibail-iv"),
            ("v:taux-decroche", "80,5"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let own = manager.post_form(
        &format!("/organismes/{org}/indicateurs/propres"),
        &[
            ("code", "courriers-8j"),
            ("name", "Courriers traités sous 8 jours"),
            ("unit", "percent"),
            ("direction", "higher_is_better"),
            ("target", "90"),
            ("frequency", "monthly"),
            ("definition", "Part des courriers traités dans les 8 jours."),
        ],
    );
    assert_eq!(own.status, 303, "{}", own.body);
    let wave = created(
        &manager.post_form(
            &format!("/organismes/{org}/enquetes"),
            &[
                ("title", "Enquête 2025"),
                ("fieldwork_end", "2025-03-31"),
                ("scale", "score10"),
                ("respondents", "1200"),
            ],
        ),
        "/enquetes/",
    );
    let charter = created(
        &manager.post_form(&format!("/organismes/{org}/charte"), &[]),
        "/referentiels/",
    );
    let feed = manager.post_form(
        "/calendrier/abonnements",
        &[("name", "Mon agenda"), ("organisation", &org)],
    );
    assert_eq!(feed.status, 303, "{}", feed.body);
    let calendar = manager.get("/calendrier").body;
    let ics = link(&calendar, "/ics/");
    let feed = link(&calendar, "/calendrier/abonnements/");

    // The auditor finds a nonconformity and submits: an action is opened, a report issued.
    let auditor = sign_in(&app, &auditor_email);
    let graded = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-mineure"),
            ("finding", "Trois demandes hors délai."),
            ("version", "0"),
        ],
    );
    assert_eq!(graded.status, 200, "{}", graded.body);
    crate::audits::submit_report(&auditor, &audit);
    let action = link(
        &manager.get(&format!("/organismes/{org}/actions")).body,
        "href=\"/actions/",
    );
    let report = auditor.get(&format!("/audits/{audit}/rapport.pdf"));
    assert_eq!(report.status, 200);
    let fingerprint = report.header("x-report-fingerprint").unwrap().to_owned();

    let spare = app.create_user(Role::Observer, Some(&org), None);
    let browsers = vec![
        app.client(),
        app.admin(),
        app.login_as(Role::Federation, None, None),
        app.login_as(Role::Federation, None, Some("53")),
        manager,
        app.login_as(Role::Observer, Some(&org), None),
        auditor,
        app.login_as(Role::QualityManager, Some(&other), None),
        app.login_as(Role::Auditor, None, None),
    ];
    let tokens: Vec<Option<String>> = browsers
        .iter()
        .enumerate()
        .map(|(i, b)| (i > 0).then(|| b.create_api_token("Matrice")))
        .collect();
    let token = link(&browsers[4].get("/compte").body, "/compte/jetons/");
    // The quality manager signed in on a second browser: a session of theirs to close.
    let account = browsers[4].get("/compte").body;
    let at = account
        .find("quality-manager-")
        .expect("the manager's address");
    let manager_email = account[at..].split('<').next().unwrap().to_owned();
    let second_browser = app.client();
    assert_eq!(
        second_browser
            .login(&manager_email, crate::helpers::PASSWORD)
            .status,
        303
    );
    let session = link(&browsers[4].get("/compte").body, "/compte/sessions/");
    let ids = vec![
        ("A", org),
        ("site", site),
        ("commitment", commitment),
        ("audit", audit),
        ("evidence", evidence),
        ("file", file),
        ("action", action),
        ("wave", wave),
        ("charter", charter),
        ("framework", app.framework_id("qualibail-iv")),
        ("feed", feed),
        ("ics", ics),
        ("token", token),
        ("session", session),
        ("user", user_id(&app, &spare)),
        ("fingerprint", fingerprint),
        ("ref", "E1.1".to_owned()),
        // No identity provider in this world: its addresses do not exist.
        ("provider", "proconnect".to_owned()),
        ("indicator", "taux-decroche".to_owned()),
        ("own", "courriers-8j".to_owned()),
        ("static", "css/app.css".to_owned()),
    ];
    World {
        app,
        ids,
        browsers,
        tokens,
    }
}

impl World {
    fn path(&self, template: &str) -> String {
        let mut path = template.to_owned();
        for (name, value) in &self.ids {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        assert!(!path.contains('{'), "no value for a segment of {template}");
        path
    }

    /// A body of the right shape for an API write (required fields present, values not).
    fn body(&self, path: &str) -> serde_json::Value {
        if path == "/api/v1/commitments"
            || path == "/api/v1/indicator-values"
            || path == "/api/v1/actions"
        {
            serde_json::json!({ "organisation": self.ids[0].1 })
        } else {
            serde_json::json!({})
        }
    }

    /// The answer `actor` gets: (status, where it redirects).
    fn call(&self, call: Call, path: &str, actor: usize) -> (u16, Option<String>) {
        let browser = &self.browsers[actor];
        let token = self.tokens[actor].as_deref();
        let (status, location) = match call {
            Get => {
                let r = browser.get(path);
                (r.status, r.location)
            }
            Post => {
                let r = browser.post_form(path, &[("version", "1"), ("disabled", "")]);
                (r.status, r.location)
            }
            Upload => {
                let r = browser.upload_with(path, &[], &[("vide.txt", b"")]);
                (r.status, r.location)
            }
            ApiGet => {
                let r = match token {
                    Some(token) => self.app.api_raw(path, token),
                    None => browser.get(path),
                };
                (r.status, None)
            }
            ApiPost | ApiPut => {
                let method = if call == ApiPost { "POST" } else { "PUT" };
                let body = Some(self.body(path));
                (self.app.api_call(method, path, token, body).0, None)
            }
            ApiUpload => (
                self.app
                    .api_upload(path, token.unwrap_or_default(), &[], &[])
                    .0,
                None,
            ),
        };
        (status, location)
    }
}

fn meets(expected: u8, (status, location): &(u16, Option<String>)) -> bool {
    let to_login = *status == 303
        && location
            .as_deref()
            .is_some_and(|l| l.starts_with("/connexion"));
    match expected {
        b'O' => *status == 200,
        b'R' => *status == 303 && !to_login,
        b'L' => to_login,
        b'U' => *status == 401,
        b'F' => *status == 403,
        b'N' => *status == 404,
        b'V' => *status == 422,
        b'W' => !matches!(status, 401 | 403 | 404) && *status < 500 && !to_login,
        _ => panic!("unknown expectation {}", char::from(expected)),
    }
}

#[test]
fn every_actor_gets_what_the_roles_table_allows_on_every_route() {
    let world = world();
    // Reads first, then API writes, then forms: a form may revoke a feed or end a session.
    let order = |call: Call| match call {
        Get | ApiGet => 0,
        ApiPost | ApiPut | ApiUpload => 1,
        Post | Upload => 2,
    };
    let mut routes: Vec<_> = ROUTES.iter().collect();
    routes.sort_by_key(|(call, _, _)| order(*call));
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (call, template, expected) in routes {
        assert_eq!(expected.len(), ACTORS.len(), "{template}");
        let path = world.path(template);
        for (actor, want) in expected.bytes().enumerate() {
            let got = world.call(*call, &path, actor);
            checked += 1;
            if !meets(want, &got) {
                wrong.push(format!(
                    "{template}: {} expected {} got {} {:?}",
                    ACTORS[actor],
                    char::from(want),
                    got.0,
                    got.1
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{checked} checked:\n{}", wrong.join("\n"));
}

/// The links of a page that stay on the site (`href="/…"`), without their fragment.
fn links_of(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| href.split('#').next().unwrap_or(href).replace("&amp;", "&"))
        .collect()
}

/// A link's shape: ids and numbers replaced, so that one of many similar pages is enough.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .map(|segment| {
            if segment.len() >= 9 && segment.chars().any(|c| c.is_ascii_digit()) {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every page an actor can reach by following links from the home page, breadth first: none
/// of its links may lead to a refusal (403) or a server error (a button offered to someone
/// who may not use it is a rule forgotten in a template), and none shows a message missing
/// from the catalogues.
#[test]
fn no_page_offers_a_link_its_reader_may_not_follow() {
    let world = world();
    let mut wrong = Vec::new();
    let mut visited = 0;
    for (actor, name) in ACTORS.iter().enumerate().skip(1) {
        let browser = &world.browsers[actor];
        let mut seen = BTreeSet::new();
        let mut queue = std::collections::VecDeque::from([("/".to_owned(), "/".to_owned())]);
        while let Some((path, from)) = queue.pop_front() {
            if !seen.insert(shape(&path)) || seen.len() > 60 {
                continue;
            }
            let mut response = browser.get(&path);
            if response.status == 303
                && let Some(location) = response.location.clone()
                && location.starts_with('/')
            {
                response = browser.get(&location);
            }
            visited += 1;
            if response.status == 403 || response.status >= 500 {
                wrong.push(format!(
                    "{name}: {path} (linked from {from}) answered {}",
                    response.status
                ));
                continue;
            }
            let html = response
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html"));
            if !html {
                continue;
            }
            // Every word on a page comes from the catalogues, in the reader's language.
            if let Some(at) = response.body.find("Unknown localization key") {
                let end = (at + 80).min(response.body.len());
                wrong.push(format!(
                    "{name}: {path} shows {}",
                    response.body.get(at..end).unwrap_or_default()
                ));
            }
            for link in links_of(&response.body) {
                // Signing out ends the session the crawl runs in; files and feeds are not pages.
                if link.starts_with("/deconnexion")
                    || link.starts_with("/static/")
                    || link.starts_with("/ics/")
                {
                    continue;
                }
                queue.push_back((link, path.clone()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{visited} pages visited:\n{}",
        wrong.join("\n")
    );
}

/// `(method, path)` of every `.route("…", …)` of a routing file, and of every API address
/// (`at("…", …).route(…)…`), `{…}` segments as `{}`.
fn declared_routes(source: &str) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (at, _) in source.match_indices("at(") {
        let before = source[..at].chars().next_back().unwrap_or(' ');
        if before.is_alphanumeric() || before == '_' {
            continue;
        }
        let Some(rest) = source[at + 3..].trim_start().strip_prefix('"') else {
            continue;
        };
        let (path, chunk) = rest.split_once('"').unwrap();
        let statement = chunk.split(");").next().unwrap();
        for (needle, method) in [
            ("read()", "GET"),
            ("web::post()", "POST"),
            ("web::put()", "PUT"),
        ] {
            if statement.contains(needle) {
                routes.insert((method.to_owned(), normalise(path)));
            }
        }
    }
    for chunk in source.split("route(").skip(1) {
        let Some(rest) = chunk.trim_start().strip_prefix('"') else {
            continue;
        };
        let path = rest.split('"').next().unwrap();
        let (_, method) = ["read()", "web::get()", "web::post()", "web::put()"]
            .into_iter()
            .filter_map(|m| rest.find(m).map(|at| (at, m)))
            .min()
            .unwrap_or_else(|| panic!("no method for {path}"));
        let method = match method {
            "read()" | "web::get()" => "GET",
            "web::post()" => "POST",
            _ => "PUT",
        };
        routes.insert((method.to_owned(), normalise(path)));
    }
    routes
}

fn normalise(path: &str) -> String {
    path.split('?')
        .next()
        .unwrap()
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_route_is_in_the_matrix() {
    let mut declared = declared_routes(include_str!("../../src/web/mod.rs"));
    declared.extend(declared_routes(include_str!("../../src/api/mod.rs")));
    assert!(declared.len() > 100, "routes parsed: {}", declared.len());
    let tabled: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(call, path, _)| {
            let method = match call {
                Get | ApiGet => "GET",
                Post | Upload | ApiPost | ApiUpload => "POST",
                ApiPut => "PUT",
            };
            (method.to_owned(), normalise(path))
        })
        .collect();
    let missing: Vec<_> = declared.difference(&tabled).collect();
    assert!(missing.is_empty(), "routes not in the matrix: {missing:?}");
    let stale: Vec<_> = tabled.difference(&declared).collect();
    assert!(stale.is_empty(), "matrix lines with no route: {stale:?}");
}

#[test]
fn no_form_is_accepted_without_its_csrf_token() {
    let world = world();
    let admin = &world.browsers[1];
    let counts = || {
        [
            "history",
            "evidence_files",
            "api_tokens",
            "calendar_feeds",
            "users",
        ]
        .map(|table| world.app.count(table))
    };
    let before = counts();
    let mut wrong = Vec::new();
    for (_, template, _) in ROUTES.iter().filter(|(c, _, _)| matches!(c, Post | Upload)) {
        let path = world.path(template);
        // The administrator may do everything: only the missing token stops the form.
        let fields = [("version", "1"), ("disabled", ""), ("name", "Sans jeton")];
        let refused = admin.post_raw(&path, &fields, None);
        if refused.status != 403 {
            wrong.push(format!("{path}: {}", refused.status));
        }
    }
    assert!(
        wrong.is_empty(),
        "forms accepted without a token: {wrong:?}"
    );
    assert_eq!(counts(), before, "nothing written");
}

#[test]
fn pages_api_answers_and_static_files_carry_the_security_headers() {
    let world = world();
    let admin = &world.browsers[1];
    let token = world.tokens[1].as_deref().unwrap();
    let audit = world.path("/audits/{audit}");
    for (what, response) in [
        ("page", admin.get(&audit)),
        ("API answer", world.app.api_raw("/api/v1/me", token)),
        ("API error", world.app.api_raw("/api/v1/me", "faux")),
        ("static file", admin.get("/static/css/app.css")),
        (
            "evidence file",
            admin.get(&world.path("/preuves/fichiers/{file}")),
        ),
    ] {
        let csp = response
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("CSP on the {what}"));
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert!(response.header("referrer-policy").is_some(), "{what}");
    }
}

/// What must never reach a user: where the code lives, what it runs on, how it failed.
fn leaks(body: &str) -> Vec<&'static str> {
    [
        "/src/",
        ".rs:",
        "/home/",
        "/work/",
        "/tmp/",
        "diesel",
        "Diesel",
        "panicked",
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        " WHERE ",
        "sqlite",
        "SQLite",
        "syntax error",
        "backtrace",
    ]
    .into_iter()
    .filter(|needle| body.contains(needle))
    .collect()
}

#[test]
fn errors_tell_the_user_what_is_wrong_and_nothing_about_the_insides() {
    let world = world();
    let app = &world.app;
    let manager = &world.browsers[4];
    let token = world.tokens[4].as_deref().unwrap();
    let org = world.path("{A}");
    let (status, unknown) =
        app.api_call("GET", "/api/v1/organisations/pas-un-id", Some(token), None);
    assert_eq!(status, 404);
    let (status, invalid) = app.api_call(
        "PUT",
        &format!("/api/v1/organisations/{org}"),
        Some(token),
        Some(serde_json::json!({"name": "", "siren": "123", "homes": -1, "version": 1})),
    );
    assert_eq!(status, 422);
    let (status, malformed) = app.api_call(
        "POST",
        "/api/v1/indicator-values",
        Some(token),
        Some(serde_json::json!({"organisation": org, "values": "pas une liste"})),
    );
    assert_eq!(status, 400);
    let answers = [
        (
            "404 page",
            manager.get("/organismes/01a00000-0000-7000-8000-000000000000"),
        ),
        ("404 id", manager.get("/audits/pas-un-id")),
        ("404 route", manager.get("/nulle-part/../../etc/passwd")),
        (
            "422 page",
            manager.post_form(
                &format!("/organismes/{org}/sites"),
                &[("name", ""), ("postal_code", "abc"), ("homes", "-1")],
            ),
        ),
        (
            "422 upload",
            manager.upload_with(
                &format!("/organismes/{org}/preuves"),
                &[],
                &[("x.exe", b"MZ\x90\x00")],
            ),
        ),
    ];
    for (what, response) in &answers {
        assert!(
            matches!(response.status, 404 | 422),
            "{what}: {}",
            response.status
        );
        assert!(
            leaks(&response.body).is_empty(),
            "{what} leaks {:?}",
            leaks(&response.body)
        );
    }
    for (what, body) in [
        ("API 404", unknown),
        ("API 422", invalid),
        ("API 400", malformed),
    ] {
        assert!(body["error"].is_string(), "{what}: {body}");
        let text = body.to_string();
        assert!(
            leaks(&text).is_empty(),
            "{what} leaks {:?}: {text}",
            leaks(&text)
        );
    }
}
