//! Audits: planning one from a commitment's schedule (or an extra one), its page with its
//! states and decision, and who may do what on it.

pub mod comparison;
pub mod finding_parts;
pub mod finding_save;
pub mod findings;
pub mod photos;
pub mod report;
pub mod self_assessment;
pub mod submission;
pub mod tree;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::audit::Decision;
use crate::domain::policy;
use crate::error::AppError;
use crate::models::audit::{self, AuditForm};
use crate::models::commitment::{self};
use crate::models::{framework as framework_model, site, user};
use crate::services::{audits, schedules};
use crate::web::page::{Again, Ctx, see_other};

fn plan_context(
    conn: &mut DbConnection,
    user: &CurrentUser,
    commitment_id: &str,
) -> Result<Context, AppError> {
    let (found, organisation) = audits::plannable(conn, user, commitment_id)?;
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
        .user_attempt(move |conn, user| audits::plan(conn, user, &id, &form))
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |created| {
            ctx.flash(FlashKind::Success, "flash-audit-planned");
            Ok(see_other(&format!("/audits/{}", created.id)))
        },
        |error| async move {
            let (_, data) = ctx
                .user_run(move |conn, user| plan_context(conn, user, &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            page.extend(data);
            page.insert("form", &submitted);
            ctx.form_again(&mut page, &user, "audits/plan.html", &error)
        },
    )
    .await
}

fn audit_context(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<Context, AppError> {
    let (found, organisation) = audits::open(conn, user, id)?;
    let team = audit::team(conn, &found.id)?;
    let members: Vec<user::UserView> = team
        .iter()
        .chain(found.lead_auditor_id.iter())
        .filter_map(|id| user::get(conn, id).ok())
        .map(|u| u.view(None))
        .collect();
    let requirements = framework_model::requirements(conn, &found.framework_id)?;
    let grades = framework_model::grades(conn, &found.framework_id)?;
    let findings = crate::models::finding::findings_of(conn, &found.id)?;
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
    // The audit's own changes and those of its findings, newest first (not for observers).
    let finding_ids: Vec<String> = findings.iter().map(|f| f.id.clone()).collect();
    let history: Vec<_> = if policy::reads_history(user) {
        crate::models::history::for_organisation(conn, &organisation.id, 500)?
            .into_iter()
            .filter(|e| {
                (e.entity == "audit" && e.entity_id == found.id)
                    || (e.entity == "finding" && finding_ids.contains(&e.entity_id))
            })
            .take(100)
            .collect()
    } else {
        Vec::new()
    };
    let mut page = Context::new();
    page.insert(
        "history",
        &crate::web::handlers::history_view::present(
            &history,
            user.locale
                .as_deref()
                .and_then(crate::i18n::Lang::parse)
                .unwrap_or(crate::i18n::DEFAULT_LANG),
            &crate::web::handlers::history_view::names(conn, &history)?,
        ),
    );
    page.insert("can_run", &policy::may_record_findings(user, &found, &team));
    // The report can go through the check from the site or its drafting; once it is
    // submitted, what a device kept for the audit is dropped.
    page.insert("submittable", &found.state().submittable());
    page.insert("report_closed", &!found.state().findings_open());
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
    let audit = id.clone();
    act_on_audit(ctx, id, "flash-audit-moved", move |conn, user| {
        audits::transition(conn, user, &audit, form.version, &form.state, &form.reason)
    })
    .await
}

/// A change posted from an audit's page: done, back to the page with `done_key`'s message;
/// refused (a value, or a version read before someone else's), the page again with why.
async fn act_on_audit<F>(
    ctx: Ctx,
    id: String,
    done_key: &'static str,
    act: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, &CurrentUser) -> Result<crate::models::audit::Audit, AppError>
        + Send
        + 'static,
{
    let (_, attempt) = ctx.user_attempt(act).await?;
    let back = format!("/audits/{id}");
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |_| {
            ctx.flash(FlashKind::Success, done_key);
            Ok(see_other(&back))
        },
        |error| async move { render_audit(ctx, id, Some(&error)).await },
    )
    .await
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
    let audit = id.clone();
    act_on_audit(ctx, id, "flash-audit-decided", move |conn, user| {
        audits::decide(conn, user, &audit, form.version, &form.decision, &form.date)
    })
    .await
}
