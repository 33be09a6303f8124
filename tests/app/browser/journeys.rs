//! The four journeys users take through qualitrack, in Chromium, as they would take them:
//! through links, forms, file pickers and the keyboard, against the real server.

use std::fmt::Write as _;

use qualitrack::domain::Role;

use super::{Browser, demo, open};
use crate::audits::{Setup, setup, user_id};
use crate::helpers::{PASSWORD, siren, spawn_app};
use crate::indicators::agencies;

const ENTER: &str = "\u{E007}";
const CONTROL: &str = "\u{E009}";
const ESCAPE: &str = "\u{E00C}";
const TAB: &str = "\u{E004}";

/// Chooses a new password on the page a first sign-in leads to.
fn choose_password(browser: &mut Browser, current: &str, new: &str) {
    browser.wait_path("/compte/mot-de-passe");
    browser.step("mot-de-passe-impose");
    browser.fill("#f-current_password", current);
    browser.fill("#f-new_password", new);
    browser.fill("#f-confirm_password", new);
    browser.click("main form button[type=submit]");
    super::eventually("leaving the password form", || {
        (!browser.path().starts_with("/compte/mot-de-passe")).then_some(())
    });
}

/// The id at the end of the current address (`/organismes/{id}`…).
fn last_segment(browser: &Browser) -> String {
    browser
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_administrator_sets_up_an_organisme_its_sites_and_its_quality_manager() {
    let app = spawn_app();
    let Some(mut browser) = open(&app.base, "journey-admin") else {
        return;
    };
    browser.sign_in("admin@qualitrack.local", &app.admin_password);
    choose_password(
        &mut browser,
        &app.admin_password,
        "le phare de Saint-Nazaire",
    );
    // Then the second factor every administrator has: the app set up, the codes shown once.
    browser.wait_path("/compte/second-facteur");
    browser.second_step("admin@qualitrack.local");
    browser.step("second-facteur");
    browser.visit("/");
    browser.step("accueil-admin");

    browser.click("nav.main-nav a[href=\"/organismes\"]");
    browser.click("main a[href=\"/organismes/nouveau\"]");
    // Saved empty first: every field says what is missing, and nothing is written.
    browser.click("main form button[type=submit]");
    browser.wait_for(".error-summary");
    browser.step("organisme-refuse");
    assert_eq!(app.count("organisations"), 0);
    browser.fill("#f-name", "Habitat du Bocage");
    browser.fill("#f-siren", &siren(77));
    browser.choose("#f-family", "oph");
    browser.choose("#f-region", "52");
    browser.fill("#f-homes", "8200");
    browser.click("main form button[type=submit]");
    browser.wait_text("Habitat du Bocage");
    let org = last_segment(&browser);
    assert_eq!(browser.path(), format!("/organismes/{org}"));
    browser.step("organisme-cree");

    for (name, kind, homes, qpv) in [
        ("Agence de Laval", "agence", "3100", false),
        ("Résidence Les Tilleuls", "residence", "240", true),
    ] {
        browser.click(&format!("main a[href=\"/organismes/{org}/sites/nouveau\"]"));
        browser.fill("#f-name", name);
        browser.choose("#f-kind", kind);
        browser.fill("#f-address", "12 rue de Bretagne");
        browser.fill("#f-postal_code", "53000");
        browser.fill("#f-commune", "Laval");
        browser.fill("#f-homes", homes);
        if qpv {
            browser.click("#f-qpv");
        }
        browser.click("main form button[type=submit]");
        browser.wait_text(name);
        browser.step(&format!("site-{kind}"));
    }
    browser.visit(&format!("/organismes/{org}"));
    let page = browser.text();
    assert!(page.contains("Agence de Laval") && page.contains("Résidence Les Tilleuls"));

    browser.click("nav.main-nav a[href=\"/admin/utilisateurs\"]");
    browser.click("main a[href=\"/admin/utilisateurs/nouveau\"]");
    browser.fill("#f-email", "qualite@bocage-habitat.fr");
    browser.fill("#f-name", "Claire Martin");
    browser.choose("#f-role", "quality_manager");
    browser.choose("#f-organisation", &org);
    browser.click("main form button[type=submit]");
    let one_time = browser.text_of("#one-time-password");
    assert!(one_time.len() >= 12, "{one_time}");
    browser.step("compte-cree");

    // The quality manager signs in with it, chooses a password and finds the organisme.
    browser.sign_out();
    browser.sign_in("qualite@bocage-habitat.fr", &one_time);
    choose_password(&mut browser, &one_time, "les haies du bocage mayennais");
    browser.visit(&format!("/organismes/{org}"));
    browser.wait_text("Agence de Laval");
    browser.step("responsable-qualite");
    assert!(
        !browser.has("nav.main-nav a[href=\"/admin/utilisateurs\"]"),
        "a quality manager has no administration"
    );
}

/// A file the browser can pick, in a folder that outlives the step.
fn file(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("test file");
    path
}

/// Sets a date field's value (a typed date depends on the browser's locale; the value does not).
fn set_date(browser: &Browser, css: &str, value: &str) {
    let element = browser.wait_for(css);
    browser.driver.execute(
        "arguments[0].value = arguments[1];",
        &[element.json(), serde_json::json!(value)],
    );
}

/// An organisme with two agencies, its quality manager's e-mail and an auditor's id.
fn organisme_with_agencies(app: &crate::helpers::TestApp) -> (String, String, String) {
    let org = app.create_organisation("Habitat Mesuré", 51, "11");
    let manager_email = app.create_user(Role::QualityManager, Some(&org), None);
    let auditor_email = app.create_user(Role::Auditor, None, None);
    let auditor = user_id(app, &auditor_email);
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    agencies(
        &manager,
        &org,
        &[("Agence Nord", "2000"), ("Agence Sud", "2000")],
    );
    (org, manager_email, auditor)
}

/// A commitment to Qualibail granted in April 2024, whose schedule is checked, and its first
/// follow-up audit planned from that schedule; the audit's id.
fn commit_and_plan(
    browser: &mut Browser,
    app: &crate::helpers::TestApp,
    org: &str,
    auditor: &str,
) -> String {
    browser.visit(&format!("/organismes/{org}"));
    browser.click(&format!(
        "main a[href=\"/organismes/{org}/engagements/nouveau\"]"
    ));
    browser.choose("#f-framework_id", &app.framework_id("qualibail-iv"));
    browser.choose("#f-state", "granted");
    set_date(browser, "#f-start_date", "2024-01-10");
    set_date(browser, "#f-decision_date", "2024-04-10");
    browser.click("main form button[type=submit]");
    let commitment = browser.wait_path("/engagements/");
    browser.step("engagement");
    let schedule = browser.text();
    assert!(schedule.contains("Qualibail"), "{schedule}");
    assert!(
        schedule.contains("2025") && schedule.contains("2026") && schedule.contains("2027"),
        "the follow-ups and the renewal are scheduled: {schedule}"
    );

    browser.click(&format!("main a[href=\"{commitment}/audits/nouveau\"]"));
    browser.click("input[name=slot][value=\"step:suivi-1\"]");
    set_date(browser, "#f-start_date", "2025-03-03");
    set_date(browser, "#f-end_date", "2025-03-05");
    browser.choose("#f-lead_auditor_id", auditor);
    browser.click("main form button[type=submit]");
    browser.wait_path("/audits/");
    browser.step("audit-planifie");
    assert!(browser.text().contains("Planifié"));
    last_segment(browser)
}

#[test]
fn the_quality_manager_commits_imports_uploads_and_self_assesses() {
    let app = spawn_app();
    let (org, manager_email, auditor) = organisme_with_agencies(&app);
    let Some(mut browser) = open(&app.base, "journey-quality-manager") else {
        return;
    };
    let files = tempfile::tempdir().expect("files");
    browser.sign_in(&manager_email, PASSWORD);
    browser.step("accueil");

    let audit = commit_and_plan(&mut browser, &app, &org, &auditor);

    // A year of values from a spreadsheet: checked first, then written on confirmation.
    let mut csv = String::from("indicateur;site;période;valeur\n");
    for month in 1..=12 {
        writeln!(
            csv,
            "taux-decroche;Agence Nord;2025-{month:02};8{},5",
            month % 10
        )
        .expect("a line");
    }
    let values = file(&files, "valeurs-2025.csv", csv.as_bytes());
    browser.visit(&format!("/organismes/{org}/indicateurs/import"));
    browser.attach("#f-files", &values);
    browser.click(&format!(
        "form[action=\"/organismes/{org}/indicateurs/import\"][enctype=\"multipart/form-data\"] button[type=submit]"
    ));
    browser.wait_text("12 valable(s)");
    browser.step("import-verifie");
    assert_eq!(app.count("indicator_values"), 0, "a preview writes nothing");
    browser.click(&format!(
        "form[action=\"/organismes/{org}/indicateurs/import/confirmer\"] button[type=submit]"
    ));
    browser.wait_path(&format!("/organismes/{org}/indicateurs"));
    browser.step("import-confirme");
    assert_eq!(app.count("indicator_values"), 12);

    // A document of proof, uploaded with its title.
    let procedure = file(
        &files,
        "procedure-accueil.pdf",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    );
    browser.visit(&format!("/organismes/{org}/preuves"));
    browser.attach("#f-files", &procedure);
    browser.fill("#f-title", "Procédure d’accueil des demandeurs");
    browser.click("main form[enctype=\"multipart/form-data\"] button[type=submit]");
    browser.wait_text("Procédure d’accueil des demandeurs");
    browser.step("preuve-deposee");
    assert_eq!(app.count("evidence_files"), 1);

    // The self-assessment of a requirement, with the document that supports it.
    browser.visit(&format!("/audits/{audit}/constats?exigence=E1.1"));
    browser.click("[id=\"self-E1.1-partial\"]");
    browser.fill(
        "[id=\"self-comment-E1.1\"]",
        "Affichage à jour à Carcassonne, pas encore en ligne.",
    );
    // The library's titles are offered as the user types: the first one is picked.
    browser.fill("[id=\"sd-add-E1.1\"]", "Procédure");
    browser.fill("[id=\"sd-add-E1.1\"]", "Procédure d’accueil des demandeurs");
    browser.click(&format!(
        "form[action=\"/audits/{audit}/autoevaluation/E1.1\"] button[type=submit]"
    ));
    browser.wait_text("Affichage à jour à Carcassonne");
    browser.step("auto-evaluation");
    // Still there when the screen is opened again.
    browser.visit(&format!("/audits/{audit}/constats?exigence=E1.1"));
    let row = browser.text_of("[id=\"req-E1.1\"]");
    assert!(row.contains("Partiellement"), "{row}");
    assert!(row.contains("Procédure d’accueil des demandeurs"), "{row}");
}

/// The next requirement, graded and written by keyboard; leaving it for the one before saves
/// what was typed, and coming back shows it saved.
fn second_requirement_by_keyboard(browser: &Browser) {
    browser.press(&[], &["j"]);
    focused(browser, "req-E1.2");
    browser.press(&[], &["1"]);
    browser.press(&[], &["e"]);
    focused(browser, "finding-E1.2");
    browser.press(
        &[],
        &["Conseillers formés, réponses vérifiées par appels mystère."],
    );
    browser.press(&[], &[ESCAPE]);
    focused(browser, "req-E1.2");
    // J and K are keys again once out of the text; moving on saves what was typed first.
    browser.press(&[], &["k"]);
    focused(browser, "req-E1.1");
    browser.press(&[], &["j"]);
    focused(browser, "req-E1.2");
    let kept = browser.text_of("[id=\"req-E1.2\"] .saved");
    assert!(kept.contains("Enregistré"), "{kept}");
}

/// Waits for the element `id` to have the focus (after a swap the focus moves late).
fn focused(browser: &Browser, id: &str) {
    super::eventually(&format!("the focus on {id}"), || {
        (browser.focused_id() == id).then_some(())
    });
}

/// Presses `key` until the element `id` has the focus (J between rows, Tab between fields).
fn press_until(browser: &Browser, key: &str, id: &str) {
    for _ in 0..40 {
        if browser.focused_id() == id {
            return;
        }
        browser.press(&[], &[key]);
    }
    panic!(
        "{key:?} never reached {id}; the focus is on {}",
        browser.focused_id()
    );
}

#[test]
fn the_auditor_records_findings_with_the_keyboard_submits_and_downloads_the_report() {
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let uploaded = manager.upload_with(
        &format!("/organismes/{org}/preuves"),
        &[("title", "Registre des réclamations 2025")],
        &[(
            "registre.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        )],
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let Some(mut browser) = open(&app.base, "journey-auditor") else {
        return;
    };
    browser.sign_in(&auditor_email, PASSWORD);
    browser.step("accueil-auditeur");
    browser.visit(&format!("/audits/{audit}"));
    browser.choose("#f-state", "on_site");
    browser.click(&format!(
        "form[action=\"/audits/{audit}/etat\"] button[type=submit]"
    ));
    browser.wait_text("Sur site");
    browser.step("audit-sur-site");

    // Keyboard only from here: J to the next requirement, a digit for the grade, E to the
    // text, Tab on to the documents, Ctrl+Enter to save (the keyboard comes back to the
    // requirement), Escape out of a field.
    browser.visit(&format!("/audits/{audit}/constats"));
    browser.wait_for("[data-workspace] #pane article");
    browser.press(&[], &["j"]);
    focused(&browser, "req-E1.1");
    browser.press(&[], &["3"]);
    let grade = browser.focused_id();
    assert!(
        grade.starts_with("g-E1.1-"),
        "a digit chose a grade: {grade}"
    );
    browser.press(&[], &["e"]);
    focused(&browser, "finding-E1.1");
    browser.press(&[], &["Affichage absent de l’agence de Narbonne."]);
    press_until(&browser, TAB, "d-add-E1.1");
    browser.press(&[], &["Registre des réclamations 2025"]);
    browser.press(&[CONTROL], &[ENTER]);
    eventually_saved(&browser, "E1.1");
    focused(&browser, "req-E1.1");
    browser.step("constat-e1-1");
    // The tree's line carries the grade at once.
    super::eventually("the tree line's grade", || {
        let line = browser.text_of("[id=\"tree-E1.1\"]");
        (!line.contains("Non évalué")).then_some(line)
    });
    second_requirement_by_keyboard(&browser);
    browser.step("constat-e1-2");

    // What the keyboard saved is what the server keeps.
    browser.visit(&format!("/audits/{audit}/constats?exigence=E1.1"));
    let first = browser.text_of("[id=\"req-E1.1\"]");
    assert!(
        first.contains("Affichage absent de l’agence de Narbonne."),
        "{first}"
    );
    assert!(first.contains("Registre des réclamations 2025"), "{first}");
    assert!(browser.checked(&format!("[id=\"{grade}\"]")));
    browser.visit(&format!("/audits/{audit}/constats?exigence=E1.2"));
    assert!(
        browser
            .text_of("[id=\"req-E1.2\"]")
            .contains("Conseillers formés, réponses vérifiées par appels mystère.")
    );
    assert!(browser.text().contains("2 exigence(s) évaluée(s)"));

    // Submitted through the check: what is not assessed is confirmed, the findings freeze
    // and the report is downloaded.
    browser.click(&format!("a[href=\"/audits/{audit}/soumettre\"]"));
    browser.wait_for("#f-confirm");
    assert!(browser.text().contains("exigences non évaluées"));
    browser.click("#f-confirm");
    browser.click(&format!(
        "form[action=\"/audits/{audit}/soumettre\"] button[type=submit]"
    ));
    browser.wait_text("Rapport soumis");
    browser.step("audit-remis");
    browser.click(&format!("main a[href=\"/audits/{audit}/rapport.pdf\"]"));
    let (name, pdf) = browser.downloaded(".pdf");
    assert!(pdf.starts_with(b"%PDF"), "{name} is a PDF");
    browser.visit(&format!("/audits/{audit}/constats"));
    assert!(
        !browser.has(".finding-form"),
        "submitted findings are read only"
    );
}

/// Waits for the row's save to be confirmed ("Enregistré à …"); the row is swapped meanwhile,
/// so it is looked up afresh each time.
fn eventually_saved(browser: &Browser, reference: &str) {
    super::eventually(&format!("the save of {reference}"), || {
        browser
            .driver
            .execute(
                "var row = document.getElementById(arguments[0]);
                 var saved = row && row.querySelector('.saved');
                 return saved ? saved.innerText : '';",
                &[serde_json::json!(format!("req-{reference}"))],
            )
            .as_str()
            .filter(|t| t.contains("Enregistré"))
            .map(str::to_owned)
    });
}

#[test]
fn federation_staff_read_the_dashboard_drill_down_and_export() {
    let demo = demo();
    let Some(mut browser) = open(&demo.app.base, "journey-federation") else {
        return;
    };
    browser.sign_in("federation@qualitrack.test", &demo.password);
    browser.wait_for(".rollout-cards, main h1");
    browser.step("tableau-de-bord");
    assert!(browser.text().contains("Quali’Hlm") || browser.text().contains("Quali'Hlm"));

    // A figure of the table by framework opens the organismes it counts.
    browser.wait_for("main table a[href^=\"/organismes?framework=\"]");
    let (link, figure) = browser
        .driver
        .find_all("main table a[href^=\"/organismes?framework=\"]")
        .into_iter()
        .find_map(|link| {
            let figure: usize = browser.driver.text(&link).trim().parse().ok()?;
            (figure > 0).then_some((link, figure))
        })
        .expect("a figure above zero links to its organismes");
    browser.driver.click(&link).expect("the figure is a link");
    browser.wait_path("/organismes?");
    browser.step("organismes-du-chiffre");
    assert_eq!(
        browser.count("main table tbody tr"),
        figure,
        "the list holds the organismes the figure counted"
    );

    // Back on the dashboard, another framework in focus, then the exports.
    browser.visit("/federation");
    browser.choose("#d-framework", "qualibail-iv");
    browser.click("form.filters button[type=submit]");
    browser.wait_path("/federation?");
    browser.step("focus-qualibail");
    browser.click("main a[href^=\"/federation/tableau-de-bord.xlsx\"]");
    let (_, workbook) = browser.downloaded(".xlsx");
    assert!(workbook.starts_with(b"PK"), "an XLSX workbook");
    browser.click("main a[href^=\"/federation/tableau-de-bord.csv\"]");
    let (_, table) = browser.downloaded(".csv");
    let table = String::from_utf8(table).expect("UTF-8");
    assert!(table.contains(';'), "{table}");
}
