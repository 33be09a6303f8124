//! `qualitrack backup` copies the database while the server writes to it, and the copy
//! restores (SQLite: the file itself; PostgreSQL: `pg_restore` into a new database) to a
//! database that serves the same organismes, each with its history row: a consistent instant.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use diesel::Connection;
use qualitrack::domain::Role;

use crate::cli::qualitrack;
use crate::helpers::{TestDatabase, siren, spawn_app, spawn_app_on, test_database};

/// Counts organismes and their creation history rows (written in one transaction each).
fn counts(app: &crate::helpers::TestApp) -> (i64, i64) {
    app.with_db(|conn| {
        use diesel::prelude::*;
        use qualitrack::db::schema::{history, organisations};
        let orgs: i64 = organisations::table.count().get_result(conn)?;
        let created: i64 = history::table
            .filter(history::entity.eq("organisation"))
            .filter(history::action.eq("create"))
            .count()
            .get_result(conn)?;
        Ok((orgs, created))
    })
}

/// Puts the copy where a new application can open it.
fn restore(
    app: &crate::helpers::TestApp,
    copy: &std::path::Path,
) -> (TestDatabase, Option<String>) {
    if app.database_url.starts_with("sqlite://") {
        let target = test_database();
        std::fs::copy(copy, target.dir.path().join("test.db")).unwrap();
        return (target, None);
    }
    // PostgreSQL: a new database, the archive restored into it, the same schema searched.
    let (server, options) = app.database_url.split_once('?').unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    let name = format!("qt_restore_{}", uuid::Uuid::now_v7().simple());
    let mut admin = diesel::PgConnection::establish(server).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut admin,
        &format!("CREATE DATABASE {name}"),
    )
    .unwrap();
    let restored_server = format!("{base}/{name}");
    let status = std::process::Command::new("pg_restore")
        .args([
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            &restored_server,
        ])
        .arg(copy)
        .status()
        .unwrap();
    assert!(status.success(), "pg_restore");
    (
        TestDatabase::at(format!("{restored_server}?{options}")),
        Some(name),
    )
}

#[test]
fn a_backup_taken_while_the_server_writes_restores_to_a_consistent_database() {
    let app = spawn_app();
    for n in 1..=3 {
        app.create_organisation(&format!("Organisme Sauvegardé {n}"), n, "53");
    }
    // An administrator keeps creating organismes through the pages while the copy is taken.
    let admin = Arc::new(app.admin());
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU32::new(0));
    let writer = {
        let (admin, stop, written) = (Arc::clone(&admin), Arc::clone(&stop), Arc::clone(&written));
        std::thread::spawn(move || {
            let mut n = 100;
            while !stop.load(Ordering::Relaxed) {
                let created = admin.post_form(
                    "/organismes",
                    &[
                        ("name", &format!("Organisme Écrit Pendant {n}")),
                        ("siren", &siren(n)),
                        ("family", "esh"),
                        ("region", "53"),
                        ("homes", "1200"),
                        ("federation", ""),
                    ],
                );
                assert_eq!(created.status, 303, "{}", created.body);
                written.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        })
    };
    while written.load(Ordering::Relaxed) < 2 {
        std::thread::yield_now();
    }
    let copy = app.data_dir.join("sauvegarde.bak");
    let out = qualitrack(
        &app.database_url,
        &app.data_dir,
        &["backup", "--output", copy.to_str().unwrap()],
        "",
    );
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup written to"));
    let again = qualitrack(
        &app.database_url,
        &app.data_dir,
        &["backup", "--output", copy.to_str().unwrap()],
        "",
    );
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "never overwritten"
    );

    let (database, pg_database) = restore(&app, &copy);
    let restored = spawn_app_on(database);
    let (orgs, created) = counts(&restored);
    assert!(
        orgs >= 5,
        "the three organismes and those written before the copy: {orgs}"
    );
    assert!(i64::from(written.load(Ordering::Relaxed)) + 3 >= orgs);
    assert_eq!(
        orgs, created,
        "each organisme with its history row: one instant"
    );
    let staff = restored.login_as(Role::Federation, None, None);
    let list = staff.get("/organismes?region=53");
    assert!(
        list.body.contains("Organisme Sauvegardé 2"),
        "{}",
        list.body
    );
    drop(restored);
    if let Some(name) = pg_database {
        let server = app.database_url.split_once('?').unwrap().0.to_owned();
        let mut admin = diesel::PgConnection::establish(&server).unwrap();
        diesel::connection::SimpleConnection::batch_execute(
            &mut admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .unwrap();
    }
}
