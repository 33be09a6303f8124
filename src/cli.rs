//! The `qualitrack` command: serve the application (default) and administrative commands.

mod backup;
mod framework_check;
mod generate;
mod indicators;

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

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

#[derive(Debug, Parser)]
#[command(
    name = "qualitrack",
    version,
    about = "Quality tracker of French social housing"
)]
pub struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web application and the API (the default)
    Serve,
    /// Apply pending database migrations and exit
    Migrate,
    /// Manage accounts
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API tokens
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Export an organisme's schedule (its commitments' audits and decisions) to a file
    Schedule {
        /// Organisme id or SIREN
        #[arg(long)]
        organisation: String,
        /// ics, csv or xlsx
        #[arg(long, default_value = "ics")]
        format: String,
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// List what falls due soon or is late; with --send, e-mail each quality manager a digest
    Reminders {
        /// Look this many days ahead
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// Send the digests (needs the SMTP settings)
        #[arg(long)]
        send: bool,
    },
    /// Check, import and list quality frameworks (TOML files, see audit-frameworks/README.md)
    Frameworks {
        #[command(subcommand)]
        action: FrameworkAction,
    },
    /// Produce reports as PDF
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
    /// Import indicator values
    Indicators {
        #[command(subcommand)]
        action: IndicatorAction,
    },
    /// Load a small demo into an empty database (four named organismes, an account per role)
    ///
    /// Four organismes of different families and regions, their sites, commitments to each
    /// bundled framework, audits at every stage, evidence, actions, a year of indicator values,
    /// a satisfaction survey, and an account for every role, all sharing one password drawn at
    /// random and printed once.
    Demo {
        /// The date the demo is seen from (YYYY-MM-DD; default: today)
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Copy the database consistently while the server runs (SQLite: a checked copy of the
    /// file; PostgreSQL: a pg_dump archive for pg_restore); see docs/operations.md to restore
    Backup {
        /// The file to write (never overwritten)
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// Generate a federation-scale dataset into an empty database (see docs/dataset.md)
    ///
    /// Organismes, sites, commitments with their history, audits, findings, actions, evidence,
    /// indicator values, surveys and accounts. The same seed, as-of date and size give the same
    /// data; the accounts' password is drawn at random and printed once.
    Generate {
        /// How many organismes
        #[arg(long, default_value_t = 600)]
        organisations: usize,
        /// Seed of every random choice
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The date states and schedules are seen from (YYYY-MM-DD; default: today)
        #[arg(long)]
        as_of: Option<String>,
        /// Months of indicator values before the as-of date
        #[arg(long, default_value_t = 12)]
        months: u32,
    },
}

#[derive(Debug, Subcommand)]
enum ReportAction {
    /// The report of an audit, by its id
    Audit {
        id: String,
        #[arg(long)]
        output: std::path::PathBuf,
        /// fr or en
        #[arg(long, default_value = "fr")]
        lang: String,
    },
}

#[derive(Debug, Subcommand)]
enum IndicatorAction {
    /// Import a CSV file of values (columns indicateur, site, periode, valeur, numerateur,
    /// denominateur, source; `;` or `,`; UTF-8 or Windows-1252); nothing is written if a
    /// line is wrong, unless --keep-valid
    Import {
        file: std::path::PathBuf,
        /// Organisme id or SIREN
        #[arg(long)]
        organisation: String,
        /// Write the valid lines even if others are refused
        #[arg(long)]
        keep_valid: bool,
        /// Check the file and report, without writing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum FrameworkAction {
    /// Check framework files (or directories of them) together, and against the bundled
    /// frameworks and those of the database (when there is one); exits 1 listing every error
    Validate {
        #[arg(required = true)]
        paths: Vec<std::path::PathBuf>,
    },
    /// Import the framework files of DIR (default: the bundled ones) in one transaction;
    /// versions already imported with the same content are left alone
    Import { dir: Option<std::path::PathBuf> },
    /// List the imported framework versions
    List,
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Create an account; its password is read from standard input (one line)
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, federation, quality_manager, auditor or observer
        #[arg(long)]
        role: String,
        /// Organisme id or SIREN (quality_manager and observer)
        #[arg(long)]
        organisation: Option<String>,
        /// Region INSEE code (federation staff narrowed to one region)
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Create an API token for a user and print it (it is shown only once)
    Create {
        /// E-mail of the account
        #[arg(long)]
        user: String,
        /// A name to recognise the token by
        #[arg(long, default_value = "CLI")]
        name: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,actix_server=warn"),
    )
    .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("qualitrack: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.settings),
        Command::Migrate => {
            let db = open_database(&cli.settings)?;
            println!("database ({}) is up to date", db.backend().name());
            Ok(())
        }
        Command::User {
            action:
                UserAction::Add {
                    email,
                    name,
                    role,
                    organisation,
                    region,
                },
        } => {
            let form = UserForm {
                email,
                name,
                role,
                organisation: organisation.unwrap_or_default(),
                region: region.unwrap_or_default(),
            };
            add_user(&cli.settings, &form)
        }
        Command::Token {
            action: TokenAction::Create { user, name },
        } => create_token(&cli.settings, &user, &name),
        Command::Schedule {
            organisation,
            format,
            output,
        } => export_schedule(&cli.settings, &organisation, &format, &output),
        Command::Reminders { days, send } => reminders(&cli.settings, days, send),
        Command::Frameworks { action } => frameworks_command(&cli.settings, action),
        Command::Report {
            action: ReportAction::Audit { id, output, lang },
        } => {
            let lang = Lang::parse(&lang).unwrap_or(Lang::Fr);
            let issued = with_connection(&cli.settings, |conn| {
                let issued = crate::services::reports::issue(
                    conn,
                    &crate::services::reports::Rendered::default(),
                    id.trim(),
                    lang,
                )?;
                crate::services::reports::record(conn, &Actor::system("command line"), &issued)?;
                Ok(issued)
            })?;
            std::fs::write(&output, issued.pdf.as_slice())
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!(
                "{} ({} bytes), fingerprint {}",
                output.display(),
                issued.pdf.len(),
                issued.fingerprint
            );
            Ok(())
        }
        Command::Indicators {
            action:
                IndicatorAction::Import {
                    file,
                    organisation,
                    keep_valid,
                    dry_run,
                },
        } => indicators::import(&cli.settings, &file, &organisation, keep_valid, dry_run),
        Command::Backup { output } => backup::backup(&cli.settings, &output),
        Command::Demo { as_of } => generate::demo(&cli.settings, as_of.as_deref()),
        Command::Generate {
            organisations,
            seed,
            as_of,
            months,
        } => generate::generate(
            &cli.settings,
            &generate::Options {
                organisations,
                seed,
                as_of,
                months,
            },
        ),
    }
}

fn serve(settings: &Settings) -> anyhow::Result<()> {
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
fn with_connection<T>(
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

fn describe(error: &AppError) -> String {
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

fn add_user(settings: &Settings, form: &UserForm) -> anyhow::Result<()> {
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

fn create_token(settings: &Settings, email: &str, name: &str) -> anyhow::Result<()> {
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

fn frameworks_command(settings: &Settings, action: FrameworkAction) -> anyhow::Result<()> {
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
fn read_framework_files(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<(String, String)>> {
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

fn base_url(settings: &Settings) -> String {
    settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.bind))
        .trim_end_matches('/')
        .to_owned()
}

fn export_schedule(
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
    println!(
        "{} item(s) of {name} written to {}",
        entries.len(),
        output.display()
    );
    Ok(())
}

fn reminders(settings: &Settings, days: i64, send: bool) -> anyhow::Result<()> {
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
    }
    if digests.is_empty() {
        println!("nothing due within {days} days, nothing late");
    }
    if send && !digests.is_empty() {
        let templates = crate::web::templates::Templates::load().map_err(anyhow::Error::msg)?;
        let count = reminder_service::send(&templates, &settings.smtp, &digests, Lang::Fr)
            .map_err(anyhow::Error::msg)?;
        println!("{count} digest(s) sent");
    }
    Ok(())
}
