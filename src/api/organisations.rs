//! `/api/v1/organisations`: the same rules as the pages, in JSON. An organisme is named by
//! its id or its SIREN.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{ApiCtx, List};
use crate::error::AppError;
use crate::models::organisation::{
    self, Organisation, OrganisationFilter, OrganisationForm, OrganisationSummary,
};
use crate::services::organisations;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search in names (accents ignored) or SIREN prefix
    q: Option<String>,
    /// oph, esh, coop, sem, autre
    family: Option<String>,
    /// Region INSEE code, e.g. 11
    region: Option<String>,
    /// name (default), homes, siren, updated
    sort: Option<String>,
    /// A framework code (`charte-qualite` for the organismes' own charters): organismes
    /// committed to it, narrowed by `standing`
    framework: Option<String>,
    /// holding, renewal_due, suspended, engaged, lapsed, none, or holds (the first three)
    standing: Option<String>,
}

/// An organisme as sent by clients. `version` is required to update.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrganisationPayload {
    #[schema(required = true)]
    pub name: String,
    /// Nine digits, Luhn-checked
    #[schema(required = true)]
    pub siren: String,
    /// oph, esh, coop, sem, autre
    #[schema(required = true)]
    pub family: String,
    /// Region INSEE code
    #[schema(required = true)]
    pub region: String,
    #[schema(minimum = 0, maximum = 10_000_000)]
    #[serde(deserialize_with = "crate::api::body::whole")]
    pub homes: Option<i64>,
    /// foph, esh, coop, procivis, epl, autre (default: the usual one of the family)
    pub federation: String,
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    #[serde(deserialize_with = "crate::api::body::whole")]
    pub version: Option<i32>,
}

impl From<OrganisationPayload> for OrganisationForm {
    fn from(p: OrganisationPayload) -> Self {
        Self {
            name: p.name,
            siren: p.siren,
            family: p.family,
            region: p.region,
            homes: p.homes.map(|h| h.to_string()).unwrap_or_default(),
            federation: p.federation,
            version: p.version,
        }
    }
}

/// Organismes the token's user may see.
#[utoipa::path(operation_id = "list_organisations", get, path = "/api/v1/organisations", tag = "organisations", params(ListParams, super::Paging),
    responses((status = 200, body = inline(List<OrganisationSummary>)), (status = 401, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    params: web::Query<ListParams>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let filter = OrganisationFilter {
        q: params.q.unwrap_or_default(),
        family: params.family.unwrap_or_default(),
        region: params.region.unwrap_or_default(),
        sort: params.sort.unwrap_or_default(),
        framework: params.framework.unwrap_or_default(),
        standing: params.standing.unwrap_or_default(),
    };
    let page = paging.page();
    let result = api
        .run(move |conn, user| organisation::list(conn, &user.scope(), &filter, page))
        .await?;
    Ok(HttpResponse::Ok().json(List::from(result)))
}

/// One organisme, by id or SIREN.
#[utoipa::path(operation_id = "get_organisation", get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = String, Path, description = "Id or SIREN")),
    responses((status = 200, body = Organisation), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let found = api
        .run(move |conn, user| organisation::find_by_key(conn, &user.scope(), &key))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Creates an organisme (administrators).
#[utoipa::path(operation_id = "create_organisation", post, path = "/api/v1/organisations", tag = "organisations",
    request_body = OrganisationPayload,
    responses((status = 201, body = Organisation), (status = 403, body = super::docs::ErrorBody),
        (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    api: ApiCtx,
    payload: super::body::Body<OrganisationPayload>,
) -> Result<HttpResponse, AppError> {
    let form = OrganisationForm::from(payload.into_inner());
    let created = api
        .run(move |conn, user| organisations::create(conn, user, &form))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organisations/{}", created.id)))
        .json(created))
}

/// Replaces an organisme's fields; `version` must be the one last read (409 otherwise).
#[utoipa::path(operation_id = "update_organisation", put, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = String, Path, description = "Id or SIREN")),
    request_body = OrganisationPayload,
    responses((status = 200, body = Organisation), (status = 409, body = super::docs::ErrorBody),
        (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    api: ApiCtx,
    path: web::Path<String>,
    payload: super::body::Body<OrganisationPayload>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let form = OrganisationForm::from(payload.into_inner());
    let updated = api
        .run(move |conn, user| organisations::update(conn, user, &key, &form))
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}
