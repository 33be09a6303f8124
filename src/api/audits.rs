//! `/api/v1/audits`: audits the token's user may see and their findings (written with the
//! version read, 409 when stale).

use crate::reports::document::Format;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ApiCtx;
use crate::db::parse_id;
use crate::domain::policy;
use crate::error::AppError;
use crate::models::audit::{self, Audit, AuditFilter};
use crate::models::finding::{self, Finding, FindingContent, Part, Saved};
use crate::models::history::Actor;
use crate::models::organisation;
use crate::services::audits;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// A commitment id: its audits
    commitment: Option<String>,
    /// An organisme id or SIREN
    organisation: Option<String>,
    /// A framework code (`qualibail`, `iso-9001`…)
    framework: Option<String>,
    /// planned, preparation, on_site, drafted, submitted, decided, cancelled
    state: Option<String>,
    /// Audits ending on or after this day (YYYY-MM-DD)
    from: Option<chrono::NaiveDate>,
    /// Audits starting on or before this day (YYYY-MM-DD)
    to: Option<chrono::NaiveDate>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FindingList {
    pub items: Vec<Finding>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
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
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    #[serde(deserialize_with = "crate::api::body::whole_required")]
    pub version: i32,
}

/// The audits of the organismes the token's user sees (an auditor: those they lead or are on
/// the team of), newest first, filtered and paginated.
#[utoipa::path(operation_id = "list_audits", get, path = "/api/v1/audits", tag = "audits", params(AuditParams, super::Paging),
    responses((status = 200, body = inline(super::List<Audit>))),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    params: web::Query<AuditParams>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let p = params.into_inner();
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let (commitment, organisation) = (given(p.commitment), given(p.organisation));
    let mut filter = AuditFilter {
        organisation: None,
        framework: given(p.framework),
        state: given(p.state),
        from: p.from,
        to: p.to,
    };
    let listed = api
        .run(move |conn, user| {
            if let Some(key) = organisation {
                filter.organisation =
                    Some(organisation::find_by_key(conn, &user.scope(), &key)?.id);
            }
            let auditor = policy::sees_only_own_audits(user).then_some(user.id.as_str());
            let mut all = audit::list_in(conn, &user.scope(), auditor, &filter)?;
            if let Some(id) = commitment {
                let (found, _) =
                    crate::models::commitment::find(conn, &user.scope(), &parse_id(&id)?)?;
                all.retain(|a| a.commitment_id == found.id);
            }
            Ok(all)
        })
        .await?;
    let (items, total, page, per_page) = super::page_of(listed, &paging);
    Ok(HttpResponse::Ok().json(super::List {
        items,
        total,
        page,
        per_page,
    }))
}

#[utoipa::path(operation_id = "get_audit", get, path = "/api/v1/audits/{id}", tag = "audits", params(("id" = String, Path)),
    responses((status = 200, body = Audit), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (found, _) = api
        .run(move |conn, user| audits::open(conn, user, &id))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(operation_id = "list_findings", get, path = "/api/v1/audits/{id}/findings", tag = "audits", params(super::Paging, ("id" = String, Path)),
    responses((status = 200, body = FindingList), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn findings(
    api: ApiCtx,
    path: web::Path<String>,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let items = api
        .run(move |conn, user| {
            let (found, _) = audits::open_working(conn, user, &id)?;
            finding::findings_of(conn, &found.id)
        })
        .await?;
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(FindingList {
        items,
        total,
        page,
        per_page,
    }))
}

/// Writes the finding of one requirement (the audit's lead or team); a save from a stale
/// version answers 409 with the stored finding, a repeated save is harmless.
#[utoipa::path(operation_id = "save_finding", put, path = "/api/v1/audits/{id}/findings/{ref}", tag = "audits",
    params(("id" = String, Path), ("ref" = String, Path, description = "Requirement reference")),
    request_body = FindingPayload,
    responses((status = 200, body = Finding), (status = 409, description = "stale version: {error, current}"), (status = 422, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_finding(
    api: ApiCtx,
    path: web::Path<(String, String)>,
    payload: super::body::Body<FindingPayload>,
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
#[utoipa::path(operation_id = "get_audit_report", get, path = "/api/v1/audits/{id}/report.pdf", tag = "audits", params(("id" = String, Path)),
    responses((status = 200, description = "the report, application/pdf"), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn report(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    report_as(api, path, Format::Pdf).await
}

/// The audit's report as an OpenDocument text to adjust (the same sections and tables as
/// the PDF; not for observers); the fingerprint of the PDF it matches in
/// `X-Report-Fingerprint`.
#[utoipa::path(operation_id = "get_audit_report_odt", get, path = "/api/v1/audits/{id}/report.odt", tag = "audits", params(("id" = String, Path)),
    responses((status = 200, description = "the report, application/vnd.oasis.opendocument.text"), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn report_odt(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    report_as(api, path, Format::Odt).await
}

/// The audit's report as a Word document to adjust (the same sections and tables as the
/// PDF; not for observers).
#[utoipa::path(operation_id = "get_audit_report_docx", get, path = "/api/v1/audits/{id}/report.docx", tag = "audits", params(("id" = String, Path)),
    responses((status = 200, description = "the report, application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn report_docx(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    report_as(api, path, Format::Docx).await
}

async fn report_as(
    api: ApiCtx,
    path: web::Path<String>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let rendered = api.state().reports.clone();
    let (issued, actor) = api
        .run(move |conn, user| {
            let lang = crate::i18n::DEFAULT_LANG;
            let issued = crate::services::reports::issue_for(conn, &rendered, user, &id, lang)?;
            Ok((issued, Actor::user(&user.id, &user.email)))
        })
        .await?;
    let issued = crate::services::reports::record_if_new(&api.state().db, actor, issued).await?;
    crate::web::files::report_response(&issued, format)
}
