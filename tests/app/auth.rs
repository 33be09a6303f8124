//! Signing in and out, first login, throttling, CSRF, sessions and security headers.

use qualitrack::domain::Role;

use crate::helpers::{PASSWORD, spawn_app};

#[test]
fn healthz_reports_status_version_and_database() {
    let app = spawn_app();
    let response = app.client().get("/healthz");
    assert_eq!(response.status, 200);
    let body = response.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    let expected = if std::env::var("QUALITRACK_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[test]
fn anonymous_visitors_are_sent_to_the_login_page_in_their_language() {
    let app = spawn_app();
    let client = app.client();
    let home = client.get("/organismes?q=x");
    assert_eq!(home.status, 303);
    assert_eq!(
        home.location.as_deref(),
        Some("/connexion?suivant=%2Forganismes%3Fq%3Dx")
    );
    let page = client.get("/connexion");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"fr\">"));
    assert!(page.body.contains("Adresse e-mail"));
    let english = app
        .client()
        .get_with("/connexion", ("Accept-Language", "en-GB,en;q=0.9"));
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("E-mail address"));
}

#[test]
fn the_first_administrator_must_change_the_one_time_password() {
    let app = spawn_app();
    let client = app.client();
    let login = client.login("admin@qualitrack.local", &app.admin_password);
    assert_eq!(login.status, 303);
    assert_eq!(login.location.as_deref(), Some("/compte/mot-de-passe"));
    // Every other page sends the administrator back to the password form.
    let home = client.get("/organismes");
    assert_eq!(home.location.as_deref(), Some("/compte/mot-de-passe"));

    let too_short = client.post_form(
        "/compte/mot-de-passe",
        &[
            ("current_password", &app.admin_password),
            ("new_password", "court"),
            ("confirm_password", "court"),
        ],
    );
    assert_eq!(too_short.status, 422);
    assert!(too_short.body.contains("au moins 12 caractères"));

    let changed = client.post_form(
        "/compte/mot-de-passe",
        &[
            ("current_password", &app.admin_password),
            ("new_password", PASSWORD),
            ("confirm_password", PASSWORD),
        ],
    );
    assert_eq!(changed.status, 303, "{}", changed.body);
    // Then the second factor every administrator has.
    let home = client.get("/");
    assert_eq!(home.location.as_deref(), Some("/compte/second-facteur"));
    let enrol = client.get("/compte/second-facteur");
    assert!(enrol.body.contains("Mot de passe changé."));
    client.enrol("admin@qualitrack.local");
    assert_eq!(client.get("/").status, 200);

    // The one-time password no longer works; the new one does.
    let again = app
        .client()
        .login("admin@qualitrack.local", &app.admin_password);
    assert_eq!(again.status, 422);
    assert_eq!(
        app.client()
            .login("admin@qualitrack.local", PASSWORD)
            .location
            .as_deref(),
        Some("/connexion/code")
    );
}

#[test]
fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app();
    let email = app.create_user(Role::Auditor, None, None);
    let wrong_password = app.client().login(&email, "pas le bon mot de passe");
    let unknown_email = app
        .client()
        .login("personne@exemple.fr", "pas le bon mot de passe");
    assert_eq!(wrong_password.status, 422);
    assert_eq!(unknown_email.status, 422);
    let message = "Adresse e-mail ou mot de passe incorrect.";
    assert!(wrong_password.body.contains(message));
    assert!(unknown_email.body.contains(message));
}

#[test]
fn repeated_failures_lock_the_account_for_a_while() {
    let app = spawn_app();
    let email = app.create_user(Role::Auditor, None, None);
    for _ in 0..5 {
        assert_eq!(
            app.client().login(&email, "mauvais mot de passe").status,
            422
        );
    }
    // Even the right password is refused while the account is locked.
    let locked = app.client().login(&email, PASSWORD);
    assert_eq!(locked.status, 429);
    assert!(locked.body.contains("Trop de tentatives de connexion"));
    assert!(locked.header("retry-after").is_some());
    // Another account from the same address is not locked yet.
    let other = app.create_user(Role::Auditor, None, None);
    assert_eq!(app.client().login(&other, PASSWORD).status, 303);
}

#[test]
fn logout_ends_the_session() {
    let app = spawn_app();
    let client = app.admin();
    assert_eq!(client.get("/").status, 200);
    let out = client.post_form("/deconnexion", &[]);
    assert_eq!(out.location.as_deref(), Some("/connexion"));
    assert_eq!(client.get("/").status, 303);
    assert!(
        client
            .get("/connexion")
            .body
            .contains("Vous êtes déconnecté.")
    );
}

#[test]
fn forms_without_the_csrf_token_or_from_another_site_are_refused() {
    let app = spawn_app();
    let client = app.admin();
    let before = app.count("organisations");
    let fields = [
        ("name", "Habitat Pirate"),
        ("siren", "732829320"),
        ("family", "oph"),
        ("region", "11"),
        ("homes", "10"),
    ];
    let missing = client.post_raw("/organismes", &fields, None);
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("Le formulaire a expiré"));

    let token = client.csrf_token();
    let mut with_token = vec![("csrf_token", token.as_str())];
    with_token.extend_from_slice(&fields);
    let foreign = client.post_raw(
        "/organismes",
        &with_token,
        Some("https://malveillant.example"),
    );
    assert_eq!(foreign.status, 403);
    let wrong = client.post_raw(
        "/organismes",
        &[("csrf_token", "faux"), ("name", "x")],
        None,
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(app.count("organisations"), before);

    // The same form with the token and our own origin goes through.
    let ok = client.post_raw("/organismes", &with_token, Some(&app.base));
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(app.count("organisations"), before + 1);
}

#[test]
fn a_disabled_account_loses_its_session_and_cannot_sign_in() {
    let app = spawn_app();
    let admin = app.admin();
    let email = app.create_user(Role::Auditor, None, None);
    let auditor = app.client();
    assert_eq!(auditor.login(&email, PASSWORD).status, 303);
    assert_eq!(auditor.get("/").status, 200);

    let users = admin.get("/admin/utilisateurs").body;
    let row = users
        .split("<tr>")
        .find(|r| r.contains(&email))
        .expect("user row");
    let action = row
        .split("action=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let version = row
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let disabled = admin.post_form(&action, &[("version", &version), ("disabled", "true")]);
    assert_eq!(disabled.status, 303);

    assert_eq!(auditor.get("/").status, 303);
    assert_eq!(app.client().login(&email, PASSWORD).status, 422);
}

#[test]
fn pages_carry_strict_security_headers_and_safe_cookies() {
    let app = spawn_app();
    let page = app.client().get("/connexion");
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    let cookie = page.header("set-cookie").expect("session cookie");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
}

#[test]
fn login_only_redirects_to_local_pages() {
    let app = spawn_app();
    let email = app.create_user(Role::Auditor, None, None);
    let client = app.client();
    let response = client.post_form(
        "/connexion",
        &[
            ("email", &email),
            ("password", PASSWORD),
            ("suivant", "//malveillant.example/"),
        ],
    );
    assert_eq!(response.location.as_deref(), Some("/"));
    let client = app.client();
    let response = client.post_form(
        "/connexion",
        &[
            ("email", &email),
            ("password", PASSWORD),
            ("suivant", "/compte"),
        ],
    );
    assert_eq!(response.location.as_deref(), Some("/compte"));
}

#[test]
fn the_interface_language_can_be_chosen() {
    let app = spawn_app();
    let client = app.admin();
    let switched = client.post_form("/langue", &[("lang", "en"), ("back", "/compte")]);
    assert_eq!(switched.location.as_deref(), Some("/compte"));
    let page = client.get("/compte");
    assert!(page.body.contains("My account"), "{}", page.body);
    // The choice is kept on the account and follows the user to a new session.
    let history = client.get("/admin/historique").body;
    assert!(history.contains("language chosen"));
}

#[test]
fn unknown_pages_get_a_themed_404() {
    let app = spawn_app();
    let client = app.admin();
    let response = client.get("/nulle-part");
    assert_eq!(response.status, 404);
    assert!(response.body.contains("Page introuvable"));
    assert!(response.body.contains("Retour à l’accueil"));
    let bad_id = client.get("/organismes/pas-un-identifiant");
    assert_eq!(bad_id.status, 404);
}
