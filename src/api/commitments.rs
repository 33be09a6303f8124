//! `/api/v1/commitments`: commitments of the organismes the token's user may see, their
//! moves from state to state, and their computed schedule.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ApiCtx;
use crate::auth::CurrentUser;
use crate::db::{DbConnection, parse_id};
use crate::error::AppError;
use crate::models::commitment::{self, Commitment, CommitmentForm, Event};
use crate::models::organisation;
use crate::services::commitments;
use crate::services::schedules;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Organisme id or SIREN
    organisation: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CommitmentList {
    pub items: Vec<Commitment>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CommitmentDetail {
    #[serde(flatten)]
    pub commitment: Commitment,
    pub site_ids: Vec<String>,
    pub events: Vec<Event>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommitmentPayload {
    /// Organisme id or SIREN
    #[schema(required = true)]
    pub organisation: String,
    #[schema(required = true)]
    pub framework_id: String,
    /// Current state (default: considered)
    pub state: String,
    /// YYYY-MM-DD
    pub start_date: String,
    /// YYYY-MM-DD; required when the state is already granted
    pub decision_date: String,
    pub body: String,
    pub certificate_number: String,
    pub notes: String,
    /// Account id of the auditor following the commitment
    pub auditor_id: String,
    /// Sites covered; empty means all
    pub site_ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TransitionPayload {
    #[schema(required = true)]
    pub state: String,
    /// YYYY-MM-DD
    #[schema(required = true)]
    pub date: String,
    pub reason: String,
    /// The version read
    #[schema(required = true, minimum = 0, maximum = 2_147_483_647)]
    #[serde(deserialize_with = "crate::api::body::whole")]
    pub version: Option<i32>,
}

fn visible(conn: &mut DbConnection, user: &CurrentUser, id: &str) -> Result<Commitment, AppError> {
    Ok(commitment::find(conn, &user.scope(), id)?.0)
}

/// Commitments the token's user may see, optionally of one organisme.
#[utoipa::path(operation_id = "list_commitments", get, path = "/api/v1/commitments", tag = "commitments", params(super::Paging, ListParams),
    responses((status = 200, body = CommitmentList), (status = 401, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    params: web::Query<ListParams>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let key = params.into_inner().organisation;
    let items = api
        .run(move |conn, user| {
            let organisations = if let Some(key) = key {
                vec![organisation::find_by_key(conn, &user.scope(), &key)?.id]
            } else {
                organisation::ids_in(conn, &user.scope())?
            };
            let mut items = Vec::new();
            for id in organisations {
                items.extend(commitment::list_for(conn, &id)?);
            }
            Ok(items)
        })
        .await?;
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(CommitmentList {
        items,
        total,
        page,
        per_page,
    }))
}

/// One commitment with its sites and events.
#[utoipa::path(operation_id = "get_commitment", get, path = "/api/v1/commitments/{id}", tag = "commitments", params(("id" = String, Path)),
    responses((status = 200, body = CommitmentDetail), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let detail = api
        .run(move |conn, user| {
            let found = visible(conn, user, &id)?;
            Ok(CommitmentDetail {
                site_ids: commitment::site_ids(conn, &found.id)?,
                events: commitment::events(conn, &found.id)?,
                commitment: found,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Declares a commitment (administrators, the organisme's quality manager).
#[utoipa::path(operation_id = "create_commitment", post, path = "/api/v1/commitments", tag = "commitments", request_body = CommitmentPayload,
    responses((status = 201, body = Commitment), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    api: ApiCtx,
    payload: super::body::Body<CommitmentPayload>,
) -> Result<HttpResponse, AppError> {
    let p = payload.into_inner();
    let form = CommitmentForm {
        framework_id: p.framework_id,
        state: p.state,
        start_date: p.start_date,
        decision_date: p.decision_date,
        body: p.body,
        certificate_number: p.certificate_number,
        notes: p.notes,
        auditor_id: p.auditor_id,
        site_ids: p.site_ids,
    };
    let key = p.organisation;
    let created = api
        .run(move |conn, user| commitments::create(conn, user, &key, &form))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/commitments/{}", created.id)))
        .json(created))
}

/// Moves a commitment to another state; a forbidden move is refused with the allowed ones.
#[utoipa::path(operation_id = "transition_commitment", post, path = "/api/v1/commitments/{id}/transitions", tag = "commitments", params(("id" = String, Path)),
    request_body = TransitionPayload,
    responses((status = 200, body = Commitment), (status = 409, body = super::docs::ErrorBody), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn transition(
    api: ApiCtx,
    path: web::Path<String>,
    payload: super::body::Body<TransitionPayload>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let p = payload.into_inner();
    let moved = api
        .run(move |conn, user| {
            commitments::transition(conn, user, &id, p.version, (&p.state, &p.date, &p.reason))
        })
        .await?;
    Ok(HttpResponse::Ok().json(moved))
}

/// The schedule computed today: every step with its window and state, cycles, deadlines, alerts.
#[utoipa::path(operation_id = "get_commitment_schedule", get, path = "/api/v1/commitments/{id}/schedule", tag = "commitments", params(("id" = String, Path)),
    responses((status = 200, description = "items, cycles, deadlines, alerts, standing"), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn schedule(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let computed = api
        .run(move |conn, user| {
            let found = visible(conn, user, &id)?;
            let events = commitment::events(conn, &found.id)?;
            let (schedule, _, _) =
                schedules::for_commitment(conn, &found, &events, chrono::Utc::now().date_naive())?;
            Ok(schedule)
        })
        .await?;
    Ok(HttpResponse::Ok().json(computed))
}
