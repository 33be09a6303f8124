//! `/api/v1/audits`: audits the token's user may see and their findings (written with the
//! version read, 409 when stale).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ApiCtx;
use crate::db::parse_id;
use crate::error::AppError;
use crate::models::audit::{self, Audit};
use crate::models::finding::{self, Finding, FindingContent, Part, Saved};
use crate::models::history::Actor;
use crate::services::audits;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// A commitment id
    commitment: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AuditList {
    pub items: Vec<Audit>,
    pub total: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FindingList {
    pub items: Vec<Finding>,
    pub total: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FindingPayload {
    /// A grade code of the audit's framework version; empty or absent means not assessed
    pub grade_code: Option<String>,
    pub finding: String,
    pub evidence_seen: String,
    /// The sites concerned (ids of the organisme's sites)
    pub site_ids: Vec<String>,
    /// The documents of the organisme's evidence library seen (ids)
    pub evidence_ids: Vec<String>,
    /// The version read (0 for a requirement never saved)
    pub version: i32,
}

fn total<T>(items: &[T]) -> i64 {
    i64::try_from(items.len()).unwrap_or(i64::MAX)
}

/// Audits of one commitment, or those the token's user runs.
#[utoipa::path(get, path = "/api/v1/audits", tag = "audits", params(AuditParams),
    responses((status = 200, body = AuditList), (status = 401, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(api: ApiCtx, params: web::Query<AuditParams>) -> Result<HttpResponse, AppError> {
    let commitment = params.into_inner().commitment;
    let items = api
        .run(move |conn, user| match commitment {
            Some(id) => {
                let (found, _) =
                    crate::models::commitment::find(conn, &user.scope(), &parse_id(&id)?)?;
                audit::list_for_commitment(conn, &found.id)
            }
            None => audit::list_for_auditor(conn, &user.id),
        })
        .await?;
    Ok(HttpResponse::Ok().json(AuditList {
        total: total(&items),
        items,
    }))
}

#[utoipa::path(get, path = "/api/v1/audits/{id}", tag = "audits", params(("id" = String, Path)),
    responses((status = 200, body = Audit), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (found, _) = api
        .run(move |conn, user| audits::open(conn, user, &id))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(get, path = "/api/v1/audits/{id}/findings", tag = "audits", params(("id" = String, Path)),
    responses((status = 200, body = FindingList), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn findings(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let items = api
        .run(move |conn, user| {
            let (found, _) = audits::open_working(conn, user, &id)?;
            finding::findings_of(conn, &found.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(FindingList {
        total: total(&items),
        items,
    }))
}

/// Writes the finding of one requirement (the audit's lead or team); a save from a stale
/// version answers 409 with the stored finding, a repeated save is harmless.
#[utoipa::path(put, path = "/api/v1/audits/{id}/findings/{ref}", tag = "audits",
    params(("id" = String, Path), ("ref" = String, Path, description = "Requirement reference")),
    request_body = FindingPayload,
    responses((status = 200, body = Finding), (status = 409, description = "stale version: {error, current}"), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_finding(
    api: ApiCtx,
    path: web::Path<(String, String)>,
    payload: web::Json<FindingPayload>,
) -> Result<HttpResponse, AppError> {
    let (id, reference) = path.into_inner();
    let id = parse_id(&id)?;
    let p = payload.into_inner();
    let content = FindingContent {
        grade_code: p.grade_code.filter(|g| !g.trim().is_empty()),
        finding: p.finding,
        evidence_seen: p.evidence_seen,
        site_ids: p.site_ids,
        evidence_ids: p.evidence_ids,
    };
    let saving = api
        .run(move |conn, user| {
            let part = Part::Finding(content);
            audits::save(conn, user, &id, &reference, p.version, part, |_, _, _| {
                Ok(())
            })
        })
        .await?;
    Ok(match saving.saved {
        Saved::Stored(finding) => HttpResponse::Ok().json(finding),
        Saved::Conflict(current) => HttpResponse::Conflict().json(serde_json::json!({
            "error": crate::i18n::t(crate::i18n::DEFAULT_LANG, "error-conflict"),
            "current": current,
        })),
    })
}

/// The audit's report as PDF (not for observers); its fingerprint is also in the
/// `X-Report-Fingerprint` header.
#[utoipa::path(get, path = "/api/v1/audits/{id}/report.pdf", tag = "audits", params(("id" = String, Path)),
    responses((status = 200, description = "the report, application/pdf"), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn report(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let rendered = api.state().reports.clone();
    let (issued, actor) = api
        .run(move |conn, user| {
            let (found, _) = audits::open_working(conn, user, &id)?;
            let lang = user
                .locale
                .as_deref()
                .and_then(crate::i18n::Lang::parse)
                .unwrap_or(crate::i18n::DEFAULT_LANG);
            let issued = crate::services::reports::issue(conn, &rendered, &found.id, lang)?;
            Ok((issued, Actor::user(&user.id, &user.email)))
        })
        .await?;
    let issued = crate::services::reports::record_if_new(&api.state().db, actor, issued).await?;
    Ok(crate::web::files::pdf_response(&issued))
}
