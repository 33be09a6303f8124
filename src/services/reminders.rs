//! Reminders: what falls due soon or is late, gathered per person concerned (the quality
//! managers of each organisme), and sent as one digest e-mail each, in French, as plain
//! text and HTML.

use chrono::NaiveDate;
use diesel::prelude::*;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Serialize;

use crate::auth::OrgScope;
use crate::config::SmtpSettings;
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::schedule::ItemState;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::services::schedules::{self, CalendarEntry, CalendarFilter, state_code};
use crate::templates::Templates;

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub organisation: String,
    pub framework: String,
    pub step: String,
    pub due: String,
    pub window: String,
    pub state: String,
    pub late: bool,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub email: String,
    pub name: String,
    pub lines: Vec<Line>,
}

fn line(entry: &CalendarEntry, base_url: &str, lang: Lang) -> Line {
    let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    Line {
        organisation: entry.organisation_name.clone(),
        framework: entry.framework_name.clone(),
        step: entry.item.name.clone(),
        due: day(entry.item.due),
        window: format!(
            "{} – {}",
            day(entry.item.window_start),
            day(entry.item.window_end)
        ),
        state: i18n::t(
            lang,
            &format!("item-state-{}", state_code(entry.item.state)),
        ),
        late: entry.item.state == ItemState::Overdue,
        url: format!("{base_url}/engagements/{}", entry.commitment_id),
    }
}

/// One digest per enabled quality manager whose organisme has something due or late.
pub fn digests(
    conn: &mut DbConnection,
    today: NaiveDate,
    days: i64,
    base_url: &str,
) -> Result<Vec<Digest>, AppError> {
    let entries = schedules::calendar(conn, &OrgScope::All, &CalendarFilter::default(), today)?;
    let managers: Vec<(String, String, Option<String>, Option<String>)> = users::table
        .filter(users::role.eq("quality_manager"))
        .filter(users::disabled.eq(false))
        .select((
            users::email,
            users::name,
            users::organisation_id,
            users::locale,
        ))
        .order(users::email.asc())
        .load(conn)?;
    Ok(managers
        .into_iter()
        .filter_map(|(email, name, organisation, locale)| {
            let lang = locale.as_deref().and_then(Lang::parse).unwrap_or(Lang::Fr);
            let lines: Vec<Line> = entries
                .iter()
                .filter(|e| {
                    Some(&e.organisation_id) == organisation.as_ref()
                        && schedules::needs_attention(&e.item, today, days)
                })
                .map(|e| line(e, base_url, lang))
                .collect();
            (!lines.is_empty()).then_some(Digest { email, name, lines })
        })
        .collect())
}

/// Subject, plain text and HTML of a digest.
pub fn render(
    templates: &Templates,
    digest: &Digest,
    lang: Lang,
) -> Result<(String, String, String), AppError> {
    let late = digest.lines.iter().filter(|l| l.late).count();
    let subject = i18n::t_args(
        lang,
        "reminder-subject",
        &[
            ("count", digest.lines.len().to_string()),
            ("late", late.to_string()),
        ],
    );
    let mut context = tera::Context::new();
    context.insert("lang", lang.code());
    context.insert("digest", digest);
    context.insert("late", &late);
    let text = templates.render("emails/reminder.txt", &context)?;
    let html = templates.render("emails/reminder.html", &context)?;
    Ok((subject, text, html))
}

fn transport(smtp: &SmtpSettings) -> Result<SmtpTransport, String> {
    let host = smtp
        .host
        .as_deref()
        .ok_or("no SMTP host configured (QUALITRACK_SMTP_HOST)")?;
    let builder = match smtp.security.as_str() {
        "none" => SmtpTransport::builder_dangerous(host).port(smtp.port.unwrap_or(25)),
        "tls" => {
            let tls = TlsParameters::new(host.to_owned()).map_err(|e| e.to_string())?;
            SmtpTransport::builder_dangerous(host)
                .port(smtp.port.unwrap_or(465))
                .tls(Tls::Wrapper(tls))
        }
        "starttls" => {
            let tls = TlsParameters::new(host.to_owned()).map_err(|e| e.to_string())?;
            SmtpTransport::builder_dangerous(host)
                .port(smtp.port.unwrap_or(587))
                .tls(Tls::Required(tls))
        }
        other => {
            return Err(format!(
                "unknown SMTP security {other:?}: use starttls, tls or none"
            ));
        }
    };
    let builder = match (&smtp.username, &smtp.password) {
        (Some(user), Some(password)) => {
            builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                user.clone(),
                password.clone(),
            ))
        }
        _ => builder,
    };
    Ok(builder
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build())
}

/// Sends each digest; returns how many went out, or the first failure with its cause.
pub fn send(
    templates: &Templates,
    smtp: &SmtpSettings,
    digests: &[Digest],
    lang: Lang,
) -> Result<usize, String> {
    let from: Mailbox = smtp
        .from
        .as_deref()
        .ok_or("no sender configured (QUALITRACK_SMTP_FROM)")?
        .parse()
        .map_err(|e| format!("QUALITRACK_SMTP_FROM: {e}"))?;
    let mailer = transport(smtp)?;
    let mut sent = 0;
    for digest in digests {
        let (subject, text, html) = render(templates, digest, lang).map_err(|e| e.to_string())?;
        let to: Mailbox = format!("{} <{}>", digest.name, digest.email)
            .parse()
            .map_err(|e| format!("{}: {e}", digest.email))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| e.to_string())?;
        mailer
            .send(&message)
            .map_err(|e| format!("sending to {}: {e}", digest.email))?;
        sent += 1;
    }
    Ok(sent)
}
