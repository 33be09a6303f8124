//! `/api/v1/organisations/{id}/sites`: sites of an organisme the token's user may see.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ApiCtx;
use crate::error::AppError;
use crate::models::organisation::{self};
use crate::models::site::{self, Site, SiteForm};
use crate::services::organisations;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SitePayload {
    #[schema(required = true)]
    pub name: String,
    /// agence, residence, siege
    #[schema(required = true)]
    pub kind: String,
    #[schema(required = true)]
    pub address: String,
    #[schema(required = true)]
    pub postal_code: String,
    #[schema(required = true)]
    pub commune: String,
    #[schema(minimum = 0, maximum = 10_000_000)]
    #[serde(deserialize_with = "crate::api::body::whole")]
    pub homes: Option<i64>,
    pub qpv: bool,
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    #[serde(deserialize_with = "crate::api::body::whole")]
    pub version: Option<i32>,
}

impl From<SitePayload> for SiteForm {
    fn from(p: SitePayload) -> Self {
        Self {
            name: p.name,
            kind: p.kind,
            address: p.address,
            postal_code: p.postal_code,
            commune: p.commune,
            homes: p.homes.map(|h| h.to_string()).unwrap_or_default(),
            qpv: p.qpv.then(|| "true".to_owned()),
            version: p.version,
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SiteList {
    pub items: Vec<Site>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// All sites of an organisme.
#[utoipa::path(operation_id = "list_sites", get, path = "/api/v1/organisations/{id}/sites", tag = "sites",
    params(super::Paging, ("id" = String, Path, description = "Organisme id or SIREN")),
    responses((status = 200, body = SiteList), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    path: web::Path<String>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let items = api
        .run(move |conn, user| {
            let organisation = organisation::find_by_key(conn, &user.scope(), &key)?;
            site::list_for(conn, &organisation.id)
        })
        .await?;
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(SiteList {
        items,
        total,
        page,
        per_page,
    }))
}

/// One site of an organisme.
#[utoipa::path(operation_id = "get_site", get, path = "/api/v1/organisations/{id}/sites/{site_id}", tag = "sites",
    params(("id" = String, Path, description = "Organisme id or SIREN"), ("site_id" = String, Path)),
    responses((status = 200, body = Site), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let (key, site_id) = path.into_inner();
    let found = api
        .run(move |conn, user| Ok(organisations::open_site(conn, user, Some(&key), &site_id)?.0))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Adds a site (administrators, the organisme's quality manager).
#[utoipa::path(operation_id = "create_site", post, path = "/api/v1/organisations/{id}/sites", tag = "sites",
    params(("id" = String, Path, description = "Organisme id or SIREN")),
    request_body = SitePayload,
    responses((status = 201, body = Site), (status = 403, body = super::docs::ErrorBody),
        (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    api: ApiCtx,
    path: web::Path<String>,
    payload: super::body::Body<SitePayload>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let form = SiteForm::from(payload.into_inner());
    let created = api
        .run(move |conn, user| organisations::create_site(conn, user, &key, &form))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/organisations/{}/sites/{}",
                created.organisation_id, created.id
            ),
        ))
        .json(created))
}

/// Replaces a site's fields; `version` must be the one last read (409 otherwise).
#[utoipa::path(operation_id = "update_site", put, path = "/api/v1/organisations/{id}/sites/{site_id}", tag = "sites",
    params(("id" = String, Path, description = "Organisme id or SIREN"), ("site_id" = String, Path)),
    request_body = SitePayload,
    responses((status = 200, body = Site), (status = 409, body = super::docs::ErrorBody),
        (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    api: ApiCtx,
    path: web::Path<(String, String)>,
    payload: super::body::Body<SitePayload>,
) -> Result<HttpResponse, AppError> {
    let (key, site_id) = path.into_inner();
    let form = SiteForm::from(payload.into_inner());
    let updated = api
        .run(move |conn, user| organisations::update_site(conn, user, Some(&key), &site_id, &form))
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}
