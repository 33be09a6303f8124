//! One action of the plan: where the organisme reports progress (correction, cause, what is
//! done, owner, priority, site, due date) and an auditor judges effectiveness.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::action_plan::{self, Priority};
use crate::domain::audit::ActionStatus;
use crate::domain::policy;
use crate::error::AppError;
use crate::models::action::{self, ActionForm, Choices};
use crate::services::actions as service;
use crate::web::page::{Again, Ctx, see_other};

fn action_context(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<Context, AppError> {
    let (found, organisation) = service::open(conn, user, id)?;
    let mut page = Context::new();
    page.insert("can_update", &policy::may_update_action(user, &found));
    page.insert("is_auditor", &policy::may_judge_effectiveness(user));
    page.insert(
        "statuses",
        &ActionStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_key(), s.needs_auditor()))
            .collect::<Vec<_>>(),
    );
    page.insert(
        "priorities",
        &Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
    );
    let choices = Choices::of(conn, &found.organisation_id)?;
    page.insert(
        "framework_name",
        &Choices::name_of(&choices.frameworks, found.framework_id.as_deref()),
    );
    page.insert(
        "site_name",
        &Choices::name_of(&choices.sites, found.site_id.as_deref()),
    );
    page.insert(
        "owner_name",
        &Choices::name_of(&choices.owners, found.owner_id.as_deref())
            .or((!found.owner.is_empty()).then_some(found.owner.as_str())),
    );
    page.insert("choices", &choices);
    page.insert("updates", &action::updates(conn, &found.id)?);
    page.insert(
        "days_late",
        &action_plan::days_late(
            found.due_date,
            found.status(),
            chrono::Utc::now().date_naive(),
        ),
    );
    page.insert("as_read", &ActionForm::from(&found));
    page.insert("action", &found);
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn show_action(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| action_context(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    let form = page.get("as_read").cloned();
    page.insert("form", &form);
    ctx.render("actions/show.html", &page)
}

pub async fn update_action(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let submitted = form.clone();
    let lookup = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| service::update(conn, user, &id, &form))
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |_| {
            ctx.flash(FlashKind::Success, "flash-action-saved");
            Ok(see_other(&format!("/actions/{lookup_done}")))
        },
        |error| async move {
            let (_, data) = ctx
                .user_run(move |conn, user| action_context(conn, user, &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            page.extend(data);
            page.insert("form", &submitted);
            ctx.with_errors(&mut page, Some(&user), &error);
            let status = if matches!(error, AppError::Conflict) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            ctx.render_status(status, "actions/show.html", &page)
        },
    )
    .await
}
