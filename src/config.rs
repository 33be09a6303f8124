//! Settings, from flags or `QUALITRACK_*` variables, with defaults that need no setup:
//! SQLite under `./data`, port 8080 on localhost, a session key made on first start.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{ArgAction, Args};
use serde::Deserialize;

/// Settings shared by every command.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: sqlite://PATH (default: DATA_DIR/qualitrack.db) or postgres://USER@HOST/DB
    #[arg(long, env = "QUALITRACK_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Directory for the SQLite database, the session key and evidence files
    #[arg(
        long,
        env = "QUALITRACK_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Address and port to listen on
    #[arg(
        long,
        env = "QUALITRACK_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Secret (at least 32 characters) that signs and encrypts session cookies; generated and
    /// kept in DATA_DIR/secret.key when absent
    #[arg(
        long,
        env = "QUALITRACK_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<String>,

    /// Send cookies only over HTTPS, with HSTS (set it behind a TLS-terminating proxy):
    /// `--cookie-secure`, or `--cookie-secure=`/the variable set to 1/0, true/false, yes/no, on/off
    #[arg(
        long,
        env = "QUALITRACK_COOKIE_SECURE",
        global = true,
        action = ArgAction::Set,
        value_parser = switch,
        num_args = 0..=1,
        require_equals = true,
        default_value = "off",
        default_missing_value = "on"
    )]
    pub cookie_secure: bool,

    /// Minutes of inactivity after which a session ends
    #[arg(
        long,
        env = "QUALITRACK_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub session_idle_minutes: u64,

    /// Public base URL (e.g. https://qualite.example.org), used to check the Origin of forms;
    /// by default the request's own Host
    #[arg(long, env = "QUALITRACK_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Number of HTTP worker threads (default: one per core)
    #[arg(long, env = "QUALITRACK_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Largest evidence file accepted, in megabytes
    #[arg(
        long,
        env = "QUALITRACK_UPLOAD_LIMIT_MB",
        default_value_t = 50,
        global = true
    )]
    pub upload_limit_mb: u64,

    /// Where users report an accessibility problem (an e-mail address or a page's URL), shown
    /// on the accessibility statement
    #[arg(long, env = "QUALITRACK_ACCESSIBILITY_CONTACT", global = true)]
    pub accessibility_contact: Option<String>,

    #[command(flatten)]
    pub smtp: SmtpSettings,

    #[command(flatten)]
    pub oidc: OidcSettings,

    /// Size of the database connection pool
    #[arg(long, env = "QUALITRACK_POOL_SIZE", default_value_t = 8, global = true)]
    pub pool_size: u32,

    /// The clock second-factor codes are checked at (the system's; tests set their own)
    #[arg(skip)]
    pub clock: crate::clock::Clock,
}

impl Settings {
    /// What the settings screen shows, by catalogue key: everything but secrets (the session
    /// key and the SMTP password are only said to be set or not) and the database's
    /// credentials.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let database = self.database_url();
        let database = match database.split_once("://") {
            Some(("sqlite", path)) => format!("SQLite — {path}"),
            Some((_, rest)) => format!(
                "PostgreSQL — {}",
                rest.rsplit_once('@').map_or(rest, |(_, host)| host)
            ),
            None => database.clone(),
        };
        let set = |v: bool| if v { "set" } else { "unset" }.to_owned();
        let smtp = &self.smtp;
        vec![
            ("settings-database", database),
            ("settings-data-dir", self.data_dir.display().to_string()),
            (
                "settings-public-url",
                self.public_url.clone().unwrap_or_default(),
            ),
            ("settings-cookie-secure", set(self.cookie_secure)),
            (
                "settings-session-idle",
                self.session_idle_minutes.to_string(),
            ),
            ("settings-upload-limit", self.upload_limit_mb.to_string()),
            (
                "settings-accessibility-contact",
                self.accessibility_contact.clone().unwrap_or_default(),
            ),
            ("settings-smtp-host", smtp.host.clone().unwrap_or_default()),
            (
                "settings-smtp-port",
                smtp.port.map(|p| p.to_string()).unwrap_or_default(),
            ),
            ("settings-smtp-security", smtp.security.clone()),
            ("settings-smtp-from", smtp.from.clone().unwrap_or_default()),
            (
                "settings-smtp-username",
                smtp.username.clone().unwrap_or_default(),
            ),
            ("settings-smtp-password", set(smtp.password.is_some())),
            ("settings-pool-size", self.pool_size.to_string()),
            (
                "settings-oidc-providers",
                // Names and issuers only: the client secrets stay unsaid. A providers file
                // that cannot be read stops the server at start, so this reads it fine.
                self.oidc
                    .providers()
                    .unwrap_or_default()
                    .iter()
                    .map(|p| format!("{} ({})", p.name, p.issuer))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ]
    }
}

/// Outgoing mail, for reminders. Without a host, nothing is sent.
/// Single sign-on with an OpenID Connect provider (ProConnect, Entra ID…): set the issuer,
/// client id and secret to offer "Se connecter avec …" beside the password form. More
/// providers go in a TOML file (`QUALITRACK_OIDC_PROVIDERS`, `[[provider]]` tables with the
/// same keys: `name`, `issuer`, `client_id`, `client_secret`, `scopes`, `acr`).
#[derive(Debug, Clone, Default, Args)]
pub struct OidcSettings {
    /// The provider's issuer URL (its discovery document is read from it)
    #[arg(long = "oidc-issuer", env = "QUALITRACK_OIDC_ISSUER", global = true)]
    pub issuer: Option<String>,
    #[arg(
        long = "oidc-client-id",
        env = "QUALITRACK_OIDC_CLIENT_ID",
        global = true
    )]
    pub client_id: Option<String>,
    #[arg(
        long = "oidc-client-secret",
        env = "QUALITRACK_OIDC_CLIENT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub client_secret: Option<String>,
    /// The name on the sign-in button (default: ProConnect)
    #[arg(long = "oidc-name", env = "QUALITRACK_OIDC_NAME", global = true)]
    pub name: Option<String>,
    /// Scopes asked (default: openid email profile; ProConnect: openid email given_name
    /// usual_name siret organizational_unit)
    #[arg(long = "oidc-scopes", env = "QUALITRACK_OIDC_SCOPES", global = true)]
    pub scopes: Option<String>,
    /// Authentication level asked (ProConnect: eidas1)
    #[arg(long = "oidc-acr", env = "QUALITRACK_OIDC_ACR", global = true)]
    pub acr: Option<String>,
    /// A TOML file listing more providers
    #[arg(
        long = "oidc-providers",
        env = "QUALITRACK_OIDC_PROVIDERS",
        global = true
    )]
    pub providers_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
struct ProvidersFile {
    #[serde(default)]
    provider: Vec<ProviderEntry>,
}

#[derive(Debug, Deserialize)]
struct ProviderEntry {
    name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    scopes: Option<String>,
    acr: Option<String>,
}

impl OidcSettings {
    /// Every provider configured, each with its own address part (from its name).
    pub fn providers(&self) -> anyhow::Result<Vec<crate::auth::oidc::ProviderConfig>> {
        let mut entries = Vec::new();
        if let (Some(issuer), Some(client_id), Some(client_secret)) =
            (&self.issuer, &self.client_id, &self.client_secret)
        {
            entries.push(ProviderEntry {
                name: self.name.clone().unwrap_or_else(|| "ProConnect".to_owned()),
                issuer: issuer.clone(),
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                scopes: self.scopes.clone(),
                acr: self.acr.clone(),
            });
        }
        if let Some(path) = &self.providers_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let file: ProvidersFile =
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            entries.extend(file.provider);
        }
        let mut configs: Vec<crate::auth::oidc::ProviderConfig> = Vec::new();
        for entry in entries {
            let slug: String = deunicode::deunicode(&entry.name)
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
                .trim_matches('-')
                .to_owned();
            anyhow::ensure!(!slug.is_empty(), "an OpenID Connect provider needs a name");
            anyhow::ensure!(
                configs.iter().all(|c| c.slug != slug),
                "two OpenID Connect providers are named {}",
                entry.name
            );
            configs.push(crate::auth::oidc::ProviderConfig {
                slug,
                name: entry.name,
                issuer: entry.issuer.trim_end_matches('/').to_owned(),
                client_id: entry.client_id,
                client_secret: entry.client_secret,
                scopes: entry
                    .scopes
                    .unwrap_or_else(|| "openid email profile".to_owned()),
                trust_email: entry.issuer.contains("proconnect.gouv.fr"),
                acr: entry.acr,
            });
        }
        Ok(configs)
    }
}

#[derive(Debug, Clone, Default, Args)]
pub struct SmtpSettings {
    /// SMTP server
    #[arg(long = "smtp-host", env = "QUALITRACK_SMTP_HOST", global = true)]
    pub host: Option<String>,
    /// SMTP port (default: 587, or 465 with --smtp-security tls, 25 with none)
    #[arg(long = "smtp-port", env = "QUALITRACK_SMTP_PORT", global = true)]
    pub port: Option<u16>,
    #[arg(
        long = "smtp-username",
        env = "QUALITRACK_SMTP_USERNAME",
        global = true
    )]
    pub username: Option<String>,
    #[arg(
        long = "smtp-password",
        env = "QUALITRACK_SMTP_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub password: Option<String>,
    /// Sender address, e.g. "qualitrack <qualite@habitat.fr>"
    #[arg(long = "smtp-from", env = "QUALITRACK_SMTP_FROM", global = true)]
    pub from: Option<String>,
    /// starttls (default), tls or none
    #[arg(
        long = "smtp-security",
        env = "QUALITRACK_SMTP_SECURITY",
        default_value = "starttls",
        global = true
    )]
    pub security: String,
}

/// A yes-or-no setting as people write it in unit files and `.env` files, in any case
/// (clap's own `bool` takes only `true` and `false`, so `=1` stopped the server).
pub fn switch(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("expected 1/0, true/false, yes/no or on/off".to_owned()),
    }
}

impl Settings {
    /// The database URL, defaulting to the SQLite file inside the data directory.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("qualitrack.db").display())
        })
    }

    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_minutes.max(1) * 60)
    }

    /// The cookie master key: the configured secret, or the one kept in the data directory
    /// (created with restrictive permissions on first start).
    pub fn cookie_master_key(&self) -> Result<Vec<u8>, String> {
        if let Some(secret) = &self.secret_key {
            if secret.len() < 32 {
                return Err("QUALITRACK_SECRET_KEY must be at least 32 characters long".into());
            }
            return Ok(secret.as_bytes().to_vec());
        }
        load_or_create_key(&self.data_dir.join("secret.key"))
    }
}

fn load_or_create_key(path: &Path) -> Result<Vec<u8>, String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let key = existing.trim();
        if key.len() >= 32 {
            return Ok(key.as_bytes().to_vec());
        }
        return Err(format!("{} is shorter than 32 characters", path.display()));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let key = crate::auth::random_token(48);
    write_private(path, &key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Command {
        #[command(flatten)]
        settings: Settings,
    }

    fn cookie_secure(args: &[&str]) -> Result<bool, String> {
        let args = std::iter::once("qualitrack").chain(args.iter().copied());
        Command::try_parse_from(args)
            .map(|c| c.settings.cookie_secure)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn switches_take_every_usual_spelling_in_any_case() {
        for on in ["1", "true", "yes", "on", "TRUE", "Yes", "On", " on "] {
            assert_eq!(switch(on), Ok(true), "{on:?}");
        }
        for off in ["0", "false", "no", "off", "FALSE", "No", "OFF"] {
            assert_eq!(switch(off), Ok(false), "{off:?}");
        }
        for wrong in ["", "2", "oui", "enabled", "y"] {
            assert!(switch(wrong).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn the_cookie_flag_is_off_by_default_on_alone_and_takes_a_value_after_an_equals_sign() {
        assert_eq!(cookie_secure(&[]), Ok(false));
        assert_eq!(cookie_secure(&["--cookie-secure"]), Ok(true));
        for (value, expected) in [("1", true), ("Yes", true), ("0", false), ("off", false)] {
            assert_eq!(
                cookie_secure(&[&format!("--cookie-secure={value}")]),
                Ok(expected),
                "{value}"
            );
        }
        let refused = cookie_secure(&["--cookie-secure=peut-être"]).unwrap_err();
        assert!(
            refused.contains("1/0, true/false, yes/no or on/off"),
            "{refused}"
        );
    }

    #[test]
    fn key_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = load_or_create_key(&path).unwrap();
        assert!(first.len() >= 32);
        assert_eq!(load_or_create_key(&path).unwrap(), first);
    }
}
