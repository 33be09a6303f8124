//! The evidence library: several files at once, checked by content, stored once per content,
//! revisions kept, downloads safe, refusals storing nothing, and only the organisme's people
//! (and those who audit it) reaching its files.

use qualitrack::domain::Role;

use crate::helpers::spawn_app;

pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

fn stored_files(dir: &std::path::Path) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| {
                    if p.is_dir() {
                        if p.ends_with("tmp") { 0 } else { walk(&p) }
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    walk(&dir.join("evidence"))
}

#[test]
fn documents_are_uploaded_checked_revised_and_downloaded_safely() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Preuves", 41, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let path = format!("/organismes/{org}/preuves");
    let empty = manager.get(&path);
    assert!(empty.body.contains("Aucune preuve pour l’instant"));

    let uploaded = manager.upload_with(
        &path,
        &[("valid_until", "2020-01-01")],
        &[
            ("procedure-accueil.pdf", PDF),
            ("enquete.csv", "question;note\naccueil;8\n".as_bytes()),
        ],
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let list = manager.get(&path);
    assert!(list.body.contains("2 document(s) déposé(s)."));
    assert!(list.body.contains("procedure-accueil.pdf") && list.body.contains("enquete.csv"));
    assert!(
        list.body.contains("expiré"),
        "evidence past its validity is flagged"
    );
    // The same content uploaded again is stored once.
    assert_eq!(
        manager
            .upload_with(&path, &[], &[("copie.pdf", PDF)])
            .status,
        303
    );
    assert_eq!(stored_files(&app.data_dir), 2);

    let item = list
        .body
        .split("href=\"/preuves/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let file = list
        .body
        .split("href=\"/preuves/fichiers/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let download = manager.get(&format!("/preuves/fichiers/{file}"));
    assert_eq!(download.status, 200);
    assert!(
        download
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));

    let revised = manager.upload_with(
        &format!("/preuves/{item}/revisions"),
        &[],
        &[("v2.pdf", b"%PDF-1.7\nversion 2\n%%EOF\n")],
    );
    assert_eq!(revised.status, 303, "{}", revised.body);
    let refused = manager.upload_with(
        &format!("/preuves/{item}/revisions"),
        &[],
        &[("v3.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("n’est pas d’un type accepté") && refused.body.contains("Versions"),
        "the document's page says why"
    );
    let page = manager.get(&format!("/preuves/{item}"));
    assert_eq!(
        page.body.matches("href=\"/preuves/fichiers/").count(),
        2,
        "the old version is kept"
    );
}

#[test]
fn bad_uploads_are_refused_and_nothing_is_stored() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Prudent", 42, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let path = format!("/organismes/{org}/preuves");
    let before = app.count("evidence");
    // A program behind a good extension, next to a good file: the whole upload is refused.
    let disguised = manager.upload_with(
        &path,
        &[],
        &[
            (
                "rapport.pdf",
                b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
            ),
            ("ok.pdf", PDF),
        ],
    );
    assert_eq!(disguised.status, 422);
    assert!(disguised.body.contains("n’est pas d’un type accepté"));
    let empty = manager.upload_with(&path, &[], &[("vide.pdf", b"")]);
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("est vide"));
    let big = vec![b'a'; 1024 * 1024 + 10];
    let too_big = manager.upload_with(&path, &[], &[("gros.txt", &big)]);
    assert_eq!(too_big.status, 413);
    assert!(too_big.body.contains("dépasse la taille maximale de 1 Mo"));
    let pathlike = manager.upload_with(&path, &[], &[("../../etc/passwd.txt", b"root:x:0:0\n")]);
    assert_eq!(pathlike.status, 303);
    assert!(manager.get(&path).body.contains(">passwd.txt<"));
    assert_eq!(app.count("evidence"), before + 1);
    assert_eq!(stored_files(&app.data_dir), 1);
}

#[test]
fn another_organismes_evidence_is_never_reachable() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat A", 43, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    assert_eq!(
        manager
            .upload_with(
                &format!("/organismes/{org}/preuves"),
                &[("title", "Procédure")],
                &[("p.pdf", PDF)]
            )
            .status,
        303
    );
    let list = manager.get(&format!("/organismes/{org}/preuves"));
    let item = list
        .body
        .split("href=\"/preuves/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let file = list
        .body
        .split("href=\"/preuves/fichiers/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let other = app.create_organisation("Habitat B", 44, "11");
    let stranger = app.login_as(Role::QualityManager, Some(&other), None);
    for path in [
        format!("/organismes/{org}/preuves"),
        format!("/preuves/{item}"),
        format!("/preuves/fichiers/{file}"),
    ] {
        assert_eq!(stranger.get(&path).status, 404, "{path}");
    }
    assert_eq!(
        stranger
            .upload_with(
                &format!("/preuves/{item}/revisions"),
                &[],
                &[("x.pdf", PDF)]
            )
            .status,
        404
    );
    let observer = app.login_as(Role::Observer, Some(&org), None);
    assert_eq!(
        observer.get(&format!("/preuves/fichiers/{file}")).status,
        403
    );
    assert_eq!(
        app.client()
            .get(&format!("/preuves/fichiers/{file}"))
            .status,
        303
    );
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "refusals, upload, reads, then every outsider, in order"
)]
fn the_api_uploads_lists_and_downloads_evidence_within_the_organisme() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Api", 45, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let token = manager.create_api_token("Intégration GED");
    let path = format!("/api/v1/organisations/{org}/evidence");

    let before = app.count("evidence");
    let (status, refused) = app.api_upload(
        &path,
        &token,
        &[],
        &[
            ("note.txt", b"ok\n"),
            ("faux.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
        ],
    );
    assert_eq!(status, 422);
    assert!(
        refused["fields"]["files"]
            .as_str()
            .unwrap()
            .contains("faux.pdf")
    );
    assert_eq!(app.count("evidence"), before, "nothing is stored");
    let big = vec![b'a'; 1024 * 1024 + 10];
    let (status, _) = app.api_upload(&path, &token, &[], &[("gros.txt", &big)]);
    assert_eq!(status, 413, "over the size limit, as on the page");

    let (status, created) = app.api_upload(
        &path,
        &token,
        &[("title", "Compte rendu CCL"), ("valid_until", "2020-06-30")],
        &[("ccl.txt", "Réunion du conseil de concertation\n".as_bytes())],
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["total"], 1);
    let id = created["items"][0]["id"].as_str().unwrap().to_owned();

    let (status, list) = app.api_call("GET", &path, Some(&token), None);
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["title"], "Compte rendu CCL");
    assert_eq!(list["items"][0]["expired"], true);
    assert_eq!(
        list["items"][0]["current_file"]["content_type"],
        "text/plain"
    );
    let (status, detail) =
        app.api_call("GET", &format!("/api/v1/evidence/{id}"), Some(&token), None);
    assert_eq!(status, 200);
    let file = detail["files"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(detail["files"][0]["sha256"].as_str().unwrap().len(), 64);
    let download = app.api_raw(&format!("/api/v1/evidence/files/{file}"), &token);
    assert_eq!(download.status, 200);
    assert!(download.body.contains("conseil de concertation"));
    assert!(
        download
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );

    // Another organisme's people reach none of it; observers read no working documents.
    let other = app.create_organisation("Habitat Ailleurs", 46, "11");
    let stranger = app
        .login_as(Role::QualityManager, Some(&other), None)
        .create_api_token("Autre");
    assert_eq!(app.api_call("GET", &path, Some(&stranger), None).0, 404);
    assert_eq!(
        app.api_call(
            "GET",
            &format!("/api/v1/evidence/{id}"),
            Some(&stranger),
            None
        )
        .0,
        404
    );
    assert_eq!(
        app.api_raw(&format!("/api/v1/evidence/files/{file}"), &stranger)
            .status,
        404
    );
    let kept = stored_files(&app.data_dir);
    assert_eq!(
        app.api_upload(&path, &stranger, &[], &[("x.txt", b"x\n")])
            .0,
        404
    );
    assert_eq!(
        stored_files(&app.data_dir),
        kept,
        "a refused upload keeps no byte"
    );
    let observer = app
        .login_as(Role::Observer, Some(&org), None)
        .create_api_token("Lecture");
    assert_eq!(app.api_call("GET", &path, Some(&observer), None).0, 403);
    assert_eq!(
        app.api_upload(&path, &observer, &[], &[("x.txt", b"x\n")])
            .0,
        403
    );
    assert_eq!(
        app.api_upload(&path, "jeton-faux", &[], &[("x.txt", b"x\n")])
            .0,
        401
    );
    assert_eq!(app.count("evidence"), before + 1);
}

/// The id in the first `href="/preuves/…"` link of a page (a document, not a file).
fn first_document(page: &str) -> String {
    page.split("href=\"/preuves/")
        .skip(1)
        .find(|rest| !rest.starts_with("fichiers/"))
        .and_then(|rest| rest.split('"').next())
        .expect("a document link")
        .to_owned()
}

#[test]
fn an_assigned_auditor_adds_proof_but_leaves_the_organismes_documents_alone() {
    let crate::audits::Setup {
        app,
        org,
        manager,
        auditor_email,
        ..
    } = crate::audits::setup();
    let library = format!("/organismes/{org}/preuves");
    let own = manager.upload_with(
        &library,
        &[("title", "Procédure d’affichage")],
        &[("procedure.pdf", PDF)],
    );
    assert_eq!(own.status, 303, "{}", own.body);
    let document = first_document(&manager.get(&library).body);

    let auditor = crate::audits::sign_in(&app, &auditor_email);
    assert!(auditor.get(&library).body.contains("Déposer des preuves"));
    let proof = auditor.upload_with(
        &library,
        &[("title", "Photo de l’affichage, agence Nord")],
        &[("affichage.pdf", b"%PDF-1.7\nphoto\n%%EOF\n")],
    );
    assert_eq!(proof.status, 303, "{}", proof.body);
    let seen = manager.get(&library).body;
    assert!(seen.contains("Photo de l’affichage, agence Nord"));
    assert!(
        seen.contains(&auditor_email),
        "the file says who brought it"
    );
    assert!(
        manager
            .get(&format!("/organismes/{org}/historique"))
            .body
            .contains("Test auditor"),
        "the addition is in the organisme's history"
    );
    // The organisme's own documents stay theirs to revise.
    let revised = auditor.upload_with(
        &format!("/preuves/{document}/revisions"),
        &[],
        &[("v2.pdf", PDF)],
    );
    assert_eq!(revised.status, 403);
    // An auditor of no audit there does not even see the library.
    let stranger_email = app.create_user(Role::Auditor, None, None);
    let stranger = crate::audits::sign_in(&app, &stranger_email);
    assert_eq!(stranger.get(&library).status, 404);
}

#[test]
fn an_upload_shows_its_token_first_and_never_in_the_address() {
    let app = spawn_app();
    let org = app.create_organisation("Habitat Jeton", 43, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let path = format!("/organismes/{org}/preuves");
    let form = manager.get(&path);
    assert!(!form.body.contains("csrf_token="), "no token in an address");
    let before = app.count("evidence");
    let token = manager.csrf_token();
    // In the address only, as forms used to send it: refused, nothing written.
    let in_address = manager.upload_raw(
        &format!("{path}?csrf_token={token}"),
        &[],
        &[("note.txt", b"bonjour")],
    );
    assert_eq!(in_address.status, 403);
    // After a file: refused before the file is kept.
    let late = manager.upload_raw(&path, &[], &[("note.txt", b"bonjour")]);
    assert_eq!(late.status, 403);
    let wrong = manager.upload_raw(
        &path,
        &[("csrf_token", "pas-le-bon")],
        &[("note.txt", b"x")],
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(app.count("evidence"), before);
    assert_eq!(app.count("evidence_files"), 0);
    // First, as the page's form sends it: kept.
    let kept = manager.upload_with(&path, &[], &[("note.txt", b"bonjour")]);
    assert_eq!(kept.status, 303, "{}", kept.body);
    assert_eq!(app.count("evidence"), before + 1);
    // A form that takes no file does not accept its token in a multipart body.
    let elsewhere = manager.upload_with(&format!("/organismes/{org}/sites"), &[("name", "X")], &[]);
    assert_eq!(elsewhere.status, 403);
}
