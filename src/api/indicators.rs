//! `/api/v1/indicators` and `/api/v1/indicator-values`: the indicators an organisme follows
//! with their figures and status, its values (read, filtered), and bulk writes checked as
//! an import is: every value valid or nothing written, and an identical batch harmless.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::ApiCtx;
use crate::domain::indicators::Period;
use crate::domain::indicators::csv_file::Line;
use crate::domain::policy;
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::indicator::{self, Value, Written};
use crate::models::organisation;
use crate::services::indicator_board::{self, Series};
use crate::services::indicators::{self};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    /// Organisme id or SIREN
    organisation: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorList {
    pub items: Vec<Series>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The indicators an organisme follows (its frameworks' and its own), each with its figures
/// per period (entered, or rolled up from the sites, and how), the latest one's status
/// against the target that applies, and the change since the period before.
#[utoipa::path(operation_id = "list_indicators", get, path = "/api/v1/indicators", tag = "indicators", params(super::Paging, BoardParams),
    responses((status = 200, body = IndicatorList), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    params: web::Query<BoardParams>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let key = params.into_inner().organisation;
    let items = api
        .run(move |conn, user| {
            let found = organisation::find_by_key(conn, &user.scope(), &key)?;
            indicator_board::board(conn, &found.id)
        })
        .await?;
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(IndicatorList {
        items,
        total,
        page,
        per_page,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValueParams {
    /// Organisme id or SIREN
    organisation: String,
    /// An indicator code
    indicator: Option<String>,
    /// A site id, or `organisme` for the values of the organisme as a whole
    site: Option<String>,
    /// First period included (`2025-01`, `2025-Q1`, `2025`)
    #[param(pattern = r"^20[0-9]{2}(-(0[1-9]|1[0-2])|-[QT][1-4])?$")]
    from: Option<String>,
    /// Last period included
    #[param(pattern = r"^20[0-9]{2}(-(0[1-9]|1[0-2])|-[QT][1-4])?$")]
    to: Option<String>,
}

/// The organisme's values, oldest period first, filtered and paginated.
#[utoipa::path(operation_id = "list_indicator_values", get, path = "/api/v1/indicator-values", tag = "indicators", params(ValueParams, super::Paging),
    responses((status = 200, body = super::List<Value>), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn values(
    api: ApiCtx,
    params: web::Query<ValueParams>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let p = params.into_inner();
    let page = paging.page();
    let mut errors = FieldErrors::new();
    let bound = |raw: &Option<String>, field: &str, errors: &mut FieldErrors| {
        raw.as_deref()
            .filter(|r| !r.trim().is_empty())
            .and_then(|r| errors.check(field, Period::parse(r)))
            .map(Period::start)
    };
    let from = bound(&p.from, "from", &mut errors);
    let to = bound(&p.to, "to", &mut errors);
    // Judged once the token is: an anonymous request is told to sign in first.
    let checked = errors.into_result();
    let items = api
        .run(move |conn, user| {
            checked?;
            let found = organisation::find_by_key(conn, &user.scope(), &p.organisation)?;
            let values = indicator::values_for(conn, &found.id, p.indicator.as_deref())?;
            Ok(values
                .into_iter()
                .filter(|v| match p.site.as_deref() {
                    None => true,
                    Some("organisme") => v.site_id.is_none(),
                    Some(site) => v.site_id.as_deref() == Some(site),
                })
                .filter(|v| from.is_none_or(|f| v.period_start >= f))
                .filter(|v| to.is_none_or(|t| v.period_start <= t))
                .collect::<Vec<_>>())
        })
        .await?;
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let shown: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.size).unwrap_or(0))
        .collect();
    Ok(HttpResponse::Ok().json(super::List {
        items: shown,
        total,
        page: page.number,
        per_page: page.size,
    }))
}

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ValueInput {
    /// Indicator code
    #[schema(required = true)]
    pub indicator: String,
    /// Site id or name; absent for the organisme as a whole
    pub site: Option<String>,
    /// `2025-03`, `2025-Q1` or `2025`
    #[schema(required = true)]
    pub period: String,
    /// May be left out for a rate given by its numerator and denominator
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub source: String,
}

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ValueBatch {
    /// Organisme id or SIREN
    #[schema(required = true)]
    pub organisation: String,
    #[schema(required = true)]
    pub values: Vec<ValueInput>,
}

fn field_name(column: &str) -> &'static str {
    match column {
        "indicateur" => "indicator",
        "site" => "site",
        "periode" => "period",
        "numerateur" => "numerator",
        "denominateur" => "denominator",
        "source" => "source",
        _ => "value",
    }
}

/// Writes a batch of values: all checked first (422 naming `values[i].field` for each
/// refusal, nothing written), then new ones added, changed ones updated, identical ones
/// left alone.
#[utoipa::path(operation_id = "write_indicator_values", post, path = "/api/v1/indicator-values", tag = "indicators", request_body = ValueBatch,
    responses((status = 200, body = Written), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn write(
    api: ApiCtx,
    payload: super::body::Body<ValueBatch>,
) -> Result<HttpResponse, AppError> {
    let batch = payload.into_inner();
    let written = api
        .run(move |conn, user| {
            let (found, checks) = indicators::writable(conn, user, &batch.organisation)?;
            let mut errors = FieldErrors::new();
            let mut values = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (i, input) in batch.values.iter().enumerate() {
                let Some(period) =
                    errors.check(&format!("values[{i}].period"), Period::parse(&input.period))
                else {
                    continue;
                };
                let line = Line {
                    line: i,
                    indicator: input.indicator.clone(),
                    site: input.site.clone().unwrap_or_default(),
                    period,
                    value: input.value,
                    numerator: input.numerator,
                    denominator: input.denominator,
                    source: input.source.clone(),
                };
                match checks.check(&line) {
                    Ok(value) => {
                        let key = (
                            value.indicator_code.clone(),
                            value.site_id.clone(),
                            value.period,
                        );
                        if seen.insert(key) {
                            values.push(value);
                        } else {
                            errors
                                .add(&format!("values[{i}]"), Invalid::new("err-duplicate-value"));
                        }
                    }
                    Err((column, invalid)) => {
                        errors.add(&format!("values[{i}].{}", field_name(column)), invalid);
                    }
                }
            }
            if batch.values.is_empty() {
                errors.add("values", Invalid::new("err-no-value"));
            }
            errors.into_result()?;
            indicators::write(conn, user, &found, "api", &values)
        })
        .await?;
    Ok(HttpResponse::Ok().json(written))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BenchmarkParams {
    /// A year of values, 2000 to 2100 (default: the latest with values)
    #[param(minimum = 2000, maximum = 2100)]
    year: Option<i32>,
    /// Region INSEE code
    region: Option<String>,
    /// oph, esh, coop, sem or autre
    family: Option<String>,
    /// For people of an organisme: its position among the others (id or SIREN)
    organisation: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BenchmarkAnswer {
    /// Every organisme's figure (federation staff and administrators only)
    pub benchmark: Option<crate::services::benchmarks::Benchmark>,
    /// The organisme's position among all others, anonymised
    pub position: Option<crate::services::benchmarks::Position>,
}

/// Where organismes stand on an indicator shared by frameworks: federation staff get every
/// organisme of their scope (quartiles, distribution, ranking); others get their
/// organisme's position among the others, without names.
#[utoipa::path(operation_id = "get_indicator_benchmark", get, path = "/api/v1/indicators/{code}/benchmark", tag = "indicators",
    params(("code" = String, Path), BenchmarkParams),
    responses((status = 200, body = BenchmarkAnswer), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn benchmark(
    api: ApiCtx,
    path: web::Path<String>,
    params: web::Query<BenchmarkParams>,
) -> Result<HttpResponse, AppError> {
    use crate::services::benchmarks::{self, Filter};
    let code = path.into_inner();
    let p = params.into_inner();
    let peers = api.state().peers.clone();
    let year = match p.year {
        Some(year) if !(2000..=2100).contains(&year) => Err(FieldErrors::single(
            "year",
            Invalid::new("err-out-of-range")
                .arg("min", 2000)
                .arg("max", 2100),
        )),
        _ => Ok(()),
    };
    let answer = api
        .run(move |conn, user| {
            year?;
            let benchmark = if policy::sees_federation_views(user) {
                let filter = Filter {
                    code: code.clone(),
                    year: p.year,
                    region: p.region,
                    family: p.family,
                };
                Some(benchmarks::compute(conn, &user.scope(), &filter)?)
            } else {
                None
            };
            let position = match p.organisation {
                Some(key) => {
                    let found = organisation::find_by_key(conn, &user.scope(), &key)?;
                    benchmarks::position(conn, &peers, &found.id, &code)?
                }
                None => None,
            };
            if benchmark.is_none() && position.is_none() {
                // Nothing to show is still an answer, once the indicator exists.
                benchmarks::comparable(conn, &user.scope())?
                    .iter()
                    .find(|c| c.code == code)
                    .ok_or(AppError::NotFound)?;
            }
            Ok(BenchmarkAnswer {
                benchmark,
                position,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}
