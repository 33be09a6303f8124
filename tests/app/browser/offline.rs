//! Field mode, on a phone (390×844) and by keyboard: an auditor prepares the audit, loses the network, grades and writes five
//! findings by keyboard, adds a photograph (reduced on the device), reloads and sees them, gets the network back after the session
//! expired and signs in again; every save is sent, and the one a team member changed
//! meanwhile shows as a conflict with both versions, settled by the auditor.

use super::{Browser, eventually, open};
use crate::audits::{Setup, htmx_post, setup, sign_in, take_on_site};
use crate::helpers::PASSWORD;

const ENTER: &str = "\u{E007}";
const CONTROL: &str = "\u{E009}";
const TAB: &str = "\u{E004}";

fn focused(browser: &Browser, id: &str) {
    eventually(&format!("the focus on {id}"), || {
        (browser.focused_id() == id).then_some(())
    });
}

/// The queue's lines as the page shows them.
fn queue(browser: &Browser) -> Vec<String> {
    browser
        .driver
        .execute(
            "return [...document.querySelectorAll('#offline-queue li')].map(l => l.innerText);",
            &[],
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn queued(browser: &Browser, count: usize, state: &str) {
    eventually(&format!("{count} line(s) « {state} »"), || {
        let lines = queue(browser);
        (lines.iter().filter(|l| l.contains(state)).count() == count).then_some(lines)
    });
}

/// The text the server keeps for a requirement's finding.
fn stored(app: &crate::helpers::TestApp, audit: &str, reference: &str) -> String {
    let (audit, reference) = (audit.to_owned(), reference.to_owned());
    app.with_db(move |conn| {
        Ok(qualitrack::models::finding::findings_of(conn, &audit)?
            .into_iter()
            .find(|f| f.requirement_ref == reference)
            .map(|f| f.finding)
            .unwrap_or_default())
    })
}

/// Each requirement from E1.1 on graded and written by keyboard, each save queued.
fn grade_and_write(browser: &Browser, texts: &[&str]) {
    for (n, text) in texts.iter().enumerate() {
        let reference = format!("E1.{}", n + 1);
        if n > 0 {
            browser.press(&[], &["j"]);
            focused(browser, &format!("req-{reference}"));
        }
        browser.press(&[], &["1"]);
        browser.press(&[], &["e"]);
        focused(browser, &format!("finding-{reference}"));
        browser.press(&[], &[text]);
        browser.press(&[CONTROL], &[ENTER]);
        focused(browser, &format!("req-{reference}"));
        queued(browser, n + 1, "En attente d’envoi");
    }
}

/// The conflict opened from the queue, both versions side by side; the auditor saves theirs
/// over the stored one.
fn settle_keeping_mine(browser: &Browser, app: &crate::helpers::TestApp, audit: &str, mine: &str) {
    browser.click("#offline-queue [data-settle]");
    browser.wait_text("Liste incomplète à Limoux.");
    let shown = browser.text_of("#pane");
    assert!(
        shown.contains(mine) && shown.contains("Votre version"),
        "{shown}"
    );
    browser.click("#pane form.finding-form button[type=submit]");
    eventually("E1.3 saved over", || {
        (stored(app, audit, "E1.3") == mine).then_some(())
    });
    queued(browser, 0, "En conflit");
}

/// A photograph as a phone's camera takes one (3200×2400 pixels), drawn by the browser and
/// kept on disk for the file field.
fn camera_picture(browser: &Browser, dir: &std::path::Path) -> std::path::PathBuf {
    use base64::Engine;
    let drawn = browser.driver.execute(
        "var c = document.createElement('canvas'); c.width = 3200; c.height = 2400;
         var g = c.getContext('2d'); var sky = g.createLinearGradient(0, 0, 3200, 2400);
         sky.addColorStop(0, '#2b6cb0'); sky.addColorStop(1, '#f6ad55');
         g.fillStyle = sky; g.fillRect(0, 0, 3200, 2400);
         g.fillStyle = '#fff'; g.font = '240px sans-serif'; g.fillText('Chaufferie', 500, 1300);
         return c.toDataURL('image/png').split(',')[1];",
        &[],
    );
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(drawn.as_str().expect("the picture"))
        .expect("base64");
    let path = dir.join("IMG_2087.png");
    std::fs::write(&path, bytes).expect("the picture on disk");
    path
}

/// A photograph added to the requirement shown, by keyboard: the caption, the file (as the
/// camera gives it), then the button.
fn add_photograph(browser: &Browser, picture: &std::path::Path, caption: &str) {
    browser.driver.execute(
        "document.querySelector('#pane form.photo-form input[name=caption]').focus();",
        &[],
    );
    browser.press(&[], &[caption]);
    browser.press(&[], &[TAB]);
    browser.attach("#pane form.photo-form input[type=file]", picture);
    browser.driver.execute(
        "document.querySelector('#pane form.photo-form input[type=file]').focus();",
        &[],
    );
    browser.press(&[], &[TAB]);
    browser.press(&[], &[ENTER]);
}

/// The photograph left the device reduced: the server keeps one JPEG whose long side is
/// 1600 px, lighter than the camera's picture, and shows it under its requirement.
fn arrived_reduced(
    browser: &Browser,
    app: &crate::helpers::TestApp,
    audit: &str,
    picture: &std::path::Path,
) {
    let audit_id = audit.to_owned();
    let (content_type, size) = app.with_db(move |conn| {
        let taken = qualitrack::models::photo::of_audit(conn, &audit_id)?;
        assert_eq!(taken.len(), 1, "one photograph, sent once");
        let files = qualitrack::models::evidence::files(conn, &taken[0].evidence_id)?;
        Ok((files[0].content_type.clone(), files[0].size))
    });
    browser.visit(&format!("/audits/{audit}/constats?exigence=E1.5"));
    let long_side = eventually("the photograph shown under E1.5", || {
        let longest = browser.driver.execute(
            "var i = document.querySelector('[id=\"photos-E1.5\"] .photo-list:not(.photo-queue) img');
             return i && i.complete && i.naturalWidth ? Math.max(i.naturalWidth, i.naturalHeight) : 0;",
            &[],
        );
        longest.as_i64().filter(|s| *s > 0)
    });
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(long_side, 1600);
    let original = std::fs::metadata(picture).expect("the picture").len();
    assert!(
        size > 0 && u64::try_from(size).unwrap() < original,
        "{size} < {original}"
    );
}

/// No copy of an audit and no queue left in the browser.
fn nothing_kept(browser: &Browser) {
    let left = browser.driver.execute_async(
        "var done = arguments[arguments.length - 1];
         Promise.all([caches.keys(), indexedDB.databases()]).then(function (found) {
           done(found[0].concat(found[1].map(function (d) { return d.name; })));
         });",
        &[],
    );
    let left: Vec<&str> = left
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert!(
        !left.iter().any(|name| name.starts_with("qualitrack")),
        "kept after signing out: {left:?}"
    );
}

#[test]
fn findings_written_offline_are_kept_on_the_device_and_sent_when_the_network_returns() {
    let Setup {
        app,
        audit,
        auditor_email,
        ..
    } = setup();
    take_on_site(&sign_in(&app, &auditor_email), &audit);
    let Some(mut browser) = open(&app.base, "offline") else {
        return;
    };
    // On a phone, the whole way, as in a basement.
    browser.as_phone();
    browser.sign_in(&auditor_email, PASSWORD);
    browser.visit(&format!("/audits/{audit}/constats?exigence=E1.1"));
    browser.wait_for("#offline-panel:not([hidden])");
    assert!(
        browser.text().contains("effacé de l’appareil"),
        "the page says what is kept"
    );
    // Prepared from the keyboard: the button takes the focus, Enter presses it.
    browser.driver.execute(
        "document.querySelector('#offline-panel [data-offline-prepare]').focus();",
        &[],
    );
    browser.press(&[], &[ENTER]);
    browser.wait_text("Audit gardé sur cet appareil depuis le");
    browser.step("prepare");

    browser.offline(true);
    browser
        .driver
        .execute("document.getElementById('req-E1.1').focus();", &[]);
    let texts = [
        "Critères affichés à l’accueil, absents du site internet.",
        "Conseillers joignables, réponses vérifiées sur dix appels.",
        "Liste des résidences à jour, remise au demandeur.",
        "Accusés de réception envoyés sous huit jours.",
        "Entretien découverte tracé dans le dossier.",
    ];
    grade_and_write(&browser, &texts);
    let pictures = tempfile::tempdir().expect("a folder for the camera");
    let picture = camera_picture(&browser, pictures.path());
    add_photograph(&browser, &picture, "Chaufferie : registre affiché");
    queued(&browser, 6, "En attente d’envoi");
    browser.wait_for("[data-photo-queue]:not([hidden]) img");
    browser.step("cinq-constats-et-une-photo-hors-ligne");
    assert_eq!(
        stored(&app, &audit, "E1.1"),
        "",
        "nothing reached the server"
    );

    // A reload without a network shows the work again, from the device.
    browser.visit(&format!("/audits/{audit}/constats?exigence=E1.2"));
    browser.wait_for("#pane article");
    queued(&browser, 6, "En attente d’envoi");
    eventually("E1.2's text over its kept copy", || {
        let value = browser.driver.execute(
            "var t = document.getElementById('finding-E1.2'); return t ? t.value : '';",
            &[],
        );
        value
            .as_str()
            .filter(|v| v.contains(texts[1]))
            .map(str::to_owned)
    });
    browser.step("recharge-hors-ligne");

    // Meanwhile a team member writes E1.3 from another session.
    let colleague = sign_in(&app, &auditor_email);
    let theirs = htmx_post(
        &colleague,
        &format!("/audits/{audit}/constats/E1.3"),
        &[
            ("grade_code", "point-sensible"),
            ("finding", "Liste incomplète à Limoux."),
            ("version", "0"),
        ],
    );
    assert_eq!(theirs.status, 200);

    // The session expired while offline: back online, the page asks to sign in again and
    // nothing is sent until then.
    browser.drop_cookies();
    browser.offline(false);
    browser.wait_for("#offline-signin:not([hidden])");
    queued(&browser, 6, "En attente d’envoi");
    browser.sign_in(&auditor_email, PASSWORD);
    browser.visit(&format!("/audits/{audit}/constats"));
    queued(&browser, 5, "Envoyé");
    queued(&browser, 1, "En conflit");
    assert_eq!(stored(&app, &audit, "E1.1"), texts[0]);
    assert_eq!(stored(&app, &audit, "E1.5"), texts[4]);
    assert_eq!(
        stored(&app, &audit, "E1.3"),
        "Liste incomplète à Limoux.",
        "nothing overwritten"
    );
    browser.step("retour-reseau");
    arrived_reduced(&browser, &app, &audit, &picture);

    // The conflict, field by field; the auditor keeps their own version.
    settle_keeping_mine(&browser, &app, &audit, texts[2]);
    browser.keep_screenshot("offline-queue", 390, 844);
    browser.step("conflit-regle");

    // Signing out leaves nothing of the audit on the device.
    browser.sign_out();
    nothing_kept(&browser);
}
