//! `qualitrack generate` (a federation-scale dataset drawn from a seed) and `qualitrack demo`
//! (four named organismes in hand-chosen states). Both write into an empty database, the
//! same data for the same seed and as-of date: every id, date and value comes from the
//! seed, never from the clock. Only the accounts' password is random: it is printed once.
//! What to generate is decided by pure modules (`plan`, `story`, `names`); `write` and the
//! modules it calls turn it into rows.

mod actions;
mod catalog;
mod commitments;
mod context;
mod demo;
mod evidence;
mod findings;
mod measures;
mod names;
mod organisme;
mod places;
mod plan;
mod rows;
mod schemes;
mod stamp;
mod story;
mod write;

use std::time::Instant;

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use diesel::prelude::*;

use self::context::{Env, Files};
use self::rows::{Batch, Counts};
use crate::auth::password;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::startup::open_database;

pub use self::demo::demo;

/// Options of `qualitrack generate`.
#[derive(Debug, Clone)]
pub struct Options {
    pub organisations: usize,
    pub seed: u64,
    pub as_of: Option<String>,
    pub months: u32,
}

/// The as-of date: `YYYY-MM-DD`, today when absent.
fn as_of(raw: Option<&str>) -> anyhow::Result<NaiveDate> {
    match raw {
        None => Ok(chrono::Utc::now().date_naive()),
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .with_context(|| format!("--as-of {text:?}: expected a date as YYYY-MM-DD")),
    }
}

fn progress(len: usize, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(u64::try_from(len).unwrap_or(0)),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} ({{elapsed}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

pub fn generate(settings: &Settings, options: &Options) -> anyhow::Result<()> {
    let as_of = as_of(options.as_of.as_deref())?;
    let n = options.organisations;
    if !(1..=20_000).contains(&n) {
        bail!("--organisations {n}: between 1 and 20000");
    }
    if !(1..=120).contains(&options.months) {
        bail!("--months {}: between 1 and 120", options.months);
    }
    let started = Instant::now();
    let db = open_database(settings)?;
    let mut conn = db
        .pool()
        .get()
        .context("cannot open a database connection")?;
    let password = password::generate_one_time();
    let hash = password::hash(&password).map_err(anyhow::Error::msg)?;
    let bar = progress(n, "organismes");
    let mut files = Files::new(&settings.data_dir);
    let mut counts = Counts::new();
    let label = "qualitrack generate";
    write::require_empty(&mut conn)?;
    let logins = crate::db::transaction(
        &mut conn,
        crate::db::Access::Write,
        |conn| -> Result<write::Logins, AppError> {
            let epoch = write::epoch(as_of);
            let catalog = write::import_frameworks(conn, options.seed, epoch, label)?;
            let plans = plan::organisations(options.seed, n);
            let mut batch = Batch::default();
            let (auditors, mut logins) =
                write::staff("11", &hash, options.seed, n, epoch.date(), &mut batch);
            batch.flush(conn, &mut counts)?;
            let env = Env {
                seed: options.seed,
                as_of,
                months: options.months,
                catalog: &catalog,
                auditors: &auditors,
                password_hash: &hash,
                label,
            };
            write::organismes(conn, &env, &plans, &mut files, &mut counts, &mut || {
                bar.inc(1);
            })?;
            for p in plans.iter().take(2) {
                logins.push((
                    format!("quality_manager ({})", p.name),
                    format!("qualite@{}.test", p.slug),
                ));
            }
            if let Some(p) = plans.iter().find(|p| p.observer) {
                logins.push((
                    format!("observer ({})", p.name),
                    format!("observateur@{}.test", p.slug),
                ));
            }
            Ok(logins)
        },
    )
    .map_err(|e| anyhow::anyhow!(super::commands::describe(&e)));
    bar.finish_and_clear();
    let logins = logins?;
    let elapsed = started.elapsed();
    println!(
        "{n} organismes generated (seed {}, as of {as_of}, {} months of values) on {} in {:.1} s",
        options.seed,
        options.months,
        db.backend().name(),
        elapsed.as_secs_f64()
    );
    summary(&mut conn, settings, &files)?;
    print_accounts(&password, &logins);
    Ok(())
}

/// The tables of the schema, in the order the summary lists them.
pub const TABLES: [&str; 29] = [
    "organisations",
    "sites",
    "users",
    "frameworks",
    "framework_requirements",
    "framework_indicators",
    "framework_grades",
    "framework_mappings",
    "commitments",
    "commitment_sites",
    "commitment_events",
    "audits",
    "audit_team",
    "audit_sites",
    "findings",
    "actions",
    "action_updates",
    "evidence",
    "evidence_files",
    "evidence_requirements",
    "organisation_indicators",
    "indicator_targets",
    "indicator_values",
    "survey_waves",
    "survey_results",
    "issued_reports",
    "api_tokens",
    "calendar_feeds",
    "history",
];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows per table, the files kept and, on SQLite, the size of the database file. The
/// planner's statistics are refreshed first: the tables just grew from nothing.
fn summary(conn: &mut DbConnection, settings: &Settings, files: &Files) -> anyhow::Result<()> {
    diesel::sql_query("ANALYZE")
        .execute(conn)
        .context("cannot refresh the planner's statistics")?;
    let mut total = 0;
    for table in TABLES {
        let row: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result(conn)
            .with_context(|| format!("cannot count {table}"))?;
        total += row.n;
        if row.n > 0 {
            println!("  {table:<24} {:>10}", row.n);
        }
    }
    println!("  {:<24} {total:>10}", "total rows");
    println!(
        "  evidence files written: {} ({} KB) under {}",
        files.written,
        files.bytes / 1024,
        settings.data_dir.join("evidence").display()
    );
    let url = crate::db::DbUrl::parse(&settings.database_url()).map_err(anyhow::Error::msg)?;
    if let Some(path) = url.sqlite_path() {
        diesel::connection::SimpleConnection::batch_execute(
            conn,
            "PRAGMA wal_checkpoint(TRUNCATE)",
        )
        .context("cannot checkpoint the SQLite journal")?;
        if let Ok(meta) = std::fs::metadata(path) {
            #[expect(clippy::cast_precision_loss, reason = "megabytes, one decimal")]
            let megabytes = meta.len() as f64 / 1_048_576.0;
            println!("  database file: {path} ({megabytes:.1} MB)");
        }
    }
    Ok(())
}

fn print_accounts(password: &str, logins: &[(String, String)]) {
    println!();
    println!("  Every generated account has this password (shown only once): {password}");
    for (role, email) in logins {
        println!("    {role:<48} {email}");
    }
    println!(
        "  Quality managers sign in as qualite@<organisme>.test, observers as \
         observateur@<organisme>.test, regional federation staff as federation.<region \
         code>@qualitrack.test, auditors as auditeur.NNN@qualitrack.test."
    );
}
