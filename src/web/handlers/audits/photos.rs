//! Photographs taken on site for a requirement of the findings workspace. The page reduces
//! each picture before it leaves the device and, without a network, queues it (offline.js);
//! here it is checked by content, kept, and recorded in the organisme's library. From the
//! page's script the requirement's photographs come back laid out again (a retried send
//! answers the same); without JavaScript the workspace is shown again at the requirement.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::finding_parts::{Row, rights};
use super::findings::shared_of;

use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::error::AppError;
use crate::i18n;
use crate::models::audit;
use crate::models::framework as framework_model;
use crate::services::evidence::keep;
use crate::services::{audits, photos};
use crate::web::files::receive;
use crate::web::page::{Ctx, see_other};

pub async fn add_photo(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (id, reference) = path.into_inner();
    let id = parse_id(&id)?;
    let scripted = req.headers().contains_key("HX-Request");
    // Who may send, before any byte is stored.
    let (lookup, wanted) = (id.clone(), reference.clone());
    // A read: the write's own hop checks again, and only it queues for the write lock.
    let (user, allowed) = ctx
        .user_read(move |conn, user| Ok(photos::may_take(conn, user, &lookup, &wanted).map(drop)))
        .await?;
    let received = match allowed {
        Ok(()) => receive(&ctx.state, payload, ctx.pending_csrf().as_ref()).await,
        Err(refused) => Err(refused),
    };
    let attempt = match received {
        Ok(upload) => {
            keep(ctx.state.storage.as_ref(), &upload)?;
            let (lookup, wanted) = (id.clone(), reference.clone());
            let (_, attempt) = ctx
                .user_attempt(move |conn, user| {
                    let taken = photos::take(conn, user, &lookup, &wanted, &upload);
                    if taken.is_err() {
                        upload.discard();
                    }
                    taken
                })
                .await?;
            attempt.map(drop)
        }
        Err(refused) => Err(refused),
    };
    match attempt {
        Ok(()) if scripted => shown(&ctx, &id, &reference, StatusCode::OK, None).await,
        Ok(()) => {
            ctx.flash(FlashKind::Success, "flash-photo-added");
            Ok(see_other(&format!(
                "/audits/{id}/constats?exigence={reference}"
            )))
        }
        Err(AppError::Validation(fields)) => {
            let reason = i18n::field_messages(ctx.lang(Some(&user)), &fields)
                .into_values()
                .collect::<Vec<_>>()
                .join(" ");
            if scripted {
                return shown(
                    &ctx,
                    &id,
                    &reference,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(reason),
                )
                .await;
            }
            ctx.flash_with(
                FlashKind::Error,
                "flash-photo-refused",
                vec![("reason".into(), reason)],
            );
            Ok(see_other(&format!(
                "/audits/{id}/constats?exigence={reference}"
            )))
        }
        Err(other) => Err(other),
    }
}

/// The requirement's photographs and the form to add one, as they stand after the send.
async fn shown(
    ctx: &Ctx,
    id: &str,
    reference: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let kept = ctx.state.audit_shared.clone();
    let (lookup, wanted) = (id.to_owned(), reference.to_owned());
    let (user, (found, allowed, row)) = ctx
        .user_read(move |conn, user| {
            let (found, _) = audits::open_working(conn, user, &lookup)?;
            let team = audit::team(conn, &found.id)?;
            let shared = shared_of(conn, &kept, &found)?;
            let requirement = framework_model::requirement(conn, &found.framework_id, &wanted)?;
            let row = Row::new(&shared, requirement, None);
            Ok((found.clone(), rights(user, &found, &team), row))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("audit", &found);
    page.insert("rights", &allowed);
    page.insert("row", &row);
    if let Some(error) = error {
        page.insert("photo_error", &error);
    }
    ctx.render_status(status, "audits/photos.html", &page)
}
