//! The home pages of the quality manager, the auditor (and the findings workspace), the
//! observer and the administrator, read in
//! Chromium on the demo as their users meet them: each answers its user's question, and its
//! screenshots at 1366×900 and 390×844 are kept under `target/browser-screenshots/`.

use super::{Browser, demo, open};

/// Screenshots of the page as a laptop and a phone show it; on neither does the page
/// scroll sideways.
fn kept(browser: &Browser, name: &str) {
    for (width, height) in [(1366, 900), (390, 844)] {
        let laid_out = browser.keep_screenshot(name, width, height);
        assert!(
            laid_out <= u64::from(width),
            "{name} is {laid_out} px wide at {width} px"
        );
    }
}

#[test]
fn each_home_answers_its_readers_question_and_is_kept_as_a_screenshot() {
    let demo = demo();
    let Some(mut browser) = open(&demo.app.base, "homes") else {
        return;
    };

    // The quality manager: are we ready for the next audit?
    browser.sign_in(&demo.quality_manager, &demo.password);
    browser.visit("/");
    browser.wait_for("#preparation-title");
    let text = browser.text();
    assert!(
        text.contains("Loire Océan Habitat"),
        "the header names the organisme"
    );
    assert!(text.contains("Prochain audit"));
    assert!(text.contains("Exigences autoévaluées"));
    assert!(text.contains("Exigences sans document"));
    assert!(text.contains("Non-conformités ouvertes"));
    assert!(browser.has("progress"));
    assert!(browser.has("a[href$='/autoevaluation']"));
    kept(&browser, "home-quality-manager");
    browser.click("a[href$='/autoevaluation']");
    browser.wait_for("#self-progress-title");
    kept(&browser, "self-assessment");
    // The action plan on a phone: its filters take two a row, the list starts soon after.
    browser.visit(&demo.fill("/organismes/{org}/actions"));
    let filters = browser.height_at("form.filters", 390, 844);
    assert!(
        filters < 300.0,
        "the filters are {filters} px tall at 390 px"
    );
    kept(&browser, "action-plan");
    // The indicators board holds its trend column on a laptop.
    browser.visit(&demo.fill("/organismes/{org}/indicateurs"));
    assert!(
        !browser.overflows(".table-wrap"),
        "the indicators board scrolls sideways at 1280 px"
    );
    kept(&browser, "indicators");
    browser.sign_out();

    // The observer: what does the organisme promise, and what came of its audits?
    browser.sign_in(&demo.observer, &demo.password);
    browser.visit("/");
    browser.wait_path("/organismes/");
    browser.wait_for("#promises-title");
    let text = browser.text();
    assert!(text.contains("nos engagements et nos résultats"));
    assert!(text.contains("Ce que concluent nos audits"));
    assert!(text.contains("Les actions en cours"));
    assert!(!text.contains('@'), "no one's e-mail");
    kept(&browser, "home-observer");
    browser.sign_out();

    // The auditor: which audit now, and how far am I?
    browser.sign_in(&demo.auditor, &demo.password);
    browser.visit("/");
    browser.wait_for("table.my-audits");
    let text = browser.text();
    assert!(text.contains("Sur site"), "the audit under way");
    assert!(text.contains("Qualibail"), "its framework");
    assert!(browser.has("table.my-audits progress"));
    kept(&browser, "home-auditor");
    browser.click("table.my-audits a[href$='/constats']");
    browser.wait_for("[data-workspace] #pane article");
    kept(&browser, "findings-workspace");
    // On a phone the list comes first, then one requirement, with the way back.
    assert!(
        browser.height_at(".req-pane", 390, 844) < 1.0,
        "the list alone on a phone"
    );
    browser.click("#tree a[data-ref]");
    browser.wait_for("[data-workspace].chosen");
    assert!(
        browser.height_at(".req-tree", 390, 844) < 1.0,
        "the requirement alone on a phone"
    );
    assert!(
        browser.height_at(".back-to-list", 390, 844) >= 44.0,
        "a finger's height"
    );
    kept(&browser, "findings-requirement");
    browser.sign_out();

    // The administrator: the accounts and the history are one click away.
    browser.sign_in("admin@qualitrack.test", &demo.password);
    browser.visit("/");
    browser.wait_for("main h1");
    assert!(browser.has("a[href='/admin/utilisateurs']"));
    assert!(browser.has("a[href='/admin/historique']"));
    kept(&browser, "home-administrator");
    // The dashboard's table of frameworks holds its twelve columns in a 1280 px window.
    browser.visit("/federation");
    let width = browser.keep_screenshot("dashboard", 1366, 900);
    assert!(width <= 1366);
    browser.visit("/federation");
    assert!(
        !browser.overflows(".table-wrap:has(.dashboard-frameworks)"),
        "the table of frameworks scrolls sideways at 1280 px"
    );
}
