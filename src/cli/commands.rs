//! The administrative commands carried out: serving, accounts and tokens, frameworks,
//! schedules and reminders.

use super::args::FrameworkAction;
use super::framework_check;
use crate::auth::{OrgScope, password};
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::framework;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::framework as framework_model;
use crate::models::history::Actor;
use crate::models::user::{self, UserForm, UserInput};
use crate::models::{api_token, organisation};
use crate::reports::calendar as export;
use crate::services::reminders as reminder_service;
use crate::services::{frameworks, schedules};
use crate::startup::{Application, open_database};
use anyhow::{Context, bail};
use std::io::BufRead;

pub(super) fn serve(settings: &Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(settings).await?;
        if let Some(one_time) = &app.initial_admin_password {
            println!();
            println!("  First start: an administrator account was created.");
            println!("    e-mail:   admin@qualitrack.local");
            println!("    password: {one_time}");
            println!(
                "  This password is shown only once; you will choose a new one at first login."
            );
            println!();
        }
        println!(
            "qualitrack listens on http://{} (database: {})",
            settings.bind,
            app.db.backend().name()
        );
        app.run_until_stopped().await.context("server stopped")
    })
}

/// Runs `f` on one connection inside a write transaction (it queues behind the server's
/// writes on SQLite); model errors become readable messages.
pub(super) fn with_connection<T>(
    settings: &Settings,
    f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
) -> anyhow::Result<T> {
    let db = open_database(settings)?;
    let mut conn = db
        .pool()
        .get()
        .context("cannot open a database connection")?;
    crate::db::transaction(&mut conn, crate::db::Access::Write, f)
        .map_err(|e| anyhow::anyhow!(describe(&e)))
}

pub(super) fn describe(error: &AppError) -> String {
    match error {
        AppError::Validation(fields) => i18n::field_messages(Lang::En, fields)
            .into_iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::NotFound => "not found".to_owned(),
        AppError::FrameworkFiles(errors) => errors
            .iter()
            .map(|e| i18n::framework_error(Lang::En, e))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

pub(super) fn add_user(settings: &Settings, form: &UserForm) -> anyhow::Result<()> {
    let input = UserInput::try_from(form)
        .map_err(|e| anyhow::anyhow!(describe(&AppError::Validation(e))))?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let typed = line.trim_end_matches(['\n', '\r']);
    if let Err(invalid) = password::check_new(typed) {
        bail!("password: {}", i18n::invalid(Lang::En, &invalid));
    }
    let hash = password::hash(typed).map_err(anyhow::Error::msg)?;
    let created = with_connection(settings, |conn| {
        user::create(conn, &Actor::system("command line"), &input, &hash, false)
    })?;
    println!(
        "created {} ({}) with id {}",
        created.email, created.role, created.id
    );
    Ok(())
}

pub(super) fn create_token(settings: &Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let (_, secret) = with_connection(settings, |conn| {
        let owner = user::find_by_email(conn, email)?.ok_or(AppError::NotFound)?;
        if owner.disabled {
            return Err(AppError::Forbidden);
        }
        api_token::create(conn, &Actor::system("command line"), &owner, name)
    })
    .with_context(|| format!("cannot create a token for {email}"))?;
    println!("{secret}");
    Ok(())
}

pub(super) fn reset_second_factor(settings: &Settings, email: &str) -> anyhow::Result<()> {
    with_connection(settings, |conn| {
        let owner = user::find_by_email(conn, email)?.ok_or(AppError::NotFound)?;
        crate::models::second_factor::remove(
            conn,
            &Actor::system("command line"),
            &owner.id,
            "second_factor_reset",
        )
    })
    .with_context(|| format!("no second factor to reset for {email}"))?;
    println!("second factor of {email} reset");
    Ok(())
}

pub(super) fn frameworks_command(
    settings: &Settings,
    action: FrameworkAction,
) -> anyhow::Result<()> {
    match action {
        FrameworkAction::Validate { paths } => {
            let files = read_framework_files(&paths)?;
            let outcome = framework::validate(&files, &framework_check::known_frameworks(settings));
            for warning in &outcome.warnings {
                eprintln!("warning: {}", i18n::framework_error(Lang::En, warning));
            }
            if outcome.is_ok() {
                println!("{} file(s) valid", files.len());
                return Ok(());
            }
            for error in &outcome.errors {
                eprintln!("{}", i18n::framework_error(Lang::En, error));
            }
            bail!(
                "{} error(s) in {} file(s)",
                outcome.errors.len(),
                files.len()
            )
        }
        FrameworkAction::Import { dir } => {
            let files = match dir {
                Some(dir) => read_framework_files(&[dir])?,
                None => framework::bundled(),
            };
            let report = with_connection(settings, |conn| {
                frameworks::import(
                    conn,
                    &Actor::system("command line"),
                    &files,
                    &frameworks::Ownership::default(),
                )
            })?;
            for (_, code, version) in &report.imported {
                println!("imported  {code} {version}");
            }
            for (code, version) in &report.unchanged {
                println!("unchanged {code} {version}");
            }
            Ok(())
        }
        FrameworkAction::List => {
            let list =
                with_connection(settings, |conn| framework_model::list(conn, &OrgScope::All))?;
            for f in list {
                println!(
                    "{:<24} {:<16} {:<13} {:>4} requirements  {}",
                    f.code, f.version, f.kind, f.requirements_count, f.name
                );
            }
            Ok(())
        }
    }
}

/// The `.toml` files named, or found directly inside the directories named, sorted.
pub(super) fn read_framework_files(
    paths: &[std::path::PathBuf],
) -> anyhow::Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
            {
                let entry = entry?.path();
                if entry.extension().is_some_and(|e| e == "toml") {
                    found.push(entry);
                }
            }
        } else {
            found.push(path.clone());
        }
    }
    found.sort();
    found
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

pub(super) fn base_url(settings: &Settings) -> String {
    settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.bind))
        .trim_end_matches('/')
        .to_owned()
}

pub(super) fn export_schedule(
    settings: &Settings,
    key: &str,
    format: &str,
    output: &std::path::Path,
) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let (name, entries) = with_connection(settings, |conn| {
        let found = organisation::find_by_key(conn, &OrgScope::All, key)?;
        let filter = schedules::CalendarFilter {
            organisation: found.id.clone(),
            ..schedules::CalendarFilter::default()
        };
        Ok((
            found.name,
            schedules::calendar(conn, &OrgScope::All, &filter, today)?,
        ))
    })
    .with_context(|| format!("organisme {key}"))?;
    let bytes = match format {
        "ics" => export::to_ics(
            &entries,
            &format!("qualitrack — {name}"),
            &base_url(settings),
            Lang::Fr,
        )
        .into_bytes(),
        "csv" => export::to_csv(&entries, b';', Lang::Fr).map_err(anyhow::Error::msg)?,
        "xlsx" => export::to_xlsx(&entries, Lang::Fr).map_err(anyhow::Error::msg)?,
        other => bail!("unknown format {other:?}: use ics, csv or xlsx"),
    };
    std::fs::write(output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
    if format == "ics" {
        // A calendar holds what is still to come: say what was left out, and why.
        let events = entries.iter().filter(|e| export::in_feed(e)).count();
        println!(
            "{events} event(s) of {name} written to {} ({} step(s) already done or lapsed left out)",
            output.display(),
            entries.len() - events
        );
    } else {
        println!(
            "{} item(s) of {name} written to {}",
            entries.len(),
            output.display()
        );
    }
    Ok(())
}

pub(super) fn reminders(settings: &Settings, days: i64, send: bool) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let base = base_url(settings);
    let digests = with_connection(settings, |conn| {
        reminder_service::digests(conn, today, days, &base)
    })?;
    for digest in &digests {
        println!("{} <{}>", digest.name, digest.email);
        for line in &digest.lines {
            let mark = if line.late { "LATE " } else { "" };
            println!(
                "  {mark}{} — {} ({}) — due {} — {}",
                line.step, line.framework, line.organisation, line.due, line.url
            );
        }
        for action in &digest.actions {
            println!(
                "  LATE {} days — action {} — due {} — {}",
                action.days_late, action.title, action.due, action.url
            );
        }
        for document in &digest.documents {
            println!(
                "  document {} — valid until {} — {}",
                document.title, document.valid_until, document.url
            );
        }
    }
    if digests.is_empty() {
        println!("nothing due within {days} days, nothing late, no document expiring");
    }
    if send && !digests.is_empty() {
        let templates = crate::templates::Templates::load().map_err(anyhow::Error::msg)?;
        let count = reminder_service::send(&templates, &settings.smtp, &digests)
            .map_err(anyhow::Error::msg)?;
        println!("{count} digest(s) sent");
    }
    Ok(())
}
