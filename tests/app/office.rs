//! Every table export has its OpenDocument spreadsheet beside its XLSX workbook: the ODS
//! files are opened and converted by LibreOffice (headless), which must read back the same
//! rows, numbers and dates as the pages show.

use std::path::Path;
use std::process::Command;

use qualitrack::domain::Role;

use crate::audits::{Setup, setup};

/// LibreOffice's command, or none outside CI (the conversion is then skipped).
fn soffice() -> Option<&'static str> {
    let found = Command::new("soffice").arg("--version").output().is_ok();
    if found {
        return Some("soffice");
    }
    assert!(
        std::env::var("CI").is_err(),
        "LibreOffice (libreoffice-calc) is needed to open the ODS exports"
    );
    eprintln!("SKIPPED: no LibreOffice to open the ODS exports (libreoffice-calc)");
    None
}

/// Converts `files` to CSV with LibreOffice; each file's text.
fn converted(soffice: &str, dir: &Path, files: &[&Path]) -> Vec<String> {
    let filter = "csv:Text - txt - csv (StarCalc):59,34,76";
    convert_to(soffice, dir, files, filter, "csv")
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("LibreOffice converted {}: {e}", path.display()))
        })
        .collect()
}

#[test]
fn every_table_export_has_an_ods_beside_its_xlsx_that_libreoffice_reads_back() {
    let Setup {
        app, org, manager, ..
    } = setup();
    let admin = app.admin();
    let exports = [
        (
            &manager,
            "calendrier",
            "/calendrier/export.ods?periode=tout".to_owned(),
        ),
        (
            &manager,
            "plan",
            format!("/organismes/{org}/actions/export.ods"),
        ),
        (&admin, "organismes", "/organismes/export.ods".to_owned()),
        (
            &admin,
            "deploiement",
            "/federation/tableau-de-bord.ods".to_owned(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (client, name, path) in &exports {
        let answer = client.get(path);
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(
            answer.header("content-type"),
            Some("application/vnd.oasis.opendocument.spreadsheet"),
            "{path}"
        );
        assert!(
            answer
                .header("content-disposition")
                .unwrap()
                .contains(".ods"),
            "{path}"
        );
        assert!(answer.bytes.starts_with(b"PK"), "{path} is a zip");
        let file = dir.path().join(format!("{name}.ods"));
        std::fs::write(&file, &answer.bytes).unwrap();
        files.push(file);
    }
    // The pages offer them beside the XLSX ones.
    assert!(
        manager
            .get("/calendrier")
            .body
            .contains("/calendrier/export.ods?")
    );
    assert!(
        admin
            .get("/organismes")
            .body
            .contains("/organismes/export.ods?")
    );
    let federation = app.login_as(Role::Federation, None, None);
    assert!(
        federation
            .get("/federation")
            .body
            .contains("/federation/tableau-de-bord.ods?")
    );

    let Some(soffice) = soffice() else { return };
    let paths: Vec<&Path> = files.iter().map(std::path::PathBuf::as_path).collect();
    let sheets = converted(soffice, dir.path(), &paths);
    let calendar = sheets[0].trim_start_matches('\u{feff}');
    assert!(
        calendar.starts_with("Organisme;Région;Famille;Référentiel;Étape"),
        "{calendar}"
    );
    assert!(calendar.contains("Habitat Audité"), "{calendar}");
    assert!(calendar.contains("Audit de suivi"), "{calendar}");
    assert!(
        calendar.contains("10/04/2025"),
        "dates read back as dates: {calendar}"
    );
    assert!(sheets[2].contains("Habitat Audité"), "{}", sheets[2]);
    assert!(sheets[3].lines().count() > 1, "{}", sheets[3]);
}

/// Converts `files` with LibreOffice to `filter` (an extension and its filter); the paths
/// written.
fn convert_to(
    soffice: &str,
    dir: &Path,
    files: &[&Path],
    filter: &str,
    extension: &str,
) -> Vec<std::path::PathBuf> {
    let out = dir.join(extension);
    let run = Command::new(soffice)
        .args(["--headless", "--norestore"])
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--convert-to", filter, "--outdir"])
        .arg(&out)
        .args(files)
        .output()
        .expect("LibreOffice runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    files
        .iter()
        .map(|file| {
            let name = file.file_stem().unwrap().to_str().unwrap();
            out.join(format!("{name}.{extension}"))
        })
        .collect()
}

#[test]
fn the_audit_report_is_also_an_odt_and_a_docx_that_libreoffice_opens_with_its_sections() {
    let Setup {
        app,
        auditor_email,
        audit,
        ..
    } = setup();
    let auditor = crate::audits::sign_in(&app, &auditor_email);
    let graded = crate::audits::htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-mineure"),
            (
                "finding",
                "Trois demandes enregistrées après dix jours ouvrés.",
            ),
            ("version", "0"),
        ],
    );
    assert_eq!(graded.status, 200, "{}", graded.body);
    assert!(
        auditor
            .get(&format!("/audits/{audit}"))
            .body
            .contains(&format!("/audits/{audit}/rapport.odt")),
        "offered beside the PDF"
    );
    let pdf = auditor.get(&format!("/audits/{audit}/rapport.pdf"));
    let fingerprint = pdf.header("x-report-fingerprint").unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let token = auditor.create_api_token("Rapports");
    let mut files = Vec::new();
    for (format, media) in [
        ("odt", "application/vnd.oasis.opendocument.text"),
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ] {
        let page = auditor.get(&format!("/audits/{audit}/rapport.{format}"));
        assert_eq!(page.status, 200);
        assert_eq!(page.header("content-type"), Some(media));
        assert_eq!(
            page.header("x-report-fingerprint"),
            Some(fingerprint.as_str())
        );
        let api = app.api_raw(&format!("/api/v1/audits/{audit}/report.{format}"), &token);
        assert_eq!(api.status, 200);
        assert_eq!(api.bytes, page.bytes, "the API gives the same document");
        // The command line writes the same file.
        let file = dir.path().join(format!("rapport-{format}.{format}"));
        let cli = crate::cli::qualitrack(
            &app.database_url,
            &app.data_dir,
            &[
                "report",
                "audit",
                &audit,
                "--format",
                format,
                "--output",
                file.to_str().unwrap(),
            ],
            "",
        );
        assert!(
            cli.status.success(),
            "{}",
            String::from_utf8_lossy(&cli.stderr)
        );
        assert_eq!(std::fs::read(&file).unwrap(), page.bytes);
        files.push(file);
    }
    let Some(soffice) = soffice() else { return };
    let paths: Vec<&Path> = files.iter().map(std::path::PathBuf::as_path).collect();
    let texts = convert_to(
        soffice,
        dir.path(),
        &paths,
        "txt:Text (encoded):UTF8",
        "txt",
    );
    for text in &texts {
        let text = std::fs::read_to_string(text).expect("LibreOffice read the document");
        for expected in [
            "Rapport d’audit",
            "Habitat Audité",
            "Trois demandes enregistrées après dix jours ouvrés.",
            "Non-conformité mineure",
            "Index des preuves",
            "Signatures",
            &format!("/verify/{fingerprint}"),
        ] {
            assert!(text.contains(expected), "{expected} missing: {text}");
        }
    }
    // And back: the Word document converts to an OpenDocument text.
    let back = convert_to(soffice, dir.path(), &paths[1..], "odt", "odt");
    assert!(std::fs::read(&back[0]).unwrap().starts_with(b"PK"));
}
