//! `/api/v1/organisations/{id}/evidence` and `/api/v1/evidence`: an organisme's evidence
//! library (list, multipart upload checked as on the pages), one document with its
//! revisions and supported requirements, and file downloads.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::ApiCtx;
use crate::db::parse_id;
use crate::domain::policy;
use crate::error::AppError;
use crate::error::ensure;
use crate::models::evidence::{self, EXPIRING_DAYS, Evidence, EvidenceFile, Support};
use crate::models::organisation;
use crate::services::evidence::{keep, open, open_file, record};
use crate::web::files::{attachment, receive};

/// A document with its current file and whether its validity is over or ends soon.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceSummary {
    #[serde(flatten)]
    pub item: Evidence,
    pub current_file: EvidenceFile,
    pub expired: bool,
    pub expiring: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceList {
    pub items: Vec<EvidenceSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A document with every revision (newest first) and the requirements it supports.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceDetail {
    #[serde(flatten)]
    pub item: Evidence,
    pub files: Vec<EvidenceFile>,
    pub requirements: Vec<Support>,
}

/// The multipart form of an upload: files, and what describes them (per framework, the
/// references they support go in fields `req:<framework code>`, separated by commas).
#[derive(utoipa::ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart form for the OpenAPI document"
)]
pub struct UploadForm {
    /// One or more files (PDF, office documents, images, text)
    #[schema(value_type = Vec<String>, format = Binary, min_items = 1)]
    files: Vec<Vec<u8>>,
    /// The document's title (with several files, each is named after its file)
    title: Option<String>,
    /// A site of the organisme
    site_id: Option<String>,
    /// YYYY-MM-DD
    effective_date: Option<chrono::NaiveDate>,
    /// YYYY-MM-DD
    valid_until: Option<chrono::NaiveDate>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    pub items: Vec<Evidence>,
    pub total: i64,
}

/// An organisme's documents, those whose validity ends first at the top.
#[utoipa::path(operation_id = "list_evidence", get, path = "/api/v1/organisations/{id}/evidence", tag = "evidence",
    params(super::Paging, ("id" = String, Path, description = "Organisme id or SIREN")),
    responses((status = 200, body = EvidenceList), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    path: web::Path<String>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let items = api
        .run(move |conn, user| {
            ensure(policy::sees_working_documents(user))?;
            let found = organisation::find_by_key(conn, &user.scope(), &key)?;
            evidence::list_for(conn, &found.id)
        })
        .await?;
    let today = chrono::Utc::now().date_naive();
    let soon = today + chrono::Duration::days(EXPIRING_DAYS);
    let items: Vec<EvidenceSummary> = items
        .into_iter()
        .map(|(item, current_file)| EvidenceSummary {
            expired: item.valid_until.is_some_and(|d| d < today),
            expiring: item.valid_until.is_some_and(|d| d >= today && d <= soon),
            item,
            current_file,
        })
        .collect();
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(EvidenceList {
        items,
        total,
        page,
        per_page,
    }))
}

/// Uploads documents as `multipart/form-data`: one or more `files` parts and optional
/// `title`, `site_id`, `effective_date`, `valid_until` and `req:<framework code>` fields
/// (references separated by commas). Every file is checked by its content; if one is
/// refused, nothing is stored.
#[utoipa::path(operation_id = "upload_evidence", post, path = "/api/v1/organisations/{id}/evidence", tag = "evidence",
    params(("id" = String, Path, description = "Organisme id or SIREN")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Uploaded), (status = 413, body = super::docs::ErrorBody), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    api: ApiCtx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    // The right to add documents is checked before any byte is stored.
    let check = key.clone();
    api.run(move |conn, user| {
        let found = organisation::find_by_key(conn, &user.scope(), &check)?;
        ensure(policy::may_add_evidence(user, &found.id))
    })
    .await?;
    let upload = receive(&api.state, payload, None).await?;
    keep(api.state.storage.as_ref(), &upload)?;
    let items = api
        .run(move |conn, user| {
            let found = organisation::find_by_key(conn, &user.scope(), &key)?;
            record(conn, user, &found.id, &upload)
        })
        .await?;
    Ok(HttpResponse::Created().json(Uploaded {
        total: i64::try_from(items.len()).unwrap_or(i64::MAX),
        items,
    }))
}

#[utoipa::path(operation_id = "get_evidence", get, path = "/api/v1/evidence/{id}", tag = "evidence", params(("id" = String, Path)),
    responses((status = 200, body = EvidenceDetail), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let detail = api
        .run(move |conn, user| {
            let (item, _) = open(conn, user, &id)?;
            Ok(EvidenceDetail {
                files: evidence::files(conn, &item.id)?,
                requirements: evidence::supports_of(conn, &item.id)?,
                item,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// One revision's file, as an attachment with the type recorded at upload.
#[utoipa::path(operation_id = "download_evidence_file", get, path = "/api/v1/evidence/files/{id}", tag = "evidence", params(("id" = String, Path)),
    responses((status = 200, description = "the file, as an attachment"), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn download(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let file = api
        .run(move |conn, user| Ok(open_file(conn, user, &id)?.0))
        .await?;
    let bytes = api
        .state
        .storage
        .read(&file.sha256)
        .map_err(AppError::unexpected)?;
    Ok(attachment(&file, bytes))
}
