//! What the command line accepts: the commands, their arguments and their help.

use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "qualitrack",
    version,
    about = "Quality tracker of French social housing"
)]
pub struct Cli {
    #[command(flatten)]
    pub(super) settings: Settings,
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
pub(super) enum ReportAction {
    /// The report of an audit, by its id
    Audit {
        id: String,
        #[arg(long)]
        output: std::path::PathBuf,
        /// fr or en
        #[arg(long, default_value = "fr")]
        lang: String,
        /// pdf, or odt or docx to adjust it in a word processor
        #[arg(long, default_value = "pdf")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum IndicatorAction {
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
pub(super) enum FrameworkAction {
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
pub(super) enum UserAction {
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
    /// Remove an account's second factor (a lost phone, and no administrator left to reset
    /// it from the accounts page); its owner sets up a new one at the next sign-in
    ResetSecondFactor {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum TokenAction {
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
