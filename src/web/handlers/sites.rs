//! Sites of an organisme: detail with history, create, edit. A site is visible exactly when
//! its organisme is; another organisme's site id is simply not found.

use actix_web::{HttpResponse, web};
use tera::Context;

use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::domain::SiteKind;
use crate::domain::policy;
use crate::error::AppError;
use crate::error::ensure;
use crate::models::history::{self};
use crate::models::organisation::{self};
use crate::models::site::{self, SiteForm};
use crate::services::organisations;
use crate::web::handlers::history_view;
use crate::web::page::{Again, Ctx, see_other};

fn kinds(page: &mut Context) {
    page.insert(
        "kinds",
        &SiteKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_key()))
            .collect::<Vec<_>>(),
    );
}

pub async fn new_site_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, organisation) = ctx
        .user_run(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
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
        .user_attempt(move |conn, user| organisations::create_site(conn, user, &id, &form))
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |created| {
            ctx.flash_with(
                FlashKind::Success,
                "flash-site-created",
                vec![("name".into(), created.name.clone())],
            );
            Ok(see_other(&format!(
                "/organismes/{}",
                created.organisation_id
            )))
        },
        |error| async move {
            let (_, organisation) = ctx
                .user_run(move |conn, user| organisation::find(conn, &user.scope(), &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            kinds(&mut page);
            page.insert("organisation", &organisation);
            page.insert("form", &submitted);
            ctx.form_again(&mut page, &user, "sites/form.html", &error)
        },
    )
    .await
}

pub async fn show_site(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (site, organisation, (entries, names))) = ctx
        .user_run(move |conn, user| {
            let (site, organisation) = site::find(conn, &user.scope(), &id)?;
            let entries = if policy::reads_history(user) {
                history::for_entity(conn, "site", &site.id, 100)?
            } else {
                Vec::new()
            };
            let names = history_view::names(conn, &entries)?;
            Ok((site, organisation, (entries, names)))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert(
        "can_edit",
        &policy::may_edit_organisation(&user, &organisation.id),
    );
    page.insert("can_read_history", &policy::reads_history(&user));
    page.insert("site", &site);
    page.insert("organisation", &organisation);
    page.insert(
        "history",
        &history_view::present(&entries, ctx.lang(Some(&user)), &names),
    );
    ctx.render("sites/show.html", &page)
}

pub async fn edit_site_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (site, organisation)) = ctx
        .user_run(move |conn, user| {
            let (site, organisation) = site::find(conn, &user.scope(), &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
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
        .user_attempt(move |conn, user| organisations::update_site(conn, user, None, &id, &form))
        .await?;
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |updated| {
            ctx.flash(FlashKind::Success, "flash-site-updated");
            Ok(see_other(&format!("/sites/{}", updated.id)))
        },
        |error| async move {
            let (_, (current, organisation)) = ctx
                .user_run(move |conn, user| site::find(conn, &user.scope(), &lookup))
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
            ctx.form_again(&mut page, &user, "sites/form.html", &error)
        },
    )
    .await
}
