//! Subscribable ICS feeds of the calendar: created with the calendar's current filters (the
//! address is shown once), revoked, and served to calendar applications without a session
//! (the secret in the address is the key).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::today;
use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::calendar_feed;
use crate::models::history::Actor;
use crate::reports::calendar as export;
use crate::services::schedules::{self, CalendarFilter};
use crate::web::page::{Ctx, see_other};

#[derive(Debug, Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    framework: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    family: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    auditor: String,
}

fn base_url(req: &HttpRequest, configured: Option<&str>) -> String {
    configured.map_or_else(
        || {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        },
        ToOwned::to_owned,
    )
}

/// Creates a subscription to the calendar with the current filters; its address is shown once.
pub async fn create_feed(ctx: Ctx, form: web::Form<FeedForm>) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let filter = CalendarFilter {
        framework: form.framework,
        region: form.region,
        family: form.family,
        organisation: form.organisation,
        auditor: form.auditor,
        ..CalendarFilter::default()
    };
    let name = form.name;
    let (_, (_, secret)) = ctx
        .user_run(move |conn, user| {
            calendar_feed::create(
                conn,
                &Actor::user(&user.id, &user.email),
                &user.id,
                &name,
                &filter,
            )
        })
        .await?;
    let url = format!(
        "{}/ics/{secret}",
        base_url(&ctx.req, ctx.state.public_origin.as_deref())
    );
    ctx.flash_with(
        FlashKind::Success,
        "flash-feed-created",
        vec![("url".into(), url)],
    );
    Ok(see_other("/calendrier#abonnements"))
}

pub async fn revoke_feed(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    ctx.user_run(move |conn, user| {
        calendar_feed::revoke(conn, &Actor::user(&user.id, &user.email), &user.id, &id)
    })
    .await?;
    ctx.flash(FlashKind::Success, "flash-feed-revoked");
    Ok(see_other("/calendrier#abonnements"))
}

/// The ICS feed behind a subscription address (no session: the secret is the key).
pub async fn ics_feed(
    req: HttpRequest,
    state: web::Data<crate::startup::AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = path.into_inner().trim_end_matches(".ics").to_owned();
    let base = base_url(&req, state.public_origin.as_deref());
    let (entries, name) = state
        .db
        .read(move |conn| {
            let (feed, owner) =
                calendar_feed::authenticate(conn, &secret)?.ok_or(AppError::NotFound)?;
            let current = owner.current()?;
            let entries =
                schedules::calendar(conn, &current.scope(), &feed.calendar_filter(), today())?;
            Ok((entries, feed.name))
        })
        .await?;
    let body = export::to_ics(&entries, &format!("qualitrack — {name}"), &base, Lang::Fr);
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=900"))
        .body(body))
}
