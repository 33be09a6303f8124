//! *Mon compte*'s open sessions: each browser signed in is listed with how and when, and the
//! person closes a lost one or every other; a closed session is signed out at its next
//! request, a new password ends the others, an administrator's reset or a disabled account
//! ends them all; two tabs closing one session at once close it once.

use std::sync::Barrier;

use qualitrack::domain::Role;

use crate::helpers::{Client, PASSWORD, TestApp, client_as, spawn_app};

const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const DESKTOP: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

fn signed_in_as(app: &TestApp, email: &str, user_agent: &str) -> Client {
    let client = client_as(&app.base, user_agent);
    let answer = client.login(email, PASSWORD);
    assert_eq!(answer.status, 303, "{}", answer.body);
    client
}

/// The addresses of the *Fermer* buttons on the account page, in the order shown.
fn close_buttons(page: &str) -> Vec<String> {
    page.match_indices("action=\"/compte/sessions/")
        .filter_map(|(at, _)| {
            let path = page[at + 8..].split('"').next()?;
            path.ends_with("/fermer").then(|| path.to_owned())
        })
        .collect()
}

#[test]
fn a_person_sees_where_they_are_signed_in_and_closes_a_lost_phone() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Sûr", 41, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let desk = signed_in_as(&app, &email, DESKTOP);
    let phone = signed_in_as(&app, &email, PHONE);

    let page = desk.get("/compte").body;
    assert!(page.contains("Sessions ouvertes"), "{page}");
    assert!(page.contains("Firefox sur Windows"), "{page}");
    assert!(page.contains("Chrome sur Android"), "{page}");
    assert!(page.contains("Cette session"));
    assert!(page.contains("Mot de passe"));
    // This session is listed first and has no button: signing out is the way.
    assert!(page.find("Firefox sur Windows") < page.find("Chrome sur Android"));
    let buttons = close_buttons(&page);
    assert_eq!(buttons.len(), 1, "{page}");

    assert_eq!(phone.get("/").status, 200, "the phone works until closed");
    let closed = desk.post_form(&buttons[0], &[]);
    assert_eq!(closed.location.as_deref(), Some("/compte#sessions"));
    assert!(desk.get("/compte").body.contains("Session fermée"));
    // The phone's next request signs it out; its cookie still decrypts, its row is closed.
    let refused = phone.get("/");
    assert_eq!(refused.status, 303);
    assert!(
        refused
            .location
            .as_deref()
            .unwrap()
            .starts_with("/connexion"),
        "{:?}",
        refused.location
    );
    assert_eq!(desk.get("/").status, 200, "this session goes on");
    let page = desk.get("/compte").body;
    assert!(!page.contains("Chrome sur Android"), "{page}");
    assert!(page.contains("Aucune autre session n’est ouverte"));

    // Closing it again (a second tab) says so; someone else's session is not found.
    let again = desk.post_form(&buttons[0], &[]);
    assert_eq!(again.status, 303);
    assert!(desk.get("/compte").body.contains("déjà fermée"));
    let stranger = app.login_as(Role::QualityManager, Some(&org), None);
    assert_eq!(stranger.post_form(&buttons[0], &[]).status, 404);
    assert!(crate::second_factor::actions_on(&app, &email).contains(&"close_session".to_owned()));
}

#[test]
fn closing_every_other_session_keeps_this_one() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Sûr", 41, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let others: Vec<Client> = (0..3).map(|_| signed_in_as(&app, &email, PHONE)).collect();
    let here = signed_in_as(&app, &email, DESKTOP);
    assert_eq!(close_buttons(&here.get("/compte").body).len(), 3);
    let closed = here.post_form("/compte/sessions/fermer-autres", &[]);
    assert_eq!(closed.status, 303);
    assert!(
        here.get("/compte")
            .body
            .contains("Autres sessions fermées : 3.")
    );
    for other in &others {
        assert_eq!(other.get("/").status, 303);
    }
    assert_eq!(here.get("/").status, 200);
    assert!(crate::second_factor::actions_on(&app, &email).contains(&"close_sessions".to_owned()));
}

#[test]
fn a_new_password_ends_the_other_sessions_and_a_reset_or_disabling_ends_all() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Sûr", 41, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let other = signed_in_as(&app, &email, PHONE);
    let here = signed_in_as(&app, &email, DESKTOP);
    let changed = here.post_form(
        "/compte/mot-de-passe",
        &[
            ("current_password", PASSWORD),
            ("new_password", "un-autre-mot-de-passe-solide"),
            ("confirm_password", "un-autre-mot-de-passe-solide"),
        ],
    );
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(other.get("/").status, 303);
    let page = here.get("/compte").body;
    assert!(close_buttons(&page).is_empty(), "{page}");

    // An administrator disables the account: its last session is listed nowhere any more.
    let admin = app.admin();
    let id = crate::audits::user_id(&app, &email);
    let reading = id.clone();
    let version = app
        .with_db(move |conn| qualitrack::models::user::get(conn, &reading))
        .version
        .to_string();
    let disabled = admin.post_form(
        &format!("/admin/utilisateurs/{id}/etat"),
        &[("disabled", "true"), ("version", &version)],
    );
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    assert_eq!(here.get("/").status, 303);
    let open = app.with_db(move |conn| {
        qualitrack::models::user_session::list(
            conn,
            &id,
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        )
    });
    assert!(open.is_empty(), "{} sessions left open", open.len());
}

#[test]
fn signing_out_closes_the_session_row() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Sûr", 41, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let phone = signed_in_as(&app, &email, PHONE);
    let desk = signed_in_as(&app, &email, DESKTOP);
    assert_eq!(close_buttons(&desk.get("/compte").body).len(), 1);
    assert_eq!(phone.post_form("/deconnexion", &[]).status, 303);
    assert!(close_buttons(&desk.get("/compte").body).is_empty());
}

#[test]
fn two_tabs_closing_one_session_at_once_close_it_once_and_sign_ins_at_once_each_get_theirs() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Sûr", 41, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let start = Barrier::new(4);
    let phones: Vec<Client> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let client = client_as(&app.base, PHONE);
                    let token = client.csrf_token();
                    start.wait();
                    let answer = client.post_raw(
                        "/connexion",
                        &[
                            ("csrf_token", &token),
                            ("email", &email),
                            ("password", PASSWORD),
                        ],
                        None,
                    );
                    assert_eq!(answer.status, 303, "{}", answer.body);
                    client
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let page = phones[0].get("/compte").body;
    let buttons = close_buttons(&page);
    assert_eq!(buttons.len(), 3, "four sign-ins, four sessions: {page}");

    let token = phones[0].csrf_token();
    let both = Barrier::new(2);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    both.wait();
                    phones[0]
                        .post_raw(&buttons[0], &[("csrf_token", &token)], None)
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses, vec![303, 303]);
    let closings = crate::second_factor::actions_on(&app, &email)
        .into_iter()
        .filter(|a| a == "close_session")
        .count();
    assert_eq!(closings, 1, "closed once, one history line");
    assert_eq!(close_buttons(&phones[0].get("/compte").body).len(), 2);
}
