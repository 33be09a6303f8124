//! The findings workspace: the requirement tree of the audit's framework version (themes,
//! a grade badge per line, progress) beside the one requirement being worked on, with the
//! organisme's self-assessment above the auditor's grading. Each requirement saves on its
//! own (htmx, or a plain form without JavaScript); a save made from a stale version shows
//! both versions instead of overwriting.

use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::finding_parts::{Rights, Row, Shared, SharedKey, rights};
use super::tree::{self, Show, Tree};
use tera::Context;

use crate::auth::CurrentUser;
use crate::db::clock::Reach;
use crate::db::{DbConnection, parse_id};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::audit::{self, Audit};
use crate::models::finding::{self, Finding};
use crate::models::framework::{self as framework_model, RequirementRow};
use crate::services::audits;
use crate::services::memo::{self, AuditKey, Memo};
use crate::startup::AppState;
use crate::web::page::{Ctx, see_other};
use crate::web::templates::Templates;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(default)]
pub struct ScreenQuery {
    /// `non-evalues` or `nc`
    pub filtre: String,
    /// Words of the reference or title, accents and case ignored
    pub q: String,
}

impl ScreenQuery {
    /// The filters as an address's query, for the tree's links.
    fn encoded(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.filtre.is_empty() {
            query.append_pair("filtre", &self.filtre);
        }
        if !self.q.trim().is_empty() {
            query.append_pair("q", self.q.trim());
        }
        query.finish()
    }
}

/// The requirement asked for, beside the filters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Selection {
    pub exigence: String,
}

/// The top-level requirement above each requirement.
pub(super) fn themes_by_reference(requirements: &[RequirementRow]) -> HashMap<&str, &str> {
    let parents: HashMap<&str, Option<&str>> = requirements
        .iter()
        .map(|r| (r.reference.as_str(), r.parent_ref.as_deref()))
        .collect();
    requirements
        .iter()
        .map(|r| {
            let mut current = r.reference.as_str();
            while let Some(Some(parent)) = parents.get(current) {
                current = parent;
            }
            (r.reference.as_str(), current)
        })
        .collect()
}

/// A workspace as kept until the next write: the tree laid out (it carries nothing of the
/// session), the rows it is made of, and the page's values that do not belong to the request.
pub struct Screen {
    page: Context,
    tree: Tree,
    tree_html: String,
    requirements: HashMap<String, RequirementRow>,
    findings: HashMap<String, Finding>,
}

/// Every dimension of a kept screen: the audit, what the reader may write, the filters and
/// the language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScreenKey {
    audit: AuditKey,
    rights: Rights,
    query: ScreenQuery,
    lang: Lang,
}

impl memo::Key for ScreenKey {
    fn reach(&self) -> Reach<'_> {
        self.audit.reach()
    }
}

/// The kept workspace of an audit for this reader and these filters, with the audit's row.
fn screen(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    query: &ScreenQuery,
    state: &AppState,
    lang: Lang,
) -> Result<(Arc<Screen>, Audit, Context), AppError> {
    let (found, organisation) = audits::open_working(conn, user, id)?;
    let team = audit::team(conn, &found.id)?;
    let allowed = rights(user, &found, &team);
    let key = ScreenKey {
        audit: AuditKey::of(&found),
        rights: allowed,
        query: query.clone(),
        lang,
    };
    let kept = state.screens.get_or_compute(conn, key, |conn| {
        build_screen(conn, &found, query, &state.templates, lang)
    })?;
    let mut page = kept.page.clone();
    page.insert("rights", &allowed);
    page.insert("submittable", &found.state().submittable());
    page.insert("audit", &found);
    page.insert("organisation", &organisation);
    Ok((kept, found, page))
}

fn build_screen(
    conn: &mut DbConnection,
    found: &Audit,
    query: &ScreenQuery,
    templates: &Templates,
    lang: Lang,
) -> Result<Screen, AppError> {
    let requirements = framework_model::requirements(conn, &found.framework_id)?;
    let grades = framework_model::grades(conn, &found.framework_id)?;
    let findings: HashMap<String, Finding> = finding::findings_of(conn, &found.id)?
        .into_iter()
        .map(|f| (f.requirement_ref.clone(), f))
        .collect();
    let tree = tree::build(
        &requirements,
        &findings,
        &grades,
        Show::parse(&query.filtre),
        &query.q,
    );
    // Counts for the filter tabs: every line, not graded, nonconformities.
    let open = requirements.len() - tree.done;
    let nonconformities = findings
        .values()
        .filter(|f| {
            f.grade_code
                .as_deref()
                .is_some_and(|code| grades.iter().any(|g| g.code == code && g.nonconformity))
        })
        .count();
    let mut page = Context::new();
    page.insert("progress", &(tree.done, tree.total));
    // The filter tabs, each keeping the search: (filter, its words' key, count, query).
    let tabs: Vec<(&str, &str, usize, String)> = [
        ("", "findings-filter-all", tree.total),
        ("non-evalues", "findings-filter-open-count", open),
        ("nc", "findings-filter-nc-count", nonconformities),
    ]
    .into_iter()
    .map(|(filter, key, count)| {
        let tab = ScreenQuery {
            filtre: filter.to_owned(),
            q: query.q.clone(),
        };
        (filter, key, count, tab.encoded())
    })
    .collect();
    page.insert("tabs", &tabs);
    page.insert("query", query);
    page.insert("base_query", &query.encoded());
    let mut fragment = page.clone();
    fragment.insert("tree", &tree);
    fragment.insert("audit_id", &found.id);
    fragment.insert("lang", lang.code());
    let tree_html = templates.render("audits/tree.html", &fragment)?;
    Ok(Screen {
        page,
        tree,
        tree_html,
        requirements: requirements
            .into_iter()
            .map(|r| (r.reference.clone(), r))
            .collect(),
        findings,
    })
}

/// The tree as laid out, its line for `reference` marked as the one shown.
fn marked(tree_html: &str, reference: &str) -> String {
    let line = format!("id=\"tree-{reference}\"");
    tree_html.replacen(&line, &format!("{line} aria-current=\"true\""), 1)
}

/// The pane of one requirement: the row, and the lines before and after it in the tree.
fn pane(
    page: &mut Context,
    kept: &Screen,
    shared: &Shared,
    reference: &str,
) -> Result<(), AppError> {
    let requirement = kept
        .requirements
        .get(reference)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let (before, after) = kept.tree.around(reference);
    page.insert("previous", &before);
    page.insert("next", &after);
    page.insert(
        "row",
        &Row::new(shared, requirement, kept.findings.get(reference).cloned()),
    );
    shared.insert(page);
    Ok(())
}

pub async fn show_findings(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<ScreenQuery>,
    selection: web::Query<Selection>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let query = query.into_inner();
    let asked = selection.into_inner().exigence;
    let state = ctx.state.clone();
    let lang = ctx.lang(None);
    let (user, data) = ctx
        .user_run(move |conn, user| {
            // The page's language, as `ctx.page` will choose it.
            let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
            let (kept, found, mut page) = screen(conn, user, &id, &query, &state, lang)?;
            let chosen = kept
                .tree
                .selected(Some(asked.as_str()).filter(|a| !a.is_empty()))
                .map(|l| l.reference.clone());
            match &chosen {
                Some(reference) => {
                    let shared = shared_of(conn, &state.audit_shared, &found)?;
                    pane(&mut page, &kept, &shared, reference)?;
                    page.insert("tree_html", &marked(&kept.tree_html, reference));
                }
                None => page.insert("tree_html", &kept.tree_html),
            }
            page.insert("chosen", &!asked.is_empty());
            Ok(page)
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("audits/findings.html", &page)
}

/// What the audit's rows share, kept until the next write: a row opened or saved again (a
/// retry) does not read the organisme's library, grades and sites again.
pub(super) fn shared_of(
    conn: &mut DbConnection,
    kept: &Memo<SharedKey, Shared>,
    found: &Audit,
) -> Result<Arc<Shared>, AppError> {
    let key = SharedKey {
        audit: AuditKey::of(found),
        today: chrono::Utc::now().date_naive(),
    };
    kept.get_or_compute(conn, key, |conn| Shared::load(conn, found))
}

/// One requirement in the pane (htmx, from the tree, with the lines around it); without
/// JavaScript, the workspace opened on it.
pub async fn open_row(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<ScreenQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, reference) = path.into_inner();
    let id = parse_id(&id)?;
    let query = query.into_inner();
    if !req.headers().contains_key("HX-Request") {
        let mut address = query.encoded();
        if !address.is_empty() {
            address.push('&');
        }
        address.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .append_pair("exigence", &reference)
                .finish(),
        );
        // The requirement must exist: a wrong reference is a 404, not a redirect.
        let wanted = reference.clone();
        let lookup = id.clone();
        ctx.user_run(move |conn, user| {
            let (found, _) = audits::open_working(conn, user, &lookup)?;
            framework_model::requirement(conn, &found.framework_id, &wanted).map(|_| ())
        })
        .await?;
        return Ok(see_other(&format!("/audits/{id}/constats?{address}")));
    }
    let state = ctx.state.clone();
    let lang = ctx.lang(None);
    let (user, data) = ctx
        .user_run(move |conn, user| {
            let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
            let (kept, found, mut page) = screen(conn, user, &id, &query, &state, lang)?;
            let shared = shared_of(conn, &state.audit_shared, &found)?;
            pane(&mut page, &kept, &shared, &reference)?;
            Ok(page)
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("audits/pane.html", &page)
}

/// Where the audit stands after a save, for the parts of the workspace a save changes
/// beside its requirement: the progress, the requirement's tree line and its theme's count.
pub struct Standing {
    pub progress: (usize, usize),
    pub line: Option<tree::Line>,
    /// (theme, graded, total)
    pub theme: Option<(String, usize, usize)>,
}

pub(super) fn standing(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    state: &AppState,
    lang: Lang,
    reference: &str,
) -> Result<Standing, AppError> {
    let (kept, _, _) = screen(conn, user, id, &ScreenQuery::default(), state, lang)?;
    let found = kept.tree.themes.iter().find_map(|t| {
        t.lines
            .iter()
            .find(|l| l.reference == reference)
            .map(|l| (t, l))
    });
    Ok(Standing {
        progress: (kept.tree.done, kept.tree.total),
        line: found.map(|(_, l)| l.clone()),
        theme: found.map(|(t, _)| (t.reference.clone(), t.done, t.total)),
    })
}

/// The filters of the workspace a request came from (htmx names its page's address).
pub(super) fn filters_of(req: &HttpRequest) -> String {
    req.headers()
        .get("HX-Current-URL")
        .and_then(|v| v.to_str().ok())
        .and_then(|url| url.split_once('?').map(|(_, q)| q.to_owned()))
        .and_then(|q| serde_urlencoded::from_str::<ScreenQuery>(&q).ok())
        .map(|q| q.encoded())
        .unwrap_or_default()
}
