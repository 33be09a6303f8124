//! CSV exports never carry a live formula (OWASP's advice on CSV injection): an organisme
//! that its quality manager renamed `=HYPERLINK(…)` comes out as text in every CSV file.

use qualitrack::domain::Role;

use crate::cli::qualitrack;
use crate::helpers::{Client, TestApp, siren, spawn_app};

const EVIL: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

/// The cells of a CSV file as a spreadsheet splits them (after the byte-order mark).
fn cells(bytes: &[u8], delimiter: u8) -> Vec<String> {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut all = Vec::new();
    for record in reader.records() {
        all.extend(record.expect("a CSV record").iter().map(str::to_owned));
    }
    all
}

/// No cell starts as a formula unless it is a plain number (`-5`, `-2,5`).
fn assert_no_live_formula(cells: &[String]) {
    for cell in cells {
        let number = cell.replace(',', ".").parse::<f64>().is_ok();
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || number,
            "a live formula: {cell:?}"
        );
    }
}

/// The organisme is in the file, as text a spreadsheet shows as typed.
fn assert_quoted_name(cells: &[String]) {
    assert_no_live_formula(cells);
    assert!(
        cells.iter().any(|c| *c == format!("'{EVIL}")),
        "the organisme, quoted: {cells:?}"
    );
}

/// An organisme granted Qualibail two years ago with no follow-up recorded (so it is overdue
/// and due for renewal soon), then renamed by its own quality manager.
fn renamed_organisme(app: &TestApp, n: u32) -> (String, Client) {
    let org = app.create_organisation("Habitat Formule", n, "32");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let today = chrono::Utc::now().date_naive();
    let start = (today - chrono::Duration::days(1000)).to_string();
    let decision = (today - chrono::Duration::days(990)).to_string();
    let created = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &app.framework_id("qualibail-iv")),
            ("state", "granted"),
            ("start_date", &start),
            ("decision_date", &decision),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let renamed = manager.post_form(
        &format!("/organismes/{org}"),
        &[
            ("name", EVIL),
            ("siren", &siren(n)),
            ("family", "oph"),
            ("region", "32"),
            ("homes", "10000"),
            ("federation", ""),
            ("version", "1"),
        ],
    );
    assert_eq!(renamed.status, 303, "{}", renamed.body);
    (org, manager)
}

#[test]
fn the_calendar_csv_quotes_a_formula_in_an_organisme_name() {
    let app = spawn_app();
    let (_, manager) = renamed_organisme(&app, 41);
    for (query, delimiter) in [("", b';'), ("&separateur=,", b',')] {
        let csv = manager.get(&format!("/calendrier/export.csv?periode=tout{query}"));
        assert_eq!(csv.status, 200, "{}", csv.body);
        assert_quoted_name(&cells(&csv.bytes, delimiter));
    }
}

#[test]
fn every_table_of_the_dashboard_csv_is_free_of_formulas() {
    let app = spawn_app();
    renamed_organisme(&app, 42);
    let federation = app.login_as(Role::Federation, None, None);
    for table in [
        "frameworks",
        "regions",
        "families",
        "years",
        "renewals",
        "overdue",
        "majors",
    ] {
        let csv = federation.get(&format!("/federation/tableau-de-bord.csv?table={table}"));
        assert_eq!(csv.status, 200, "{table}: {}", csv.body);
        let cells = cells(&csv.bytes, b';');
        if table == "overdue" {
            assert_quoted_name(&cells);
        } else {
            assert_no_live_formula(&cells);
        }
    }
}

#[test]
fn the_schedule_csv_of_the_command_line_quotes_a_formula_in_an_organisme_name() {
    let app = spawn_app();
    renamed_organisme(&app, 43);
    let output = app.data_dir.join("calendrier.csv");
    let run = qualitrack(
        &app.database_url,
        &app.data_dir,
        &[
            "schedule",
            "--organisation",
            &siren(43),
            "--format",
            "csv",
            "--output",
            output.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_quoted_name(&cells(&std::fs::read(&output).unwrap(), b';'));
}
