//! The server killed (SIGKILL) in the middle of writing: an indicator import and findings
//! saves are then either wholly in the database or not at all, and the database stays
//! consistent. The server is the real binary, a separate process on the test's database; the
//! test's own application reads what was left.

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use qualitrack::domain::Role;

use crate::audits::{Setup, htmx_post, setup_with};
use crate::helpers::{Client, PASSWORD, TestApp, client_at};

/// `qualitrack serve` on the test application's database and data directory.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(app: &TestApp) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_qualitrack"))
            .arg("serve")
            .env("QUALITRACK_DATABASE_URL", &app.database_url)
            .env("QUALITRACK_DATA_DIR", &app.data_dir)
            .env("QUALITRACK_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("qualitrack serve starts");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "server up");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(client_at(&server.base).get("/healthz").status, 200);
        server
    }

    fn sign_in(&self, email: &str) -> Client {
        let client = client_at(&self.base);
        assert_eq!(client.login(email, PASSWORD).status, 303);
        client
    }

    /// SIGKILL: no shutdown, no flush, no rollback by the server itself.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// The database checks itself: pages, indexes and foreign keys (SQLite); on PostgreSQL the
/// constraints are enforced on every commit and a killed connection's transaction rolls back.
fn assert_consistent(app: &TestApp) {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    if !app.database_url.starts_with("sqlite://") {
        return;
    }
    let (integrity, dangling) = app.with_db(|conn| {
        let integrity: Vec<Line> =
            diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
                .load(conn)?;
        let dangling: Vec<Line> =
            diesel::sql_query("SELECT \"table\" AS line FROM pragma_foreign_key_check")
                .load(conn)?;
        Ok((integrity, dangling))
    });
    assert_eq!(
        integrity
            .iter()
            .map(|l| l.line.as_str())
            .collect::<Vec<_>>(),
        ["ok"]
    );
    assert!(dangling.is_empty(), "rows pointing to nothing");
}

/// Five years of the framework's monthly indicators for the organisme and its two sites.
fn five_years() -> (String, i64) {
    let codes = [
        "taux-decroche",
        "enregistrement-demande-10jo",
        "entretien-decouverte-propose",
        "notification-decision-cal",
        "conformite-logement-entree",
        "kit-accueil-remis",
        "visite-courtoisie",
        "score-audit-proprete",
        "troubles-voisinage-traites",
        "reponse-48h",
        "interventions-dans-delai",
        "rendez-vous-tenus",
    ];
    let mut file = String::from("indicateur,site,periode,valeur,numerateur,denominateur\n");
    let mut lines = 0;
    for code in codes {
        for site in ["", "Agence Nord", "Agence Sud"] {
            for year in 2021..=2025 {
                for month in 1..=12 {
                    writeln!(file, "{code},{site},{year}-{month:02},{},,", 60 + month).unwrap();
                    lines += 1;
                }
            }
        }
    }
    (file, lines)
}

#[test]
fn an_import_cut_by_a_killed_server_is_entirely_written_or_not_at_all() {
    let crate::indicators::Setup { app, org, .. } = crate::indicators::setup();
    let email = app.create_user(Role::QualityManager, Some(&org), None);
    let (file, lines) = five_years();
    let import = format!("/organismes/{org}/indicateurs/import");
    let mut outcomes = Vec::new();
    // The cut falls at different moments of the confirmation: before, during, after writing.
    for delay in [0, 40, 100, 140, 170, 200, 230, 400] {
        let server = Server::start(&app);
        let manager = server.sign_in(&email);
        let preview = manager.upload_with(&import, &[], &[("annee.csv", file.as_bytes())]);
        assert_eq!(preview.status, 200, "{}", preview.body);
        let confirm = format!("{import}/confirmer");
        let confirming = std::thread::spawn(move || manager.post_form(&confirm, &[]).status);
        std::thread::sleep(Duration::from_millis(delay));
        server.kill();
        // A request cut by the kill fails in its thread (the test client panics): no answer.
        let answered = confirming.join().ok();
        let values = app.count("indicator_values");
        assert!(
            values == 0 || values == lines,
            "after a cut at {delay} ms: {values} of {lines} values"
        );
        assert_consistent(&app);
        outcomes.push((delay, answered, values));
    }
    // Restarted, the same import completes.
    let server = Server::start(&app);
    let manager = server.sign_in(&email);
    manager.upload_with(&import, &[], &[("annee.csv", file.as_bytes())]);
    assert_eq!(
        manager
            .post_form(&format!("{import}/confirmer"), &[])
            .status,
        303
    );
    assert_eq!(app.count("indicator_values"), lines, "{outcomes:?}");
    server.kill();
}

#[test]
fn findings_saves_cut_by_a_killed_server_keep_each_save_whole() {
    let Setup {
        app,
        auditor_email,
        audit,
        ..
    } = setup_with("qualibail-iv", "step:suivi-1");
    let audit_id = audit.clone();
    let refs: Vec<String> = app.with_db(move |conn| {
        use qualitrack::db::schema::{audits, framework_requirements};
        let framework: String = audits::table
            .find(&audit_id)
            .select(audits::framework_id)
            .first(conn)?;
        Ok(framework_requirements::table
            .filter(framework_requirements::framework_id.eq(framework))
            .filter(framework_requirements::parent_ref.is_not_null())
            .order(framework_requirements::position)
            .select(framework_requirements::reference)
            .load(conn)?)
    });
    let server = Server::start(&app);
    // Four auditors' windows save rows at once; the server dies under them.
    let workers: Vec<_> = refs
        .chunks(refs.len().div_ceil(4))
        .map(|chunk| {
            let (client, chunk, audit) = (
                server.sign_in(&auditor_email),
                chunk.to_vec(),
                audit.clone(),
            );
            std::thread::spawn(move || {
                for reference in chunk {
                    let saved = htmx_post(
                        &client,
                        &format!("/audits/{audit}/constats/{reference}"),
                        &[
                            ("grade_code", "constat-conformite"),
                            ("finding", "Procédure appliquée sur l’échantillon."),
                            ("version", "0"),
                        ],
                    );
                    if saved.status != 200 {
                        break;
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(60));
    server.kill();
    for worker in workers {
        // A save cut by the kill fails in its thread: that window got no answer.
        let _ = worker.join();
    }
    assert_consistent(&app);
    // Every finding written has its history row, written in the same transaction.
    let (saved, recorded): (Vec<(String, i32)>, Vec<String>) = app.with_db(move |conn| {
        use qualitrack::db::schema::{findings, history};
        let saved = findings::table
            .filter(findings::audit_id.eq(&audit))
            .filter(findings::grade_code.is_not_null())
            .select((findings::id, findings::version))
            .load(conn)?;
        let recorded = history::table
            .filter(history::entity.eq("finding"))
            .select(history::entity_id)
            .load(conn)?;
        Ok((saved, recorded))
    });
    for (id, version) in &saved {
        assert_eq!(*version, 1);
        assert_eq!(recorded.iter().filter(|r| *r == id).count(), 1, "{id}");
    }
    assert_eq!(recorded.len(), saved.len());
}
