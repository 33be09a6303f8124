//! Commitments: declaring one, its page (schedule, time line, events), moving it from state
//! to state, and recording the audits held.

pub mod view;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::commitment::CommitmentState;
use crate::domain::dates::parse_date;
use crate::domain::policy;
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::error::ensure;
use crate::models::commitment::{self, CommitmentForm};
use crate::models::framework::{self as framework_model, FrameworkSummary};
use crate::models::history::Actor;
use crate::models::organisation::{self, Organisation};
use crate::models::site::{self, Site};
use crate::services::commitments;
use crate::services::schedules;
use crate::web::page::{Again, Ctx, see_other};
use view::WIDTH;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// What the new-commitment form offers: frameworks the organisme may commit to, its sites.
type FormData = (
    Organisation,
    Vec<FrameworkSummary>,
    Vec<Site>,
    Vec<(String, String, String)>,
);

fn form_data(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_id: &str,
) -> Result<FormData, AppError> {
    let organisation = organisation::find(conn, &user.scope(), organisation_id)?;
    ensure(policy::may_edit_organisation(user, &organisation.id))?;
    let frameworks = framework_model::list(conn, &user.scope())?
        .into_iter()
        .filter(|f| {
            f.organisation_id.is_none() || f.organisation_id.as_deref() == Some(&organisation.id)
        })
        .collect();
    let sites = site::list_for(conn, &organisation.id)?;
    let auditors = commitment::auditors(conn)?;
    Ok((organisation, frameworks, sites, auditors))
}

fn fill_form(page: &mut Context, data: FormData, form: &CommitmentForm) {
    let (organisation, frameworks, sites, auditors) = data;
    page.insert("auditors", &auditors);
    page.insert("organisation", &organisation);
    page.insert("frameworks", &frameworks);
    page.insert("sites", &sites);
    page.insert("form", form);
    page.insert(
        "states",
        &CommitmentState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_key()))
            .collect::<Vec<_>>(),
    );
}

pub async fn new_commitment_form(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| form_data(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    let form = CommitmentForm {
        start_date: today().to_string(),
        ..CommitmentForm::default()
    };
    fill_form(&mut page, data, &form);
    ctx.render("commitments/form.html", &page)
}

pub async fn create_commitment(
    ctx: Ctx,
    path: web::Path<String>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = CommitmentForm::from_fields(&fields.into_inner());
    let submitted = form.clone();
    let lookup = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| commitments::create(conn, user, &id, &form))
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |created| {
            ctx.flash(FlashKind::Success, "flash-commitment-created");
            Ok(see_other(&format!("/engagements/{}", created.id)))
        },
        |error| async move {
            let (_, data) = ctx
                .user_run(move |conn, user| form_data(conn, user, &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            fill_form(&mut page, data, &submitted);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "commitments/form.html",
                &page,
            )
        },
    )
    .await
}

/// Everything the commitment page shows, read in one go.
fn page_data(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Context, crate::domain::schedule::Schedule), AppError> {
    let (found, organisation) = commitment::find(conn, &user.scope(), id)?;
    let events = commitment::events(conn, &found.id)?;
    let (schedule, plan, zone) = schedules::for_commitment(conn, &found, &events, today())?;
    let framework = framework_model::summary(conn, &found.framework_id)?;
    let auditor = match &found.auditor_id {
        Some(id) => Some(crate::models::user::get(conn, id)?.view(None)),
        None => None,
    };
    let site_ids = commitment::site_ids(conn, &found.id)?;
    let sites: Vec<Site> = site::list_for(conn, &organisation.id)?
        .into_iter()
        .filter(|s| found.all_sites || site_ids.contains(&s.id))
        .collect();
    let mut page = Context::new();
    page.insert(
        "can_edit",
        &policy::may_edit_organisation(user, &organisation.id),
    );
    page.insert(
        "next_states",
        &found
            .state()
            .next()
            .iter()
            .map(|s| (s.as_str(), s.label_key(), s.is_decision()))
            .collect::<Vec<_>>(),
    );
    page.insert(
        "steps",
        &plan
            .audits
            .iter()
            .filter(|s| s.kind != "decision")
            .map(|s| (s.code.clone(), s.name.clone()))
            .collect::<Vec<_>>(),
    );
    page.insert("zone", zone.code());
    page.insert("auditor", &auditor);
    page.insert(
        "audits",
        &crate::models::audit::list_for_commitment(conn, &found.id)?,
    );
    page.insert(
        "can_plan",
        &(policy::may_edit_organisation(user, &organisation.id)
            || found.auditor_id.as_deref() == Some(user.id.as_str())),
    );
    page.insert("commitment", &found);
    page.insert("organisation", &organisation);
    page.insert("framework", &framework);
    page.insert("sites", &sites);
    page.insert("events", &events);
    Ok((page, schedule))
}

pub async fn show_commitment(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    render_page(&ctx, parse_id(&path.into_inner())?, None, StatusCode::OK).await
}

async fn render_page(
    ctx: &Ctx,
    id: String,
    error: Option<(&AppError, &str)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (user, (data, schedule)) = ctx
        .user_run(move |conn, user| page_data(conn, user, &id))
        .await?;
    let lang = ctx.lang(Some(&user));
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    page.insert("schedule", &view::present(&schedule, lang, today()));
    page.insert("timeline_width", &WIDTH);
    if let Some((error, form)) = error {
        ctx.with_errors(&mut page, Some(&user), error);
        page.insert("failed_form", form);
    }
    ctx.render_status(status, "commitments/show.html", &page)
}

#[derive(Debug, Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
    version: i32,
}

pub async fn transition_commitment(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<TransitionForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            commitments::transition(
                conn,
                user,
                &id,
                Some(form.version),
                (&form.state, &form.date, &form.reason),
            )
        })
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |_| {
            ctx.flash(FlashKind::Success, "flash-commitment-moved");
            Ok(see_other(&format!("/engagements/{lookup_done}")))
        },
        |error| async move {
            let status = error.info().status;
            render_page(ctx, lookup, Some((&error, "transition")), status).await
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AuditForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

pub async fn record_audit(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<AuditForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (found, organisation) = commitment::find(conn, &user.scope(), &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            let plan = schedules::plan_of(conn, &found.framework_id)?;
            let mut errors = FieldErrors::new();
            if !plan
                .audits
                .iter()
                .any(|s| s.code == form.step && s.kind != "decision")
            {
                errors.add("step", Invalid::new("err-unknown-choice"));
            }
            let date = errors.check("date", parse_date(&form.date));
            let Some(date) = date.filter(|_| errors.is_empty()) else {
                return Err(errors.into());
            };
            commitment::record_audit(
                conn,
                &Actor::user(&user.id, &user.email),
                &found,
                &form.step,
                date,
                &form.note,
            )
        })
        .await?;
    match attempt {
        Ok(()) => {
            ctx.flash(FlashKind::Success, "flash-audit-recorded");
            Ok(see_other(&format!("/engagements/{lookup}")))
        }
        Err(error @ AppError::Validation(_)) => {
            render_page(
                &ctx,
                lookup,
                Some((&error, "audit")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}
