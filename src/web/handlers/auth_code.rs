//! The sign-in's second step, for an account with a second factor: the six-digit code of its
//! authenticator app (or one of its recovery codes) after the right password. Wrong codes are
//! counted like wrong passwords (five in fifteen minutes lock the step for fifteen), a code is
//! accepted once, and the password's right answer waits five minutes for it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::auth::{retry_after, signed_in};
use crate::auth::session::{self as sess, FlashKind};
use crate::auth::totp::looks_like_recovery;
use crate::db::now;
use crate::error::AppError;
use crate::models::history::Actor;
use crate::models::{login_failure, second_factor, user, user_session};
use crate::web::page::{Ctx, see_other};

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// The failures of an account's code are counted apart from its password's.
fn counted_as(user_id: &str) -> String {
    format!("code:{user_id}")
}

pub async fn code_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    if sess::pending(&ctx.session).is_none() {
        ctx.flash(FlashKind::Info, "flash-code-expired");
        return Ok(see_other("/connexion"));
    }
    let page = ctx.page(None, "login");
    ctx.render("auth/code.html", &page)
}

/// How a typed code fared.
enum Outcome {
    /// The account, its recovery codes left when one was spent, its session's row
    SignedIn(Box<user::User>, Option<i64>, String),
    Wrong,
    Locked(i64),
}

pub async fn code_submit(ctx: Ctx, form: web::Form<CodeForm>) -> Result<HttpResponse, AppError> {
    let Some(pending) = sess::pending(&ctx.session) else {
        ctx.flash(FlashKind::Info, "flash-code-expired");
        return Ok(see_other("/connexion"));
    };
    let (device, idle) = (ctx.device(), ctx.state.idle_secs);
    let address = device.address.clone();
    let (typed, clock, waiting) = (
        form.into_inner().code,
        ctx.state.clock.clone(),
        pending.clone(),
    );
    let outcome = ctx
        .state
        .db
        .write(move |conn| {
            let key = counted_as(&waiting.user_id);
            if let Some(wait) = login_failure::wait(conn, &key, &address, now())? {
                return Ok(Outcome::Locked(wait.num_seconds()));
            }
            let account = user::get(conn, &waiting.user_id)?;
            // A password changed, or the account disabled, since the first step: start again.
            if account.disabled
                || sess::password_fingerprint(&account.password_hash)
                    != waiting.password_fingerprint
            {
                return Err(AppError::Unauthenticated);
            }
            let factor =
                second_factor::find(conn, &account.id)?.ok_or(AppError::Unauthenticated)?;
            let actor = Actor::user(&account.id, &account.email);
            let (right, codes_left) = if looks_like_recovery(&typed) {
                let spent = second_factor::spend_recovery(conn, &actor, &account.id, &typed)?;
                (spent, Some(second_factor::codes_left(conn, &account.id)?))
            } else {
                let step =
                    factor
                        .secret()?
                        .accepted_step(&typed, clock.unix(), Some(factor.last_step()));
                let spent = match step {
                    Some(step) => second_factor::spend_step(conn, &account.id, step)?,
                    None => false,
                };
                (spent, None)
            };
            if !right {
                login_failure::record_failure(conn, &key, &address, now())?;
                return Ok(Outcome::Wrong);
            }
            login_failure::clear_account(conn, &key)?;
            user::record_login(conn, &account)?;
            let means = if codes_left.is_some() {
                user_session::Means::RecoveryCode
            } else {
                user_session::Means::SecondFactor
            };
            let session_id = user_session::open(conn, &account.id, &means, &device, idle)?;
            Ok(Outcome::SignedIn(Box::new(account), codes_left, session_id))
        })
        .await;
    match outcome {
        Ok(Outcome::SignedIn(account, codes_left, session_id)) => {
            signed_in(&ctx, &account, &session_id);
            if let Some(left) = codes_left {
                ctx.flash_with(
                    FlashKind::Warning,
                    "flash-recovery-code-used",
                    vec![("count".into(), left.to_string())],
                );
            }
            if account.must_change_password {
                ctx.flash(FlashKind::Info, "flash-password-must-change");
                return Ok(see_other("/compte/mot-de-passe"));
            }
            Ok(see_other(&pending.next))
        }
        Ok(Outcome::Wrong) => refused(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "code-wrong", 0),
        Ok(Outcome::Locked(secs)) => {
            let minutes = u64::try_from(secs).unwrap_or(0).div_ceil(60).max(1);
            refused(
                &ctx,
                StatusCode::TOO_MANY_REQUESTS,
                "login-throttled",
                minutes,
            )
        }
        Err(AppError::Unauthenticated) => {
            sess::end(&ctx.session);
            ctx.flash(FlashKind::Info, "flash-code-expired");
            Ok(see_other("/connexion"))
        }
        Err(other) => Err(other),
    }
}

fn refused(
    ctx: &Ctx,
    status: StatusCode,
    key: &str,
    minutes: u64,
) -> Result<HttpResponse, AppError> {
    let mut page = ctx.page(None, "login");
    page.insert(
        "form_error",
        &crate::i18n::t_args(ctx.lang(None), key, &[("minutes", minutes.to_string())]),
    );
    let response = ctx.render_status(status, "auth/code.html", &page)?;
    Ok(retry_after(response, minutes))
}
