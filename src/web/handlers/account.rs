//! The signed-in user's own page: password, language, how they sign in (second factor,
//! identities, open sessions) and API tokens.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::account_sessions;
use crate::auth::password;
use crate::auth::session::{self as sess, FlashKind};
use crate::db::parse_id;
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::history::Actor;
use crate::models::{api_token, organisation, second_factor, user, user_session};
use crate::web::page::{Ctx, PasswordGate, see_other};

pub async fn show_account(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let here = Here::of(&ctx)?;
    let (user, (tokens, organisation, factor)) = ctx
        .user_run(move |conn, user| {
            let tokens = api_token::list_for(conn, &user.id)?;
            let organisation = match &user.organisation_id {
                Some(id) => Some(organisation::find(conn, &user.scope(), id)?),
                None => None,
            };
            Ok((tokens, organisation, SignIn::of(conn, &user.id, &here)?))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "account");
    factor.insert(&mut page);
    page.insert("provider_names", &super::sso::names(&ctx));
    page.insert("tokens", &tokens);
    page.insert("organisation", &organisation);
    ctx.render("account/show.html", &page)
}

/// The session the account page is read in, and how long an idle one lives.
#[derive(Clone)]
struct Here {
    session_id: String,
    idle_secs: i64,
}

impl Here {
    fn of(ctx: &Ctx) -> Result<Self, AppError> {
        Ok(Self {
            session_id: ctx.auth()?.session_id,
            idle_secs: ctx.state.idle_secs,
        })
    }
}

/// How the account signs in, as its page sums it up: its second factor, the identity
/// providers linked to it and the sessions open.
struct SignIn {
    on: bool,
    codes_left: i64,
    identities: Vec<crate::models::identity::Identity>,
    sessions: Vec<account_sessions::SessionLine>,
}

impl SignIn {
    fn of(
        conn: &mut crate::db::DbConnection,
        user_id: &str,
        here: &Here,
    ) -> Result<Self, AppError> {
        Ok(Self {
            on: second_factor::find(conn, user_id)?.is_some(),
            codes_left: second_factor::codes_left(conn, user_id)?,
            identities: crate::models::identity::of_user(conn, user_id)?,
            sessions: account_sessions::lines(conn, user_id, &here.session_id, here.idle_secs)?,
        })
    }

    fn insert(&self, page: &mut tera::Context) {
        page.insert("second_factor_on", &self.on);
        page.insert("codes_left", &self.codes_left);
        page.insert("identities", &self.identities);
        page.insert("sessions", &self.sessions);
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// Creates an API token and shows its secret, once, on the account page.
pub async fn create_token(ctx: Ctx, form: web::Form<TokenForm>) -> Result<HttpResponse, AppError> {
    let name = form.into_inner().name;
    let here = Here::of(&ctx)?;
    let again = here.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, current| {
            let owner = user::get(conn, &current.id)?;
            let created = api_token::create(
                conn,
                &Actor::user(&current.id, &current.email),
                &owner,
                &name,
            )?;
            let tokens = api_token::list_for(conn, &current.id)?;
            Ok((created, tokens, SignIn::of(conn, &current.id, &here)?))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "account");
    match attempt {
        Ok(((_, secret), tokens, factor)) => {
            factor.insert(&mut page);
            page.insert("tokens", &tokens);
            page.insert("new_token", &secret);
            ctx.render("account/show.html", &page)
        }
        Err(error) => {
            let (_, (tokens, factor)) = ctx
                .user_run(move |conn, current| {
                    Ok((
                        api_token::list_for(conn, &current.id)?,
                        SignIn::of(conn, &current.id, &again)?,
                    ))
                })
                .await?;
            factor.insert(&mut page);
            page.insert("tokens", &tokens);
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(error.info().status, "account/show.html", &page)
        }
    }
}

pub async fn revoke_token(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token_id = parse_id(&path.into_inner())?;
    ctx.user_run(move |conn, current| {
        let owner = user::get(conn, &current.id)?;
        api_token::revoke(conn, &owner, &token_id)
    })
    .await?;
    ctx.flash(FlashKind::Success, "flash-token-revoked");
    Ok(see_other("/compte"))
}

pub async fn password_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (user, ()) = ctx
        .user_run_gated(PasswordGate::Allow, |_, _| Ok(()))
        .await?;
    let page = ctx.page(Some(&user), "account");
    ctx.render("account/password.html", &page)
}

#[derive(Debug, Deserialize)]
#[expect(clippy::struct_field_names, reason = "the names of the form fields")]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn change_password(
    ctx: Ctx,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let this_session = ctx.auth()?.session_id;
    let (user, attempt) = ctx
        .user_run_gated(PasswordGate::Allow, move |conn, current| {
            let account = user::get(conn, &current.id)?;
            let mut errors = FieldErrors::new();
            if !password::verify(&form.current_password, Some(&account.password_hash)) {
                errors.add("current_password", Invalid::new("err-password-wrong"));
            }
            errors.check("new_password", password::check_new(&form.new_password));
            if form.new_password != form.confirm_password {
                errors.add("confirm_password", Invalid::new("err-password-mismatch"));
            }
            if form.new_password == form.current_password && !form.new_password.is_empty() {
                errors.add("new_password", Invalid::new("err-password-same"));
            }
            if !errors.is_empty() {
                return Ok(Err(AppError::Validation(errors)));
            }
            let hash = password::hash(&form.new_password).map_err(AppError::unexpected)?;
            let updated = user::set_password(
                conn,
                &Actor::user(&account.id, &account.email),
                &account,
                &hash,
                true,
            )?;
            // The other sessions end with the old password (their cookies' fingerprint no
            // longer matches); their rows say so on the account page.
            user_session::forget_others(conn, &account.id, &this_session)?;
            Ok(Ok(updated.password_hash))
        })
        .await?;
    match attempt {
        Ok(new_hash) => {
            sess::refresh_fingerprint(&ctx.session, &new_hash);
            ctx.flash(FlashKind::Success, "flash-password-changed");
            Ok(see_other("/"))
        }
        Err(error) => {
            let mut page = ctx.page(Some(&user), "account");
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "account/password.html",
                &page,
            )
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: Option<String>,
}

/// Chooses the interface language: kept in the session, and on the account when signed in.
pub async fn set_language(
    ctx: Ctx,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let lang = Lang::parse(&form.lang).ok_or_else(|| {
        AppError::Validation(FieldErrors::single(
            "lang",
            Invalid::new("err-unknown-choice"),
        ))
    })?;
    sess::set_lang(&ctx.session, lang);
    if ctx.auth().is_ok() {
        ctx.user_run_gated(PasswordGate::Allow, move |conn, current| {
            let account = user::get(conn, &current.id)?;
            user::set_locale(conn, &account, lang.code())
        })
        .await?;
    }
    let back = match form.back.as_deref() {
        Some(path) if path.starts_with('/') && !path.starts_with("//") => path.to_owned(),
        _ => "/".to_owned(),
    };
    Ok(see_other(&back))
}
