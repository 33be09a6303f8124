//! The JSON API under `/api/v1`: bearer tokens, the same permissions as the pages, errors as
//! `{"error": …, "fields": {…}}`, and an OpenAPI document generated from the handlers.

pub mod actions;
pub mod audits;
pub mod body;
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
    cfg.service(at("/api/v1/openapi.json", "GET, HEAD").route(read().to(docs::openapi_json)));
    cfg.service(at("/api/docs", "GET, HEAD").route(read().to(docs::docs_page)));
    cfg.service(at("/api/v1/me", "GET, HEAD").route(read().to(me)));
    cfg.service(
        at("/api/v1/actions", "GET, HEAD, POST")
            .route(read().to(actions::list))
            .route(web::post().to(actions::create)),
    );
    cfg.service(
        at("/api/v1/actions/{id}", "GET, HEAD, PUT")
            .route(read().to(actions::get))
            .route(web::put().to(actions::update)),
    );
    cfg.service(at("/api/v1/audits", "GET, HEAD").route(read().to(audits::list)));
    cfg.service(at("/api/v1/audits/{id}", "GET, HEAD").route(read().to(audits::get)));
    cfg.service(at("/api/v1/audits/{id}/report.pdf", "GET, HEAD").route(read().to(audits::report)));
    cfg.service(
        at("/api/v1/audits/{id}/report.odt", "GET, HEAD").route(read().to(audits::report_odt)),
    );
    cfg.service(
        at("/api/v1/audits/{id}/report.docx", "GET, HEAD").route(read().to(audits::report_docx)),
    );
    cfg.service(at("/api/v1/audits/{id}/findings", "GET, HEAD").route(read().to(audits::findings)));
    cfg.service(
        at("/api/v1/audits/{id}/findings/{ref}", "PUT").route(web::put().to(audits::save_finding)),
    );
    cfg.service(
        at("/api/v1/commitments", "GET, HEAD, POST")
            .route(read().to(commitments::list))
            .route(web::post().to(commitments::create)),
    );
    cfg.service(at("/api/v1/commitments/{id}", "GET, HEAD").route(read().to(commitments::get)));
    cfg.service(
        at("/api/v1/commitments/{id}/transitions", "POST")
            .route(web::post().to(commitments::transition)),
    );
    cfg.service(
        at("/api/v1/commitments/{id}/schedule", "GET, HEAD")
            .route(read().to(commitments::schedule)),
    );
    cfg.service(
        at("/api/v1/organisations/{id}/evidence", "GET, HEAD, POST")
            .route(read().to(evidence::list))
            .route(web::post().to(evidence::upload)),
    );
    cfg.service(at("/api/v1/evidence/{id}", "GET, HEAD").route(read().to(evidence::get)));
    cfg.service(
        at("/api/v1/evidence/files/{id}", "GET, HEAD").route(read().to(evidence::download)),
    );
    cfg.service(at("/api/v1/indicators", "GET, HEAD").route(read().to(indicators::list)));
    cfg.service(
        at("/api/v1/indicators/{code}/benchmark", "GET, HEAD")
            .route(read().to(indicators::benchmark)),
    );
    cfg.service(at("/api/v1/surveys", "GET, HEAD").route(read().to(surveys::list)));
    cfg.service(
        at("/api/v1/indicator-values", "GET, HEAD, POST")
            .route(read().to(indicators::values))
            .route(web::post().to(indicators::write)),
    );
    cfg.service(
        at("/api/v1/federation/dashboard", "GET, HEAD").route(read().to(federation::dashboard)),
    );
    cfg.service(at("/api/v1/frameworks", "GET, HEAD").route(read().to(frameworks::list)));
    cfg.service(at("/api/v1/frameworks/{id}", "GET, HEAD").route(read().to(frameworks::get)));
    cfg.service(
        at("/api/v1/organisations", "GET, HEAD, POST")
            .route(read().to(organisations::list))
            .route(web::post().to(organisations::create)),
    );
    cfg.service(
        at("/api/v1/organisations/{id}", "GET, HEAD, PUT")
            .route(read().to(organisations::get))
            .route(web::put().to(organisations::update)),
    );
    cfg.service(
        at("/api/v1/organisations/{id}/sites", "GET, HEAD, POST")
            .route(read().to(sites::list))
            .route(web::post().to(sites::create)),
    );
    cfg.service(
        at(
            "/api/v1/organisations/{id}/sites/{site_id}",
            "GET, HEAD, PUT",
        )
        .route(read().to(sites::get))
        .route(web::put().to(sites::update)),
    );
    cfg.default_service(web::route().to(not_found));
}

/// An address of the API; a method it does not answer gets 405 with those it does (`allow`).
fn at(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || not_allowed(allow)))
}

/// GET, and HEAD with the same answer (actix's `web::get` does not answer HEAD).
fn read() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

/// A method the address does not answer: 405, with the ones it does.
#[expect(clippy::unused_async, reason = "actix calls it as a handler")]
async fn not_allowed(allow: &'static str) -> HttpResponse {
    let info = AppError::MethodNotAllowed.info();
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow))
        .json(crate::i18n::error_json(&info, crate::i18n::DEFAULT_LANG))
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    if req.path().starts_with("/api/") {
        Err(AppError::NotFound)
    } else {
        Ok(HttpResponse::NotFound().finish())
    }
}

/// The token of an `Authorization` header: the scheme's name is case-insensitive (RFC 7235).
fn bearer_token(value: &str) -> Option<String> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
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
            .and_then(bearer_token);
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

/// `?page=` (from 1) and `?per_page=` (1 to 200, default 50) of every list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(try_from = "RawPaging")]
pub struct Paging {
    /// The page shown, from 1
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50)
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

/// `?page=` and `?per_page=` as sent, judged before the list is read: out of range is a
/// request the API cannot serve (400), not a page quietly moved.
#[derive(serde::Deserialize)]
struct RawPaging {
    page: Option<i64>,
    per_page: Option<i64>,
}

impl TryFrom<RawPaging> for Paging {
    type Error = String;

    fn try_from(raw: RawPaging) -> Result<Self, Self::Error> {
        if raw.page.is_some_and(|p| p < 1) {
            return Err("page starts at 1".into());
        }
        if raw
            .per_page
            .is_some_and(|n| !(1..=crate::models::Page::MAX_SIZE).contains(&n))
        {
            return Err("per_page is 1 to 200".into());
        }
        Ok(Self {
            page: raw.page,
            per_page: raw.per_page,
        })
    }
}

impl Paging {
    /// The page asked for (already judged in range).
    pub fn page(&self) -> crate::models::Page {
        crate::models::Page::new(self.page, self.per_page)
    }
}

/// One page of a whole list: its items, the total, the page and its size.
pub fn page_of<T>(all: Vec<T>, paging: &Paging) -> (Vec<T>, i64, i64, i64) {
    let paged =
        crate::models::Paged::of_all(all, crate::models::Page::new(paging.page, paging.per_page));
    (paged.items, paged.total, paged.page, paged.per_page)
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
#[utoipa::path(operation_id = "get_me", get, path = "/api/v1/me", tag = "account",
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
