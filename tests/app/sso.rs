//! Signing in through a real OpenID Connect provider: panva's certified `oidc-provider`, run
//! with Node beside the application (`tests/oidc-provider`, installed by `.ci/run`). A person
//! whose verified address matches an account enters it; an unverified address never does;
//! an unknown person waits for an administrator, who accepts or refuses them; a provider's
//! answer replayed, or brought to another browser, is refused; signing out ends both
//! sessions. (Forged signatures, wrong nonces and expired tokens are refused by
//! `auth::oidc`'s own tests, which sign tokens of their own.)

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use qualitrack::domain::Role;

use crate::helpers::{Client, PASSWORD, Resp, TestApp, spawn_app_at, test_database};

/// The provider, stopped with the test.
struct Idp {
    child: Child,
    issuer: String,
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// Starts the provider for an application at `base`, with the people it knows by login
/// besides those it makes up from an address (`accounts`), or says why it cannot.
fn start_provider(base: &str, accounts: &serde_json::Value) -> Option<Idp> {
    let dir = provider_dir();
    if !dir.join("node_modules/oidc-provider").exists() {
        let required = std::env::var("QUALITRACK_OIDC_TESTS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "QUALITRACK_OIDC_TESTS=required but the provider is not installed (npm ci --prefix tests/oidc-provider)"
        );
        eprintln!("SKIPPED: no OpenID provider (npm ci --prefix tests/oidc-provider, and Node)");
        return None;
    }
    let mut child = Command::new("node")
        .arg("server.mjs")
        .current_dir(&dir)
        .env(
            "REDIRECT_URIS",
            format!(
                "{base}/connexion/oidc/proconnect/retour,{base}/connexion/oidc/entra-id/retour"
            ),
        )
        .env("POST_LOGOUT_REDIRECT_URIS", format!("{base}/connexion"))
        .env("CLIENT_ID", "qualitrack")
        .env("CLIENT_SECRET", "secret-de-test")
        .env("ACCOUNTS", accounts.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let issuer = lines
        .find_map(|line| line.ok()?.strip_prefix("ISSUER ").map(str::to_owned))
        .expect("the provider says where it listens");
    // What it prints afterwards is read (and dropped), or its next write would kill it.
    std::thread::spawn(move || lines.for_each(drop));
    Some(Idp { child, issuer })
}

/// The application with the provider configured as "ProConnect".
fn app_with_provider() -> Option<(TestApp, Idp)> {
    app_with_people(&serde_json::json!({}))
}

fn app_with_people(accounts: &serde_json::Value) -> Option<(TestApp, Idp)> {
    app_asking(accounts, None)
}

/// The application with the provider, asking for the authentication level `acr`.
fn app_asking(accounts: &serde_json::Value, acr: Option<&str>) -> Option<(TestApp, Idp)> {
    let mut idp = None;
    let app = spawn_app_at(test_database(), |settings, base| {
        settings.oidc.acr = acr.map(str::to_owned);
        idp = start_provider(base, accounts);
        if let Some(started) = &idp {
            settings.oidc.issuer = Some(started.issuer.clone());
            settings.oidc.client_id = Some("qualitrack".into());
            settings.oidc.client_secret = Some("secret-de-test".into());
            settings.oidc.name = Some("ProConnect".into());
            settings.oidc.scopes = Some("openid email profile usual_name siret".into());
        }
    });
    Some((app, idp?))
}

fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    url[after..].find('/').map_or(url, |i| &url[..after + i])
}

fn absolute(current: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_owned()
    } else {
        format!("{}{location}", origin(current))
    }
}

/// The `action` of the page's form, and its hidden fields.
fn form(page: &str) -> (String, Vec<(String, String)>) {
    let attribute = |tag: &str, name: &str| {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned)
    };
    let start = page.find("<form").expect("a form");
    let tag = &page[start..start + page[start..].find('>').unwrap()];
    let action = attribute(tag, "action").expect("the form's action");
    let hidden = page
        .split("<input")
        .skip(1)
        .filter(|input| input.contains("type=\"hidden\""))
        .filter_map(|input| Some((attribute(input, "name")?, attribute(input, "value")?)))
        .collect();
    (action, hidden)
}

/// Follows the provider's pages as a person would (typing `login` on its login screen and
/// accepting its consent screen) until it sends the browser back to the application; the
/// address it sends it back to.
fn through_provider(client: &Client, app: &TestApp, mut url: String, login: &str) -> String {
    for _ in 0..20 {
        let page = client.get_at(&url);
        let next = if let Some(location) = &page.location {
            absolute(&url, location)
        } else if page.body.contains("name=\"prompt\"") {
            // The login screen (any login, any password) or the consent screen, with the
            // fields it carries.
            let (action, mut fields) = form(&page.body);
            if page.body.contains("name=\"login\"") {
                fields.push(("login".into(), login.into()));
                fields.push(("password".into(), "x".into()));
            }
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let sent = client.post_at(&absolute(&url, &action), &fields);
            absolute(
                &url,
                sent.location.as_deref().unwrap_or_else(|| {
                    panic!(
                        "the provider's screen answers {}: {}",
                        sent.status, sent.body
                    )
                }),
            )
        } else {
            panic!("unexpected provider page {}: {}", page.status, page.body);
        };
        if next.starts_with(&app.base) {
            return next;
        }
        url = next;
    }
    panic!("the provider never sent the browser back");
}

/// Signs in through the provider as `login`; the application's answer to its return.
fn sign_in_as(client: &Client, app: &TestApp, login: &str) -> Resp {
    sign_in_through(client, app, "proconnect", login)
}

/// The same through the provider configured under `slug`.
fn sign_in_through(client: &Client, app: &TestApp, slug: &str, login: &str) -> Resp {
    let started = client.get(&format!("/connexion/oidc/{slug}"));
    assert_eq!(started.status, 303, "{}", started.body);
    let to_provider = started.location.expect("sent to the provider");
    let back = through_provider(client, app, to_provider, login);
    client.get_at(&back)
}

#[test]
fn a_verified_address_enters_its_account_and_signing_out_ends_both_sessions() {
    let Some((app, idp)) = app_with_provider() else {
        return;
    };
    let org = app.create_organisation("Habitat Fédéré", 51, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let client = app.client();
    let page = client.get("/connexion");
    assert!(
        page.body.contains("Se connecter avec ProConnect"),
        "{}",
        page.body
    );
    let arrived = sign_in_as(&client, &app, &email);
    assert_eq!(arrived.status, 303, "{}", arrived.body);
    assert_eq!(arrived.location.as_deref(), Some("/"));
    assert_eq!(client.get("/").status, 200, "signed in");
    let id = crate::audits::user_id(&app, &email);
    let actions: Vec<String> = app.with_db(move |conn| {
        Ok(
            qualitrack::models::history::for_entity(conn, "user", &id, 20)?
                .into_iter()
                .map(|e| e.action)
                .collect(),
        )
    });
    assert!(
        actions.contains(&"identity_linked".to_owned()),
        "{actions:?}"
    );
    let account = client.get("/compte").body;
    assert!(
        account.contains("Identités liées") && account.contains(&format!("ProConnect — {email}")),
        "{account}"
    );
    let listed = app.admin().get("/admin/utilisateurs").body;
    assert!(
        listed.contains("<span class=\"badge badge-neutral\">ProConnect</span>"),
        "who signs in how"
    );

    // Signing out goes through the provider's end of session, then back to signing in.
    let out = client.post_form("/deconnexion", &[]);
    let end = out.location.expect("sent to the provider's logout");
    assert!(
        end.starts_with(&idp.issuer) && end.contains("id_token_hint="),
        "{end}"
    );
    let confirm = client.get_at(&end);
    let (action, mut fields) = form(&confirm.body);
    fields.push(("logout".into(), "yes".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let ended = client.post_at(&absolute(&end, &action), &fields);
    let back = absolute(
        &end,
        ended.location.as_deref().expect("back to the application"),
    );
    assert!(
        back.starts_with(&format!("{}/connexion", app.base)),
        "{back}"
    );
    assert_eq!(
        client.get("/").location.as_deref(),
        Some("/connexion?suivant=%2F")
    );
    // The provider's session is over too: signing in again asks for the login.
    let again = client.get("/connexion/oidc/proconnect");
    let asked = client.get_at(&absolute(&idp.issuer, again.location.as_deref().unwrap()));
    let screen = client.get_at(&absolute(&idp.issuer, asked.location.as_deref().unwrap()));
    assert!(screen.body.contains("name=\"login\""), "{}", screen.body);
}

#[test]
fn an_unknown_person_waits_for_an_administrator_and_an_unverified_address_matches_nobody() {
    let Some((app, _idp)) = app_with_provider() else {
        return;
    };
    let org = app.create_organisation("Habitat Fédéré", 52, "11");
    let manager = app.create_user(Role::QualityManager, Some(&org), None);
    // An address the provider did not verify is never taken for the account that has it.
    let impostor = app.client();
    let waiting = sign_in_as(&impostor, &app, &format!("unverified:{manager}"));
    assert_eq!(waiting.status, 403);
    assert!(waiting.body.contains("Accès en attente"));
    assert!(waiting.body.contains("adresse non vérifiée"));
    assert_eq!(
        impostor.get("/").location.as_deref(),
        Some("/connexion?suivant=%2F")
    );

    let newcomer = app.client();
    let asked = sign_in_as(&newcomer, &app, "auditrice@cabinet-qualite.fr");
    assert_eq!(asked.status, 403);
    assert!(
        asked
            .body
            .contains("Votre demande est transmise aux administrateurs")
    );

    // The administrator gives her an account (the request answered links it).
    let admin = app.admin();
    let list = admin.get("/admin/utilisateurs");
    assert!(list.body.contains("Demandes d’accès"));
    let row = &list.body[list
        .body
        .find("<td>auditrice@cabinet-qualite.fr")
        .expect("her request")..];
    let request = row
        .split("/admin/utilisateurs/nouveau?identite=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an accept link")
        .to_owned();
    let form_page = admin.get(&format!("/admin/utilisateurs/nouveau?identite={request}"));
    assert!(
        form_page
            .body
            .contains("value=\"auditrice@cabinet-qualite.fr\"")
    );
    let created = admin.post_form(
        "/admin/utilisateurs",
        &[
            ("identity", &request),
            ("email", "auditrice@cabinet-qualite.fr"),
            ("name", "Agent auditrice"),
            ("role", "auditor"),
        ],
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("sans mot de passe à lui transmettre"));
    let accepted = app.client();
    let entered = sign_in_as(&accepted, &app, "auditrice@cabinet-qualite.fr");
    assert_eq!(entered.status, 303, "{}", entered.body);
    assert_eq!(accepted.get("/").status, 200);

    // Refused: the person is told so at the next attempt.
    let unverified = admin.get("/admin/utilisateurs");
    let refuse = unverified
        .body
        .split("action=\"/admin/identites/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a refuse button")
        .to_owned();
    assert_eq!(
        admin
            .post_form(&format!("/admin/identites/{refuse}/refuser"), &[])
            .status,
        303
    );
    let told = sign_in_as(&app.client(), &app, &format!("unverified:{manager}"));
    assert!(told.body.contains("vous a été refusé"), "{}", told.body);
    // The password still works for the account's owner.
    assert_eq!(app.client().login(&manager, PASSWORD).status, 303);
}

#[test]
fn a_provider_answer_is_taken_once_and_only_by_the_browser_that_asked() {
    let Some((app, _idp)) = app_with_provider() else {
        return;
    };
    let email = app.create_user(Role::Auditor, None, None);
    let client = app.client();
    let started = client.get("/connexion/oidc/proconnect");
    let back = through_provider(&client, &app, started.location.unwrap(), &email);
    // Brought to another browser, the answer is refused.
    let other = app.client();
    let stolen = other.get_at(&back);
    assert_eq!(stolen.status, 400);
    assert!(
        stolen.body.contains("ne correspond à aucune connexion"),
        "{}",
        stolen.body
    );
    assert_eq!(
        other.get("/").location.as_deref(),
        Some("/connexion?suivant=%2F")
    );
    // Taken once by its own browser; replayed, refused.
    assert_eq!(client.get_at(&back).status, 303);
    let replayed = app.client();
    assert_eq!(replayed.get_at(&back).status, 400);
    let same_browser_again = client.get_at(&back);
    assert_eq!(same_browser_again.status, 400, "the state answers once");
}

#[test]
fn one_person_arriving_twice_at_once_is_one_request() {
    let Some((app, _idp)) = app_with_provider() else {
        return;
    };
    let browsers = [app.client(), app.client()];
    let answers: Vec<String> = browsers
        .iter()
        .map(|client| {
            let started = client.get("/connexion/oidc/proconnect");
            through_provider(
                client,
                &app,
                started.location.unwrap(),
                "gardien@bailleur.fr",
            )
        })
        .collect();
    let start = std::sync::Barrier::new(2);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = browsers
            .iter()
            .zip(&answers)
            .map(|(client, back)| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    client.get_at(back).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses, vec![403, 403], "both wait, neither fails");
    assert_eq!(app.count("identities"), 1, "one request");
}

#[test]
fn the_sign_in_pages_are_valid_html() {
    let Some((app, _idp)) = app_with_provider() else {
        return;
    };
    let visitor = app.client();
    let login = visitor.get("/connexion?suivant=%2Fcalendrier").body;
    assert!(login.contains("href=\"/connexion/oidc/proconnect?suivant=%2Fcalendrier\""));
    let pending = sign_in_as(&visitor, &app, "inconnu@bailleur.fr").body;
    let stray = app
        .client()
        .get("/connexion/oidc/proconnect/retour?code=x&state=y")
        .body;
    let email = app.create_user(Role::Auditor, None, None);
    let owner = app.client();
    owner.login(&email, PASSWORD);
    owner.enrol(&email);
    let second = app.client();
    second.login(&email, PASSWORD);
    let code = second.get("/connexion/code").body;
    assert!(code.contains("autocomplete=\"one-time-code\""));
    let requests = app.admin().get("/admin/utilisateurs").body;
    crate::html_validity::check_pages(&[
        ("/connexion with a provider", login),
        ("pending access", pending),
        ("stray provider answer", stray),
        ("/connexion/code", code),
        ("/admin/utilisateurs with a request", requests),
    ]);
}

#[test]
fn staff_of_an_organisme_that_allows_it_join_it_by_their_siret() {
    let siren = crate::helpers::siren(61);
    let person = |email: &str, siret: &str| {
        serde_json::json!({
            "email": email, "email_verified": true,
            "given_name": "Paul", "usual_name": "Martin", "siret": siret,
        })
    };
    let people = serde_json::json!({
        "agent": person("agent@habitat-ouvert.fr", &format!("{siren}00012")),
        "collegue": person("collegue@habitat-ouvert.fr", &format!("{siren}00020")),
        "voisin": person("voisin@autre-bailleur.fr", "73282932000074"),
    });
    let Some((app, _idp)) = app_with_people(&people) else {
        return;
    };
    let org = app.create_organisation("Habitat Ouvert", 61, "11");
    // Not allowed yet: a request like any other.
    assert_eq!(sign_in_as(&app.client(), &app, "agent").status, 403);
    // The administrator turns it on, from the organisme's page.
    let admin = app.admin();
    let page = admin.get(&format!("/organismes/{org}"));
    assert!(
        page.body.contains(&format!("SIRET commence par {siren}")),
        "{}",
        page.body
    );
    let on = admin.post_form(
        &format!("/organismes/{org}/rattachement"),
        &[("auto_join", "on")],
    );
    assert_eq!(on.status, 303);
    assert!(
        admin
            .get(&format!("/organismes/{org}"))
            .body
            .contains("id=\"f-auto-join\" name=\"auto_join\" value=\"on\" checked")
    );

    // A colleague joins at once, as an observer of the organisme; the one who asked before
    // joins at their next sign-in; someone of another SIREN still waits.
    let colleague = app.client();
    assert_eq!(sign_in_as(&colleague, &app, "collegue").status, 303);
    assert_eq!(colleague.get("/compte").status, 200, "signed in");
    assert_eq!(sign_in_as(&app.client(), &app, "agent").status, 303);
    assert_eq!(sign_in_as(&app.client(), &app, "voisin").status, 403);
    let (role, organisation) = app.with_db(|conn| {
        let found =
            qualitrack::models::user::find_by_email(conn, "collegue@habitat-ouvert.fr")?.unwrap();
        Ok((found.role, found.organisation_id))
    });
    assert_eq!(
        (role.as_str(), organisation.as_deref()),
        ("observer", Some(org.as_str()))
    );
    // No password signs in to such an account.
    assert_eq!(
        app.client().login("collegue@habitat-ouvert.fr", "!").status,
        422
    );
}

#[test]
fn a_sign_in_below_the_level_asked_is_refused() {
    let Some((app, _idp)) = app_asking(&serde_json::json!({}), Some("eidas2")) else {
        return;
    };
    let email = app.create_user(Role::Auditor, None, None);
    let client = app.client();
    let started = client.get("/connexion/oidc/proconnect");
    assert!(
        started
            .location
            .as_deref()
            .is_some_and(|l| l.contains("acr_values=eidas2"))
    );
    let answer = sign_in_as(&client, &app, &email);
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.body.contains("n’a pas pu être vérifiée"),
        "the level is checked, not only asked"
    );
    assert!(answer.body.contains("ProConnect"), "{}", answer.body);
    assert_eq!(
        client.get("/").location.as_deref(),
        Some("/connexion?suivant=%2F"),
        "not signed in"
    );
}

#[test]
fn two_providers_are_offered_side_by_side_and_each_links_its_own_identity() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("providers.toml");
    let mut idp = None;
    let app = spawn_app_at(test_database(), |settings, base| {
        idp = start_provider(base, &serde_json::json!({}));
        if let Some(started) = &idp {
            settings.oidc.issuer = Some(started.issuer.clone());
            settings.oidc.client_id = Some("qualitrack".into());
            settings.oidc.client_secret = Some("secret-de-test".into());
            settings.oidc.name = Some("ProConnect".into());
            // The organisme's own provider, from the providers file (here the same server
            // under a second name: two configurations, two buttons, two identities).
            std::fs::write(
                &file,
                format!(
                    "[[provider]]\nname = \"Entra ID\"\nissuer = \"{}\"\nclient_id = \"qualitrack\"\nclient_secret = \"secret-de-test\"\n",
                    started.issuer
                ),
            )
            .unwrap();
            settings.oidc.providers_file = Some(file.clone());
        }
    });
    let Some(_idp) = idp else { return };
    let page = app.client().get("/connexion").body;
    assert!(page.contains("Se connecter avec ProConnect"), "{page}");
    assert!(page.contains("Se connecter avec Entra ID"), "{page}");

    let org = app.create_organisation("Habitat Fédéré", 43, "11");
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let office = app.client();
    let entered = sign_in_through(&office, &app, "entra-id", &email);
    assert_eq!(entered.status, 303, "{}", entered.body);
    assert_eq!(office.get("/").status, 200);
    let account = office.get("/compte").body;
    assert!(
        account.contains("Entra ID — "),
        "the identity names its provider: {account}"
    );
    let state = app.client();
    assert_eq!(
        sign_in_through(&state, &app, "proconnect", &email).status,
        303
    );
    let account = state.get("/compte").body;
    assert!(
        account.contains("ProConnect — ") && account.contains("Entra ID — "),
        "one identity per provider: {account}"
    );
    // The sessions say which provider opened them.
    assert!(
        account.matches(">Entra ID<").count() + account.matches(">ProConnect<").count() >= 2,
        "{account}"
    );
}
