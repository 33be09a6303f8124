//! The evidence library: an organisme's documents (expiring ones flagged) and uploading
//! several files at once. Files are checked by their content and streamed to disk; a
//! refused upload stores nothing. One document's page is in `evidence_item`.

pub mod item;

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::policy;
use crate::error::AppError;
use crate::error::ensure;
use crate::models::evidence::{self, EXPIRING_DAYS};
use crate::models::organisation;
use crate::models::site;
use crate::services::evidence::{keep, record};
use crate::web::files::receive;
use crate::web::page::{Again, Ctx, see_other};

fn library(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_id: &str,
) -> Result<Context, AppError> {
    ensure(policy::sees_working_documents(user))?;
    let organisation = organisation::find(conn, &user.scope(), organisation_id)?;
    let today = chrono::Utc::now().date_naive();
    let items: Vec<serde_json::Value> = evidence::list_for(conn, &organisation.id)?
        .into_iter()
        .map(|(item, file)| {
            let expired = item.valid_until.is_some_and(|d| d < today);
            let expiring = !expired && item.valid_until.is_some_and(|d| d <= today + chrono::Duration::days(EXPIRING_DAYS));
            serde_json::json!({ "item": item, "file": file, "expired": expired, "expiring": expiring })
        })
        .collect();
    let mut page = Context::new();
    page.insert(
        "can_upload",
        &policy::may_add_evidence(user, &organisation.id),
    );
    page.insert("sites", &site::list_for(conn, &organisation.id)?);
    page.insert(
        "frameworks",
        &evidence::supportable(conn, &organisation.id)?,
    );
    page.insert("items", &items);
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn list_evidence(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| library(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("evidence/list.html", &page)
}

/// Whether the user may send files to the organisme (`rule`: add documents, import values…),
/// checked before any byte is stored.
pub(crate) async fn may_send(
    ctx: &Ctx,
    organisation_id: &str,
    rule: fn(&CurrentUser, &str) -> bool,
) -> Result<(), AppError> {
    let id = organisation_id.to_owned();
    ctx.user_run(move |conn, user| {
        let found = organisation::find(conn, &user.scope(), &id)?;
        ensure(rule(user, &found.id))
    })
    .await
    .map(|_| ())
}

pub async fn upload_evidence(
    ctx: Ctx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    may_send(&ctx, &id, policy::may_add_evidence).await?;
    let received = receive(&ctx.state, payload, ctx.pending_csrf().as_ref()).await;
    let upload = match received {
        Ok(upload) => upload,
        Err(error @ AppError::Validation(_)) => return refused(&ctx, id, &error).await,
        Err(other) => return Err(other),
    };
    keep(ctx.state.storage.as_ref(), &upload)?;
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            record(conn, user, &organisation.id, &upload)
        })
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |created| {
            ctx.flash_with(
                FlashKind::Success,
                "flash-evidence-uploaded",
                vec![("count".into(), created.len().to_string())],
            );
            Ok(see_other(&format!("/organismes/{lookup_done}/preuves")))
        },
        |error| async move { refused(ctx, lookup, &error).await },
    )
    .await
}

async fn refused(
    ctx: &Ctx,
    organisation_id: String,
    error: &AppError,
) -> Result<HttpResponse, AppError> {
    let (user, data) = ctx
        .user_run(move |conn, user| library(conn, user, &organisation_id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.with_errors(&mut page, Some(&user), error);
    let status = error.info().status;
    ctx.render_status(status, "evidence/list.html", &page)
}
