//! Benchmarks, ignored by `cargo test`: run them with `bench/findings.sh`. They print what
//! they measure and assert nothing about time (see docs/BENCHMARKS.md for the method).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use qualitrack::domain::Role;
use qualitrack::models::history::Actor;
use qualitrack::services::frameworks::{Ownership, import};

use crate::audits::{htmx_post, sign_in, user_id};
use crate::helpers::{Client, Resp, spawn_app};

const THEMES: usize = 20;
const PER_THEME: usize = 14;

/// A framework of 300 requirements (20 themes of 14), with Qualibail's cycle and grades.
fn framework_300() -> String {
    let base = include_str!("../../audit-frameworks/qualibail-iv.toml");
    // The cycle, grades and indicators of Qualibail IV, with requirements of our own.
    let head = base.split("\n[[requirements]]").next().unwrap();
    let mut text = head
        .replacen("code = \"qualibail-iv\"", "code = \"bench-300\"", 1)
        .replacen("version = \"IV\"", "version = \"1\"", 1);
    for theme in 1..=THEMES {
        write!(
            text,
            "\n[[requirements]]\nref = \"T{theme}\"\ntitle = \"Thème {theme} : relation avec les locataires et qualité du service rendu\"\n"
        )
        .unwrap();
        for item in 1..=PER_THEME {
            write!(
                text,
                "\n[[requirements]]\nref = \"T{theme}.{item}\"\nparent = \"T{theme}\"\ntitle = \"Exigence {theme}.{item} : les demandes des locataires reçoivent une réponse écrite dans le délai annoncé\"\nguidance = \"Vérifier sur un échantillon de demandes la date de réception, la date de réponse et le contenu de la réponse ; rapprocher des indicateurs du tableau de bord.\"\nevidence = [\"Registre des demandes\", \"Échantillon de courriers de réponse\", \"Tableau de bord mensuel\"]\n"
            )
            .unwrap();
        }
    }
    text
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// Times `runs` calls; prints a table row: p50, p99, max (ms) and the answer's size.
fn measure(label: &str, runs: usize, mut call: impl FnMut(usize) -> Resp) {
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for run in 0..runs {
        let start = Instant::now();
        let resp = call(run);
        times.push(start.elapsed());
        assert!(resp.status < 300, "{label}: {}", resp.status);
        size = resp.body.len();
    }
    times.sort();
    println!(
        "| {label} | {runs} | {:.1} | {:.1} | {:.1} | {} KB |",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        size / 1024
    );
}

#[test]
#[ignore = "benchmark: run with bench/findings.sh"]
#[expect(clippy::too_many_lines, reason = "the scenario, in the order it runs")]
fn findings_screen_of_a_300_requirement_audit() {
    let app = spawn_app();
    let text = framework_300();
    app.with_db(move |conn| {
        import(
            conn,
            &Actor::system("bench"),
            &[("bench-300.toml".into(), text)],
            &Ownership::default(),
        )?;
        Ok(())
    });
    let org = app.create_organisation("Habitat Mesuré", 90, "11");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let auditor_email = app.create_user(Role::Auditor, None, None);
    let created = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &app.framework_id("bench-300")),
            ("state", "granted"),
            ("start_date", "2024-01-10"),
            ("decision_date", "2024-04-10"),
        ],
    );
    let commitment = created
        .location
        .unwrap()
        .trim_start_matches("/engagements/")
        .to_owned();
    let planned = manager.post_form(
        &format!("/engagements/{commitment}/planification"),
        &[
            ("slot", "step:suivi-1"),
            ("start_date", "2025-03-03"),
            ("end_date", "2025-03-05"),
            ("lead_auditor_id", &user_id(&app, &auditor_email)),
        ],
    );
    let audit = planned
        .location
        .unwrap()
        .trim_start_matches("/audits/")
        .to_owned();
    // A library of 40 documents, each supporting the first requirement of two themes.
    for n in 0..40 {
        let refs = format!("T{}.1, T{}.2", n % THEMES + 1, (n + 7) % THEMES + 1);
        let content = format!("Procédure {n}\n");
        let uploaded = manager.upload_with(
            &format!("/organismes/{org}/preuves"),
            &[
                ("title", &format!("Procédure n° {n}")),
                ("req:bench-300", &refs),
            ],
            &[(&format!("procedure-{n}.txt"), content.as_bytes())],
        );
        assert_eq!(uploaded.status, 303);
    }
    let auditor: Client = sign_in(&app, &auditor_email);
    let references: Vec<String> = (1..=THEMES)
        .flat_map(|t| (1..=PER_THEME).map(move |i| format!("T{t}.{i}")))
        .chain((1..=THEMES).map(|t| format!("T{t}")))
        .collect();
    let screen = format!("/audits/{audit}/constats");
    println!("| request | runs | p50 (ms) | p99 (ms) | max (ms) | answer |");
    println!("|---|---|---|---|---|---|");
    measure("findings screen, empty audit", 30, |_| auditor.get(&screen));
    measure("save one row (first save)", references.len(), |run| {
        let grade = if run % 10 == 0 {
            "nc-mineure"
        } else {
            "constat-conformite"
        };
        htmx_post(
            &auditor,
            &format!("{screen}/{}", references[run]),
            &[
                ("grade_code", grade),
                (
                    "finding",
                    "Échantillon de 20 demandes vérifié : réponses écrites dans le délai annoncé, sauf deux relances tardives.",
                ),
                ("evidence_seen", "Registre 2025, courriers de mars"),
                ("version", "0"),
            ],
        )
    });
    measure("save one row (retry, unchanged)", 50, |run| {
        htmx_post(
            &auditor,
            &format!("{screen}/{}", references[run]),
            &[
                (
                    "grade_code",
                    if run % 10 == 0 {
                        "nc-mineure"
                    } else {
                        "constat-conformite"
                    },
                ),
                (
                    "finding",
                    "Échantillon de 20 demandes vérifié : réponses écrites dans le délai annoncé, sauf deux relances tardives.",
                ),
                ("evidence_seen", "Registre 2025, courriers de mars"),
                ("version", "0"),
            ],
        )
    });
    measure("findings screen, 300 rows assessed", 30, |_| {
        auditor.get(&screen)
    });
    measure("findings screen, filter nonconformities", 30, |_| {
        auditor.get(&format!("{screen}?filtre=nc"))
    });
    measure("findings screen, one requirement asked", 30, |_| {
        auditor.get(&format!("{screen}?exigence=T7.3"))
    });
    measure("a requirement opened in the pane (htmx)", 30, |run| {
        auditor.get_with(
            &format!("{screen}/{}", references[run]),
            ("HX-Request", "true"),
        )
    });
    // Twenty indicators with a year of monthly values: twenty trend charts in the report.
    {
        let org = org.clone();
        app.with_db(move |conn| {
            let codes: Vec<String> = qualitrack::models::indicator::definitions_for(conn, &org)?
                .into_iter()
                .filter(|d| d.unit == "percent")
                .take(20)
                .map(|d| d.code)
                .collect();
            let values: Vec<qualitrack::models::indicator::NewValue> = codes
                .iter()
                .flat_map(|code| {
                    (1..=12).map(move |m| qualitrack::models::indicator::NewValue {
                        site_id: None,
                        indicator_code: code.clone(),
                        period: qualitrack::domain::indicators::Period::Month(2024, m),
                        value: 70.0 + f64::from(m),
                        numerator: None,
                        denominator: None,
                        source: String::new(),
                    })
                })
                .collect();
            qualitrack::models::indicator::write_values(
                conn,
                &Actor::system("bench"),
                &org,
                "bench",
                &values,
                &mut |_| {},
            )?;
            Ok(())
        });
    }
    let report = format!("/audits/{audit}/rapport.pdf");
    // Pages counted by a reader: the objects are in compressed object streams.
    let pages =
        |resp: &Resp| lopdf::Document::load_mem(&resp.bytes).map_or(0, |doc| doc.get_pages().len());
    let sample = auditor.get(&report);
    let label = format!(
        "audit report PDF, 300 requirements, 20 charts, {} pages",
        pages(&sample)
    );
    measure(&label, 10, |_| auditor.get(&report));
    // A report laid out anew each time: one finding changes before each download (its save
    // is not timed), so that neither the data nor the document is kept.
    let mut first_times = Vec::new();
    for run in 0..10 {
        // The first row was saved once (version 1), then once more per run.
        let saved = htmx_post(
            &auditor,
            &format!("{screen}/{}", references[0]),
            &[
                ("grade_code", "nc-mineure"),
                ("finding", &format!("Vérifié sur l’échantillon n° {run}.")),
                ("version", &(run + 1).to_string()),
            ],
        );
        assert_eq!(saved.status, 200, "{}", saved.body);
        let start = Instant::now();
        let resp = auditor.get(&report);
        first_times.push(start.elapsed());
        assert_eq!(resp.status, 200);
    }
    first_times.sort();
    println!(
        "| audit report PDF laid out anew | 10 | {:.1} | {:.1} | {:.1} | |",
        percentile(&first_times, 0.5),
        percentile(&first_times, 0.99),
        percentile(&first_times, 1.0)
    );
    for format in ["odt", "docx"] {
        let path = format!("/audits/{audit}/rapport.{format}");
        let label = format!("audit report {}", format.to_uppercase());
        measure(&label, 10, |_| auditor.get(&path));
    }
}

#[test]
#[ignore = "benchmark: run with bench/indicators.sh"]
#[expect(clippy::too_many_lines, reason = "the scenario, in the order it runs")]
fn indicator_import_of_a_year_for_twelve_sites() {
    let crate::indicators::Setup { app, org, manager } = crate::indicators::setup();
    for n in 3..=12 {
        let site = manager.post_form(
            &format!("/organismes/{org}/sites"),
            &[
                ("name", &format!("Agence {n}")),
                ("kind", "agence"),
                ("address", "1 rue Haute"),
                ("postal_code", "11000"),
                ("commune", "Carcassonne"),
                ("homes", "1500"),
            ],
        );
        assert_eq!(site.status, 303);
    }
    let definitions = {
        let org = org.clone();
        app.with_db(move |conn| qualitrack::models::indicator::definitions_for(conn, &org))
    };
    let sites: Vec<String> = ["Agence Nord".to_owned(), "Agence Sud".to_owned()]
        .into_iter()
        .chain((3..=12).map(|n| format!("Agence {n}")))
        .collect();
    let mut csv = String::from("indicateur;site;periode;valeur;numerateur;denominateur;source\r\n");
    for (i, d) in definitions.iter().enumerate() {
        for (s, site) in sites.iter().enumerate() {
            for month in 1..=12 {
                let base = 60 + (i * 7 + s * 3 + month) % 40;
                let line = match d.unit.as_str() {
                    "percent" => format!("{};{site};2025-{month:02};;{base};100;SI\r\n", d.code),
                    "score10" => format!(
                        "{};{site};2025-{month:02};{},{};;;Enquête\r\n",
                        d.code,
                        base / 10,
                        base % 10
                    ),
                    _ => format!("{};{site};2025-{month:02};{};;;SI\r\n", d.code, base / 10),
                };
                csv.push_str(&line);
            }
        }
    }
    let lines = csv.lines().count() - 1;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("annee-2025.csv");
    std::fs::write(&file, &csv).unwrap();
    let siren = crate::helpers::siren(51);
    let run = || {
        let start = Instant::now();
        let out = crate::cli::qualitrack(
            &app.database_url,
            &app.data_dir,
            &[
                "indicators",
                "import",
                file.to_str().unwrap(),
                "--organisation",
                &siren,
            ],
            "",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            start.elapsed(),
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .replace('\n', "; "),
        )
    };
    println!("| step | time (ms) | outcome |");
    println!("|---|---|---|");
    let (first, said) = run();
    println!(
        "| CLI import, {lines} lines, first time | {:.0} | {said} |",
        first.as_secs_f64() * 1000.0
    );
    let (again, said) = run();
    println!(
        "| CLI import, same file again | {:.0} | {said} |",
        again.as_secs_f64() * 1000.0
    );
    let start = Instant::now();
    let preview = manager.upload_with(
        &format!("/organismes/{org}/indicateurs/import"),
        &[],
        &[("annee-2025.csv", csv.as_bytes())],
    );
    assert_eq!(preview.status, 200);
    println!(
        "| page: upload and preview | {:.0} | {} KB |",
        start.elapsed().as_secs_f64() * 1000.0,
        preview.body.len() / 1024
    );
    let start = Instant::now();
    assert_eq!(
        manager
            .post_form(
                &format!("/organismes/{org}/indicateurs/import/confirmer"),
                &[]
            )
            .status,
        303
    );
    println!(
        "| page: confirm (all unchanged) | {:.0} | |",
        start.elapsed().as_secs_f64() * 1000.0
    );
    println!();
    println!("| request | runs | p50 (ms) | p99 (ms) | max (ms) | answer |");
    println!("|---|---|---|---|---|---|");
    measure("indicators board (25 indicators, 3 600 values)", 20, |_| {
        manager.get(&format!("/organismes/{org}/indicateurs"))
    });
    measure("one indicator's page (charts, sites)", 20, |_| {
        manager.get(&format!("/organismes/{org}/indicateurs/taux-decroche"))
    });
}
