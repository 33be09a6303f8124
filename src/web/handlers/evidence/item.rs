//! One document of the evidence library: what describes it (title, site, validity, the
//! requirements it supports), where audits cite it, its revisions, and safe downloads.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::policy;
use crate::error::AppError;
use crate::error::ensure;
use crate::models::audit;
use crate::models::evidence::{self, Evidence};
use crate::models::history::Actor;
use crate::models::organisation::require_version;
use crate::models::site;
use crate::services::evidence::{self as service, check_description, describe, field};
use crate::web::files::{attachment, receive};
use crate::web::page::{Again, Ctx, see_other};

/// The description form: as stored, or as the user typed it when it was refused.
#[derive(Debug, Clone, Serialize)]
struct ItemForm {
    title: String,
    site_id: String,
    effective_date: String,
    valid_until: String,
    version: i32,
    /// Per framework code, the references as typed
    requirements: HashMap<String, String>,
}

impl ItemForm {
    fn stored(item: &Evidence, supports: &[evidence::Support]) -> Self {
        let mut requirements: HashMap<String, String> = HashMap::new();
        for support in supports {
            let refs = requirements
                .entry(support.framework_code.clone())
                .or_default();
            if !refs.is_empty() {
                refs.push_str(", ");
            }
            refs.push_str(&support.requirement_ref);
        }
        Self {
            title: item.title.clone(),
            site_id: item.site_id.clone().unwrap_or_default(),
            effective_date: item
                .effective_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            valid_until: item.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            version: item.version,
            requirements,
        }
    }

    fn submitted(fields: &[(String, String)], version: i32) -> Self {
        Self {
            title: field(fields, "title"),
            site_id: field(fields, "site_id"),
            effective_date: field(fields, "effective_date"),
            valid_until: field(fields, "valid_until"),
            version,
            requirements: fields
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.strip_prefix("req:")?.to_owned(), value.clone()))
                })
                .collect(),
        }
    }
}

fn item_page(conn: &mut DbConnection, user: &CurrentUser, id: &str) -> Result<Context, AppError> {
    let (item, organisation) = service::open(conn, user, id)?;
    let supports = evidence::supports_of(conn, &item.id)?;
    let mut citations = evidence::citations(conn, &item)?;
    // An auditor learns nothing of audits not assigned to them.
    if policy::sees_only_own_audits(user) {
        let own: Vec<String> = audit::list_for_auditor(conn, &user.id)?
            .into_iter()
            .map(|a| a.id)
            .collect();
        citations.retain(|(audit_id, _, _)| own.contains(audit_id));
    }
    let sites = site::list_for(conn, &organisation.id)?;
    let mut page = Context::new();
    page.insert(
        "can_upload",
        &policy::may_edit_organisation(user, &organisation.id),
    );
    page.insert("form", &ItemForm::stored(&item, &supports));
    page.insert(
        "site_name",
        &sites
            .iter()
            .find(|s| item.site_id.as_deref() == Some(s.id.as_str()))
            .map(|s| s.name.clone()),
    );
    page.insert("sites", &sites);
    page.insert(
        "frameworks",
        &evidence::supportable(conn, &organisation.id)?,
    );
    page.insert("supports", &supports);
    page.insert("citations", &citations);
    page.insert("files", &evidence::files(conn, &item.id)?);
    page.insert("item", &item);
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn show_evidence(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    render_item(&ctx, parse_id(&path.into_inner())?, None, None).await
}

/// A document's page; a refused change comes back to it with the reason and what was typed.
async fn render_item(
    ctx: &Ctx,
    id: String,
    error: Option<&AppError>,
    typed: Option<ItemForm>,
) -> Result<HttpResponse, AppError> {
    let (user, data) = ctx
        .user_run(move |conn, user| item_page(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    if let Some(typed) = typed {
        page.insert("form", &typed);
    }
    let status = match error {
        Some(error) => {
            ctx.with_errors(&mut page, Some(&user), error);
            page.insert("conflict", &matches!(error, AppError::Conflict));
            error.info().status
        }
        None => StatusCode::OK,
    };
    ctx.render_status(status, "evidence/show.html", &page)
}

/// Changes the description; a stale version is refused and shows the stored one.
pub async fn update_evidence(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let fields = form.into_inner();
    let (lookup, submitted) = (id.clone(), fields.clone());
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let (item, organisation) = service::open(conn, user, &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            let version = require_version(field(&fields, "version").parse().ok())?;
            let description = describe(&fields, &field(&fields, "title"))?;
            check_description(conn, &organisation.id, &description)?;
            evidence::describe(
                conn,
                &Actor::user(&user.id, &user.email),
                &item,
                version,
                &description,
            )
        })
        .await?;
    let lookup_done = lookup.clone();
    let ctx = &ctx;
    ctx.conclude(
        attempt,
        Again::OnInvalidOrStale,
        |_| {
            ctx.flash(FlashKind::Success, "flash-evidence-described");
            Ok(see_other(&format!("/preuves/{lookup_done}")))
        },
        |error| async move {
            // On a conflict the form keeps what was typed; the page above shows the stored one.
            let version = field(&submitted, "version").parse().unwrap_or_default();
            let typed = if matches!(error, AppError::Conflict) {
                None
            } else {
                Some(ItemForm::submitted(&submitted, version))
            };
            render_item(ctx, lookup, Some(&error), typed).await
        },
    )
    .await
}

pub async fn upload_revision(
    ctx: Ctx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    // The right to revise is checked before any byte is stored.
    let check = id.clone();
    ctx.user_run(move |conn, user| {
        let (_, organisation) = service::open(conn, user, &check)?;
        ensure(policy::may_edit_organisation(user, &organisation.id))
    })
    .await?;
    let upload = match receive(&ctx.state, payload, ctx.pending_csrf().as_ref()).await {
        Ok(upload) => upload,
        Err(error @ AppError::Validation(_)) => {
            return render_item(&ctx, id, Some(&error), None).await;
        }
        Err(other) => return Err(other),
    };
    service::keep(ctx.state.storage.as_ref(), &upload)?;
    let lookup = id.clone();
    ctx.user_run(move |conn, user| {
        let (item, organisation) = service::open(conn, user, &id)?;
        ensure(policy::may_edit_organisation(user, &organisation.id))?;
        for (file, _) in &upload.files {
            evidence::add_revision(conn, &Actor::user(&user.id, &user.email), &item, file)?;
        }
        Ok(())
    })
    .await?;
    ctx.flash(FlashKind::Success, "flash-evidence-revised");
    Ok(see_other(&format!("/preuves/{lookup}")))
}

/// Downloads always as an attachment (and nosniff, set for every response).
pub async fn download(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (_, file) = ctx
        .user_run(move |conn, user| Ok(service::open_file(conn, user, &id)?.0))
        .await?;
    let bytes = ctx
        .state
        .storage
        .read(&file.sha256)
        .map_err(AppError::unexpected)?;
    Ok(attachment(&file, bytes))
}
