//! `/api/v1/surveys`: an organisme's satisfaction survey waves with their results per theme
//! (for the organisme and per site).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ApiCtx;
use crate::error::AppError;
use crate::models::organisation;
use crate::models::survey::{self, SurveyResult, Wave};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyParams {
    /// Organisme id or SIREN
    organisation: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WaveWithResults {
    #[serde(flatten)]
    pub wave: Wave,
    pub results: Vec<SurveyResult>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SurveyList {
    pub items: Vec<WaveWithResults>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The organisme's waves, newest first, with their results.
#[utoipa::path(operation_id = "list_surveys", get, path = "/api/v1/surveys", tag = "indicators", params(super::Paging, SurveyParams),
    responses((status = 200, body = SurveyList), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    params: web::Query<SurveyParams>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let key = params.into_inner().organisation;
    let items = api
        .run(move |conn, user| {
            let found = organisation::find_by_key(conn, &user.scope(), &key)?;
            survey::waves_for(conn, &found.id)?
                .into_iter()
                .map(|wave| {
                    Ok(WaveWithResults {
                        results: survey::results(conn, &wave.id)?,
                        wave,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(SurveyList {
        items,
        total,
        page,
        per_page,
    }))
}
