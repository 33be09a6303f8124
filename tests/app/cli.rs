//! The command line: `user add` reads the password on standard input; `token create` prints
//! a token that the API accepts.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{PASSWORD, siren, spawn_app};

pub(crate) fn qualitrack(
    app_db_url: &str,
    data_dir: &std::path::Path,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qualitrack"))
        .args(args)
        .env("QUALITRACK_DATABASE_URL", app_db_url)
        .env("QUALITRACK_DATA_DIR", data_dir)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qualitrack runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn users_and_tokens_are_created_from_the_command_line() {
    // The command line opens the database itself: use a SQLite file shared with a server.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let migrate = qualitrack(&url, dir.path(), &["migrate"], "");
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let refused = qualitrack(
        &url,
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "rq@exemple.fr",
            "--name",
            "RQ",
            "--role",
            "quality_manager",
            "--organisation",
            &siren(1),
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("No organisation has this id or SIREN")
    );

    let short = qualitrack(
        &url,
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "a@exemple.fr",
            "--name",
            "A",
            "--role",
            "auditor",
        ],
        "court\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12"));

    let added = qualitrack(
        &url,
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "Auditrice@Exemple.fr",
            "--name",
            "Auditrice",
            "--role",
            "auditor",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(String::from_utf8_lossy(&added.stdout).contains("auditrice@exemple.fr"));

    let token = qualitrack(
        &url,
        dir.path(),
        &["token", "create", "--user", "auditrice@exemple.fr"],
        "",
    );
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let secret = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert!(secret.starts_with("qt_"));

    let unknown = qualitrack(
        &url,
        dir.path(),
        &["token", "create", "--user", "personne@exemple.fr"],
        "",
    );
    assert!(!unknown.status.success());

    let bad_url = qualitrack("host=127.0.0.1 port=5432", dir.path(), &["migrate"], "");
    assert!(!bad_url.status.success());
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("unsupported database URL"));
    assert!(!std::path::Path::new("host=127.0.0.1 port=5432").exists());
}

#[test]
fn a_connection_failure_reports_the_real_cause() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the driver's own message must reach the user.
    let output = qualitrack(
        "postgres://nobody@127.0.0.1:1/none",
        dir.path(),
        &["migrate"],
        "",
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot connect to the postgres database"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Connection refused") || stderr.contains("connection"),
        "{stderr}"
    );
    let _ = spawn_app;
}

#[test]
fn frameworks_are_validated_imported_and_listed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let root = env!("CARGO_MANIFEST_DIR");
    let bundled = format!("{root}/audit-frameworks");
    let ok = qualitrack(&url, dir.path(), &["frameworks", "validate", &bundled], "");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("4 file(s) valid"));

    let broken = format!("{root}/tests/frameworks/broken");
    let refused = qualitrack(&url, dir.path(), &["frameworks", "validate", &broken], "");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    // Every file's error is listed, not only the first one.
    for name in [
        "01-syntaxe.toml",
        "12-cible-hors-bornes.toml",
        "23-evenement-inconnu.toml",
    ] {
        assert!(stderr.contains(name), "{name} missing in {stderr}");
    }
    assert!(stderr.contains("line 60, column 10"));

    let first = qualitrack(&url, dir.path(), &["frameworks", "import"], "");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&first.stdout)
            .matches("imported")
            .count(),
        4
    );
    let second = qualitrack(&url, dir.path(), &["frameworks", "import"], "");
    assert_eq!(
        String::from_utf8_lossy(&second.stdout)
            .matches("unchanged")
            .count(),
        4
    );
    let list = qualitrack(&url, dir.path(), &["frameworks", "list"], "");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("qualibail-iv") && listed.contains("91 requirements"));
}

/// `qualitrack reminders --send` against the app's database, to the local SMTP sink.
fn send_reminders(
    app: &crate::helpers::TestApp,
    sink: &crate::smtp_sink::SmtpSink,
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_qualitrack"))
        .args(["reminders", "--send"])
        .env("QUALITRACK_DATABASE_URL", &app.database_url)
        .env("QUALITRACK_DATA_DIR", &app.data_dir)
        .env("QUALITRACK_SMTP_HOST", "127.0.0.1")
        .env("QUALITRACK_SMTP_PORT", sink.port.to_string())
        .env("QUALITRACK_SMTP_SECURITY", "none")
        .env("QUALITRACK_SMTP_FROM", "qualitrack <qualite@exemple.fr>")
        .env("QUALITRACK_PUBLIC_URL", "https://qualite.exemple.fr")
        .output()
        .unwrap()
}

#[test]
fn reminders_send_one_french_digest_to_each_quality_manager_concerned() {
    use qualitrack::domain::Role;
    let app = spawn_app();
    let late = app.create_organisation("Office en retard", 21, "11");
    let calm = app.create_organisation("Office à jour", 22, "11");
    let late_manager = app.create_user(Role::QualityManager, Some(&late), None);
    app.create_user(Role::QualityManager, Some(&calm), None);
    let admin = app.admin();
    let framework: String = app.with_db(|conn| {
        use diesel::prelude::*;
        use qualitrack::db::schema::frameworks;
        Ok(frameworks::table
            .filter(frameworks::code.eq("qualibail-iv"))
            .select(frameworks::id)
            .first(conn)?)
    });
    let decided = (chrono::Utc::now().date_naive() - chrono::Duration::days(500)).to_string();
    let started = (chrono::Utc::now().date_naive() - chrono::Duration::days(600)).to_string();
    let created = admin.post_form(
        &format!("/organismes/{late}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "granted"),
            ("start_date", &started),
            ("decision_date", &decided),
        ],
    );
    assert_eq!(created.status, 303);

    let listed = qualitrack(&app.database_url, &app.data_dir, &["reminders"], "");
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(stdout.contains(&late_manager) && stdout.contains("LATE"));

    let sink = crate::smtp_sink::SmtpSink::start();
    let sent = send_reminders(&app, &sink);
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(String::from_utf8_lossy(&sent.stdout).contains("1 digest(s) sent"));
    let messages = sink.messages();
    assert_eq!(
        messages.len(),
        1,
        "only the manager concerned is written to"
    );
    let (recipients, raw) = &messages[0];
    assert_eq!(recipients, &vec![format!("<{late_manager}>")]);
    let parsed = mailparse::parse_mail(raw.as_bytes()).expect("a valid message");
    let subject = parsed
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .unwrap()
        .get_value();
    assert!(
        subject.starts_with("qualitrack : ") && subject.contains("en retard"),
        "{subject}"
    );
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let text = parsed
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .unwrap()
        .get_body()
        .unwrap();
    let html = parsed
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/html")
        .unwrap()
        .get_body()
        .unwrap();
    assert!(
        text.contains("Audit de suivi") || text.contains("suivi"),
        "{text}"
    );
    assert!(text.contains("https://qualite.exemple.fr/engagements/"));
    assert!(html.contains("<table>") && html.contains("En retard"));
}

#[test]
fn an_organismes_schedule_is_exported_from_the_command_line() {
    use qualitrack::domain::Role;
    let app = spawn_app();
    let org = app.create_organisation("Habitat Export", 23, "84");
    let manager = app.login_as(Role::QualityManager, Some(&org), None);
    let framework: String = app.with_db(|conn| {
        use diesel::prelude::*;
        use qualitrack::db::schema::frameworks;
        Ok(frameworks::table
            .filter(frameworks::code.eq("iso-9001-2015"))
            .select(frameworks::id)
            .first(conn)?)
    });
    let created = manager.post_form(
        &format!("/organismes/{org}/engagements"),
        &[
            ("framework_id", &framework),
            ("state", "granted"),
            ("start_date", "2024-01-10"),
            ("decision_date", "2024-05-15"),
        ],
    );
    assert_eq!(created.status, 303);
    for format in ["ics", "csv", "xlsx"] {
        let output = app.data_dir.join(format!("calendrier.{format}"));
        let run = qualitrack(
            &app.database_url,
            &app.data_dir,
            &[
                "schedule",
                "--organisation",
                &siren(23),
                "--format",
                format,
                "--output",
                output.to_str().unwrap(),
            ],
            "",
        );
        assert!(
            run.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let bytes = std::fs::read(&output).unwrap();
        match format {
            "ics" => assert!(String::from_utf8_lossy(&bytes).contains("BEGIN:VCALENDAR")),
            "csv" => assert!(
                String::from_utf8_lossy(&bytes).contains("Habitat Export;Auvergne-Rhône-Alpes")
            ),
            _ => assert!(bytes.starts_with(b"PK")),
        }
    }
    let unknown = qualitrack(
        &app.database_url,
        &app.data_dir,
        &[
            "schedule",
            "--organisation",
            "999999999",
            "--output",
            "/tmp/x.ics",
        ],
        "",
    );
    assert!(!unknown.status.success());
}

#[test]
fn reminders_tell_an_owner_of_their_overdue_action_and_a_manager_of_expiring_documents() {
    use qualitrack::domain::Role;
    let app = spawn_app();
    let org = app.create_organisation("Office des actions", 24, "11");
    let manager_email = app.create_user(Role::QualityManager, Some(&org), None);
    let manager = crate::audits::sign_in(&app, &manager_email);
    let owner_email = app.create_user(Role::QualityManager, Some(&org), None);
    let owner = crate::audits::user_id(&app, &owner_email);
    let today = chrono::Utc::now().date_naive();
    let late = (today - chrono::Duration::days(12)).to_string();
    let created = manager.post_form(
        &format!("/organismes/{org}/actions"),
        &[
            ("title", "Relance des prestataires de nettoyage"),
            ("origin", "complaint"),
            ("owner_id", &owner),
            ("priority", "high"),
            ("due_date", &late),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let soon = (today + chrono::Duration::days(10)).to_string();
    let uploaded = manager.upload_with(
        &format!("/organismes/{org}/preuves"),
        &[("valid_until", &soon)],
        &[("attestation-assurance.pdf", crate::evidence::PDF)],
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);

    let listed = qualitrack(&app.database_url, &app.data_dir, &["reminders"], "");
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{stdout}");
    let owner_part = stdout
        .split(&owner_email)
        .nth(1)
        .expect("the owner is listed");
    assert!(
        owner_part.contains("LATE 12 days — action Relance des prestataires de nettoyage"),
        "{stdout}"
    );
    let manager_part = stdout
        .split(&manager_email)
        .nth(1)
        .expect("the manager too");
    assert!(
        manager_part.contains("document attestation-assurance"),
        "{stdout}"
    );

    let sink = crate::smtp_sink::SmtpSink::start();
    let sent = send_reminders(&app, &sink);
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "the owner and the manager");
    let text_to = |email: &str| {
        let (_, raw) = messages
            .iter()
            .find(|(to, _)| to == &vec![format!("<{email}>")])
            .expect("a message to each");
        let parsed = mailparse::parse_mail(raw.as_bytes()).unwrap();
        parsed
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == "text/plain")
            .unwrap()
            .get_body()
            .unwrap()
    };
    let to_owner = text_to(&owner_email);
    assert!(
        to_owner.contains("[en retard de 12 jour(s)] Relance des prestataires de nettoyage"),
        "{to_owner}"
    );
    assert!(to_owner.contains("https://qualite.exemple.fr/actions/"));
    let to_manager = text_to(&manager_email);
    assert!(to_manager.contains("attestation-assurance"), "{to_manager}");
    assert!(
        !to_manager.contains("Relance"),
        "an action reminds its owner only"
    );
}
