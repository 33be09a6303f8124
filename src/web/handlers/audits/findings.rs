//! The findings screen: the whole requirement tree of the audit's framework version, one
//! row per requirement with the organisme's self-assessment beside the auditor's grading.
//! Each row saves on its own (htmx, or a plain form without JavaScript); a save made from a
//! stale version shows both versions instead of overwriting.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::finding_parts::{FindingForm, Rights, Row, Shared, SharedKey, add_named, rights};
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::clock::Reach;
use crate::db::{DbConnection, parse_id};
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::audit::{self, Audit};
use crate::models::finding::{self, Finding, FindingContent, Part, Saved};
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
    /// A top-level requirement: its theme
    pub theme: String,
    /// Words of the reference or title, accents and case ignored
    pub q: String,
}

fn folded(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// Above this many rows, rows show a summary and open their forms on demand: a 300-row
/// screen then weighs a tenth as much (docs/BENCHMARKS.md).
const INLINE_FORMS: usize = 40;

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

/// A findings screen as kept until the next write: everything but what belongs to the
/// request (the audit's row, the session's token and user). A long screen's rows are kept
/// rendered: as summaries they carry no form, so nothing of the session (300 rows took most
/// of the screen's time to lay out).
pub struct Screen {
    page: Context,
    rows_html: Option<String>,
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

fn screen(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    query: &ScreenQuery,
    state: &AppState,
    lang: Lang,
) -> Result<Context, AppError> {
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
        build_screen(conn, &found, allowed, query, &state.templates, lang)
    })?;
    let mut page = kept.page.clone();
    if let Some(rows) = &kept.rows_html {
        page.insert("rows_html", rows);
    }
    page.insert("rights", &allowed);
    page.insert("audit", &found);
    page.insert("organisation", &organisation);
    Ok(page)
}

fn build_screen(
    conn: &mut DbConnection,
    found: &Audit,
    allowed: Rights,
    query: &ScreenQuery,
    templates: &Templates,
    lang: Lang,
) -> Result<Screen, AppError> {
    let requirements = framework_model::requirements(conn, &found.framework_id)?;
    let shared = Shared::load(conn, found)?;
    let findings: HashMap<String, Finding> = finding::findings_of(conn, &found.id)?
        .into_iter()
        .map(|f| (f.requirement_ref.clone(), f))
        .collect();
    let theme_of = themes_by_reference(&requirements);
    let nonconformities: Vec<&str> = shared
        .grades
        .iter()
        .filter(|g| g.nonconformity)
        .map(|g| g.code.as_str())
        .collect();
    let assessed = findings.values().filter(|f| f.grade_code.is_some()).count();
    let themes: Vec<(String, String)> = requirements
        .iter()
        .filter(|r| r.parent_ref.is_none())
        .map(|r| (r.reference.clone(), r.title.clone()))
        .collect();
    let words = folded(&query.q);
    let mut rows: Vec<Row> = requirements
        .iter()
        .filter(|r| query.theme.is_empty() || theme_of[r.reference.as_str()] == query.theme)
        .filter(|r| {
            words.is_empty() || {
                let text = folded(&format!("{} {}", r.reference, r.title));
                words.split_whitespace().all(|w| text.contains(w))
            }
        })
        .map(|r| (r, findings.get(&r.reference)))
        .filter(|(_, f)| match query.filtre.as_str() {
            "non-evalues" => f.is_none_or(|f| f.grade_code.is_none()),
            "nc" => f
                .and_then(|f| f.grade_code.as_deref())
                .is_some_and(|g| nonconformities.contains(&g)),
            _ => true,
        })
        .map(|(r, f)| Row::new(&shared, r.clone(), f.cloned()))
        .collect();
    let compact = rows.len() > INLINE_FORMS;
    for row in &mut rows {
        row.open = !compact;
        theme_of[row.requirement.reference.as_str()].clone_into(&mut row.theme);
    }
    let mut page = Context::new();
    page.insert("compact", &compact);
    page.insert("progress", &(assessed, requirements.len()));
    page.insert("themes", &themes);
    shared.insert(&mut page);
    page.insert("query", query);
    let rows_html = if compact {
        let mut fragment = page.clone();
        fragment.insert("rows", &rows);
        fragment.insert("rights", &allowed);
        fragment.insert("audit", found);
        fragment.insert("lang", lang.code());
        Some(templates.render("audits/finding_rows.html", &fragment)?)
    } else {
        page.insert("rows", &rows);
        None
    };
    Ok(Screen { page, rows_html })
}

pub async fn show_findings(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<ScreenQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let query = query.into_inner();
    let state = ctx.state.clone();
    let lang = ctx.lang(None);
    let (user, data) = ctx
        .user_run(move |conn, user| {
            // The page's language, as `ctx.page` will choose it.
            let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or(lang);
            screen(conn, user, &id, &query, &state, lang)
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("audits/findings.html", &page)
}

#[derive(Clone, Copy)]
enum Kind {
    Finding,
    SelfAssessment,
}

/// The row's requirement, what rows share and the user's rights, for rendering a row.
struct RowData {
    found: Audit,
    allowed: Rights,
    requirement: RequirementRow,
    shared: Arc<Shared>,
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

fn row_data(
    conn: &mut DbConnection,
    kept: &Memo<SharedKey, Shared>,
    user: &CurrentUser,
    found: Audit,
    reference: &str,
) -> Result<RowData, AppError> {
    let team = audit::team(conn, &found.id)?;
    let shared = shared_of(conn, kept, &found)?;
    assemble(conn, user, found, reference, &team, shared)
}

/// A row's data from what the caller already loaded (a save needs the team and what rows
/// share before writing; a save changes neither).
fn assemble(
    conn: &mut DbConnection,
    user: &CurrentUser,
    found: Audit,
    reference: &str,
    team: &[String],
    shared: Arc<Shared>,
) -> Result<RowData, AppError> {
    let allowed = rights(user, &found, team);
    let requirement = framework_model::requirement(conn, &found.framework_id, reference)?;
    Ok(RowData {
        found,
        allowed,
        requirement,
        shared,
    })
}

/// Saves the part of the row named by `kind` through the one use case pages and API share,
/// then lays the row out again from the audit and team it was saved on.
fn write_row(
    conn: &mut DbConnection,
    kept: &Memo<SharedKey, Shared>,
    user: &CurrentUser,
    id: &str,
    reference: &str,
    form: &FindingForm,
    kind: Kind,
) -> Result<(RowData, Saved), AppError> {
    let (part, named) = match kind {
        Kind::Finding => (Part::Finding(form.content()), &form.evidence_add),
        Kind::SelfAssessment => (
            Part::SelfAssessment(form.self_content()),
            &form.self_evidence_add,
        ),
    };
    let add_field = match kind {
        Kind::Finding => "evidence_add",
        Kind::SelfAssessment => "self_evidence_add",
    };
    let mut shared = None;
    let saving = audits::save(
        conn,
        user,
        id,
        reference,
        form.version,
        part,
        |conn, found, part| {
            // A document typed by its title joins the chosen ones (what rows share knows titles).
            let rows = shared_of(conn, kept, found)?;
            add_named(&rows, part.evidence_ids_mut(), named, add_field)?;
            shared = Some(rows);
            Ok(())
        },
    )?;
    let shared = match shared {
        Some(rows) => rows,
        None => shared_of(conn, kept, &saving.audit)?,
    };
    Ok((
        assemble(conn, user, saving.audit, reference, &saving.team, shared)?,
        saving.saved,
    ))
}

async fn save(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    let (id, reference) = path.into_inner();
    let id = parse_id(&id)?;
    let form = FindingForm::from_fields(form.into_inner());
    let htmx = req.headers().contains_key("HX-Request");
    let attempted = form.content();
    let (lookup, wanted) = (id.clone(), reference.clone());
    let kept = ctx.state.audit_shared.clone();
    let again = kept.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| write_row(conn, &kept, user, &lookup, &wanted, &form, kind))
        .await?;
    let lang = ctx.lang(Some(&user));
    let (data, saved) = match attempt {
        Ok(done) => done,
        Err(AppError::Validation(fields)) if htmx => {
            // Shown again with what was typed, and why it was refused: nothing typed is lost.
            let wanted = reference.clone();
            let (_, (data, stored)) = ctx
                .user_run(move |conn, user| {
                    let (found, _) = audits::open_working(conn, user, &id)?;
                    let stored = finding::findings_of(conn, &found.id)?
                        .into_iter()
                        .find(|f| f.requirement_ref == wanted);
                    Ok((row_data(conn, &again, user, found, &wanted)?, stored))
                })
                .await?;
            let message = i18n::field_messages(lang, &fields)
                .into_values()
                .collect::<Vec<_>>()
                .join(" ");
            return render_row(
                &ctx,
                &user,
                data,
                stored,
                Some(attempted),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(message)),
                false,
            );
        }
        Err(other) => return Err(other),
    };
    if !htmx {
        // Without htmx the screen the form came from is shown again at its requirement: the
        // self-assessment has its own screen.
        let (conflict, saved_key, screen) = match kind {
            Kind::Finding => ("flash-finding-conflict", "flash-finding-saved", "constats"),
            Kind::SelfAssessment => ("flash-self-conflict", "flash-self-saved", "autoevaluation"),
        };
        if matches!(saved, Saved::Conflict(_)) {
            ctx.flash(FlashKind::Error, conflict);
        } else {
            ctx.flash(FlashKind::Success, saved_key);
        }
        return Ok(see_other(&format!(
            "/audits/{}/{screen}#req-{reference}",
            data.found.id
        )));
    }
    match saved {
        Saved::Stored(finding) => render_row(
            &ctx,
            &user,
            data,
            Some(finding),
            None,
            (StatusCode::OK, None),
            true,
        ),
        Saved::Conflict(current) => render_row(
            &ctx,
            &user,
            data,
            Some(current),
            Some(attempted),
            (StatusCode::CONFLICT, None),
            false,
        ),
    }
}

/// One row as htmx swaps it in: saved, refused as stale (both versions), or invalid.
fn render_row(
    ctx: &Ctx,
    user: &CurrentUser,
    data: RowData,
    stored: Option<Finding>,
    attempted: Option<FindingContent>,
    outcome: (StatusCode, Option<String>),
    saved_now: bool,
) -> Result<HttpResponse, AppError> {
    let (status, error) = outcome;
    let conflict = (status == StatusCode::CONFLICT)
        .then(|| stored.clone())
        .flatten();
    let mut row = Row::new(&data.shared, data.requirement, stored);
    row.conflict = conflict;
    row.attempted = attempted;
    row.saved_now = saved_now;
    let mut page = ctx.page(Some(user), "organisations");
    page.insert("audit", &data.found);
    page.insert("rights", &data.allowed);
    data.shared.insert(&mut page);
    page.insert(
        "saved_at",
        &chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .format("%H:%M")
            .to_string(),
    );
    page.insert("row", &row);
    if let Some(error) = error {
        page.insert("row_error", &error);
    }
    ctx.render_status(status, "audits/finding_row.html", &page)
}

/// One row with its forms open (htmx, from a summary row); without JavaScript, the theme's
/// page, where forms are always open.
pub async fn open_row(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, reference) = path.into_inner();
    let id = parse_id(&id)?;
    let kept = ctx.state.audit_shared.clone();
    let (user, (data, stored, theme)) = ctx
        .user_run(move |conn, user| {
            let (found, _) = audits::open_working(conn, user, &id)?;
            let requirements = framework_model::requirements(conn, &found.framework_id)?;
            let theme = themes_by_reference(&requirements)
                .get(reference.as_str())
                .map(|t| (*t).to_owned())
                .ok_or(AppError::NotFound)?;
            let stored = finding::findings_of(conn, &found.id)?
                .into_iter()
                .find(|f| f.requirement_ref == reference);
            Ok((
                row_data(conn, &kept, user, found, &reference)?,
                stored,
                theme,
            ))
        })
        .await?;
    if !req.headers().contains_key("HX-Request") {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("theme", &theme)
            .finish();
        return Ok(see_other(&format!(
            "/audits/{}/constats?{query}#req-{}",
            data.found.id, data.requirement.reference
        )));
    }
    render_row(
        &ctx,
        &user,
        data,
        stored,
        None,
        (StatusCode::OK, None),
        false,
    )
}

pub async fn save_finding(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(ctx, req, path, form, Kind::Finding).await
}

pub async fn save_self_assessment(
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(ctx, req, path, form, Kind::SelfAssessment).await
}
