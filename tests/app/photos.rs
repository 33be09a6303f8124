//! Photographs taken on site for a requirement: they join the organisme's library as
//! documents supporting it, show in the workspace's pane, are recognised when a send is
//! retried, and are refused with a reason (nothing kept) when they are not pictures or come
//! from someone who does not run the audit.

use base64::Engine;
use qualitrack::domain::Role;

use crate::audits::{Setup, setup, sign_in, take_on_site};
use crate::helpers::{Client, Resp, TestApp};

/// A real (1×1) PNG picture, as a phone's camera would send a much larger one.
pub(crate) fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
        .unwrap()
}

/// Sends a photograph as the page's script does (the token first, `HX-Request`).
fn send(
    client: &Client,
    audit: &str,
    reference: &str,
    key: &str,
    caption: &str,
    file: (&str, &[u8]),
) -> Resp {
    send_with(
        &client.csrf_token(),
        client,
        audit,
        reference,
        key,
        caption,
        file,
    )
}

/// The same, with the session's token read beforehand (simultaneous sends).
fn send_with(
    token: &str,
    client: &Client,
    audit: &str,
    reference: &str,
    key: &str,
    caption: &str,
    file: (&str, &[u8]),
) -> Resp {
    client.upload_headed(
        &format!("/audits/{audit}/constats/{reference}/photos"),
        &[("csrf_token", token), ("key", key), ("caption", caption)],
        &[file],
        ("HX-Request", "true"),
    )
}

fn photos_of(app: &TestApp, audit: &str) -> Vec<qualitrack::models::photo::Photo> {
    let audit = audit.to_owned();
    app.with_db(move |conn| qualitrack::models::photo::of_audit(conn, &audit))
}

fn library_size(app: &TestApp, org: &str) -> usize {
    let org = org.to_owned();
    app.with_db(move |conn| Ok(qualitrack::models::evidence::list_for(conn, &org)?.len()))
}

/// The audit taken on site by its auditor, signed in.
fn on_site() -> (Setup, Client) {
    let planned = setup();
    let auditor = sign_in(&planned.app, &planned.auditor_email);
    take_on_site(&auditor, &planned.audit);
    (planned, auditor)
}

const KEY: &str = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";

#[test]
fn a_photograph_taken_on_site_joins_the_library_and_shows_under_its_requirement() {
    let (
        Setup {
            app, org, audit, ..
        },
        auditor,
    ) = on_site();
    let before = library_size(&app, &org);
    let picture = png();
    let sent = send(
        &auditor,
        &audit,
        "E1.2",
        KEY,
        "Chaufferie : fuite au raccord",
        ("IMG_0042.png", &picture),
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body.contains("Chaufferie : fuite au raccord"),
        "{}",
        sent.body
    );
    assert!(
        sent.body.contains("/preuves/fichiers/"),
        "the thumbnail is shown"
    );

    // The answer was lost (a basement): the device sends it again, and nothing is added.
    let again = send(
        &auditor,
        &audit,
        "E1.2",
        KEY,
        "Chaufferie : fuite au raccord",
        ("IMG_0042.png", &picture),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    let taken = photos_of(&app, &audit);
    assert_eq!(taken.len(), 1, "a retried send is recognised");
    assert_eq!(library_size(&app, &org), before + 1);
    assert_eq!(taken[0].requirement_ref, "E1.2");

    // The requirement's pane shows it, and does not offer it again as a document seen.
    let pane = auditor.get_with(
        &format!("/audits/{audit}/constats/E1.2"),
        ("HX-Request", "true"),
    );
    assert_eq!(pane.status, 200);
    assert!(pane.body.contains("Photographies prises sur place"));
    assert!(
        pane.body.contains("alt=\"Chaufferie : fuite au raccord\""),
        "{}",
        pane.body
    );
    assert!(
        !pane.body.contains(&format!(
            "name=\"evidence_ids\" value=\"{}\"",
            taken[0].evidence_id
        )),
        "a photograph of this audit is not a document to tick"
    );

    // In the library, a document supporting the requirement, downloadable as a picture.
    let document = auditor.get(&format!("/preuves/{}", taken[0].evidence_id));
    assert_eq!(document.status, 200);
    assert!(document.body.contains("Chaufferie : fuite au raccord"));
    assert!(
        document.body.contains("E1.2"),
        "it supports the requirement"
    );
    assert!(
        document
            .body
            .contains(&format!("href=\"/audits/{audit}/constats?exigence=E1.2\"")),
        "it is cited by the audit it was taken for"
    );
    let id = taken[0].evidence_id.clone();
    let actions: Vec<String> = app.with_db(move |conn| {
        Ok(
            qualitrack::models::history::for_entity(conn, "evidence", &id, 10)?
                .into_iter()
                .map(|entry| entry.action)
                .collect(),
        )
    });
    assert!(
        actions.contains(&"photo".to_owned()) && actions.contains(&"create".to_owned()),
        "{actions:?}"
    );
}

#[test]
fn without_javascript_a_photograph_is_named_after_its_requirement_and_the_workspace_comes_back() {
    let (Setup { app, audit, .. }, auditor) = on_site();
    let plain = auditor.upload_with(
        &format!("/audits/{audit}/constats/E1.2/photos"),
        &[("key", ""), ("caption", "")],
        &[("photo.png", &png())],
    );
    assert_eq!(plain.status, 303, "{}", plain.body);
    assert_eq!(
        plain.location.as_deref(),
        Some(format!("/audits/{audit}/constats?exigence=E1.2").as_str())
    );
    let workspace = auditor.get(plain.location.as_deref().unwrap());
    assert!(
        workspace.body.contains("Photographie ajoutée"),
        "the flash says so"
    );
    assert!(
        workspace.body.contains("Photo E1.2 — "),
        "named after its requirement and time"
    );
    assert_eq!(photos_of(&app, &audit).len(), 1);
}

#[test]
fn a_photograph_is_refused_with_its_reason_and_nothing_is_kept() {
    let (
        Setup {
            app,
            org,
            audit,
            manager,
            ..
        },
        auditor,
    ) = on_site();
    let before = library_size(&app, &org);

    let text = send(
        &auditor,
        &audit,
        "E1.1",
        KEY,
        "",
        ("notes.txt", b"Relev\xc3\xa9 du compteur"),
    );
    assert_eq!(text.status, 422, "{}", text.body);
    assert!(text.body.contains("n’est pas une image"), "{}", text.body);
    assert!(text.body.contains("notes.txt"));
    let long = send(&auditor, &audit, "E1.1", "bad/key", "", ("a.png", &png()));
    assert_eq!(long.status, 422, "{}", long.body);
    assert!(
        long.body.contains("identifiant de la photographie"),
        "{}",
        long.body
    );

    // Only those who run the audit add photographs; an unknown requirement is not found.
    let refused = send(&manager, &audit, "E1.1", KEY, "", ("a.png", &png()));
    assert_eq!(refused.status, 403);
    let other = app.login_as(Role::Auditor, None, None);
    let outsider = send(&other, &audit, "E1.1", KEY, "", ("a.png", &png()));
    assert!(matches!(outsider.status, 403 | 404), "{}", outsider.status);
    let unknown = send(&auditor, &audit, "Z9.9", KEY, "", ("a.png", &png()));
    assert_eq!(unknown.status, 404);
    // Without the form's token, nothing is read.
    let forged = auditor.upload_raw(
        &format!("/audits/{audit}/constats/E1.1/photos"),
        &[("key", KEY)],
        &[("a.png", &png())],
    );
    assert_eq!(forged.status, 403);

    assert!(photos_of(&app, &audit).is_empty());
    assert_eq!(library_size(&app, &org), before, "nothing was kept");
}

#[test]
fn simultaneous_sends_keep_every_photograph_once() {
    let (
        Setup {
            app,
            org,
            audit,
            auditor_email,
            ..
        },
        _,
    ) = on_site();
    let before = library_size(&app, &org);
    // Four devices' retries of one photograph, and four other photographs, at one instant.
    let keys: Vec<String> = (0..8)
        .map(|n| {
            if n < 4 {
                KEY.to_owned()
            } else {
                format!("{}-{n}", &KEY[..30])
            }
        })
        .collect();
    let clients: Vec<Client> = keys.iter().map(|_| sign_in(&app, &auditor_email)).collect();
    let start = std::sync::Barrier::new(keys.len());
    let picture = png();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter()
            .zip(&keys)
            .map(|(client, key)| {
                let (start, audit, picture) = (&start, &audit, &picture);
                s.spawn(move || {
                    let token = client.csrf_token();
                    start.wait();
                    send_with(
                        &token,
                        client,
                        audit,
                        "E2.1",
                        key,
                        key,
                        ("photo.png", picture),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let taken = photos_of(&app, &audit);
    assert_eq!(taken.len(), 5, "the retried one once, the four others");
    assert_eq!(library_size(&app, &org), before + 5);
}
