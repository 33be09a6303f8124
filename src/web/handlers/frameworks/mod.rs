//! Frameworks: the list, a version's page (tree with search, indicators, cycle, grades,
//! crosswalk), its TOML source, uploading new versions, and an organisme's own charter.

pub mod view;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::domain::policy;
use crate::error::AppError;
use crate::error::ensure;
use crate::i18n;
use crate::models::framework::{self as model, Framework};
use crate::models::history::Actor;
use crate::models::organisation;
use crate::services::charters::{self, CharterEdit};
use crate::services::frameworks::{self as service, Ownership};
use crate::web::page::{Again, Ctx, see_other};
use view::{Crosswalk, TIMELINE_WIDTH};

/// Largest framework file accepted by the upload form.
const UPLOAD_LIMIT: usize = 2 * 1024 * 1024;

pub async fn list_frameworks(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (user, list) = ctx
        .user_run(|conn, user| model::list(conn, &user.scope()))
        .await?;
    let (shared, own): (Vec<_>, Vec<_>) =
        list.into_iter().partition(|f| f.organisation_id.is_none());
    let mut page = ctx.page(Some(&user), "frameworks");
    page.insert("shared", &shared);
    page.insert("charters", &own);
    page.insert("can_upload", &policy::may_import_frameworks(&user));
    ctx.render("frameworks/list.html", &page)
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    q: String,
}

pub async fn show_framework(
    ctx: Ctx,
    path: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (framework, requirements, indicators, grades, (own, towards), identities, versions)) =
        ctx.user_run(move |conn, user| {
            let framework = model::find(conn, &user.scope(), &id)?;
            let requirements = model::requirements(conn, &framework.id)?;
            let indicators = model::indicators(conn, &framework.id)?;
            let grades = model::grades(conn, &framework.id)?;
            let mappings = model::mappings(conn, &framework)?;
            let identities = model::identities(conn)?;
            let versions = charters::versions(conn, &framework.code)?;
            Ok((
                framework,
                requirements,
                indicators,
                grades,
                mappings,
                identities,
                versions,
            ))
        })
        .await?;
    let lang = ctx.lang(Some(&user));
    let crosswalk = Crosswalk {
        own: &own,
        towards: &towards,
        identities: &identities,
    };
    let (groups, matches) = view::groups(&requirements, &indicators, &crosswalk, &query.q);
    let cycle = view::cycle_view(&framework, lang).map_err(AppError::unexpected)?;
    let mut page = ctx.page(Some(&user), "frameworks");
    page.insert(
        "can_edit",
        &policy::may_edit_charter(&user, framework.organisation_id.as_deref()),
    );
    page.insert("framework", &framework);
    page.insert("groups", &groups);
    page.insert("q", &query.q);
    page.insert("matches", &matches);
    page.insert("indicators", &indicators);
    page.insert("grades", &grades);
    page.insert("cycle", &cycle);
    page.insert("timeline_width", &TIMELINE_WIDTH);
    page.insert("versions", &versions);
    page.insert("mappings_count", &(own.len() + towards.len()));
    ctx.render("frameworks/show.html", &page)
}

/// The TOML file of a version, as imported.
pub async fn framework_source(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (_, (framework, source)) = ctx
        .user_run(move |conn, user| {
            let framework = model::find(conn, &user.scope(), &id)?;
            let source = model::source(conn, &framework.id)?;
            Ok((framework, source))
        })
        .await?;
    let file_name = format!(
        "{}-{}.toml",
        framework.code,
        framework
            .version
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    Ok(crate::web::page::download(
        "application/toml; charset=utf-8",
        &file_name,
        source,
    ))
}

pub async fn upload_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (user, ()) = ctx
        .user_run(|_, user| {
            if policy::may_import_frameworks(user) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        })
        .await?;
    let page = ctx.page(Some(&user), "frameworks");
    ctx.render("frameworks/upload.html", &page)
}

/// Reads the uploaded files (field `files`, several allowed), each at most 2 MB of UTF-8.
async fn read_upload(
    mut payload: Multipart,
    pending: Option<&crate::web::files::PendingCsrf>,
) -> Result<Vec<(String, String)>, AppError> {
    crate::web::files::check_token(&mut payload, pending).await?;
    let mut files = Vec::new();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| AppError::BadRequest(e.to_string()))?;
        let Some(name) = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(ToOwned::to_owned)
        else {
            continue;
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
            if bytes.len() + chunk.len() > UPLOAD_LIMIT {
                return Err(AppError::BadRequest(format!(
                    "{name}: file larger than 2 MB"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        if name.is_empty() && bytes.is_empty() {
            continue;
        }
        // Only the base name is kept: a path-like name says nothing to the reader.
        let base = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_owned();
        let text = String::from_utf8(bytes)
            .map_err(|_| AppError::BadRequest(format!("{base}: not UTF-8 text")))?;
        files.push((base, text));
    }
    Ok(files)
}

pub async fn upload_frameworks(ctx: Ctx, payload: Multipart) -> Result<HttpResponse, AppError> {
    let files = read_upload(payload, ctx.pending_csrf().as_ref()).await?;
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            if !policy::may_import_frameworks(user) {
                return Err(AppError::Forbidden);
            }
            if files.is_empty() {
                return Err(AppError::Validation(crate::domain::FieldErrors::single(
                    "files",
                    crate::domain::Invalid::new("err-no-file"),
                )));
            }
            service::import(
                conn,
                &Actor::user(&user.id, &user.email),
                &files,
                &Ownership::default(),
            )
        })
        .await?;
    let lang = ctx.lang(Some(&user));
    let user_done = user.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalid,
        |report| {
            let mut page = ctx.page(Some(&user_done), "frameworks");
            page.insert("imported", &report.imported);
            page.insert("unchanged", &report.unchanged);
            let warnings: Vec<String> = report
                .warnings
                .iter()
                .map(|w| i18n::framework_error(lang, w))
                .collect();
            page.insert("warnings", &warnings);
            ctx.render("frameworks/upload.html", &page)
        },
        |error| async move {
            let mut page = ctx.page(Some(&user), "frameworks");
            if let AppError::FrameworkFiles(errors) = &error {
                let located: Vec<String> = errors
                    .iter()
                    .map(|e| i18n::framework_error(lang, e))
                    .collect();
                page.insert("located_errors", &located);
            }
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "frameworks/upload.html",
                &page,
            )
        },
    )
    .await
}

/// Creates the organisme's charter from the model (its quality manager or an administrator).
pub async fn create_charter(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            charters::create(conn, &Actor::user(&user.id, &user.email), &organisation)
        })
        .await?;
    match attempt {
        Ok(framework_id) => {
            ctx.flash(FlashKind::Success, "flash-charter-created");
            Ok(see_other(&format!("/referentiels/{framework_id}")))
        }
        Err(AppError::Conflict) => {
            ctx.flash(FlashKind::Info, "flash-charter-exists");
            Ok(see_other("/referentiels"))
        }
        Err(other) => Err(other),
    }
}

/// The latest version of a charter, which only the people who may edit it can change.
fn editable(
    conn: &mut crate::db::DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<
    (
        Framework,
        Vec<crate::models::framework::RequirementRow>,
        Vec<crate::models::framework::IndicatorRow>,
    ),
    AppError,
> {
    let framework = model::find(conn, &user.scope(), id)?;
    if !policy::may_edit_charter(user, framework.organisation_id.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let requirements = model::requirements(conn, &framework.id)?;
    let indicators = model::indicators(conn, &framework.id)?;
    Ok((framework, requirements, indicators))
}

pub async fn edit_charter_form(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, (framework, requirements, indicators)) = ctx
        .user_run(move |conn, user| editable(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "frameworks");
    page.insert("framework", &framework);
    page.insert("requirements", &requirements);
    page.insert("indicators", &indicators);
    page.insert(
        "values",
        &std::collections::HashMap::<String, String>::new(),
    );
    ctx.render("frameworks/charter_edit.html", &page)
}

pub async fn save_charter(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let fields = form.into_inner();
    let edit = CharterEdit::from_fields(&fields);
    let lookup = id.clone();
    let (user, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (current, _, _) = editable(conn, user, &id)?;
            let latest =
                charters::latest(conn, current.organisation_id.as_deref().unwrap_or_default())?;
            if latest.is_some_and(|(latest_id, _)| latest_id != current.id) {
                return Err(AppError::Conflict);
            }
            charters::save_version(conn, &Actor::user(&user.id, &user.email), &current, &edit)
        })
        .await?;
    match attempt {
        Ok(new_id) => {
            ctx.flash(FlashKind::Success, "flash-charter-saved");
            Ok(see_other(&format!("/referentiels/{new_id}")))
        }
        Err(
            error @ (AppError::Validation(_) | AppError::Conflict | AppError::FrameworkFiles(_)),
        ) => {
            let (_, (framework, requirements, indicators)) = ctx
                .user_run(move |conn, user| editable(conn, user, &lookup))
                .await?;
            let mut page = ctx.page(Some(&user), "frameworks");
            let values: std::collections::HashMap<String, String> = fields.into_iter().collect();
            page.insert("framework", &framework);
            page.insert("requirements", &requirements);
            page.insert("indicators", &indicators);
            page.insert("values", &values);
            if let AppError::FrameworkFiles(errors) = &error {
                let lang = ctx.lang(Some(&user));
                let located: Vec<String> = errors
                    .iter()
                    .map(|e| i18n::framework_error(lang, e))
                    .collect();
                page.insert("located_errors", &located);
            }
            ctx.with_errors(&mut page, Some(&user), &error);
            ctx.render_status(error.info().status, "frameworks/charter_edit.html", &page)
        }
        Err(other) => Err(other),
    }
}
