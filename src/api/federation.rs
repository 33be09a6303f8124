//! The federation dashboard's figures as JSON, for federation staff and administrators.

use actix_web::{HttpResponse, web};

use super::ApiCtx;
use crate::error::AppError;
use crate::i18n::{DEFAULT_LANG, Lang};
use crate::services::dashboard::Filter;

/// Where organismes stand with each framework (counts by standing, rollout rate, homes
/// covered), the breakdowns by region and family of the framework in focus, the years past,
/// renewals within 90 days, overdue steps and open major nonconformities. A regional user
/// always gets their region.
#[utoipa::path(operation_id = "get_federation_dashboard", get, path = "/api/v1/federation/dashboard", tag = "federation",
    params(Filter),
    responses((status = 200, body = crate::services::dashboard::Dashboard),
        (status = 403, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn dashboard(api: ApiCtx, params: web::Query<Filter>) -> Result<HttpResponse, AppError> {
    let filter = params.into_inner();
    let cache = api.state().dashboards.clone();
    let answer = api
        .run(move |conn, user| {
            let lang = user
                .locale
                .as_deref()
                .and_then(Lang::parse)
                .unwrap_or(DEFAULT_LANG);
            crate::services::dashboard::kept(conn, &cache, user, filter, lang)
        })
        .await?;
    Ok(HttpResponse::Ok().json(&*answer))
}
