//! `qualitrack backup --output FILE`: a consistent copy of the database while the server
//! runs. SQLite copies itself with `VACUUM INTO` (one read transaction: the copy is the
//! database as of one instant, whatever is written meanwhile) and the copy is checked
//! (`PRAGMA integrity_check`, foreign keys); PostgreSQL is copied by `pg_dump` (one
//! snapshot too) in its custom format, for `pg_restore`. Evidence files are not in the
//! database: they are content-addressed and never rewritten, so copying the data directory
//! after the database gives every file the copy refers to (docs/operations.md).

use anyhow::{Context, bail};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::config::Settings;
use crate::db::{Backend, DbConnection, DbUrl};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

pub fn backup(settings: &Settings, output: &std::path::Path) -> anyhow::Result<()> {
    if output.exists() {
        bail!(
            "{} already exists: choose a new file (a backup never overwrites)",
            output.display()
        );
    }
    let raw = settings.database_url();
    let url = DbUrl::parse(&raw).map_err(|e| anyhow::anyhow!(e))?;
    let mut conn = url
        .establish()
        .with_context(|| "cannot open the database".to_owned())?;
    match url.backend {
        Backend::Sqlite => sqlite(&mut conn, output)?,
        Backend::Postgres => postgres(&mut conn, &raw, output)?,
    }
    let size = std::fs::metadata(output).map_or(0, |m| m.len());
    println!(
        "backup written to {} ({} KB); copy the data directory's evidence/ folder after it",
        output.display(),
        size / 1024
    );
    Ok(())
}

fn sqlite(conn: &mut DbConnection, output: &std::path::Path) -> anyhow::Result<()> {
    let target = output
        .to_str()
        .context("the output path must be valid UTF-8")?
        .replace('\'', "''");
    diesel::sql_query(format!("VACUUM INTO '{target}'"))
        .execute(conn)
        .context("copying the database")?;
    // The copy is read back: a backup that cannot be restored is no backup.
    let mut copy = DbUrl::parse(&format!("sqlite://{}", output.display()))
        .map_err(|e| anyhow::anyhow!(e))?
        .establish()
        .context("opening the copy")?;
    let integrity: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
            .load(&mut copy)?;
    if integrity.len() != 1 || integrity[0].line != "ok" {
        bail!(
            "the copy is damaged: {}",
            integrity
                .iter()
                .map(|l| l.line.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    let dangling: Vec<Line> =
        diesel::sql_query("SELECT \"table\" AS line FROM pragma_foreign_key_check")
            .load(&mut copy)?;
    if !dangling.is_empty() {
        bail!(
            "the copy has rows pointing to nothing in: {}",
            dangling
                .iter()
                .map(|l| l.line.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

fn postgres(conn: &mut DbConnection, url: &str, output: &std::path::Path) -> anyhow::Result<()> {
    // The application's tables live in the connection's schema (`public` unless the URL sets
    // a search path): that schema is what is copied.
    let schema: Line = diesel::sql_query("SELECT current_schema() AS line").get_result(conn)?;
    let status = std::process::Command::new("pg_dump")
        .args([
            "--format=custom",
            "--no-owner",
            "--schema",
            &schema.line,
            "--file",
        ])
        .arg(output)
        .arg(url)
        .status()
        .context("running pg_dump (install PostgreSQL's client tools, e.g. postgresql-client)")?;
    if !status.success() {
        let _ = std::fs::remove_file(output);
        bail!("pg_dump failed ({status})");
    }
    Ok(())
}
