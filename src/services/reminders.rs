//! Reminders: what falls due soon or is late, gathered per person concerned, and sent as
//! one digest e-mail each, in French, as plain text and HTML: a quality manager hears of
//! the steps of the organisme's commitments and of its documents about to expire; the
//! owner of an overdue action, whoever they are, hears of that action.

use chrono::NaiveDate;
use diesel::prelude::*;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Serialize;

use crate::auth::OrgScope;
use crate::config::SmtpSettings;
use crate::db::DbConnection;
use crate::db::schema::{evidence, users};
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

/// An overdue action, for its owner.
#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    pub title: String,
    pub due: String,
    pub days_late: i64,
    pub url: String,
}

/// A document of the organisme whose validity ends soon, for its quality managers.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentLine {
    pub title: String,
    pub valid_until: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub email: String,
    pub name: String,
    /// Steps of the commitments, due soon or late
    pub lines: Vec<Line>,
    pub actions: Vec<ActionLine>,
    pub documents: Vec<DocumentLine>,
    #[serde(skip)]
    pub lang: Lang,
}

impl Digest {
    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.actions.is_empty() && self.documents.is_empty()
    }

    /// Everything late in it: steps past due and overdue actions.
    pub fn late(&self) -> usize {
        self.lines.iter().filter(|l| l.late).count() + self.actions.len()
    }

    pub fn count(&self) -> usize {
        self.lines.len() + self.actions.len() + self.documents.len()
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn line(entry: &CalendarEntry, base_url: &str, lang: Lang) -> Line {
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

/// The documents of each organisme whose validity ends within `days`, by organisme.
fn expiring_documents(
    conn: &mut DbConnection,
    today: NaiveDate,
    days: i64,
    base_url: &str,
) -> Result<Vec<(String, DocumentLine)>, AppError> {
    let rows: Vec<(String, String, String, Option<NaiveDate>)> = evidence::table
        .filter(evidence::valid_until.ge(today))
        .filter(evidence::valid_until.le(today + chrono::Duration::days(days)))
        .order(evidence::valid_until.asc())
        .select((
            evidence::organisation_id,
            evidence::id,
            evidence::title,
            evidence::valid_until,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(org, id, title, until)| {
            Some((
                org,
                DocumentLine {
                    title,
                    valid_until: day(until?),
                    url: format!("{base_url}/preuves/{id}"),
                },
            ))
        })
        .collect())
}

/// One digest per enabled person with something to hear of: quality managers for their
/// organisme's steps and documents, owners for their overdue actions.
pub fn digests(
    conn: &mut DbConnection,
    today: NaiveDate,
    days: i64,
    base_url: &str,
) -> Result<Vec<Digest>, AppError> {
    let entries = schedules::calendar(conn, &OrgScope::All, &CalendarFilter::default(), today)?;
    let documents = expiring_documents(conn, today, days, base_url)?;
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
    let mut digests: std::collections::BTreeMap<String, Digest> = managers
        .into_iter()
        .map(|(email, name, organisation, locale)| {
            let lang = locale.as_deref().and_then(Lang::parse).unwrap_or(Lang::Fr);
            let mine = |org: &String| Some(org) == organisation.as_ref();
            let digest = Digest {
                email: email.clone(),
                name,
                lines: entries
                    .iter()
                    .filter(|e| {
                        mine(&e.organisation_id) && schedules::needs_attention(&e.item, today, days)
                    })
                    .map(|e| line(e, base_url, lang))
                    .collect(),
                actions: Vec::new(),
                documents: documents
                    .iter()
                    .filter(|(org, _)| mine(org))
                    .map(|(_, d)| d.clone())
                    .collect(),
                lang,
            };
            (email, digest)
        })
        .collect();
    for overdue in crate::models::action::overdue_by_owner(conn, today)? {
        let action = overdue.action;
        let lang = overdue
            .locale
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or(Lang::Fr);
        let digest = digests
            .entry(overdue.email.clone())
            .or_insert_with(|| Digest {
                email: overdue.email,
                name: overdue.name,
                lines: Vec::new(),
                actions: Vec::new(),
                documents: Vec::new(),
                lang,
            });
        digest.actions.push(ActionLine {
            days_late: (today - action.due_date).num_days(),
            due: day(action.due_date),
            url: format!("{base_url}/actions/{}", action.id),
            title: action.title,
        });
    }
    Ok(digests.into_values().filter(|d| !d.is_empty()).collect())
}

/// Subject, plain text and HTML of a digest.
pub fn render(
    templates: &Templates,
    digest: &Digest,
    lang: Lang,
) -> Result<(String, String, String), AppError> {
    let late = digest.late();
    let subject = i18n::t_args(
        lang,
        "reminder-subject",
        &[
            ("count", digest.count().to_string()),
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

/// Sends a short message to `to` (an administrator checking the mail settings): the SMTP
/// server's refusal, if any, is the error.
pub fn send_test(smtp: &SmtpSettings, to: &str, name: &str, lang: Lang) -> Result<(), String> {
    let from: Mailbox = smtp
        .from
        .as_deref()
        .ok_or("no sender configured (QUALITRACK_SMTP_FROM)")?
        .parse()
        .map_err(|e| format!("QUALITRACK_SMTP_FROM: {e}"))?;
    let to: Mailbox = format!("{name} <{to}>")
        .parse()
        .map_err(|e| format!("{to}: {e}"))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(i18n::t(lang, "settings-test-subject"))
        .body(i18n::t(lang, "settings-test-body"))
        .map_err(|e| e.to_string())?;
    transport(smtp)?.send(&message).map_err(|e| e.to_string())?;
    Ok(())
}

/// Sends each digest in its reader's language; returns how many went out, or the first
/// failure with its cause.
pub fn send(
    templates: &Templates,
    smtp: &SmtpSettings,
    digests: &[Digest],
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
        let (subject, text, html) =
            render(templates, digest, digest.lang).map_err(|e| e.to_string())?;
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
