//! The JSON API under `/api/v1`: bearer tokens, the same permissions as the pages, errors as
//! `{"error": …, "fields": {…}}`, and an OpenAPI document generated from the handlers.

pub mod actions;
pub mod audits;
pub mod commitments;
pub mod docs;
pub mod evidence;
pub mod federation;
pub mod frameworks;
pub mod indicators;
pub mod organisations;
pub mod sites;
pub mod surveys;

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::db::{Access, DbConnection};
use crate::error::AppError;
use crate::models::{Paged, api_token};
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/openapi.json", web::get().to(docs::openapi_json))
        .route("/api/docs", web::get().to(docs::docs_page))
        .route("/api/v1/me", web::get().to(me))
        .route("/api/v1/actions", web::get().to(actions::list))
        .route("/api/v1/actions/{id}", web::get().to(actions::get))
        .route("/api/v1/actions/{id}", web::put().to(actions::update))
        .route("/api/v1/audits", web::get().to(audits::list))
        .route("/api/v1/audits/{id}", web::get().to(audits::get))
        .route(
            "/api/v1/audits/{id}/report.pdf",
            web::get().to(audits::report),
        )
        .route(
            "/api/v1/audits/{id}/findings",
            web::get().to(audits::findings),
        )
        .route(
            "/api/v1/audits/{id}/findings/{ref}",
            web::put().to(audits::save_finding),
        )
        .route("/api/v1/commitments", web::get().to(commitments::list))
        .route("/api/v1/commitments", web::post().to(commitments::create))
        .route("/api/v1/commitments/{id}", web::get().to(commitments::get))
        .route(
            "/api/v1/commitments/{id}/transitions",
            web::post().to(commitments::transition),
        )
        .route(
            "/api/v1/commitments/{id}/schedule",
            web::get().to(commitments::schedule),
        )
        .route(
            "/api/v1/organisations/{id}/evidence",
            web::get().to(evidence::list),
        )
        .route(
            "/api/v1/organisations/{id}/evidence",
            web::post().to(evidence::upload),
        )
        .route("/api/v1/evidence/{id}", web::get().to(evidence::get))
        .route(
            "/api/v1/evidence/files/{id}",
            web::get().to(evidence::download),
        )
        .route("/api/v1/indicators", web::get().to(indicators::list))
        .route(
            "/api/v1/indicators/{code}/benchmark",
            web::get().to(indicators::benchmark),
        )
        .route("/api/v1/surveys", web::get().to(surveys::list))
        .route(
            "/api/v1/indicator-values",
            web::get().to(indicators::values),
        )
        .route(
            "/api/v1/indicator-values",
            web::post().to(indicators::write),
        )
        .route(
            "/api/v1/federation/dashboard",
            web::get().to(federation::dashboard),
        )
        .route("/api/v1/frameworks", web::get().to(frameworks::list))
        .route("/api/v1/frameworks/{id}", web::get().to(frameworks::get))
        .route("/api/v1/organisations", web::get().to(organisations::list))
        .route(
            "/api/v1/organisations",
            web::post().to(organisations::create),
        )
        .route(
            "/api/v1/organisations/{id}",
            web::get().to(organisations::get),
        )
        .route(
            "/api/v1/organisations/{id}",
            web::put().to(organisations::update),
        )
        .route(
            "/api/v1/organisations/{id}/sites",
            web::get().to(sites::list),
        )
        .route(
            "/api/v1/organisations/{id}/sites",
            web::post().to(sites::create),
        )
        .route(
            "/api/v1/organisations/{id}/sites/{site_id}",
            web::get().to(sites::get),
        )
        .route(
            "/api/v1/organisations/{id}/sites/{site_id}",
            web::put().to(sites::update),
        )
        .default_service(web::route().to(not_found));
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    if req.path().starts_with("/api/") {
        Err(AppError::NotFound)
    } else {
        Ok(HttpResponse::NotFound().finish())
    }
}

/// A request to the API with its bearer token (checked when the handler runs).
pub struct ApiCtx {
    state: web::Data<AppState>,
    token: Option<String>,
    access: Access,
}

impl FromRequest for ApiCtx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        ready(
            req.app_data::<web::Data<AppState>>()
                .cloned()
                .map(|state| ApiCtx {
                    state,
                    token,
                    access: Access::of(req.method()),
                })
                .ok_or_else(|| AppError::unexpected("application state missing").into()),
        )
    }
}

impl ApiCtx {
    /// What the application keeps between requests (storage, caches).
    pub fn state(&self) -> &web::Data<AppState> {
        &self.state
    }

    /// Authenticates the token and runs `f` in one blocking hop, inside a transaction that
    /// reads for a `GET` and may write otherwise.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection, &CurrentUser) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let token = self.token.clone().ok_or(AppError::Unauthenticated)?;
        let access = self.access;
        let (value, stale_use) = self
            .state
            .db
            .hop(access, move |conn| {
                let found =
                    api_token::authenticate(conn, &token)?.ok_or(AppError::Unauthenticated)?;
                let current = found.user.current()?;
                let value = f(conn, &current)?;
                let stale_use = match (found.stale_use, access) {
                    (Some(id), Access::Write) => {
                        api_token::record_use(conn, &id)?;
                        None
                    }
                    (stale, _) => stale,
                };
                Ok((value, stale_use))
            })
            .await?;
        // A read records the token's use in a write of its own, off the request: it queues
        // like any write and its failure never fails the read.
        if let Some(id) = stale_use {
            let db = self.state.db.clone();
            actix_web::rt::spawn(async move {
                if let Err(error) = db.write(move |conn| api_token::record_use(conn, &id)).await {
                    log::warn!("cannot record an API token's use: {error}");
                }
            });
        }
        Ok(value)
    }
}

/// Lists answer `{"items": […], "total": N}` (plus the page they show).
#[derive(Serialize, utoipa::ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> From<Paged<T>> for List<T> {
    fn from(p: Paged<T>) -> Self {
        Self {
            items: p.items,
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: crate::domain::Role,
    pub organisation_id: Option<String>,
    pub region: Option<String>,
}

/// The account behind the token.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(api: ApiCtx) -> Result<HttpResponse, AppError> {
    let me = api
        .run(|_, user| {
            Ok(Me {
                id: user.id.clone(),
                email: user.email.clone(),
                name: user.name.clone(),
                role: user.role,
                organisation_id: user.organisation_id.clone(),
                region: user.region.clone(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}
