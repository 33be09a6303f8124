//! The second factor of local accounts, with a clock the tests move: enrolment (a wrong first
//! code refused, recovery codes shown once), sign-in with the app's code (spent once, one
//! step of drift allowed, a stale code refused), recovery codes, throttling, what
//! administrators must do first, roles that require it, and a reset after a lost phone.

use qualitrack::auth::totp::Secret;
use qualitrack::domain::Role;

use crate::factors::{clock, next_code, remember, shown_codes, shown_key};
use crate::helpers::{Client, PASSWORD, TestApp, spawn_app};

/// The actions of an account's history, newest first.
pub(crate) fn actions_on(app: &TestApp, email: &str) -> Vec<String> {
    let id = crate::audits::user_id(app, email);
    app.with_db(move |conn| {
        Ok(
            qualitrack::models::history::for_entity(conn, "user", &id, 50)?
                .into_iter()
                .map(|entry| entry.action)
                .collect(),
        )
    })
}

fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    assert_eq!(client.login(email, PASSWORD).status, 303);
    client
}

/// Signs in with the password and stops at the code page.
fn at_code_page(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    let first = client.login(email, PASSWORD);
    assert_eq!(
        first.location.as_deref(),
        Some("/connexion/code"),
        "{}",
        first.body
    );
    client
}

#[test]
fn an_account_enrols_an_app_then_signs_in_with_its_codes_each_used_once() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Sûr", 41, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let client = signed_in(&app, &email);
    let page = client.get("/compte/second-facteur");
    assert!(page.body.contains("<svg"), "the QR code is drawn");
    let secret: Secret = remember(&app.base, &email, &shown_key(&page.body));
    let wrong = client.post_form("/compte/second-facteur", &[("code", "000000")]);
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("le code est incorrect"),
        "{}",
        wrong.body
    );
    let now = clock(&app.base).unix();
    let enrolled = client.post_form("/compte/second-facteur", &[("code", &secret.code_at(now))]);
    assert_eq!(enrolled.status, 200, "{}", enrolled.body);
    let codes = shown_codes(&enrolled.body);
    assert_eq!(codes.len(), 10, "{}", enrolled.body);
    assert!(
        client
            .get("/compte")
            .body
            .contains("10 code(s) de secours restant(s)")
    );

    // The password alone no longer signs in; the code spent at enrolment is refused.
    let second = at_code_page(&app, &email);
    assert_eq!(
        second.get("/").location.as_deref(),
        Some("/connexion?suivant=%2F")
    );
    let replayed = second.post_form("/connexion/code", &[("code", &secret.code_at(now))]);
    assert_eq!(replayed.status, 422);
    assert!(replayed.body.contains("Code incorrect ou déjà utilisé"));
    let code = next_code(&app.base, &email);
    let done = second.post_form("/connexion/code", &[("code", &code)]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(second.get("/").status, 200);

    // The same code from another device in the same thirty seconds: refused.
    let third = at_code_page(&app, &email);
    assert_eq!(
        third
            .post_form("/connexion/code", &[("code", &code)])
            .status,
        422
    );
    // A phone thirty seconds late is accepted; a code a minute old is not.
    let clock = clock(&app.base);
    clock.advance(120);
    let stale = secret.code_at(clock.unix() - 60);
    assert_eq!(
        third
            .post_form("/connexion/code", &[("code", &stale)])
            .status,
        422
    );
    let late = secret.code_at(clock.unix() - 30);
    assert_eq!(
        third
            .post_form("/connexion/code", &[("code", &late)])
            .status,
        303
    );

    // A recovery code signs in once, and says how many are left.
    let fourth = at_code_page(&app, &email);
    let used = fourth.post_form("/connexion/code", &[("code", &codes[0].to_uppercase())]);
    assert_eq!(used.status, 303, "{}", used.body);
    assert!(fourth.get("/").body.contains("il vous en reste 9"));
    let fifth = at_code_page(&app, &email);
    assert_eq!(
        fifth
            .post_form("/connexion/code", &[("code", &codes[0])])
            .status,
        422
    );
    let actions = actions_on(&app, &email);
    assert!(
        actions.contains(&"second_factor_on".to_owned())
            && actions.contains(&"recovery_code_used".to_owned()),
        "{actions:?}"
    );
}

#[test]
fn wrong_codes_lock_the_second_step_like_wrong_passwords() {
    let app = spawn_app();
    let email = app.create_user(Role::Auditor, None, None);
    signed_in(&app, &email).enrol(&email);
    let client = at_code_page(&app, &email);
    for _ in 0..5 {
        assert_eq!(
            client
                .post_form("/connexion/code", &[("code", "111111")])
                .status,
            422
        );
    }
    let locked = client.post_form(
        "/connexion/code",
        &[("code", &next_code(&app.base, &email))],
    );
    assert_eq!(locked.status, 429, "even the right code waits");
    assert!(locked.header("retry-after").is_some());
    assert!(locked.body.contains("minute"), "{}", locked.body);
}

#[test]
fn an_administrator_sets_up_a_second_factor_before_anything_else() {
    let app = spawn_app();
    let email = app.create_user(Role::Admin, None, None);
    let client = app.client();
    let first = client.login(&email, PASSWORD);
    assert_eq!(first.location.as_deref(), Some("/compte/second-facteur"));
    let elsewhere = client.get("/organismes");
    assert_eq!(
        elsewhere.location.as_deref(),
        Some("/compte/second-facteur")
    );
    let page = client.get("/compte/second-facteur");
    assert!(page.body.contains("Votre rôle exige un second facteur"));
    client.enrol(&email);
    assert_eq!(
        client.get("/organismes").status,
        200,
        "free to go once set up"
    );
    // It cannot be turned off.
    let off = client.post_form(
        "/compte/second-facteur/desactiver",
        &[("code", &next_code(&app.base, &email))],
    );
    assert_eq!(off.status, 422);
    assert!(off.body.contains("votre rôle exige un second facteur"));
}

#[test]
fn roles_chosen_by_an_administrator_must_have_one_and_a_lost_factor_is_reset() {
    let app = spawn_app();
    let admin = app.admin();
    let auditor = app.create_user(Role::Auditor, None, None);
    // Required of auditors, from the settings page; a form read before another
    // administrator's choice is refused.
    let stale = admin.post_form(
        "/admin/parametres/second-facteur",
        &[("seen", ""), ("roles", "auditor")],
    );
    assert_eq!(stale.status, 409);
    let chosen = admin.post_form(
        "/admin/parametres/second-facteur",
        &[("seen", "admin"), ("roles", "auditor")],
    );
    assert_eq!(chosen.status, 303, "{}", chosen.body);
    assert!(
        admin
            .get("/admin/parametres")
            .body
            .contains("id=\"sf-auditor\" name=\"roles\" value=\"auditor\" checked")
    );
    let client = app.client();
    let first = client.login(&auditor, PASSWORD);
    assert_eq!(first.location.as_deref(), Some("/compte/second-facteur"));
    client.enrol(&auditor);

    // The phone is lost: an administrator resets the factor (the list of accounts says who
    // has one), and the auditor sets up a new one at the next sign-in.
    let id = crate::audits::user_id(&app, &auditor);
    let list = admin.get("/admin/utilisateurs");
    assert!(list.body.contains(&format!(
        "action=\"/admin/utilisateurs/{id}/second-facteur\""
    )));
    let reset = admin.post_form(&format!("/admin/utilisateurs/{id}/second-facteur"), &[]);
    assert_eq!(reset.status, 303);
    let again = app.client().login(&auditor, PASSWORD);
    assert_eq!(again.location.as_deref(), Some("/compte/second-facteur"));
    assert!(actions_on(&app, &auditor).contains(&"second_factor_reset".to_owned()));
}

#[test]
fn an_account_whose_role_allows_it_turns_its_factor_off_with_a_current_code() {
    let app = spawn_app();
    let email = app.create_user(Role::Federation, None, None);
    let client = signed_in(&app, &email);
    client.enrol(&email);
    let wrong = client.post_form("/compte/second-facteur/desactiver", &[("code", "123456")]);
    assert_eq!(wrong.status, 422);
    let off = client.post_form(
        "/compte/second-facteur/desactiver",
        &[("code", &next_code(&app.base, &email))],
    );
    assert_eq!(off.status, 303, "{}", off.body);
    assert_eq!(
        app.client().login(&email, PASSWORD).location.as_deref(),
        Some("/")
    );
    assert!(actions_on(&app, &email).contains(&"second_factor_off".to_owned()));
}

#[test]
fn the_command_line_resets_a_factor_when_no_administrator_can() {
    let app = spawn_app();
    let email = app.create_user(Role::Admin, None, None);
    let client = app.client();
    let first = client.login(&email, PASSWORD);
    client.past_second_step(&email, first);
    let reset = crate::cli::qualitrack(
        &app.database_url,
        &app.data_dir,
        &["user", "reset-second-factor", "--email", &email],
        "",
    );
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(String::from_utf8_lossy(&reset.stdout).contains("reset"));
    let again = app.client().login(&email, PASSWORD);
    assert_eq!(
        again.location.as_deref(),
        Some("/compte/second-facteur"),
        "a new one is set up"
    );
    let twice = crate::cli::qualitrack(
        &app.database_url,
        &app.data_dir,
        &["user", "reset-second-factor", "--email", &email],
        "",
    );
    assert!(!twice.status.success(), "nothing left to reset");
}

#[test]
fn one_code_typed_on_two_devices_at_once_signs_in_only_one() {
    let app = spawn_app();
    let email = app.create_user(Role::Auditor, None, None);
    signed_in(&app, &email).enrol(&email);
    let devices = [at_code_page(&app, &email), at_code_page(&app, &email)];
    let code = next_code(&app.base, &email);
    let start = std::sync::Barrier::new(2);
    let mut statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .iter()
            .map(|device| {
                let (start, code) = (&start, &code);
                s.spawn(move || {
                    let token = device.csrf_token();
                    start.wait();
                    device
                        .post_raw(
                            "/connexion/code",
                            &[("csrf_token", &token), ("code", code)],
                            None,
                        )
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    statuses.sort_unstable();
    assert_eq!(statuses, vec![303, 422], "a code is spent once");
}
