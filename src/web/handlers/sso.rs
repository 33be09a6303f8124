//! "Se connecter avec ProConnect" (or the organisme's own provider): the browser is sent to
//! the provider with this sign-in's state, nonce and PKCE challenge, and comes back with a
//! code that the server exchanges and checks (`auth::oidc`). The person then enters the
//! account they are linked to, or matched by a verified address; anyone else waits for an
//! administrator, on a page that says so. Roles and scopes stay qualitrack's.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::auth::{safe_next, signed_in};
use crate::auth::oidc::{Provider, Refusal, Start};
use crate::auth::session as sess;
use crate::error::AppError;
use crate::models::identity::{self, Arrival};
use crate::models::user_session;
use crate::web::page::{Ctx, see_other};

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    suivant: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Back {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn provider(ctx: &Ctx, slug: &str) -> Result<Arc<Provider>, AppError> {
    ctx.state
        .oidc
        .iter()
        .find(|p| p.config.slug == slug)
        .cloned()
        .ok_or(AppError::NotFound)
}

/// This deployment's own address: the configured one, or the one the browser used.
pub(crate) fn base(ctx: &Ctx) -> String {
    ctx.state.public_origin.clone().unwrap_or_else(|| {
        let info = ctx.req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    })
}

fn redirect_uri(ctx: &Ctx, slug: &str) -> String {
    format!("{}/connexion/oidc/{slug}/retour", base(ctx))
}

/// Each provider's address part and name, for pages that name the providers people use.
pub fn names(ctx: &Ctx) -> std::collections::HashMap<String, String> {
    ctx.state
        .oidc
        .iter()
        .map(|p| (p.config.slug.clone(), p.config.name.clone()))
        .collect()
}

/// The providers offered on the sign-in page: (address part, name, the query that brings
/// the person back to the page they asked for).
pub fn offered(ctx: &Ctx, next: &str) -> Vec<(String, String, String)> {
    let query = if next == "/" {
        String::new()
    } else {
        format!(
            "?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("suivant", next)
                .finish()
        )
    };
    ctx.state
        .oidc
        .iter()
        .map(|p| (p.config.slug.clone(), p.config.name.clone(), query.clone()))
        .collect()
}

pub async fn start(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let found = provider(&ctx, &slug)?;
    let begun = Start::new(&slug, safe_next(query.suivant.as_deref()));
    let back = redirect_uri(&ctx, &slug);
    let (asking, kept) = (found.clone(), begun.clone());
    let address = web::block(move || {
        asking
            .known(false)
            .map(|(discovery, _)| asking.authorization_url(&discovery, &kept, &back))
    })
    .await?;
    match address {
        Ok(address) => {
            sess::start_oidc(&ctx.session, &begun);
            Ok(see_other(&address))
        }
        Err(refusal) => refused(&ctx, &found.config.name, &refusal),
    }
}

pub async fn back(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<Back>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let found = provider(&ctx, &slug)?;
    let name = found.config.name.clone();
    let query = query.into_inner();
    // The state answers once, for the browser that started the sign-in.
    let begun = sess::take_oidc(&ctx.session).filter(|s| {
        s.provider == slug
            && query.state.as_deref().is_some_and(|state| {
                crate::auth::constant_time_eq(state.as_bytes(), s.state.as_bytes())
            })
    });
    let Some(begun) = begun else {
        return refused(&ctx, &name, &Refusal::UnknownState);
    };
    if let Some(error) = query.error {
        let said = query.error_description.unwrap_or(error);
        return refused(&ctx, &name, &Refusal::Denied(said));
    }
    let Some(code) = query.code else {
        return refused(&ctx, &name, &Refusal::UnknownState);
    };
    let (asking, kept, uri) = (found.clone(), begun.clone(), redirect_uri(&ctx, &slug));
    let finished = web::block(move || asking.finish(&kept, &code, &uri)).await?;
    let (person, id_token) = match finished {
        Ok(done) => done,
        Err(refusal) => {
            log::warn!("sign-in through {name} refused: {refusal:?}");
            return refused(&ctx, &name, &refusal);
        }
    };
    let trust = found.config.trust_email;
    let arriving = (slug.clone(), person);
    let (device, idle) = (ctx.device(), ctx.state.idle_secs);
    let (arrival, session_id) = ctx
        .state
        .db
        .write(move |conn| {
            let arrival = match identity::arrive(conn, &arriving.0, &arriving.1, trust) {
                // The same person's first sign-in twice at once: the other one stands.
                Err(AppError::Conflict) => identity::arrive(conn, &arriving.0, &arriving.1, trust),
                other => other,
            }?;
            let session_id = match &arrival {
                Arrival::Account(account) => {
                    let means = user_session::Means::Provider(arriving.0.clone());
                    user_session::open(conn, &account.id, &means, &device, idle)?
                }
                _ => String::new(),
            };
            Ok((arrival, session_id))
        })
        .await?;
    match arrival {
        Arrival::Account(account) => {
            signed_in(&ctx, &account, &session_id);
            sess::set_sso(&ctx.session, &slug, &id_token);
            Ok(see_other(&begun.next))
        }
        Arrival::Pending(waiting) => {
            let mut page = ctx.page(None, "login");
            page.insert("provider_name", &name);
            page.insert("identity", &waiting);
            ctx.render_status(StatusCode::FORBIDDEN, "auth/pending.html", &page)
        }
        Arrival::Refused => {
            let mut page = ctx.page(None, "login");
            page.insert("provider_name", &name);
            page.insert("refused", &true);
            ctx.render_status(StatusCode::FORBIDDEN, "auth/pending.html", &page)
        }
    }
}

/// The sign-in page again, saying why the provider's sign-in did not go through.
fn refused(ctx: &Ctx, name: &str, refusal: &Refusal) -> Result<HttpResponse, AppError> {
    let status = match refusal {
        Refusal::Unreachable(_) => StatusCode::BAD_GATEWAY,
        Refusal::Denied(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut page = ctx.page(None, "login");
    page.insert("next", "/");
    page.insert("email", "");
    page.insert("providers", &offered(ctx, "/"));
    page.insert(
        "form_error",
        &crate::i18n::t_args(
            ctx.lang(None),
            refusal.message_key(),
            &[("provider", name.to_owned())],
        ),
    );
    ctx.render_status(status, "auth/login.html", &page)
}

/// Where signing out sends the browser: the provider's end of session when this session
/// came from one (both sessions end), else the sign-in page.
pub async fn after_logout(ctx: &Ctx, sso: Option<(String, String)>) -> String {
    let back = format!("{}/connexion", base(ctx));
    let Some((slug, id_token)) = sso else {
        return "/connexion".to_owned();
    };
    let Ok(found) = provider(ctx, &slug) else {
        return "/connexion".to_owned();
    };
    web::block(move || found.logout_url(&id_token, &back))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| "/connexion".to_owned())
}
