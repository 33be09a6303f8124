//! *Mon compte*'s second factor: enrolling an authenticator app (a QR code and its key,
//! confirmed by a first code; ten recovery codes shown once), new recovery codes, turning it
//! off where the role allows it; and an administrator's reset after a lost phone. Every
//! change asks for a current code, which is then spent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::{self as sess, FlashKind};
use crate::auth::totp::{self, Secret};
use crate::db::{DbConnection, parse_id};
use crate::domain::policy;
use crate::domain::{FieldErrors, Invalid};
use crate::error::{AppError, ensure};
use crate::models::history::Actor;
use crate::models::second_factor;
use crate::web::page::{Ctx, PasswordGate, see_other};

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// What the page shows of the account's factor.
fn standing(conn: &mut DbConnection, user: &CurrentUser) -> Result<Context, AppError> {
    let mut page = Context::new();
    let factor = second_factor::find(conn, &user.id)?;
    page.insert("enabled_at", &factor.as_ref().map(|f| f.enabled_at));
    page.insert("enrolled", &factor.is_some());
    page.insert("codes_left", &second_factor::codes_left(conn, &user.id)?);
    page.insert("required", &second_factor::required_for(conn, user.role)?);
    Ok(page)
}

/// The secret being enrolled (kept in the session until confirmed), with its QR code.
fn enrolment(ctx: &Ctx, user: &CurrentUser, page: &mut Context) {
    let secret = sess::enrolling(&ctx.session)
        .and_then(|kept| Secret::from_base32(&kept))
        .unwrap_or_else(|| {
            let fresh = Secret::generate();
            sess::set_enrolling(&ctx.session, Some(&fresh.base32()));
            fresh
        });
    let key = secret.base32();
    let grouped: Vec<String> = key
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    page.insert("qr_svg", &totp::qr_svg(&secret.otpauth_url(&user.email)));
    page.insert("secret_key", &grouped.join(" "));
}

async fn render(
    ctx: &Ctx,
    status: StatusCode,
    extra: impl FnOnce(&mut Context),
) -> Result<HttpResponse, AppError> {
    let (user, data) = ctx.user_run_gated(PasswordGate::Allow, standing).await?;
    let mut page = ctx.page(Some(&user), "account");
    page.extend(data);
    if page.get("enrolled") == Some(&serde_json::Value::Bool(false)) {
        enrolment(ctx, &user, &mut page);
    }
    page.insert("must_enrol", &ctx.auth().is_ok_and(|a| a.must_enrol));
    extra(&mut page);
    ctx.render_status(status, "account/second_factor.html", &page)
}

pub async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&ctx, StatusCode::OK, |_| {}).await
}

fn wrong_code() -> AppError {
    FieldErrors::single("code", Invalid::new("err-code-wrong")).into()
}

/// Shows the page again with the refusal (a wrong code, a factor the role requires).
async fn refused(ctx: &Ctx, error: &AppError) -> Result<HttpResponse, AppError> {
    let lang = ctx.lang(None);
    let status = error.info().status;
    let errors = match error {
        AppError::Validation(fields) => Some(crate::i18n::field_messages(lang, fields)),
        _ => None,
    };
    let message = crate::i18n::t(lang, error.info().message_key);
    render(ctx, status, move |page| match errors {
        Some(errors) => page.insert("errors", &errors),
        None => page.insert("form_error", &message),
    })
    .await
}

/// Checks a current code of the enrolled factor and spends it.
fn spend_current(
    conn: &mut DbConnection,
    user: &CurrentUser,
    typed: &str,
    clock: &crate::clock::Clock,
) -> Result<(), AppError> {
    let factor = second_factor::find(conn, &user.id)?.ok_or(AppError::NotFound)?;
    let step = factor
        .secret()?
        .accepted_step(typed, clock.unix(), Some(factor.last_step()))
        .ok_or_else(wrong_code)?;
    if second_factor::spend_step(conn, &user.id, step)? {
        Ok(())
    } else {
        Err(wrong_code())
    }
}

/// Confirms the enrolment with the app's first code, and shows the recovery codes once.
pub async fn enable(ctx: Ctx, form: web::Form<CodeForm>) -> Result<HttpResponse, AppError> {
    ctx.auth()?;
    let Some(secret) = sess::enrolling(&ctx.session).and_then(|s| Secret::from_base32(&s)) else {
        return Ok(see_other("/compte/second-facteur"));
    };
    let (typed, clock) = (form.into_inner().code, ctx.state.clock.clone());
    let codes = totp::recovery_codes();
    let kept = codes.clone();
    let (_, attempt) = ctx
        .user_run_gated(PasswordGate::Allow, move |conn, user| {
            // A refusal is shown on the page, not as an error page: it is the answer.
            Ok(match secret.accepted_step(&typed, clock.unix(), None) {
                None => Err(wrong_code()),
                Some(step) => crate::db::savepoint(conn, |conn| {
                    let actor = Actor::user(&user.id, &user.email);
                    second_factor::enable(conn, &actor, &user.id, &secret, step, &kept)
                }),
            })
        })
        .await?;
    if let Err(error) = attempt {
        return refused(&ctx, &error).await;
    }
    sess::set_enrolling(&ctx.session, None);
    sess::set_must_enrol(&ctx.session, false);
    render(&ctx, StatusCode::OK, move |page| {
        page.insert("new_codes", &codes);
    })
    .await
}

/// Ten new recovery codes in place of the old ones, shown once.
pub async fn new_codes(ctx: Ctx, form: web::Form<CodeForm>) -> Result<HttpResponse, AppError> {
    let (typed, clock) = (form.into_inner().code, ctx.state.clock.clone());
    let codes = totp::recovery_codes();
    let kept = codes.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            spend_current(conn, user, &typed, &clock)?;
            second_factor::replace_codes(conn, &Actor::user(&user.id, &user.email), &user.id, &kept)
        })
        .await?;
    if let Err(error) = attempt {
        return refused(&ctx, &error).await;
    }
    render(&ctx, StatusCode::OK, move |page| {
        page.insert("new_codes", &codes);
    })
    .await
}

/// Turns the factor off, where the account's role does not require one.
pub async fn disable(ctx: Ctx, form: web::Form<CodeForm>) -> Result<HttpResponse, AppError> {
    let (typed, clock) = (form.into_inner().code, ctx.state.clock.clone());
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            if second_factor::required_for(conn, user.role)? {
                return Err(FieldErrors::single(
                    "code",
                    Invalid::new("err-second-factor-required"),
                )
                .into());
            }
            spend_current(conn, user, &typed, &clock)?;
            second_factor::remove(
                conn,
                &Actor::user(&user.id, &user.email),
                &user.id,
                "second_factor_off",
            )
        })
        .await?;
    if let Err(error) = attempt {
        return refused(&ctx, &error).await;
    }
    ctx.flash(FlashKind::Success, "flash-second-factor-off");
    Ok(see_other("/compte"))
}

/// An administrator removes an account's factor (a lost phone): its owner sets up a new one
/// at the next sign-in when the role requires one.
pub async fn reset(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (_, attempt) = ctx
        .user_attempt(move |conn, admin| {
            ensure(policy::may_administer(admin))?;
            let owner = crate::models::user::get(conn, &id)?;
            second_factor::remove(
                conn,
                &Actor::user(&admin.id, &admin.email),
                &owner.id,
                "second_factor_reset",
            )?;
            Ok(owner.email)
        })
        .await?;
    match attempt {
        Ok(email) => {
            ctx.flash_with(
                FlashKind::Success,
                "flash-second-factor-reset",
                vec![("email".into(), email)],
            );
            Ok(see_other("/admin/utilisateurs"))
        }
        Err(AppError::NotFound) => {
            ctx.flash(FlashKind::Info, "flash-second-factor-none");
            Ok(see_other("/admin/utilisateurs"))
        }
        Err(other) => Err(other),
    }
}
