//! Documents of the evidence library tied to what they prove: the requirements they
//! support, the self-assessment that links them, the findings that cite them (with the
//! sites concerned), and never another organisme's documents.

use qualitrack::domain::Role;

use crate::audits::{Setup, htmx_post, setup, sign_in};
use crate::helpers::{Client, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

pub(crate) fn first_link(body: &str, prefix: &str) -> String {
    body.split(prefix)
        .nth(1)
        .unwrap()
        .split(['"', '#'])
        .next()
        .unwrap()
        .to_owned()
}

fn add_site(manager: &Client, org: &str) -> String {
    let created = manager.post_form(
        &format!("/organismes/{org}/sites"),
        &[
            ("name", "Agence du Port"),
            ("kind", "agence"),
            ("address", "1 quai Est"),
            ("postal_code", "11100"),
            ("commune", "Narbonne"),
            ("homes", "800"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    first_link(
        &manager.get(&format!("/organismes/{org}")).body,
        "href=\"/sites/",
    )
}

fn finding(app: &TestApp, audit: &str, reference: &str) -> qualitrack::models::finding::Finding {
    let (audit, reference) = (audit.to_owned(), reference.to_owned());
    app.with_db(move |conn| {
        Ok(qualitrack::models::finding::findings_of(conn, &audit)?
            .into_iter()
            .find(|f| f.requirement_ref == reference)
            .unwrap())
    })
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one document followed from upload to citation"
)]
fn documents_support_requirements_and_findings_cite_them_with_their_sites() {
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let site = add_site(&manager, &org);
    let library = format!("/organismes/{org}/preuves");
    assert!(
        manager
            .get(&library)
            .body
            .contains("name=\"req:qualibail-iv\""),
        "the upload form asks which requirements of the organisme's frameworks it supports"
    );
    let before = app.count("evidence");
    let unknown = manager.upload_with(
        &library,
        &[
            ("title", "Registre des demandes"),
            ("req:qualibail-iv", "E1.1, E9.99"),
        ],
        &[("registre.pdf", PDF)],
    );
    assert_eq!(unknown.status, 422);
    assert!(
        unknown
            .body
            .contains("« E9.99 » n’est pas une exigence de ce référentiel.")
    );
    assert_eq!(app.count("evidence"), before, "nothing is written");
    let uploaded = manager.upload_with(
        &library,
        &[
            ("title", "Registre des demandes"),
            ("req:qualibail-iv", "E1.1 ; E1.2"),
        ],
        &[("registre.pdf", PDF)],
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let doc = first_link(&manager.get(&library).body, "href=\"/preuves/");
    let page = manager.get(&format!("/preuves/{doc}"));
    assert!(page.body.contains(">E1.1</a>, ") && page.body.contains(">E1.2</a>"));
    assert!(
        page.body
            .contains("Aucun audit ne cite encore ce document.")
    );

    // The description changes from the version read; a stale change is refused.
    let describe = |version: &str, title: &str| {
        manager.post_form(
            &format!("/preuves/{doc}"),
            &[
                ("version", version),
                ("title", title),
                ("site_id", &site),
                ("valid_until", "31/12/2030"),
                ("req:qualibail-iv", "E1.1"),
            ],
        )
    };
    let described = describe("1", "Registre des demandes 2025");
    assert_eq!(
        described.status,
        303,
        "{}",
        described
            .body
            .split("error-summary")
            .nth(1)
            .unwrap_or_default()
    );
    let stale = describe("1", "Registre ancien");
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("Registre des demandes 2025"));
    let page = manager.get(&format!("/preuves/{doc}"));
    assert!(page.body.contains("Agence du Port") && page.body.contains("31/12/2030"));
    assert!(
        !page.body.contains(">E1.2</a>"),
        "the supported requirements were replaced"
    );

    // The organisme links the document in its self-assessment.
    let own = htmx_post(
        &manager,
        &format!("/audits/{audit}/autoevaluation/E1.1"),
        &[
            ("self_level", "met"),
            ("self_evidence_ids", &doc),
            ("version", "0"),
        ],
    );
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.body.contains("Registre des demandes 2025"));

    // The auditor finds it offered on the row, and cites it with the site concerned.
    let auditor = sign_in(&app, &auditor_email);
    let screen = auditor.get(&format!("/audits/{audit}/constats?exigence=E1.1"));
    let row = screen.body.split("id=\"req-E1.1\"").nth(1).unwrap();
    let row = row.split("<article").next().unwrap();
    assert!(row.contains(&format!("name=\"evidence_ids\" value=\"{doc}\"")));
    assert!(row.contains("liée par l’organisme"));
    assert!(row.contains(&format!("name=\"site_ids\" value=\"{site}\"")));
    assert!(
        screen.body.contains(
            "<datalist id=\"library-titles\"><option value=\"Registre des demandes 2025\">"
        )
    );
    let path = format!("/audits/{audit}/constats/E1.1");
    let unknown_title = htmx_post(
        &auditor,
        &path,
        &[
            ("grade_code", "point-fort"),
            ("evidence_add", "Registre perdu"),
            ("version", "1"),
        ],
    );
    assert_eq!(unknown_title.status, 422);
    assert!(unknown_title.body.contains("« Registre perdu »"));
    assert!(
        finding(&app, &audit, "E1.1").grade_code.is_none(),
        "nothing is written"
    );
    let saved = htmx_post(
        &auditor,
        &path,
        &[
            ("grade_code", "point-fort"),
            ("finding", "Registre tenu à jour"),
            ("site_ids", &site),
            ("evidence_add", " registre des demandes 2025 "),
            ("version", "1"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let stored = finding(&app, &audit, "E1.1");
    assert_eq!(stored.evidence_ids, format!("[\"{doc}\"]"));
    assert_eq!(stored.site_ids, format!("[\"{site}\"]"));
    assert!(saved.body.contains(&format!("value=\"{doc}\" checked")));
    // The same choice made with the checkbox is the same save: harmless to retry.
    let retry = htmx_post(
        &auditor,
        &path,
        &[
            ("grade_code", "point-fort"),
            ("finding", "Registre tenu à jour"),
            ("site_ids", &site),
            ("evidence_ids", &doc),
            ("version", "1"),
        ],
    );
    assert_eq!(retry.status, 200);
    assert_eq!(finding(&app, &audit, "E1.1").version, stored.version);
    let cited = auditor.get(&format!("/preuves/{doc}"));
    assert!(
        cited
            .body
            .contains(&format!("/audits/{audit}/constats?exigence=E1.1"))
    );

    // Another organisme's document or site is refused, by id as by title.
    let other = app.create_organisation("Habitat Voisin", 77, "11");
    let neighbour = app.login_as(Role::QualityManager, Some(&other), None);
    neighbour.upload_with(
        &format!("/organismes/{other}/preuves"),
        &[("title", "Document voisin")],
        &[("voisin.pdf", PDF)],
    );
    let foreign = first_link(
        &neighbour.get(&format!("/organismes/{other}/preuves")).body,
        "href=\"/preuves/",
    );
    let refused = htmx_post(
        &auditor,
        &path,
        &[
            ("grade_code", "point-fort"),
            ("evidence_ids", &foreign),
            ("version", &stored.version.to_string()),
        ],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("n’appartient pas à la bibliothèque de l’organisme")
    );
    let by_title = htmx_post(
        &auditor,
        &path,
        &[
            ("grade_code", "point-fort"),
            ("evidence_add", "Document voisin"),
            ("version", &stored.version.to_string()),
        ],
    );
    assert_eq!(by_title.status, 422);
    assert_eq!(finding(&app, &audit, "E1.1").version, stored.version);
}
