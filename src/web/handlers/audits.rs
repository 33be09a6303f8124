//! Audits: planning one from a commitment's schedule (or an extra one), its page with its
//! states and decision, and who may do what on it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::audit::{AuditState, Decision};
use crate::domain::dates::parse_date;
use crate::domain::{FieldErrors, Role};
use crate::error::AppError;
use crate::models::audit::{self, Audit, AuditForm};
use crate::models::commitment::{self, Commitment};
use crate::models::history::Actor;
use crate::models::organisation::{self, Organisation};
use crate::models::{framework as framework_model, site, user};
use crate::services::schedules;
use crate::web::handlers::commitments::visible as visible_commitment;
use crate::web::page::{Ctx, see_other};

/// Planning an audit: administrators, the organisme's quality manager, the commitment's auditor.
fn can_plan(user: &CurrentUser, commitment: &Commitment) -> bool {
    user.can_edit_organisation(&commitment.organisation_id)
        || commitment.auditor_id.as_deref() == Some(user.id.as_str())
}

/// Running the audit (states, findings, decision): administrators, its lead and team.
pub fn can_run(user: &CurrentUser, audit: &Audit, team: &[String]) -> bool {
    user.role == Role::Admin
        || (user.role == Role::Auditor
            && (audit.lead_auditor_id.as_deref() == Some(user.id.as_str())
                || team.contains(&user.id)))
}

/// An audit and its organisme, if the user may see the organisme.
pub fn visible(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Audit, Organisation), AppError> {
    let found = audit::get(conn, id)?;
    let organisation = organisation::find(conn, &user.scope(), &found.organisation_id)?;
    Ok((found, organisation))
}

fn plan_context(
    conn: &mut DbConnection,
    user: &CurrentUser,
    commitment_id: &str,
) -> Result<Context, AppError> {
    let (found, organisation) = visible_commitment(conn, user, commitment_id)?;
    if !can_plan(user, &found) {
        return Err(AppError::Forbidden);
    }
    let events = commitment::events(conn, &found.id)?;
    let (schedule, _, _) =
        schedules::for_commitment(conn, &found, &events, chrono::Utc::now().date_naive())?;
    let slots: Vec<_> = schedule
        .items
        .iter()
        .filter(|i| i.kind != "decision" && i.done_on.is_none() && matches!(i.state, crate::domain::schedule::ItemState::Planned | crate::domain::schedule::ItemState::DueSoon | crate::domain::schedule::ItemState::Overdue))
        .map(|i| serde_json::json!({ "code": i.code, "name": i.name, "due": i.due, "window_start": i.window_start, "window_end": i.window_end }))
        .collect();
    let mut page = Context::new();
    page.insert("commitment", &found);
    page.insert("organisation", &organisation);
    page.insert(
        "framework",
        &framework_model::summary(conn, &found.framework_id)?,
    );
    page.insert("slots", &slots);
    page.insert("auditors", &commitment::auditors(conn)?);
    page.insert("sites", &site::list_for(conn, &organisation.id)?);
    Ok(page)
}

pub async fn plan_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| plan_context(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    page.insert("form", &AuditForm::default());
    ctx.render("audits/plan.html", &page)
}

pub async fn create_audit(
    ctx: Ctx,
    path: web::Path<String>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = AuditForm::from_fields(&fields.into_inner());
    let submitted = form.clone();
    let lookup = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (found, _) = visible_commitment(conn, user, &id)?;
            if !can_plan(user, &found) {
                return Err(AppError::Forbidden);
            }
            let plan = schedules::plan_of(conn, &found.framework_id)?;
            let steps: Vec<(String, String, String)> = plan
                .audits
                .iter()
                .map(|s| (s.code.clone(), s.kind.clone(), s.name.clone()))
                .collect();
            audit::create(
                conn,
                &Actor::user(&user.id, &user.email),
                &found,
                &steps,
                &form,
            )
        })
        .await?;
    match attempt {
        Ok(created) => {
            ctx.flash(FlashKind::Success, "flash-audit-planned");
            Ok(see_other(&format!("/audits/{}", created.id)))
        }
        Err(error @ AppError::Validation(_)) => {
            let (_, data) = ctx
                .user_run(move |conn, user| plan_context(conn, user, &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            page.extend(data);
            page.insert("form", &submitted);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "audits/plan.html", &page)
        }
        Err(other) => Err(other),
    }
}

fn audit_context(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<Context, AppError> {
    let (found, organisation) = visible(conn, user, id)?;
    let team = audit::team(conn, &found.id)?;
    let members: Vec<user::UserView> = team
        .iter()
        .chain(found.lead_auditor_id.iter())
        .filter_map(|id| user::get(conn, id).ok())
        .map(|u| u.view(None))
        .collect();
    let requirements = framework_model::requirements(conn, &found.framework_id)?;
    let grades = framework_model::grades(conn, &found.framework_id)?;
    let findings = audit::findings_of(conn, &found.id)?;
    let counts: Vec<(String, String, usize)> = grades
        .iter()
        .map(|g| {
            (
                g.code.clone(),
                g.label.clone(),
                findings
                    .iter()
                    .filter(|f| f.grade_code.as_deref() == Some(g.code.as_str()))
                    .count(),
            )
        })
        .collect();
    let assessed = findings.iter().filter(|f| f.grade_code.is_some()).count();
    let sampled = audit::sites(conn, &found.id)?;
    // The audit's own changes and those of its findings, newest first.
    let finding_ids: Vec<String> = findings.iter().map(|f| f.id.clone()).collect();
    let history: Vec<_> = crate::models::history::for_organisation(conn, &organisation.id, 500)?
        .into_iter()
        .filter(|e| {
            (e.entity == "audit" && e.entity_id == found.id)
                || (e.entity == "finding" && finding_ids.contains(&e.entity_id))
        })
        .take(100)
        .collect();
    let mut page = Context::new();
    page.insert(
        "history",
        &crate::web::handlers::history_view::present(&history),
    );
    page.insert("can_run", &can_run(user, &found, &team));
    page.insert(
        "next_states",
        &found
            .state()
            .next()
            .iter()
            .map(|s| (s.as_str(), s.label_key()))
            .collect::<Vec<_>>(),
    );
    page.insert(
        "decisions",
        &Decision::ALL
            .iter()
            .map(|d| (d.as_str(), d.label_key()))
            .collect::<Vec<_>>(),
    );
    page.insert("members", &members);
    page.insert("lead_id", &found.lead_auditor_id);
    page.insert("progress", &(assessed, requirements.len()));
    page.insert("counts", &counts);
    page.insert("audit", &found);
    page.insert("organisation", &organisation);
    page.insert(
        "framework",
        &framework_model::summary(conn, &found.framework_id)?,
    );
    page.insert(
        "site_names",
        &site::list_for(conn, &organisation.id)?
            .into_iter()
            .filter(|s| sampled.contains(&s.id))
            .map(|s| s.name)
            .collect::<Vec<_>>(),
    );
    Ok(page)
}

pub async fn show_audit(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    render_audit(&ctx, parse_id(&path.into_inner())?, None).await
}

async fn render_audit(
    ctx: &Ctx,
    id: String,
    error: Option<&AppError>,
) -> Result<HttpResponse, AppError> {
    let (user, data) = ctx
        .user_run(move |conn, user| audit_context(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    let status = match error {
        Some(error) => {
            ctx.with_errors(&mut page, Some(&user), error);
            error.info().status
        }
        None => StatusCode::OK,
    };
    ctx.render_status(status, "audits/show.html", &page)
}

#[derive(Debug, Deserialize)]
pub struct StateForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    reason: String,
    version: i32,
}

pub async fn move_audit(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<StateForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (found, _) = visible(conn, user, &id)?;
            if !can_run(user, &found, &audit::team(conn, &found.id)?) {
                return Err(AppError::Forbidden);
            }
            let to = AuditState::parse(&form.state).map_err(|e| FieldErrors::single("state", e))?;
            let actor = Actor::user(&user.id, &user.email);
            let moved = audit::transition(conn, &actor, &found, form.version, to, &form.reason)?;
            // Submitting the report turns its nonconformities into actions to carry out.
            if to == AuditState::Submitted {
                let zone = schedules::zones(conn, std::slice::from_ref(&found.organisation_id))?
                    .remove(&found.organisation_id)
                    .unwrap_or(crate::domain::calendar::Zone::Metropole);
                crate::models::action::open_for_audit(conn, &actor, &moved, zone)?;
            }
            Ok(moved)
        })
        .await?;
    match attempt {
        Ok(_) => {
            ctx.flash(FlashKind::Success, "flash-audit-moved");
            Ok(see_other(&format!("/audits/{lookup}")))
        }
        Err(error @ (AppError::Validation(_) | AppError::Conflict)) => {
            render_audit(&ctx, lookup, Some(&error)).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    date: String,
    version: i32,
}

pub async fn decide_audit(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (found, _) = visible(conn, user, &id)?;
            if !can_run(user, &found, &audit::team(conn, &found.id)?) {
                return Err(AppError::Forbidden);
            }
            let mut errors = FieldErrors::new();
            let decision = errors.check("decision", Decision::parse(&form.decision));
            let date = errors.check("date", parse_date(&form.date));
            let (Some(decision), Some(date)) = (decision, date) else {
                return Err(errors.into());
            };
            audit::decide(
                conn,
                &Actor::user(&user.id, &user.email),
                &found,
                form.version,
                decision,
                date,
            )
        })
        .await?;
    match attempt {
        Ok(_) => {
            ctx.flash(FlashKind::Success, "flash-audit-decided");
            Ok(see_other(&format!("/audits/{lookup}")))
        }
        Err(error @ (AppError::Validation(_) | AppError::Conflict)) => {
            render_audit(&ctx, lookup, Some(&error)).await
        }
        Err(other) => Err(other),
    }
}
