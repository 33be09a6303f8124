//! `/api/v1/frameworks`: framework versions, and one version in full (tree, indicators,
//! grades, cycle, mappings).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::ApiCtx;
use crate::db::parse_id;
use crate::error::AppError;
use crate::models::framework::{
    self as model, FrameworkSummary, GradeRow, IndicatorRow, RequirementRow,
};

#[derive(Serialize, utoipa::ToSchema)]
pub struct FrameworkList {
    pub items: Vec<FrameworkSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MappingOut {
    pub framework: String,
    pub version: String,
    #[serde(rename = "ref")]
    pub reference: String,
    /// equivalent, partial or related
    pub relation: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(no_recursion)]
pub struct RequirementNode {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub guidance: Option<String>,
    pub evidence: Vec<String>,
    pub indicators: Vec<String>,
    pub applicability: Option<String>,
    pub to_confirm: bool,
    pub mappings: Vec<MappingOut>,
    pub children: Vec<RequirementNode>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FrameworkDetail {
    #[serde(flatten)]
    pub summary: FrameworkSummary,
    pub description: String,
    /// The cycle as in the framework file (`[cycle]`)
    #[schema(value_type = Object)]
    pub cycle: serde_json::Value,
    pub grades: Vec<GradeRow>,
    pub indicators: Vec<IndicatorRow>,
    pub requirements: Vec<RequirementNode>,
}

/// Framework versions the token's user may see (shared ones and their organismes' charters).
#[utoipa::path(operation_id = "list_frameworks", get, path = "/api/v1/frameworks", tag = "frameworks",
    responses((status = 200, body = FrameworkList), (status = 401, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    api: ApiCtx,
    paging: web::Query<super::Paging>,
) -> Result<HttpResponse, AppError> {
    let items = api
        .run(|conn, user| model::list(conn, &user.scope()))
        .await?;
    let (items, total, page, per_page) = super::page_of(items, &paging);
    Ok(HttpResponse::Ok().json(FrameworkList {
        items,
        total,
        page,
        per_page,
    }))
}

/// One framework version with its full requirement tree.
#[utoipa::path(operation_id = "get_framework", get, path = "/api/v1/frameworks/{id}", tag = "frameworks",
    params(("id" = String, Path)),
    responses((status = 200, body = FrameworkDetail), (status = 404, body = super::docs::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(api: ApiCtx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let detail = api
        .run(move |conn, user| {
            let framework = model::find(conn, &user.scope(), &id)?;
            let requirements = model::requirements(conn, &framework.id)?;
            let (own, towards) = model::mappings(conn, &framework)?;
            let mut links: Vec<(String, MappingOut)> = own
                .into_iter()
                .map(|m| {
                    (
                        m.from_ref,
                        MappingOut {
                            framework: m.to_code,
                            version: m.to_version,
                            reference: m.to_ref,
                            relation: m.relation,
                        },
                    )
                })
                .collect();
            for (m, code, version) in towards {
                if !links.iter().any(|(from, l)| {
                    *from == m.to_ref && l.framework == code && l.reference == m.from_ref
                }) {
                    links.push((
                        m.to_ref,
                        MappingOut {
                            framework: code,
                            version,
                            reference: m.from_ref,
                            relation: m.relation,
                        },
                    ));
                }
            }
            let tree = build_tree(&requirements, &mut links, None);
            Ok(FrameworkDetail {
                summary: model::summary(conn, &framework.id)?,
                description: framework.description.clone(),
                cycle: serde_json::from_str(&framework.cycle).map_err(AppError::unexpected)?,
                grades: model::grades(conn, &framework.id)?,
                indicators: model::indicators(conn, &framework.id)?,
                requirements: tree,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

fn build_tree(
    all: &[RequirementRow],
    links: &mut Vec<(String, MappingOut)>,
    parent: Option<&str>,
) -> Vec<RequirementNode> {
    all.iter()
        .filter(|r| r.parent_ref.as_deref() == parent)
        .map(|r| {
            let mut mappings = Vec::new();
            let mut i = 0;
            while i < links.len() {
                if links[i].0 == r.reference {
                    mappings.push(links.remove(i).1);
                } else {
                    i += 1;
                }
            }
            RequirementNode {
                reference: r.reference.clone(),
                title: r.title.clone(),
                guidance: r.guidance.clone(),
                evidence: serde_json::from_str(&r.evidence).unwrap_or_default(),
                indicators: serde_json::from_str(&r.indicator_codes).unwrap_or_default(),
                applicability: r.applicability.clone(),
                to_confirm: r.to_confirm,
                mappings,
                children: build_tree(all, links, Some(&r.reference)),
            }
        })
        .collect()
}
