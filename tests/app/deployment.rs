//! A deployment behind TLS as README and docs/operations.md describe it: the switch spelled
//! `QUALITRACK_COOKIE_SECURE=1` starts the server, which then sends HSTS and a `__Host-`
//! session cookie; what concerns a signed-in person, and the API, is kept by no cache.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use qualitrack::domain::Role;

use crate::helpers::{client_at, spawn_app, spawn_app_with, test_database};

const HSTS: &str = "max-age=63072000; includeSubDomains";

#[test]
fn secure_cookies_bring_hsts_and_a_host_only_session_cookie() {
    let app = spawn_app_with(test_database(), |s| s.cookie_secure = true);
    let page = app.client().get("/connexion");
    assert_eq!(page.header("strict-transport-security"), Some(HSTS));
    let cookie = page.header("set-cookie").expect("session cookie");
    assert!(cookie.starts_with("__Host-qualitrack_session="), "{cookie}");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    for wanted in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(attributes.contains(&wanted), "{wanted} in {cookie}");
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("Domain")),
        "{cookie}"
    );
    // The prefixed cookie carries a session like the plain one.
    let manager = app.login_as(Role::Admin, None, None);
    let account = manager.get("/compte");
    assert_eq!(account.status, 200);
    assert_eq!(account.header("strict-transport-security"), Some(HSTS));
}

#[test]
fn without_secure_cookies_there_is_no_hsts_and_the_cookie_keeps_its_plain_name() {
    let app = spawn_app();
    let page = app.client().get("/connexion");
    assert_eq!(page.header("strict-transport-security"), None);
    let cookie = page.header("set-cookie").expect("session cookie");
    assert!(cookie.starts_with("qualitrack_session="), "{cookie}");
}

#[test]
fn signed_in_pages_and_the_api_are_not_stored_but_static_files_are_cached() {
    let app = spawn_app();
    let admin = app.admin();
    for path in ["/", "/compte", "/organismes", "/nulle-part"] {
        let page = admin.get(path);
        assert_eq!(page.header("cache-control"), Some("no-store"), "{path}");
    }
    let token = admin.create_api_token("caches");
    for (what, response) in [
        ("answer", app.api_raw("/api/v1/me", &token)),
        ("error", app.api_raw("/api/v1/me", "faux")),
        ("list", app.api_raw("/api/v1/organisations", &token)),
    ] {
        assert_eq!(response.header("cache-control"), Some("no-store"), "{what}");
    }
    let css = admin.get("/static/css/app.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("cache-control"), Some("public, max-age=3600"));
}

/// Starts `qualitrack serve` with `QUALITRACK_COOKIE_SECURE` set as given: the HSTS header
/// of its login page (`none` without), or what it said when it did not start.
fn served_with(value: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qualitrack"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("QUALITRACK_DATABASE_URL")
        .env("QUALITRACK_DATA_DIR", dir.path())
        .env("QUALITRACK_COOKIE_SECURE", value)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qualitrack runs");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let listening = stdout
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("qualitrack listens on"));
    let answer = if listening {
        Ok(client_at(&format!("http://127.0.0.1:{port}"))
            .get("/connexion")
            .header("strict-transport-security")
            .unwrap_or("none")
            .to_owned())
    } else {
        let mut said = String::new();
        child.stderr.take().unwrap().read_to_string(&mut said).ok();
        Err(said)
    };
    child.kill().ok();
    child.wait().ok();
    answer
}

#[test]
fn the_documented_switch_values_start_the_server() {
    assert_eq!(served_with("1"), Ok(HSTS.to_owned()));
    assert_eq!(served_with("Off"), Ok("none".to_owned()));
    let refused = served_with("peut-être").unwrap_err();
    assert!(
        refused.contains("1/0, true/false, yes/no or on/off"),
        "{refused}"
    );
}
