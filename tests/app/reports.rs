//! The audit report as PDF: what a committee reads (the organisme, the accented grade
//! labels, every finding), numbered pages, the same bytes for the same audit, and the
//! public verification of a printed copy by its fingerprint.

use qualitrack::domain::Role;

use crate::audits::{Setup, audit_version, htmx_post, setup, sign_in};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

fn text_of(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapport.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one report followed from the findings to its verification"
)]
fn the_audit_report_reads_back_is_stable_and_can_be_verified() {
    let Setup {
        app,
        org,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    manager.upload_with(
        &format!("/organismes/{org}/preuves"),
        &[("title", "Registre des demandes 2025")],
        &[("registre.pdf", PDF)],
    );
    let auditor = sign_in(&app, &auditor_email);
    let findings = [
        (
            "E1.1",
            "nc-mineure",
            "Trois demandes enregistrées après dix jours ouvrés, sans relance écrite.",
        ),
        (
            "E1.2",
            "point-fort",
            "Accueil téléphonique exemplaire : 94 % d’appels décrochés.",
        ),
        (
            "E1.3",
            "piste-progres",
            "Liste des résidences « disponibles » à mettre à jour chaque semaine.",
        ),
    ];
    for (reference, grade, text) in findings {
        let saved = htmx_post(
            &auditor,
            &format!("/audits/{audit}/constats/{reference}"),
            &[
                ("grade_code", grade),
                ("finding", text),
                ("evidence_add", "Registre des demandes 2025"),
                ("version", "0"),
            ],
        );
        assert_eq!(saved.status, 200, "{}", saved.body);
    }
    let path = format!("/audits/{audit}/rapport.pdf");
    assert!(
        auditor
            .get(&format!("/audits/{audit}/constats"))
            .body
            .contains(&format!("href=\"{path}\"")),
        "the findings screen offers the report"
    );
    let first = auditor.get(&path);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-type"), Some("application/pdf"));
    assert!(
        first
            .header("content-disposition")
            .unwrap()
            .contains("rapport-audit-habitat-audite-2025-03-05.pdf")
    );
    let fingerprint = first.header("x-report-fingerprint").unwrap().to_owned();
    assert_eq!(
        auditor.get(&path).bytes,
        first.bytes,
        "the same audit gives the same bytes"
    );

    let pages = text_of(&first.bytes);
    let all = pages.join("\n");
    for expected in [
        "Rapport d’audit",
        "Habitat Audité",
        "Qualibail IV",
        "Non-conformité mineure",
        "Piste de progrès",
        "Point fort",
        "Trois demandes enregistrées après dix jours ouvrés",
        "94 % d’appels décrochés",
        "« disponibles »",
        "Registre des demandes 2025",
        "registre.pdf",
        "Signatures",
    ] {
        assert!(all.contains(expected), "{expected} missing from the report");
    }
    let count = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} / {count}", i + 1)),
            "page {} numbered",
            i + 1
        );
        assert!(page.contains(&fingerprint), "fingerprint on page {}", i + 1);
    }

    // Anyone can check a printed copy, and learns no finding.
    let stranger = app.client();
    let genuine = stranger.get(&format!("/verify/{fingerprint}"));
    assert_eq!(genuine.status, 200);
    assert!(
        genuine
            .body
            .contains("Ce document a bien été émis par qualitrack")
    );
    assert!(
        genuine
            .body
            .contains("C’est la version en vigueur du rapport.")
    );
    assert!(!genuine.body.contains("Trois demandes"));
    let forged: String = fingerprint.chars().rev().collect();
    let refused = stranger.get(&format!("/verify/{forged}"));
    assert_eq!(refused.status, 404);
    assert!(
        refused
            .body
            .contains("Aucun rapport émis par qualitrack ne porte cette empreinte")
    );
    assert_eq!(stranger.get("/verify/pas-une-empreinte").status, 404);

    // Once the audit moves on, the earlier copy is said to be superseded.
    let version = audit_version(&auditor, &audit);
    let moved = auditor.post_form(
        &format!("/audits/{audit}/etat"),
        &[("state", "on_site"), ("version", &version)],
    );
    assert_eq!(moved.status, 303);
    let later = stranger.get(&format!("/verify/{fingerprint}"));
    assert!(
        later
            .body
            .contains("une version plus récente de ce rapport existe")
    );

    // The API and the command line give the same document.
    let token = auditor.create_api_token("Rapports");
    let api = app.api_raw(&format!("/api/v1/audits/{audit}/report.pdf"), &token);
    assert_eq!(api.status, 200);
    let current = api.header("x-report-fingerprint").unwrap().to_owned();
    assert_ne!(current, fingerprint);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("rapport.pdf");
    let cli = crate::cli::qualitrack(
        &app.database_url,
        &app.data_dir,
        &[
            "report",
            "audit",
            &audit,
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
    assert!(String::from_utf8_lossy(&cli.stdout).contains(&current));
    assert_eq!(std::fs::read(&file).unwrap(), api.bytes);
    verification_printed_in_full(&app, &audit, &current);

    let observer = app.login_as(Role::Observer, Some(&org), None);
    assert_eq!(observer.get(&path).status, 403);
    let other = app.create_organisation("Habitat Voisin", 78, "11");
    let neighbour = app.login_as(Role::QualityManager, Some(&other), None);
    assert_eq!(neighbour.get(&path).status, 404);
}

#[test]
fn the_schedule_prints_as_a_pdf_with_the_same_rows_as_the_spreadsheets() {
    let Setup { app, manager, .. } = setup();
    let csv = manager.get("/calendrier/export.csv?periode=tout");
    let pdf = manager.get("/calendrier/export.pdf?periode=tout");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let text = text_of(&pdf.bytes).join("\n");
    assert!(text.contains("Calendrier des audits et des renouvellements"));
    assert!(
        text.contains("Habitat Audité") && text.contains("Audit de suivi n° 2"),
        "{text}"
    );
    // Due dates are never split across lines.
    let words = words_of(&text);
    for date in ["10/04/2025", "10/04/2026", "09/02/2026", "09/06/2026"] {
        assert!(words.contains(date), "{date} split: {text}");
    }
    // Every step of the spreadsheet is in the document.
    let steps = csv.body.lines().count() - 1;
    assert!(steps > 3);
    assert!(text.contains(&format!("{steps} échéance(s)")), "{text}");
    let federation = app.login_as(Role::Federation, None, Some("84"));
    let elsewhere = text_of(&federation.get("/calendrier/export.pdf").bytes).join("\n");
    assert!(
        !elsewhere.contains("Habitat Audité"),
        "a regional staff sees their region only"
    );
}

#[test]
fn federation_staff_download_the_rollout_summary() {
    let Setup { app, manager, .. } = setup();
    app.create_organisation("Habitat Sans Label", 79, "11");
    let national = app.login_as(Role::Federation, None, None);
    assert!(
        national
            .get("/")
            .body
            .contains("href=\"/federation/synthese.pdf?framework=quali-hlm\""),
        "offered on their home, for the framework in focus"
    );
    let pdf = national.get("/federation/synthese.pdf?framework=qualibail-iv");
    assert_eq!(pdf.status, 200);
    let text = text_of(&pdf.bytes).join("\n");
    assert!(text.contains("Synthèse du déploiement") && text.contains("Qualibail IV"));
    // Two organismes in Île-de-France, one holding the certification: 50 %.
    assert!(
        text.contains("Qualibail IV — Certification de services des bailleurs sociaux par région"),
        "{text}"
    );
    assert!(
        text.contains("Île-de-France") && text.contains("50,0 %"),
        "{text}"
    );
    assert!(text.contains("Renouvellements dans les 90 jours et retards"));
    // Headers are whole words in the text a reader extracts (columns are as wide as their
    // longest word); the rate above kept its unit on its line.
    let words = words_of(&text);
    for whole in [
        "Renouvellement",
        "Suspendus",
        "déploiement",
        "Île-de-France",
    ] {
        assert!(words.contains(whole), "{whole} split: {text}");
    }
    assert_eq!(manager.get("/federation/synthese.pdf").status, 403);
}

/// The words of an extracted text, as a reader's search would find them.
fn words_of(text: &str) -> std::collections::BTreeSet<&str> {
    text.split([' ', '\n', '\t'])
        .map(|w| w.trim_matches([',', '.', ':', '(', ')']))
        .collect()
}

/// With the public address set, the report prints its verification page's full address on
/// the cover and after the signatures, with a QR code of it that a reader decodes.
fn verification_printed_in_full(app: &crate::helpers::TestApp, audit: &str, fingerprint: &str) {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("rapport.pdf");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_qualitrack"))
        .args(["report", "audit", audit, "--output", file.to_str().unwrap()])
        .env("QUALITRACK_DATABASE_URL", &app.database_url)
        .env("QUALITRACK_DATA_DIR", &app.data_dir)
        .env("QUALITRACK_PUBLIC_URL", "https://qualite.exemple.fr/")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let url = format!("https://qualite.exemple.fr/verify/{fingerprint}");
    let pdf = std::fs::read(&file).unwrap();
    let pages = text_of(&pdf);
    assert!(pages[0].contains(&url), "cover: {}", pages[0]);
    assert!(pages.last().unwrap().contains(&url), "last page");
    // The QR code, read from the cover's picture by zbar.
    let cover = out.path().join("couverture");
    let drawn = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(&cover)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(drawn.success());
    let picture = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .expect("the cover as a picture");
    let read = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&picture)
        .output();
    if let Ok(read) = read {
        assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), url);
    } else {
        assert!(
            std::env::var("CI").is_err(),
            "zbarimg (zbar-tools) is needed to read the report's QR code"
        );
        eprintln!("SKIPPED: the QR code is not read without zbarimg (zbar-tools)");
    }
}

/// The veraPDF command `.ci/run` installs (`tests/verapdf/install.sh`), or none outside CI.
fn verapdf() -> Option<std::path::PathBuf> {
    if let Ok(path) = std::env::var("QUALITRACK_VERAPDF") {
        return Some(path.into());
    }
    assert!(
        std::env::var("CI").is_err(),
        "QUALITRACK_VERAPDF must name veraPDF in CI (bash tests/verapdf/install.sh)"
    );
    eprintln!("SKIPPED: no veraPDF (bash tests/verapdf/install.sh, then QUALITRACK_VERAPDF=…)");
    None
}

#[test]
fn every_report_kind_is_tagged_and_conforms_to_pdf_ua_1_and_pdf_a_2u() {
    let Setup {
        app,
        manager,
        auditor_email,
        audit,
        ..
    } = setup();
    let auditor = sign_in(&app, &auditor_email);
    let graded = htmx_post(
        &auditor,
        &format!("/audits/{audit}/constats/E1.1"),
        &[
            ("grade_code", "nc-mineure"),
            (
                "finding",
                "Trois demandes enregistrées après dix jours ouvrés.",
            ),
            ("evidence_seen", "Entretien avec la chargée d’accueil"),
            ("version", "0"),
        ],
    );
    assert_eq!(graded.status, 200, "{}", graded.body);
    let federation = app.login_as(Role::Federation, None, None);
    let documents = [
        (
            "rapport-audit",
            auditor.get(&format!("/audits/{audit}/rapport.pdf")),
        ),
        (
            "calendrier",
            manager.get("/calendrier/export.pdf?periode=tout"),
        ),
        (
            "synthese",
            federation.get("/federation/synthese.pdf?framework=qualibail-iv"),
        ),
    ];
    // The documents, and the audit report's pages as pictures, stay as artefacts.
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-pages");
    std::fs::create_dir_all(&kept).unwrap();
    let mut files = Vec::new();
    for (name, response) in &documents {
        assert_eq!(response.status, 200, "{name}");
        let file = kept.join(format!("{name}.pdf"));
        std::fs::write(&file, &response.bytes).unwrap();
        let info = std::process::Command::new("pdfinfo")
            .arg(&file)
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout).into_owned();
        assert!(info.contains("Tagged:          yes"), "{name}: {info}");
        assert!(
            !info.contains("PDF/X"),
            "{name} does not claim PDF/X: {info}"
        );
        files.push(file);
    }
    // The evidence index lists what the auditors noted besides the library's documents.
    let text = text_of(&documents[0].1.bytes).join("\n");
    let index = text.split("Index des preuves").last().unwrap();
    assert!(
        index.contains("Autres preuves examinées")
            && index.contains("Entretien avec la chargée d’accueil"),
        "{index}"
    );
    let pages = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&files[0])
        .arg(kept.join("rapport-audit-page"))
        .status()
        .unwrap();
    assert!(pages.success());
    let Some(verapdf) = verapdf() else { return };
    for flavour in ["ua1", "2u"] {
        let checked = std::process::Command::new(&verapdf)
            .args(["--flavour", flavour, "--format", "mrr"])
            .args(&files)
            .output()
            .expect("veraPDF runs");
        let report = String::from_utf8_lossy(&checked.stdout);
        let failed: Vec<&str> = report
            .lines()
            .filter(|l| l.contains("status=\"failed\"") || l.contains("<description>"))
            .collect();
        assert!(
            checked.status.success() && report.contains("isCompliant=\"true\""),
            "{flavour}: {}",
            failed.join("\n")
        );
        assert_eq!(report.matches("isCompliant=\"true\"").count(), files.len());
    }
}
