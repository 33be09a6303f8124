//! `qualitrack generate` and `qualitrack demo`: the same seed gives the same data, the data
//! holds together (states and events, findings, counts), the printed password opens the
//! generated accounts, and the demo loads once and shows a living product.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use qualitrack::db::{DbConnection, DbUrl};

use crate::cli::qualitrack;
use crate::helpers::{TestDatabase, spawn_app_on, test_database};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn connect(database: &TestDatabase) -> DbConnection {
    DbUrl::parse(&database.url)
        .expect("test URL")
        .establish()
        .expect("test database")
}

fn lines(conn: &mut DbConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|l| l.line)
        .collect()
}

fn count(conn: &mut DbConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

/// Every table's rows as text, sorted, per table — all but the password hash, which is the
/// one random thing of a dataset (its password is drawn, not derived from the seed).
fn dump(database: &TestDatabase) -> Vec<(String, Vec<String>)> {
    let mut conn = connect(database);
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let tables = if postgres {
        lines(
            &mut conn,
            "SELECT table_name AS line FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
        )
    } else {
        lines(
            &mut conn,
            "SELECT name AS line FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY 1",
        )
    };
    tables
        .into_iter()
        .map(|table| {
            let columns = if postgres {
                lines(
                    &mut conn,
                    &format!(
                        "SELECT column_name AS line FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = '{table}' \
                         ORDER BY ordinal_position"
                    ),
                )
            } else {
                lines(
                    &mut conn,
                    &format!("SELECT name AS line FROM pragma_table_info('{table}') ORDER BY cid"),
                )
            };
            let row = columns
                .iter()
                .filter(|c| !(table == "users" && *c == "password_hash"))
                .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '∅')"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let rows = lines(
                &mut conn,
                &format!("SELECT {row} AS line FROM {table} ORDER BY 1"),
            );
            (table, rows)
        })
        .collect()
}

fn generate(database: &TestDatabase, seed: &str) -> String {
    let output = qualitrack(
        &database.url,
        database.dir.path(),
        &[
            "generate",
            "--organisations",
            "8",
            "--seed",
            seed,
            "--as-of",
            "2026-06-30",
        ],
        "",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The password and the first quality manager's e-mail, as the command printed them.
pub(crate) fn printed_login(stdout: &str) -> (String, String) {
    let password = stdout
        .lines()
        .find_map(|l| l.split("(shown only once): ").nth(1))
        .expect("the password is printed")
        .trim()
        .to_owned();
    let email = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("quality_manager ("))
        .and_then(|l| l.split_whitespace().last())
        .expect("a quality manager's login is printed")
        .to_owned();
    (password, email)
}

#[test]
fn the_same_seed_gives_the_same_dataset_and_another_seed_another() {
    let (first, second, other) = (test_database(), test_database(), test_database());
    generate(&first, "7");
    generate(&second, "7");
    generate(&other, "8");
    let (a, b, c) = (dump(&first), dump(&second), dump(&other));
    assert_eq!(a.len(), b.len());
    for ((table, rows), (_, again)) in a.iter().zip(&b) {
        assert_eq!(
            rows, again,
            "table {table} differs between two runs of seed 7"
        );
    }
    let organisations = |d: &[(String, Vec<String>)]| {
        d.iter()
            .find(|(t, _)| t == "organisations")
            .map(|(_, rows)| rows.clone())
            .unwrap()
    };
    assert_eq!(organisations(&a).len(), 8);
    assert_ne!(organisations(&a), organisations(&c), "seed 8 differs");
}

#[test]
fn a_generated_dataset_holds_together_and_opens_with_the_printed_password() {
    let database = test_database();
    let stdout = generate(&database, "7");
    let mut conn = connect(&database);
    let by_family = lines(
        &mut conn,
        "SELECT family || ':' || CAST(COUNT(*) AS TEXT) AS line FROM organisations GROUP BY family",
    );
    let by_region = lines(
        &mut conn,
        "SELECT region || ':' || CAST(COUNT(*) AS TEXT) AS line FROM organisations GROUP BY region",
    );
    let total = |groups: &[String]| -> i64 {
        groups
            .iter()
            .map(|g| g.rsplit(':').next().unwrap().parse::<i64>().unwrap())
            .sum()
    };
    assert_eq!(total(&by_family), 8, "{by_family:?}");
    assert_eq!(total(&by_region), 8, "{by_region:?}");
    assert!(count(&mut conn, "SELECT COUNT(*) AS n FROM commitments") > 0);
    // The state of each commitment is where its last transition led.
    let disagreeing = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM commitments c WHERE c.state <> (
            SELECT e.to_state FROM commitment_events e
            WHERE e.commitment_id = c.id AND e.kind = 'transition'
            ORDER BY e.event_date DESC, e.created_at DESC LIMIT 1)",
    );
    assert_eq!(disagreeing, 0);
    // Each transition starts from the state the one before led to.
    let broken_chains = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM commitment_events e WHERE e.kind = 'transition'
         AND e.from_state IS NOT NULL AND e.from_state <> (
            SELECT p.to_state FROM commitment_events p
            WHERE p.commitment_id = e.commitment_id AND p.kind = 'transition'
            AND (p.event_date < e.event_date
                 OR (p.event_date = e.event_date AND p.created_at < e.created_at))
            ORDER BY p.event_date DESC, p.created_at DESC LIMIT 1)",
    );
    assert_eq!(broken_chains, 0);
    // A decided audit has a finding on every requirement of its framework version.
    let decided = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM audits WHERE state IN ('decided', 'closed')",
    );
    assert!(decided > 0);
    let incomplete = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM audits a WHERE a.state IN ('decided', 'closed') AND
            (SELECT COUNT(*) FROM findings f WHERE f.audit_id = a.id) <>
            (SELECT COUNT(*) FROM framework_requirements r WHERE r.framework_id = a.framework_id)",
    );
    assert_eq!(incomplete, 0);
    let traced = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM history WHERE entity = 'organisation' AND action = 'generate'",
    );
    assert_eq!(traced, 8);

    let (password, email) = printed_login(&stdout);
    let organisation = lines(
        &mut conn,
        &format!(
            "SELECT o.id || '|' || o.name AS line FROM users u \
             JOIN organisations o ON o.id = u.organisation_id WHERE u.email = '{email}'"
        ),
    );
    let (id, name) = organisation[0].split_once('|').unwrap();
    let (id, name) = (id.to_owned(), name.to_owned());
    drop(conn);
    let app = spawn_app_on(database);
    let client = app.client();
    let login = client.login(&email, &password);
    assert_eq!(login.status, 303, "{}", login.body);
    let page = client.get(&format!("/organismes/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&name), "{name}");
    let refused = qualitrack(
        &app.database_url,
        &app.data_dir,
        &["generate", "--organisations", "2"],
        "",
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds 8 organisme(s)"));
}

#[test]
fn the_demo_loads_once_and_its_quality_manager_sees_the_indicators() {
    let database = test_database();
    let first = qualitrack(&database.url, database.dir.path(), &["demo"], "");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout).into_owned();
    let again = qualitrack(&database.url, database.dir.path(), &["demo"], "");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds 4 organisme(s)"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let mut conn = connect(&database);
    let roles = lines(
        &mut conn,
        "SELECT DISTINCT role AS line FROM users ORDER BY 1",
    );
    assert_eq!(
        roles,
        [
            "admin",
            "auditor",
            "federation",
            "observer",
            "quality_manager"
        ]
    );
    let states = lines(
        &mut conn,
        "SELECT DISTINCT state AS line FROM audits ORDER BY 1",
    );
    for state in ["decided", "on_site", "planned", "submitted"] {
        assert!(states.iter().any(|s| s == state), "{state}: {states:?}");
    }
    let on_site_findings = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM findings f JOIN audits a ON a.id = f.audit_id
         WHERE a.state = 'on_site' AND f.grade_code IS NOT NULL",
    );
    let on_site_requirements = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM framework_requirements r JOIN audits a
         ON a.framework_id = r.framework_id WHERE a.state = 'on_site'",
    );
    assert!(on_site_findings > 0 && on_site_findings < on_site_requirements);
    for table in [
        "evidence_files",
        "actions",
        "survey_results",
        "indicator_values",
    ] {
        assert!(
            count(&mut conn, &format!("SELECT COUNT(*) AS n FROM {table}")) > 0,
            "{table}"
        );
    }
    drop(conn);
    let (password, email) = printed_login(&stdout);
    assert_eq!(email, "qualite@loire-ocean-habitat.test");
    let app = spawn_app_on(database);
    let client = app.client();
    assert_eq!(client.login(&email, &password).status, 303);
    let home = client.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("indicators-home-title"), "{}", home.body);
    assert!(home.body.contains("/indicateurs"));
}
