//! A text longer than its field allows comes back with the form and the field's limit (422),
//! never as a bare "too large" page, and nothing is written: forms are accepted well past
//! actix's 16 KiB default.

use qualitrack::domain::Role;

use crate::audits::{Setup, htmx_post, setup, sign_in};

/// French prose of `chars` characters, accents and typographic apostrophes included, as a
/// report pasted from a word processor.
fn prose(chars: usize) -> String {
    "Délai de réponse dépassé à l’agence ; registre tenu à jour. "
        .chars()
        .cycle()
        .take(chars)
        .collect()
}

/// The first characters of `text`, to find it again in a page.
fn start(text: &str) -> String {
    text.chars().take(200).collect()
}

/// The size of `text` as a browser sends it in a form.
fn encoded_len(text: &str) -> usize {
    form_urlencoded::byte_serialize(text.as_bytes())
        .map(str::len)
        .sum()
}

#[test]
fn a_finding_of_13_560_characters_saved_in_its_row_gets_the_fields_limit() {
    let Setup {
        app,
        audit,
        auditor_email,
        ..
    } = setup();
    let auditor = sign_in(&app, &auditor_email);
    let finding = prose(13_560);
    assert!(encoded_len(&finding) > 16 * 1024, "past actix's default");
    let (findings, history) = (app.count("findings"), app.count("history"));
    let refused = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-mineure"),
            ("finding", &finding),
            ("evidence_seen", "Registre mars"),
            ("version", "0"),
        ],
    );
    assert_eq!(refused.status, 422, "{}", start(&refused.body));
    assert!(
        refused.body.contains("5\u{202f}000 caractères au maximum."),
        "the field's limit"
    );
    assert!(
        refused.body.contains("id=\"req-E1.1\""),
        "the row comes back"
    );
    assert!(
        refused.body.contains(&start(&finding)),
        "what was typed is kept"
    );
    assert_eq!(app.count("findings"), findings, "nothing written");
    assert_eq!(app.count("history"), history, "nothing written");
}

#[test]
fn a_commitment_note_of_16_500_characters_is_refused_on_its_field() {
    let app = crate::helpers::spawn_app();
    let org = app.create_organisation("Habitat Bavard", 51, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let notes = prose(16_500);
    let (commitments, history) = (app.count("commitments"), app.count("history"));
    let refused = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &app.framework_id("qualibail-iv")),
            ("state", "considered"),
            ("start_date", "2025-01-10"),
            ("notes", &notes),
        ],
    );
    assert_eq!(refused.status, 422, "{}", start(&refused.body));
    assert!(
        refused.body.contains(
            "<p class=\"field-error\" id=\"f-notes-error\">2\u{202f}000 caractères au maximum.</p>"
        ),
        "the message is on the field"
    );
    assert!(
        refused.body.contains(&start(&notes)),
        "what was typed is kept"
    );
    assert_eq!(app.count("commitments"), commitments, "nothing written");
    assert_eq!(app.count("history"), history, "nothing written");

    // The note of an audit recorded on a commitment has its own limit, shown on its field.
    let Setup {
        app,
        commitment,
        manager,
        ..
    } = setup();
    let events = app.count("commitment_events");
    let refused = manager.post_form(
        &format!("/engagements/{commitment}/audits"),
        &[
            ("step", "suivi-1"),
            ("date", "2024-12-02"),
            ("note", &prose(16_500)),
        ],
    );
    assert_eq!(refused.status, 422, "{}", start(&refused.body));
    assert!(
        refused.body.contains(
            "<p class=\"field-error\" id=\"f-note-error\">1\u{202f}000 caractères au maximum.</p>"
        ),
        "the message is on the field"
    );
    assert_eq!(app.count("commitment_events"), events, "nothing written");
}

#[test]
fn a_source_longer_than_its_field_is_refused_instead_of_cut() {
    let crate::indicators::Setup { app, org, manager } = crate::indicators::setup();
    let refused = manager.post_form(
        &format!("/organismes/{org}/indicateurs/saisie"),
        &[
            ("periode", "2025-03"),
            ("referentiel", "qualibail-iv"),
            ("v:taux-decroche", "80,5"),
            ("source", &prose(300)),
        ],
    );
    assert_eq!(refused.status, 422, "{}", start(&refused.body));
    assert!(
        refused.body.contains(
            "<p class=\"field-error\" id=\"f-source-error\">200 caractères au maximum.</p>"
        ),
        "the message is on the field"
    );
    assert_eq!(app.count("indicator_values"), 0, "nothing written");
}
