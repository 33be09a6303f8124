//! *Soumettre le rapport*: what the report holds and lacks, shown before it is submitted.
//! A nonconformity without a finding text blocks; requirements left unassessed are listed
//! with links to them, and the auditor confirms submitting without them.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::error::AppError;
use crate::services::audits;
use crate::web::page::{Again, Ctx, see_other};

async fn render(ctx: &Ctx, id: String, error: Option<&AppError>) -> Result<HttpResponse, AppError> {
    let (user, (found, check)) = ctx
        .user_run(move |conn, user| audits::submission_check(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("audit", &found);
    page.insert("check", &check);
    page.insert("graded", &(check.total - check.unassessed.len()));
    page.insert("may_submit", &found.state().submittable());
    page.insert("report_closed", &!found.state().findings_open());
    if let Some(error) = error {
        return ctx.form_again(&mut page, &user, "audits/submit.html", error);
    }
    ctx.render("audits/submit.html", &page)
}

pub async fn show_submission(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    render(&ctx, parse_id(&path.into_inner())?, None).await
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    version: i32,
    /// The auditor's word that unassessed requirements stay so
    #[serde(default)]
    confirm: String,
}

pub async fn submit(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<SubmitForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let audit = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            audits::submit(conn, user, &audit, form.version, !form.confirm.is_empty())
        })
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |submitted| {
            ctx.flash(FlashKind::Success, "flash-report-submitted");
            Ok(see_other(&format!("/audits/{}", submitted.id)))
        },
        |error| async move { render(ctx, id, Some(&error)).await },
    )
    .await
}
