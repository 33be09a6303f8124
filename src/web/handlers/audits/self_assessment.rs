//! The organisme's self-assessment of an audit's requirements, on its own screen: how far it
//! has gone (in all and per theme), what is left, what no document supports yet, and one
//! form per requirement with the documents the library offers for it. It works without
//! JavaScript: each save comes back here, at its requirement, with a message.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::finding_parts::{Row, rights};
use super::findings::{shared_of, themes_by_reference};
use crate::db::parse_id;
use crate::domain::readiness;
use crate::error::AppError;
use crate::models::audit;
use crate::models::finding::{self, Finding};
use crate::models::framework as framework_model;
use crate::services::audits;
use crate::web::page::Ctx;

/// `filtre`: `a-faire` (not yet self-assessed), `sans-document`, or everything.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SelfQuery {
    pub filtre: String,
}

/// A theme's progress: its reference and title, and how many of its requirements are done.
#[derive(Debug, Serialize)]
struct ThemeProgress {
    reference: String,
    title: String,
    done: usize,
    total: usize,
    percent: u32,
}

fn self_assessed(finding: Option<&Finding>) -> bool {
    finding.is_some_and(|f| f.self_level.is_some())
}

pub async fn show(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<SelfQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let query = query.into_inner();
    let kept = ctx.state.audit_shared.clone();
    let filter = query.filtre.clone();
    let (user, data) = ctx
        .user_run(move |conn, user| {
            let (found, organisation) = audits::open_working(conn, user, &id)?;
            let team = audit::team(conn, &found.id)?;
            let allowed = rights(user, &found, &team);
            let shared = shared_of(conn, &kept, &found)?;
            let requirements = framework_model::requirements(conn, &found.framework_id)?;
            let findings: HashMap<String, Finding> = finding::findings_of(conn, &found.id)?
                .into_iter()
                .map(|f| (f.requirement_ref.clone(), f))
                .collect();
            let tree: Vec<(&str, Option<&str>)> = requirements
                .iter()
                .map(|r| (r.reference.as_str(), r.parent_ref.as_deref()))
                .collect();
            let assessed: HashSet<String> = readiness::assessed_one_by_one(&tree)
                .into_iter()
                .map(ToOwned::to_owned)
                .collect();
            let theme_of: HashMap<String, String> = themes_by_reference(&requirements)
                .into_iter()
                .map(|(r, t)| (r.to_owned(), t.to_owned()))
                .collect();
            let mut themes: Vec<ThemeProgress> = requirements
                .iter()
                .filter(|r| r.parent_ref.is_none())
                .map(|r| ThemeProgress {
                    reference: r.reference.clone(),
                    title: r.title.clone(),
                    done: 0,
                    total: 0,
                    percent: 0,
                })
                .collect();
            let mut rows = Vec::new();
            let (mut done, mut total, mut undocumented) = (0, 0, 0);
            for requirement in requirements
                .iter()
                .filter(|r| assessed.contains(&r.reference))
            {
                let stored = findings.get(&requirement.reference);
                let mut row = Row::new(&shared, requirement.clone(), stored.cloned());
                row.theme = theme_of
                    .get(&requirement.reference)
                    .cloned()
                    .unwrap_or_default();
                let is_done = self_assessed(stored);
                // Documents the library says support it, or linked to it in a save.
                let has_document = !row.offered.is_empty();
                total += 1;
                done += usize::from(is_done);
                undocumented += usize::from(!has_document);
                if let Some(theme) = themes.iter_mut().find(|t| t.reference == row.theme) {
                    theme.total += 1;
                    theme.done += usize::from(is_done);
                }
                let shown = match filter.as_str() {
                    "a-faire" => !is_done,
                    "sans-document" => !has_document,
                    _ => true,
                };
                if shown {
                    rows.push(row);
                }
            }
            themes.retain(|t| t.total > 0);
            for theme in &mut themes {
                theme.percent = readiness::percent(theme.done, theme.total);
            }
            let mut page = tera::Context::new();
            page.insert("audit", &found);
            page.insert("organisation", &organisation);
            page.insert("rights", &allowed);
            shared.insert(&mut page);
            page.insert("rows", &rows);
            page.insert("themes", &themes);
            page.insert("done", &done);
            page.insert("total", &total);
            page.insert("undocumented", &undocumented);
            page.insert("percent", &readiness::percent(done, total));
            Ok(page)
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    page.insert("filtre", &query.filtre);
    ctx.render("audits/self_assessment.html", &page)
}
