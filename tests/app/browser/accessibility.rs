//! axe-core on every main page, as each role sees it, on the demo's organismes: no serious or
//! critical violation of WCAG 2.1 A/AA (and axe's best practices).

use super::{Browser, Demo, demo, open};

/// Runs axe on each page and gathers what it finds, page by page, with a screenshot each.
fn check(browser: &mut Browser, pages: &[String], found: &mut Vec<String>) {
    for page in pages {
        browser.visit(page);
        browser.wait_for("main");
        let landed = browser.path();
        assert!(
            !landed.starts_with("/connexion") || page.starts_with("/connexion"),
            "{page} sent the user to sign in"
        );
        let label = page
            .trim_start_matches('/')
            .replace(['/', '?', '=', '&'], "_");
        browser.step(&label);
        for violation in browser.accessibility_violations() {
            found.push(format!("{page}: {violation}"));
        }
    }
}

fn pages(demo: &Demo, list: &[&str]) -> Vec<String> {
    list.iter().map(|p| demo.fill(p)).collect()
}

/// The administrator's pages: everything the others see, and administration.
fn administrator(browser: &mut Browser, demo: &Demo, found: &mut Vec<String>) {
    browser.sign_in("admin@qualitrack.test", &demo.password);
    check(
        browser,
        &pages(
            demo,
            &[
                "/",
                "/organismes",
                "/organismes/nouveau",
                "/organismes/{org}",
                "/organismes/{org}/modifier",
                "/organismes/{org}/historique",
                "/organismes/{org}/sites/nouveau",
                "/sites/{site}",
                "/referentiels",
                "/referentiels/{framework}",
                "/referentiels/importer",
                "/organismes/{org}/engagements/nouveau",
                "/engagements/{commitment}",
                "/engagements/{commitment}/audits/nouveau",
                "/calendrier",
                "/calendrier?vue=mois",
                "/federation",
                "/federation/indicateurs",
                "/federation/renouvellements",
                "/actions/{action}",
                "/audits/{onsite}",
                "/audits/{onsite}/constats",
                "/admin/utilisateurs",
                "/admin/utilisateurs/nouveau",
                "/admin/historique",
                "/admin/parametres",
                "/compte",
                "/compte/mot-de-passe",
                "/compte/second-facteur",
                "/api/docs",
                "/page-qui-n-existe-pas",
            ],
        ),
        found,
    );
    // A form refused: errors beside their fields.
    browser.visit("/organismes/nouveau");
    browser.click("main form button[type=submit]");
    browser.wait_for(".field-error");
    browser.step("organisme-refuse");
    for violation in browser.accessibility_violations() {
        found.push(format!("/organismes/nouveau (refusé): {violation}"));
    }
    browser.sign_out();
}

#[test]
fn every_main_page_passes_axe_for_every_role() {
    let demo = demo();
    let Some(mut browser) = open(&demo.app.base, "accessibility") else {
        return;
    };
    let mut found = Vec::new();
    check(
        &mut browser,
        &["/connexion".to_owned(), "/accessibilite".to_owned()],
        &mut found,
    );
    // The login form refused: its error messages are part of the page too.
    browser.visit("/connexion");
    browser.fill("#f-email", "personne@exemple.fr");
    browser.fill("#f-password", "mauvais");
    browser.click("form[action=\"/connexion\"] button[type=submit]");
    browser.wait_for(".flash, .field-error, [role=alert]");
    for violation in browser.accessibility_violations() {
        found.push(format!("/connexion (refusée): {violation}"));
    }

    administrator(&mut browser, &demo, &mut found);

    browser.sign_in(&demo.quality_manager, &demo.password);
    check(
        &mut browser,
        &pages(
            &demo,
            &[
                "/",
                "/organismes/{org}",
                "/audits/{planned}",
                "/audits/{planned}/constats",
                "/audits/{planned}/autoevaluation",
                "/audits/{planned}/comparaison",
                "/organismes/{org}/preuves",
                "/preuves/{evidence}",
                "/organismes/{org}/indicateurs",
                "/organismes/{org}/indicateurs/{indicator}",
                "/organismes/{org}/indicateurs/saisie",
                "/organismes/{org}/indicateurs/import",
                "/organismes/{org}/indicateurs/propres/nouveau",
                "/organismes/{org}/enquetes",
                "/enquetes/{survey}",
                "/organismes/{org}/actions",
                "/organismes/{org}/actions?etat=toutes",
                "/organismes/{org}/actions/nouvelle",
                "/organismes/{org}/vue-publique",
                "/calendrier",
                "/compte/second-facteur",
            ],
        ),
        &mut found,
    );
    browser.sign_out();

    browser.sign_in(&demo.auditor, &demo.password);
    check(
        &mut browser,
        &pages(
            &demo,
            &["/", "/audits/{onsite}", "/audits/{onsite}/constats"],
        ),
        &mut found,
    );
    // A row opened for grading, as the keyboard opens it.
    if browser.has("[data-open-row]") {
        browser.click("[data-open-row]");
        browser.wait_for(".finding-form");
        for violation in browser.accessibility_violations() {
            found.push(format!("constats (ligne ouverte): {violation}"));
        }
    }
    browser.sign_out();

    browser.sign_in(&demo.observer, &demo.password);
    check(
        &mut browser,
        &pages(&demo, &["/", "/organismes/{org}", "/audits/{planned}"]),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "serious or critical accessibility violations:\n{}",
        found.join("\n")
    );
}
