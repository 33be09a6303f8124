//! The organisme's own indicators, beside those of its frameworks: created and changed by
//! its quality manager (from the version read), with a code no framework uses.

use actix_web::{HttpResponse, web};
use tera::Context;

use super::readable;
use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::indicators::{Direction, Frequency, Unit};
use crate::domain::policy;
use crate::error::AppError;
use crate::error::ensure;
use crate::models::history::Actor;
use crate::models::organisation::require_version;
use crate::models::own_indicator::{self, OwnIndicatorForm, OwnIndicatorInput};
use crate::web::page::{Again, Ctx, see_other};

fn choices(page: &mut Context) {
    page.insert(
        "units",
        &Unit::ALL
            .iter()
            .map(|u| (u.as_str(), u.label_key()))
            .collect::<Vec<_>>(),
    );
    page.insert(
        "directions",
        &Direction::ALL
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>(),
    );
    page.insert(
        "frequencies",
        &Frequency::ALL
            .iter()
            .map(|f| (f.as_str(), f.label_key()))
            .collect::<Vec<_>>(),
    );
}

fn form_page(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    code: Option<&str>,
) -> Result<Context, AppError> {
    let organisation = readable(conn, user, id)?;
    ensure(policy::may_edit_organisation(user, &organisation.id))?;
    let mut page = Context::new();
    let form = match code {
        Some(code) => OwnIndicatorForm::from(&own_indicator::get(conn, &organisation.id, code)?),
        None => OwnIndicatorForm {
            unit: "percent".into(),
            direction: "higher_is_better".into(),
            frequency: "monthly".into(),
            ..OwnIndicatorForm::default()
        },
    };
    page.insert("editing", &code.is_some());
    page.insert("form", &form);
    page.insert("organisation", &organisation);
    choices(&mut page);
    Ok(page)
}

pub async fn new_own(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| form_page(conn, user, &id, None))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("indicators/own_form.html", &page)
}

pub async fn edit_own(
    ctx: Ctx,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, code) = path.into_inner();
    let id = parse_id(&id)?;
    let (user, data) = ctx
        .user_run(move |conn, user| form_page(conn, user, &id, Some(&code)))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("indicators/own_form.html", &page)
}

/// Creates (no code in the path) or changes an own indicator; refusals keep what was typed.
async fn save(
    ctx: Ctx,
    id: String,
    code: Option<String>,
    form: OwnIndicatorForm,
) -> Result<HttpResponse, AppError> {
    let submitted = form.clone();
    let (lookup, editing) = (id.clone(), code.clone());
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = readable(conn, user, &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            let actor = Actor::user(&user.id, &user.email);
            match &code {
                None => {
                    let input = OwnIndicatorInput::try_from(&form)?;
                    own_indicator::create(conn, &actor, &organisation.id, &input)
                }
                Some(code) => {
                    let before = own_indicator::get(conn, &organisation.id, code)?;
                    let version = require_version(form.version)?;
                    // The code stays: values are kept under it.
                    let form = OwnIndicatorForm {
                        code: before.code.clone(),
                        ..form
                    };
                    let input = OwnIndicatorInput::try_from(&form)?;
                    own_indicator::update(conn, &actor, &before, version, &input)
                }
            }
        })
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |saved| {
            ctx.flash(FlashKind::Success, "flash-indicator-saved");
            Ok(see_other(&format!(
                "/organismes/{lookup_done}/indicateurs/{}",
                saved.code
            )))
        },
        |error| async move {
            let (_, data) = ctx
                .user_run(move |conn, user| form_page(conn, user, &lookup, editing.as_deref()))
                .await?;
            let mut page = ctx.page(Some(&user), "organisations");
            page.extend(data);
            if matches!(error, AppError::Conflict) {
                page.insert("conflict", &true);
            } else {
                page.insert("form", &submitted);
            }
            ctx.form_again(&mut page, &user, "indicators/own_form.html", &error)
        },
    )
    .await
}

pub async fn create_own(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<OwnIndicatorForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    save(ctx, id, None, form.into_inner()).await
}

pub async fn update_own(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    form: web::Form<OwnIndicatorForm>,
) -> Result<HttpResponse, AppError> {
    let (id, code) = path.into_inner();
    let id = parse_id(&id)?;
    save(ctx, id, Some(code), form.into_inner()).await
}
