//! Sites of an organisme: detail with history, create, edit. A site is visible exactly when
//! its organisme is; another organisme's site id is simply not found.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tera::Context;

use crate::auth::{CurrentUser, session::FlashKind};
use crate::db::{DbConnection, parse_id};
use crate::domain::SiteKind;
use crate::error::AppError;
use crate::models::history::{self, Actor};
use crate::models::organisation::{self, Organisation, require_version};
use crate::models::site::{self, Site, SiteForm, SiteInput};
use crate::web::handlers::history_view;
use crate::web::page::{Ctx, see_other};

fn kinds(page: &mut Context) {
    page.insert(
        "kinds",
        &SiteKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_key()))
            .collect::<Vec<_>>(),
    );
}

/// A site and its organisme, if the user may see the organisme.
fn visible_site(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Site, Organisation), AppError> {
    let site = site::get(conn, id)?;
    let organisation = organisation::find(conn, &user.scope(), &site.organisation_id)?;
    Ok((site, organisation))
}

pub async fn new_site_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, organisation) = ctx
        .user_run(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            user.require_edit_organisation(&organisation.id)?;
            Ok(organisation)
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    kinds(&mut page);
    page.insert("organisation", &organisation);
    page.insert("form", &SiteForm::default());
    ctx.render("sites/form.html", &page)
}

pub async fn create_site(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<SiteForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let submitted = form.clone();
    let lookup = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            user.require_edit_organisation(&organisation.id)?;
            let input = SiteInput::try_from(&form)?;
            site::create(
                conn,
                &Actor::user(&user.id, &user.email),
                &organisation.id,
                &input,
            )
        })
        .await?;
    match attempt {
        Ok(created) => {
            ctx.flash_with(
                FlashKind::Success,
                "flash-site-created",
                vec![("name".into(), created.name.clone())],
            );
            Ok(see_other(&format!(
                "/organismes/{}",
                created.organisation_id
            )))
        }
        Err(error @ AppError::Validation(_)) => {
            let (_, organisation) = ctx
                .user_run(move |conn, user| organisation::find(conn, &user.scope(), &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            kinds(&mut page);
            page.insert("organisation", &organisation);
            page.insert("form", &submitted);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "sites/form.html", &page)
        }
        Err(other) => Err(other),
    }
}

pub async fn show_site(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (site, organisation, entries)) = ctx
        .user_run(move |conn, user| {
            let (site, organisation) = visible_site(conn, user, &id)?;
            let entries = if user.can_read_history() {
                history::for_entity(conn, "site", &site.id, 100)?
            } else {
                Vec::new()
            };
            Ok((site, organisation, entries))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("can_edit", &user.can_edit_organisation(&organisation.id));
    page.insert("can_read_history", &user.can_read_history());
    page.insert("site", &site);
    page.insert("organisation", &organisation);
    page.insert("history", &history_view::present(&entries));
    ctx.render("sites/show.html", &page)
}

pub async fn edit_site_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (site, organisation)) = ctx
        .user_run(move |conn, user| {
            let (site, organisation) = visible_site(conn, user, &id)?;
            user.require_edit_organisation(&organisation.id)?;
            Ok((site, organisation))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    kinds(&mut page);
    page.insert("organisation", &organisation);
    page.insert("site", &site);
    page.insert("form", &SiteForm::from(&site));
    ctx.render("sites/form.html", &page)
}

pub async fn update_site(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<SiteForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let mut submitted = form.clone();
    let lookup = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (before, organisation) = visible_site(conn, user, &id)?;
            user.require_edit_organisation(&organisation.id)?;
            let version = require_version(form.version)?;
            let input = SiteInput::try_from(&form)?;
            site::update(
                conn,
                &Actor::user(&user.id, &user.email),
                &before,
                version,
                &input,
            )
        })
        .await?;
    match attempt {
        Ok(updated) => {
            ctx.flash(FlashKind::Success, "flash-site-updated");
            Ok(see_other(&format!("/sites/{}", updated.id)))
        }
        Err(error @ (AppError::Validation(_) | AppError::Conflict)) => {
            let (_, (current, organisation)) = ctx
                .user_run(move |conn, user| visible_site(conn, user, &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            kinds(&mut page);
            if matches!(error, AppError::Conflict) {
                page.insert("conflict", &SiteForm::from(&current));
                submitted.version = Some(current.version);
            }
            page.insert("organisation", &organisation);
            page.insert("site", &current);
            page.insert("form", &submitted);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(error.info().status, "sites/form.html", &page)
        }
        Err(other) => Err(other),
    }
}
