//! Signing in and out. A wrong password and an unknown e-mail get the same answer after the
//! same work; repeated failures lock the account, and the address, for a while.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::password;
use crate::auth::session::{self as sess, FlashKind};
use crate::db::now;
use crate::error::AppError;
use crate::models::{login_failure, second_factor, user, user_session};
use crate::web::page::{Ctx, see_other};

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    suivant: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    suivant: Option<String>,
}

/// Only local paths are followed after login (no open redirect).
pub(crate) fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}

pub async fn login_form(ctx: Ctx, query: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    if ctx.auth().is_ok() {
        return Ok(see_other("/"));
    }
    let mut page = ctx.page(None, "login");
    page.insert("next", safe_next(query.suivant.as_deref()));
    page.insert("email", "");
    page.insert(
        "providers",
        &super::sso::offered(&ctx, safe_next(query.suivant.as_deref())),
    );
    ctx.render("auth/login.html", &page)
}

pub async fn login(ctx: Ctx, form: web::Form<LoginForm>) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    let address = ctx.peer_address();
    let next = safe_next(form.suivant.as_deref()).to_owned();

    // The counts and the account are read first; the password is checked outside any
    // transaction (argon2 takes tens of milliseconds), and the outcome written after.
    let (wait, account, second) = {
        let (email, address) = (email.clone(), address.clone());
        ctx.state
            .db
            .read(move |conn| {
                let wait = login_failure::wait(conn, &email, &address, now())?;
                let account = user::find_by_email(conn, &email)?;
                let second = match &account {
                    Some(found) => Some(Second::of(conn, found)?),
                    None => None,
                };
                Ok((wait, account, second))
            })
            .await?
    };
    if let Some(wait) = wait {
        let minutes = u64::try_from(wait.num_seconds())
            .unwrap_or(0)
            .div_ceil(60)
            .max(1);
        return login_refused(
            &ctx,
            &email,
            &next,
            StatusCode::TOO_MANY_REQUESTS,
            "login-throttled",
            minutes,
        );
    }
    let password_typed = form.password;
    let stored = account.as_ref().map(|u| u.password_hash.clone());
    let ok = web::block(move || password::verify(&password_typed, stored.as_deref())).await?;
    let found = account.filter(|u| ok && !u.disabled);
    // With a second factor, the sign-in is recorded once its code is right.
    let awaits_code = matches!(second, Some(Second::Enrolled));
    let (recorded, failed_email) = (found.clone(), email.clone());
    let (device, idle) = (ctx.device(), ctx.state.idle_secs);
    let opened =
        ctx.state
            .db
            .write(move |conn| match &recorded {
                Some(account) => {
                    login_failure::clear_account(conn, &failed_email)?;
                    if awaits_code {
                        return Ok(None);
                    }
                    user::record_login(conn, account)?;
                    let means = user_session::Means::Password;
                    user_session::open(conn, &account.id, &means, &device, idle).map(Some)
                }
                None => login_failure::record_failure(conn, &failed_email, &address, now())
                    .map(|()| None),
            })
            .await?;
    let Some(account) = found else {
        return login_refused(
            &ctx,
            &email,
            &next,
            StatusCode::UNPROCESSABLE_ENTITY,
            "login-failed",
            0,
        );
    };
    if awaits_code {
        sess::await_code(&ctx.session, &account.id, &account.password_hash, &next);
        return Ok(see_other("/connexion/code"));
    }
    let Some(session_id) = opened else {
        return Err(AppError::unexpected("a sign-in without its session"));
    };
    signed_in(&ctx, &account, &session_id);
    // A one-time password is changed first, then the second factor set up.
    if matches!(second, Some(Second::Missing)) {
        sess::set_must_enrol(&ctx.session, true);
        if !account.must_change_password {
            ctx.flash(FlashKind::Info, "flash-second-factor-required");
            return Ok(see_other("/compte/second-facteur"));
        }
    }
    if account.must_change_password {
        ctx.flash(FlashKind::Info, "flash-password-must-change");
        return Ok(see_other("/compte/mot-de-passe"));
    }
    Ok(see_other(&next))
}

/// Where an account stands with its second factor at sign-in.
enum Second {
    /// It has one: the code is asked next.
    Enrolled,
    /// Its role requires one and it has none: it is set up first.
    Missing,
    /// Neither.
    Optional,
}

impl Second {
    fn of(conn: &mut crate::db::DbConnection, account: &user::User) -> Result<Self, AppError> {
        if second_factor::find(conn, &account.id)?.is_some() {
            return Ok(Self::Enrolled);
        }
        Ok(
            if second_factor::required_for(conn, account.current()?.role)? {
                Self::Missing
            } else {
                Self::Optional
            },
        )
    }
}

/// Starts the account's session (its row opened by `user_session::open`), in its language.
pub(crate) fn signed_in(ctx: &Ctx, account: &user::User, session_id: &str) {
    sess::begin(
        &ctx.session,
        &account.id,
        &account.password_hash,
        session_id,
    );
    if let Some(lang) = account.locale.as_deref().and_then(crate::i18n::Lang::parse) {
        sess::set_lang(&ctx.session, lang);
    }
}

fn login_refused(
    ctx: &Ctx,
    email: &str,
    next: &str,
    status: StatusCode,
    key: &str,
    minutes: u64,
) -> Result<HttpResponse, AppError> {
    let mut page = ctx.page(None, "login");
    let lang = ctx.lang(None);
    page.insert("email", email);
    page.insert("next", next);
    page.insert("providers", &super::sso::offered(ctx, next));
    page.insert(
        "form_error",
        &crate::i18n::t_args(lang, key, &[("minutes", minutes.to_string())]),
    );
    let response = ctx.render_status(status, "auth/login.html", &page)?;
    Ok(retry_after(response, minutes))
}

/// A locked sign-in says when to try again (in minutes on the page, seconds in the header).
pub(crate) fn retry_after(mut response: HttpResponse, minutes: u64) -> HttpResponse {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(minutes * 60),
        );
    }
    response
}

/// Ends the session; one opened through a provider ends there too (its logout page sends
/// the browser back to the sign-in page).
pub async fn logout(ctx: Ctx) -> HttpResponse {
    let sso = sess::sso(&ctx.session);
    if let Ok(auth) = ctx.auth() {
        let closed = ctx
            .state
            .db
            .write(move |conn| user_session::forget(conn, &auth.session_id))
            .await;
        // The cookie is cleared whatever happens: a row left open dies with its idle timeout.
        if let Err(error) = closed {
            log::warn!("cannot close a signed-out session: {error}");
        }
    }
    sess::end(&ctx.session);
    ctx.flash(FlashKind::Success, "flash-logged-out");
    see_other(&super::sso::after_logout(&ctx, sso).await)
}
