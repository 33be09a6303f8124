//! Saving one requirement of the findings workspace: the auditor's finding or the
//! organisme's self-assessment, from the version read. With htmx the requirement comes back
//! laid out again (saved, refused with what was typed, or both versions side by side), with
//! its tree line and the progress beside it; without JavaScript the screen is shown again
//! at the requirement with a message.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use std::sync::Arc;

use super::finding_parts::{FindingForm, Rights, Row, Shared, SharedKey, add_named, rights};
use super::findings::{Standing, filters_of, shared_of, standing};

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::error::AppError;
use crate::i18n;
use crate::models::audit::{self, Audit};
use crate::models::finding::{self, Finding, FindingContent, Part, Saved};
use crate::models::framework::{self as framework_model, RequirementRow};
use crate::services::audits;
use crate::services::memo::Memo;
use crate::web::page::{Ctx, see_other};

#[derive(Clone, Copy)]
enum Kind {
    Finding,
    SelfAssessment,
}

/// The row's requirement, what rows share and the user's rights, for rendering a row.
struct RowData {
    found: Audit,
    allowed: Rights,
    requirement: RequirementRow,
    shared: Arc<Shared>,
}

fn row_data(
    conn: &mut DbConnection,
    kept: &Memo<SharedKey, Shared>,
    user: &CurrentUser,
    found: Audit,
    reference: &str,
) -> Result<RowData, AppError> {
    let team = audit::team(conn, &found.id)?;
    let shared = shared_of(conn, kept, &found)?;
    assemble(conn, user, found, reference, &team, shared)
}

/// A row's data from what the caller already loaded (a save needs the team and what rows
/// share before writing; a save changes neither).
fn assemble(
    conn: &mut DbConnection,
    user: &CurrentUser,
    found: Audit,
    reference: &str,
    team: &[String],
    shared: Arc<Shared>,
) -> Result<RowData, AppError> {
    let allowed = rights(user, &found, team);
    let requirement = framework_model::requirement(conn, &found.framework_id, reference)?;
    Ok(RowData {
        found,
        allowed,
        requirement,
        shared,
    })
}

/// Saves the part of the row named by `kind` through the one use case pages and API share,
/// then lays the row out again from the audit and team it was saved on.
fn write_row(
    conn: &mut DbConnection,
    kept: &Memo<SharedKey, Shared>,
    user: &CurrentUser,
    id: &str,
    reference: &str,
    form: &FindingForm,
    kind: Kind,
) -> Result<(RowData, Saved), AppError> {
    let (part, named) = match kind {
        Kind::Finding => (Part::Finding(form.content()), &form.evidence_add),
        Kind::SelfAssessment => (
            Part::SelfAssessment(form.self_content()),
            &form.self_evidence_add,
        ),
    };
    let add_field = match kind {
        Kind::Finding => "evidence_add",
        Kind::SelfAssessment => "self_evidence_add",
    };
    let mut shared = None;
    let saving = audits::save(
        conn,
        user,
        id,
        reference,
        form.version,
        part,
        |conn, found, part| {
            // A document typed by its title joins the chosen ones (what rows share knows titles).
            let rows = shared_of(conn, kept, found)?;
            add_named(&rows, part.evidence_ids_mut(), named, add_field)?;
            shared = Some(rows);
            Ok(())
        },
    )?;
    let shared = match shared {
        Some(rows) => rows,
        None => shared_of(conn, kept, &saving.audit)?,
    };
    Ok((
        assemble(conn, user, saving.audit, reference, &saving.team, shared)?,
        saving.saved,
    ))
}

/// The tree's line and the progress after a finding's save (they change with the grade),
/// with the filters of the workspace it came from.
async fn beside(
    ctx: &Ctx,
    req: &HttpRequest,
    audit_id: &str,
    reference: &str,
) -> Result<(Standing, String), AppError> {
    let (state, wanted, audit_id) = (ctx.state.clone(), reference.to_owned(), audit_id.to_owned());
    let lang = ctx.lang(None);
    let (_, now) = ctx
        .user_read(move |conn, user| {
            let lang = user
                .locale
                .as_deref()
                .and_then(i18n::Lang::parse)
                .unwrap_or(lang);
            standing(conn, user, &audit_id, &state, lang, &wanted)
        })
        .await?;
    Ok((now, filters_of(req)))
}

async fn save(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    let (id, reference) = path.into_inner();
    let id = parse_id(&id)?;
    let form = FindingForm::from_fields(form.into_inner());
    let htmx = req.headers().contains_key("HX-Request");
    let attempted = form.content();
    let (lookup, wanted) = (id.clone(), reference.clone());
    let kept = ctx.state.audit_shared.clone();
    let again = kept.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| write_row(conn, &kept, user, &lookup, &wanted, &form, kind))
        .await?;
    let lang = ctx.lang(Some(&user));
    let (data, saved) = match attempt {
        Ok(done) => done,
        Err(AppError::Validation(fields)) if htmx => {
            // Shown again with what was typed, and why it was refused: nothing typed is lost.
            let wanted = reference.clone();
            let (_, (data, stored)) = ctx
                .user_read(move |conn, user| {
                    let (found, _) = audits::open_working(conn, user, &id)?;
                    let stored = finding::findings_of(conn, &found.id)?
                        .into_iter()
                        .find(|f| f.requirement_ref == wanted);
                    Ok((row_data(conn, &again, user, found, &wanted)?, stored))
                })
                .await?;
            let message = i18n::field_messages(lang, &fields)
                .into_values()
                .collect::<Vec<_>>()
                .join(" ");
            return render_row(
                &ctx,
                &user,
                data,
                stored,
                Some(attempted),
                Outcome {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    error: Some(message),
                    ..Outcome::default()
                },
            );
        }
        Err(other) => return Err(other),
    };
    if !htmx {
        // Without htmx the screen the form came from is shown again at its requirement: the
        // self-assessment has its own screen.
        let (conflict, saved_key, screen) = match kind {
            Kind::Finding => ("flash-finding-conflict", "flash-finding-saved", "constats"),
            Kind::SelfAssessment => ("flash-self-conflict", "flash-self-saved", "autoevaluation"),
        };
        if matches!(saved, Saved::Conflict(_)) {
            ctx.flash(FlashKind::Error, conflict);
        } else {
            ctx.flash(FlashKind::Success, saved_key);
        }
        let at = match kind {
            Kind::Finding => format!("?exigence={reference}"),
            Kind::SelfAssessment => format!("#req-{reference}"),
        };
        return Ok(see_other(&format!(
            "/audits/{}/{screen}{at}",
            data.found.id
        )));
    }
    match saved {
        Saved::Stored(finding) => {
            let beside = match kind {
                Kind::Finding => Some(beside(&ctx, &req, &data.found.id, &reference).await?),
                Kind::SelfAssessment => None,
            };
            render_row(
                &ctx,
                &user,
                data,
                Some(finding),
                None,
                Outcome {
                    saved_now: true,
                    beside,
                    ..Outcome::default()
                },
            )
        }
        Saved::Conflict(current) => render_row(
            &ctx,
            &user,
            data,
            Some(current),
            Some(attempted),
            Outcome {
                status: StatusCode::CONFLICT,
                ..Outcome::default()
            },
        ),
    }
}

/// How a save ended, for laying its requirement out again.
struct Outcome {
    status: StatusCode,
    /// Why the save was refused
    error: Option<String>,
    saved_now: bool,
    /// The audit's progress and the requirement's tree line after the save, with the
    /// workspace's filters (for the line's links)
    beside: Option<(Standing, String)>,
}

impl Default for Outcome {
    fn default() -> Self {
        Self {
            status: StatusCode::OK,
            error: None,
            saved_now: false,
            beside: None,
        }
    }
}

/// One requirement as htmx swaps it in: saved, refused as stale (both versions), or
/// invalid; after a save, its tree line and the progress replace theirs out of band.
fn render_row(
    ctx: &Ctx,
    user: &CurrentUser,
    data: RowData,
    stored: Option<Finding>,
    attempted: Option<FindingContent>,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let conflict = (outcome.status == StatusCode::CONFLICT)
        .then(|| stored.clone())
        .flatten();
    let mut row = Row::new(&data.shared, data.requirement, stored);
    row.conflict = conflict;
    row.attempted = attempted;
    row.saved_now = outcome.saved_now;
    let mut page = ctx.page(Some(user), "organisations");
    page.insert("audit", &data.found);
    page.insert("rights", &data.allowed);
    data.shared.insert(&mut page);
    page.insert(
        "saved_at",
        &chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .format("%H:%M")
            .to_string(),
    );
    page.insert("row", &row);
    if let Some(error) = outcome.error {
        page.insert("row_error", &error);
    }
    if let Some((now, base_query)) = outcome.beside {
        page.insert("progress", &now.progress);
        page.insert("line", &now.line);
        page.insert("theme", &now.theme);
        page.insert("base_query", &base_query);
        page.insert("out_of_band", &true);
    }
    ctx.render_status(outcome.status, "audits/row_saved.html", &page)
}

pub async fn save_finding(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(ctx, req, path, form, Kind::Finding).await
}

pub async fn save_self_assessment(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(ctx, req, path, form, Kind::SelfAssessment).await
}
