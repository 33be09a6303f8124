//! Entering an organisme's indicator values for one period: every indicator of a framework
//! (or all of them) on one form, for the organisme or one of its sites, checked as an
//! import is, and written all at once or not at all.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tera::Context;

use super::readable;
use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::indicators::csv_file::Line;
use crate::domain::indicators::{Period, parse_number};
use crate::domain::policy;
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::error::ensure;
use crate::models::indicator::{self, Definition};
use crate::models::{evidence, site};
use crate::services::indicators::{self, Context as Checks};
use crate::web::page::{Again, Ctx, see_other};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EntryQuery {
    /// `2025-03`, `2025-Q1`, `2025`…; the previous month when absent
    pub periode: String,
    /// A site id; empty for the organisme as a whole
    pub site: String,
    /// A framework code, `propres` for the organisme's own indicators, empty for all
    pub referentiel: String,
}

impl EntryQuery {
    fn period(&self) -> Result<Period, Invalid> {
        if self.periode.trim().is_empty() {
            let today = chrono::Utc::now().date_naive();
            return Ok(Period::of("month", today).previous());
        }
        Period::parse(&self.periode)
    }

    /// Whether the form lists an indicator: of the framework asked for, and measured at the
    /// period's rhythm (a month's form has no yearly indicator).
    fn shows(&self, definition: &Definition) -> bool {
        let framework = match self.referentiel.as_str() {
            "" => true,
            "propres" => definition.own,
            code => definition.frameworks.iter().any(|f| f == code),
        };
        let rhythm = self.period().map_or(true, |period| {
            matches!(
                (period, definition.frequency.as_str()),
                (Period::Month(..), "monthly")
                    | (Period::Quarter(..), "quarterly")
                    | (Period::Year(_), "yearly" | "triennial")
            )
        });
        framework && rhythm
    }
}

/// What each field of the form holds, as stored or as typed.
type Typed = HashMap<String, String>;

fn entry_page(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    query: &EntryQuery,
    typed: Option<&Typed>,
) -> Result<Context, AppError> {
    let organisation = readable(conn, user, id)?;
    ensure(policy::may_edit_organisation(user, &organisation.id))?;
    let period = query.period().ok();
    let definitions: Vec<Definition> = indicator::definitions_for(conn, &organisation.id)?
        .into_iter()
        .filter(|d| query.shows(d))
        .collect();
    let site_id = Some(query.site.clone()).filter(|s| !s.is_empty());
    let mut values: Typed = HashMap::new();
    if let Some(period) = period {
        let wanted = period.to_string();
        for v in indicator::values_for(conn, &organisation.id, None)? {
            if v.period == wanted && v.site_id == site_id {
                let number = |x: f64| {
                    crate::i18n::format_number(x, 2)
                        .trim_end_matches('0')
                        .trim_end_matches(',')
                        .replace('\u{202f}', "")
                };
                values.insert(format!("v:{}", v.indicator_code), number(v.value));
                if let Some(n) = v.numerator {
                    values.insert(format!("n:{}", v.indicator_code), number(n));
                }
                if let Some(d) = v.denominator {
                    values.insert(format!("d:{}", v.indicator_code), number(d));
                }
            }
        }
    }
    if let Some(typed) = typed {
        values.clone_from(typed);
    }
    let mut page = Context::new();
    page.insert("definitions", &definitions);
    page.insert("values", &values);
    page.insert(
        "period",
        &period.map_or_else(|| query.periode.clone(), |p| p.to_string()),
    );
    page.insert("query", query);
    page.insert("sites", &site::list_for(conn, &organisation.id)?);
    page.insert(
        "frameworks",
        &evidence::supportable(conn, &organisation.id)?,
    );
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn show_entry(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<EntryQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let query = query.into_inner();
    let (user, data) = ctx
        .user_run(move |conn, user| entry_page(conn, user, &id, &query, None))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("indicators/entry.html", &page)
}

/// Reads the form into lines to check, by indicator; errors name the field at fault.
fn read_form(
    checks: &Checks,
    fields: &Typed,
    query: &EntryQuery,
    codes: &[String],
) -> Result<Vec<indicator::NewValue>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let period = errors.check("periode", query.period());
    let source = fields.get("source").map_or("", |s| s.trim()).to_owned();
    let mut values = Vec::new();
    for code in codes {
        let raw = |prefix: &str| {
            fields
                .get(&format!("{prefix}:{code}"))
                .map_or("", |s| s.trim())
        };
        if raw("v").is_empty() && raw("n").is_empty() && raw("d").is_empty() {
            continue;
        }
        let mut number = |prefix: &str| {
            let text = raw(prefix);
            if text.is_empty() {
                return None;
            }
            errors.check(&format!("{prefix}:{code}"), parse_number(text))
        };
        let (value, numerator, denominator) = (number("v"), number("n"), number("d"));
        let Some(period) = period else { continue };
        let line = Line {
            line: 0,
            indicator: code.clone(),
            site: query.site.clone(),
            period,
            value,
            numerator,
            denominator,
            source: source.clone(),
        };
        match checks.check(&line) {
            Ok(value) => values.push(value),
            Err((column, invalid)) => {
                let field = match column {
                    "numerateur" => format!("n:{code}"),
                    "denominateur" => format!("d:{code}"),
                    "site" | "source" => column.to_owned(),
                    _ => format!("v:{code}"),
                };
                errors.add(&field, invalid);
            }
        }
    }
    errors.into_result()?;
    if values.is_empty() {
        return Err(FieldErrors::single("periode", Invalid::new("err-no-value")));
    }
    Ok(values)
}

pub async fn save_entry(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let fields: Typed = form.into_inner().into_iter().collect();
    let query = EntryQuery {
        periode: fields.get("periode").cloned().unwrap_or_default(),
        site: fields.get("site").cloned().unwrap_or_default(),
        referentiel: fields.get("referentiel").cloned().unwrap_or_default(),
    };
    let (lookup, submitted, asked) = (id.clone(), fields.clone(), query.clone());
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (organisation, checks) = indicators::writable(conn, user, &id)?;
            let codes: Vec<String> = indicator::definitions_for(conn, &organisation.id)?
                .into_iter()
                .filter(|d| query.shows(d))
                .map(|d| d.code)
                .collect();
            let values = read_form(&checks, &fields, &query, &codes)?;
            indicators::write(conn, user, &organisation, "saisie", &values)
        })
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |written| {
            ctx.flash_with(
                FlashKind::Success,
                "flash-values-saved",
                vec![
                    ("inserted".into(), written.inserted.to_string()),
                    ("updated".into(), written.updated.to_string()),
                ],
            );
            Ok(see_other(&format!("/organismes/{lookup_done}/indicateurs")))
        },
        |error| async move {
            let (_, data) = ctx
                .user_run(move |conn, user| {
                    entry_page(conn, user, &lookup, &asked, Some(&submitted))
                })
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            page.extend(data);
            ctx.form_again(&mut page, &user, "indicators/entry.html", &error)
        },
    )
    .await
}
