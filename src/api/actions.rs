//! `/api/v1/actions`: the organismes' action plans, one action with its dated updates, and
//! updating it from the version read (409 when stale; judging effectiveness is an auditor's).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ApiCtx;
use crate::db::parse_id;
use crate::error::AppError;
use crate::models::action::{self, Action, ActionForm, ActionUpdate, NewActionForm};
use crate::services::actions as service;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionParams {
    /// Organisme id or SIREN
    organisation: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ActionList {
    pub items: Vec<Action>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// An action as a client sends it: the fields of the page's form, and the version read.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionPayload {
    pub correction: String,
    pub root_cause: String,
    pub corrective_action: String,
    /// The owner's account id (a person of the organisme); empty for none
    pub owner_id: String,
    /// high, normal, low; empty keeps the action's
    pub priority: String,
    /// A site of the organisme; empty for the whole organisme
    pub site_id: String,
    /// YYYY-MM-DD
    pub due_date: String,
    /// open, in_progress, done, effective, ineffective (the last two: auditors)
    pub status: String,
    /// A progress note added to the action's updates
    pub note: String,
    /// The version read
    #[schema(required = true, minimum = 0, maximum = 2_147_483_647)]
    #[serde(deserialize_with = "super::body::whole")]
    pub version: Option<i32>,
}

impl From<ActionPayload> for ActionForm {
    fn from(p: ActionPayload) -> Self {
        Self {
            correction: p.correction,
            root_cause: p.root_cause,
            corrective_action: p.corrective_action,
            owner_id: p.owner_id,
            priority: p.priority,
            site_id: p.site_id,
            due_date: p.due_date,
            status: p.status,
            note: p.note,
            version: p.version,
        }
    }
}

/// An action the organisme records itself (not from a finding).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewActionPayload {
    /// Organisme id or SIREN
    #[schema(required = true)]
    pub organisation: String,
    #[schema(required = true)]
    pub title: String,
    /// transversal, local (names a site), survey, complaint
    #[schema(required = true)]
    pub origin: String,
    pub requirement_ref: String,
    /// A framework the organisme is committed to
    pub framework_id: String,
    pub site_id: String,
    /// The owner's account id (a person of the organisme)
    pub owner_id: String,
    /// high, normal, low
    #[schema(required = true)]
    pub priority: String,
    /// YYYY-MM-DD
    #[schema(required = true)]
    pub due_date: String,
    /// What will be done
    pub corrective_action: String,
}

/// Records an action of the organisme's own: its quality manager or an administrator.
#[utoipa::path(operation_id = "create_action", post, path = "/api/v1/actions", tag = "actions",
    request_body = NewActionPayload,
    responses((status = 201, body = Action), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    api: ApiCtx,
    payload: super::body::Body<NewActionPayload>,
) -> Result<HttpResponse, AppError> {
    let p = payload.into_inner();
    let organisation = p.organisation;
    let form = NewActionForm {
        title: p.title,
        origin: p.origin,
        requirement_ref: p.requirement_ref,
        framework_id: p.framework_id,
        site_id: p.site_id,
        owner_id: p.owner_id,
        priority: p.priority,
        due_date: p.due_date,
        corrective_action: p.corrective_action,
    };
    let created = api
        .run(move |conn, user| service::create(conn, user, &organisation, &form))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// An action with its progress updates, newest last.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ActionDetail {
    #[serde(flatten)]
    pub action: Action,
    pub updates: Vec<ActionUpdate>,
}

/// An organisme's actions, open and overdue first.
#[utoipa::path(operation_id = "list_actions", get, path = "/api/v1/actions", tag = "actions", params(super::Paging, ActionParams),
    responses((status = 200, body = ActionList), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    params: web::Query<ActionParams>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let key = params.into_inner().organisation;
    let items = api
        .run(move |conn, user| {
            Ok(service::list(conn, user, &key, chrono::Utc::now().date_naive())?.1)
        })
        .await?;
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(ActionList {
        items,
        total,
        page,
        per_page,
    }))
}

#[utoipa::path(operation_id = "get_action", get, path = "/api/v1/actions/{id}", tag = "actions", params(("id" = String, Path)),
    responses((status = 200, body = ActionDetail), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let detail = api
        .run(move |conn, user| {
            let (found, _) = service::open(conn, user, &id)?;
            Ok(ActionDetail {
                updates: action::updates(conn, &found.id)?,
                action: found,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Updates an action from the version read, with an optional progress note: the
/// organisme's quality manager, or an auditor (who alone may judge it effective or not).
#[utoipa::path(operation_id = "update_action", put, path = "/api/v1/actions/{id}", tag = "actions", params(("id" = String, Path)),
    request_body = ActionPayload,
    responses((status = 200, body = Action), (status = 409, description = "stale version: {error, current}"), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    api: ApiCtx,
    path: web::Path<String>,
    payload: super::body::Body<ActionPayload>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = ActionForm::from(payload.into_inner());
    let lookup = id.clone();
    let saved = api
        .run(move |conn, user| service::update(conn, user, &id, &form))
        .await;
    match saved {
        Ok(updated) => Ok(HttpResponse::Ok().json(updated)),
        Err(AppError::Conflict) => {
            let current = api
                .run(move |conn, user| Ok(service::open(conn, user, &lookup)?.0))
                .await?;
            Ok(HttpResponse::Conflict().json(serde_json::json!({
                "error": crate::i18n::t(crate::i18n::DEFAULT_LANG, "error-conflict"),
                "current": current,
            })))
        }
        Err(other) => Err(other),
    }
}
