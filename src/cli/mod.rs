//! The `qualitrack` command: serve the application (default) and administrative commands.
//! `args` declares what the command line accepts; `commands` carries each command out.

mod args;
mod backup;
mod commands;
mod framework_check;
mod generate;
mod indicators;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use crate::i18n::Lang;
use crate::models::history::Actor;
use crate::models::user::UserForm;
use crate::startup::open_database;
pub use args::Cli;
use args::{Command, IndicatorAction, ReportAction, TokenAction, UserAction};
use commands::{
    add_user, create_token, export_schedule, frameworks_command, reminders, reset_second_factor,
    serve, with_connection,
};

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
        Command::User {
            action: UserAction::ResetSecondFactor { email },
        } => reset_second_factor(&cli.settings, &email),
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
            action:
                ReportAction::Audit {
                    id,
                    output,
                    lang,
                    format,
                },
        } => {
            let lang = Lang::parse(&lang).unwrap_or(Lang::Fr);
            let format = crate::reports::document::Format::parse(&format)
                .with_context(|| format!("unknown format {format}: pdf, odt or docx"))?;
            let issued = with_connection(&cli.settings, |conn| {
                let issued = crate::services::reports::issue(
                    conn,
                    &crate::services::reports::Rendered::at(cli.settings.public_url.as_deref()),
                    id.trim(),
                    lang,
                )?;
                crate::services::reports::record(conn, &Actor::system("command line"), &issued)?;
                Ok(issued)
            })?;
            let bytes = issued.document(format)?;
            std::fs::write(&output, &bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!(
                "{} ({} bytes), fingerprint {}",
                output.display(),
                bytes.len(),
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
