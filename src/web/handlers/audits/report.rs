//! Audit reports as PDF, ODT and DOCX (rendered off the async threads, as every database call is) and the
//! public page that verifies a printed copy by its fingerprint.

use actix_web::{HttpResponse, web};

use crate::db::parse_id;
use crate::error::AppError;
use crate::models::history::Actor;
use crate::reports::document::Format;
use crate::services::reports::{self};
use crate::web::page::Ctx;

/// The audit's report: for those who see the audit, except observers (it lists working
/// documents).
pub async fn audit_report(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    report_as(ctx, path, Format::Pdf).await
}

/// The same report to adjust in a word processor: OpenDocument text.
pub async fn audit_report_odt(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    report_as(ctx, path, Format::Odt).await
}

/// The same report as a Word document.
pub async fn audit_report_docx(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    report_as(ctx, path, Format::Docx).await
}

async fn report_as(
    ctx: Ctx,
    path: web::Path<String>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let lang = ctx.lang(None);
    let rendered = ctx.state.reports.clone();
    let (user, issued) = ctx
        .user_run(move |conn, user| reports::issue_for(conn, &rendered, user, &id, lang))
        .await?;
    let actor = Actor::user(&user.id, &user.email);
    let issued = reports::record_if_new(&ctx.state.db, actor, issued).await?;
    crate::web::files::report_response(&issued, format)
}

/// `/verify/{fingerprint}`, open to anyone: whether qualitrack issued the document, for
/// which audit and when, and whether a later version supersedes it — never its findings.
pub async fn verify(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let fingerprint = path.into_inner();
    let wanted = fingerprint.clone();
    let found = ctx
        .state
        .db
        .read(move |conn| reports::verify(conn, &wanted))
        .await?;
    let mut page = ctx.page(None, "");
    page.insert("fingerprint", &fingerprint);
    page.insert("found", &found);
    let status = if found.is_some() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::NOT_FOUND
    };
    ctx.render_status(status, "reports/verify.html", &page)
}
