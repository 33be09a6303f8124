//! The evidence library: an organisme's documents (expiring ones flagged) and uploading
//! several files at once. Files are checked by their content and streamed to disk; a
//! refused upload stores nothing. One document's page is in `evidence_item`.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::dates::parse_date;
use crate::domain::{BoundedText, FieldErrors, Invalid, Role};
use crate::error::AppError;
use crate::models::evidence::{self, Description, EXPIRING_DAYS, Evidence, StoredFile, Support};
use crate::models::history::Actor;
use crate::models::organisation;
use crate::models::site;
use crate::startup::AppState;
use crate::storage::{Incoming, clean_name, sniff};
use crate::web::page::{Ctx, see_other};

/// Observers read commitments and results, never working documents.
pub(crate) fn may_read(user: &CurrentUser) -> Result<(), AppError> {
    if user.role == Role::Observer {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

fn library(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_id: &str,
) -> Result<Context, AppError> {
    may_read(user)?;
    let organisation = organisation::find(conn, &user.scope(), organisation_id)?;
    let today = chrono::Utc::now().date_naive();
    let items: Vec<serde_json::Value> = evidence::list_for(conn, &organisation.id)?
        .into_iter()
        .map(|(item, file)| {
            let expired = item.valid_until.is_some_and(|d| d < today);
            let expiring = !expired && item.valid_until.is_some_and(|d| d <= today + chrono::Duration::days(EXPIRING_DAYS));
            serde_json::json!({ "item": item, "file": file, "expired": expired, "expiring": expiring })
        })
        .collect();
    let mut page = Context::new();
    page.insert("can_upload", &user.can_add_evidence(&organisation.id));
    page.insert("sites", &site::list_for(conn, &organisation.id)?);
    page.insert(
        "frameworks",
        &evidence::supportable(conn, &organisation.id)?,
    );
    page.insert("items", &items);
    page.insert("organisation", &organisation);
    Ok(page)
}

pub async fn list_evidence(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| library(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.render("evidence/list.html", &page)
}

/// An upload: the text fields of the form and the files, already on disk and checked.
pub(crate) struct Upload {
    pub(super) fields: Vec<(String, String)>,
    pub(super) files: Vec<(StoredFile, std::path::PathBuf)>,
}

/// The value of a form field (the first one), or empty.
pub(super) fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

impl Upload {
    fn field(&self, name: &str) -> String {
        field(&self.fields, name)
    }

    fn discard(&self) {
        for (_, path) in &self.files {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Streams every file of the form to disk, hashing and checking it; on any refusal every
/// file received is removed and the reason given per file.
pub(crate) async fn receive(state: &AppState, mut payload: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload {
        fields: Vec::new(),
        files: Vec::new(),
    };
    let mut errors = FieldErrors::new();
    while let Some(part) = payload.next().await {
        let mut part = part.map_err(|e| AppError::BadRequest(e.to_string()))?;
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(clean_name);
        let Some(file_name) = file_name else {
            let mut value = Vec::new();
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
                if value.len() + chunk.len() > 4096 {
                    return Err(AppError::BadRequest(format!("field {name} too long")));
                }
                value.extend_from_slice(&chunk);
            }
            upload
                .fields
                .push((name, String::from_utf8_lossy(&value).into_owned()));
            continue;
        };
        let mut incoming = Incoming::create(state.storage.as_ref(), state.upload_limit)
            .map_err(AppError::unexpected)?;
        let mut too_big = false;
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
            if !too_big && !incoming.write(&chunk).map_err(AppError::unexpected)? {
                too_big = true;
            }
        }
        if too_big {
            incoming.discard();
            errors.add(
                "files",
                Invalid::new("err-file-too-big")
                    .arg("value", &file_name)
                    .arg("max", state.upload_limit / (1024 * 1024)),
            );
            continue;
        }
        let (path, sha256, size, head) = incoming.finish().map_err(AppError::unexpected)?;
        if size == 0 && file_name == "document" {
            let _ = std::fs::remove_file(&path);
            continue;
        }
        match sniff(&head, &file_name) {
            Ok(content_type) => upload.files.push((
                StoredFile {
                    sha256,
                    file_name,
                    content_type: content_type.to_owned(),
                    size: i64::try_from(size).unwrap_or(i64::MAX),
                },
                path,
            )),
            Err(invalid) => {
                let _ = std::fs::remove_file(&path);
                errors.add("files", invalid.arg("file", &file_name));
            }
        }
    }
    if upload.files.is_empty() && errors.is_empty() {
        errors.add("files", Invalid::new("err-no-file"));
    }
    if errors.is_empty() {
        Ok(upload)
    } else {
        upload.discard();
        Err(errors.into())
    }
}

/// What describes a document, from its form: title, site, dates, and per framework the
/// references it supports (fields `req:<framework code>`). Public for the `multipart` fuzz
/// target, which feeds it the fields it reads from arbitrary bodies.
pub fn describe(fields: &[(String, String)], title: &str) -> Result<Description, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = errors.check("title", BoundedText::required(title, 200));
    let optional_date = |raw: String| {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            parse_date(&raw).map(Some)
        }
    };
    let effective_date = errors
        .check(
            "effective_date",
            optional_date(field(fields, "effective_date")),
        )
        .flatten();
    let valid_until = errors
        .check("valid_until", optional_date(field(fields, "valid_until")))
        .flatten();
    if let (Some(from), Some(to)) = (effective_date, valid_until)
        && to < from
    {
        errors.add("valid_until", Invalid::new("err-end-before-start"));
    }
    let site_id = Some(field(fields, "site_id")).filter(|s| !s.trim().is_empty());
    let requirements = fields
        .iter()
        .filter_map(|(name, value)| Some((name.strip_prefix("req:")?, value)))
        .flat_map(|(code, value)| {
            evidence::parse_refs(value)
                .into_iter()
                .map(|reference| Support {
                    framework_code: code.to_owned(),
                    requirement_ref: reference,
                })
        })
        .collect();
    errors.into_result()?;
    Ok(Description {
        title: title.map(BoundedText::into_inner).unwrap_or_default(),
        site_id,
        effective_date,
        valid_until,
        requirements,
    })
}

/// The site must be one of the organisme's, the references known to its frameworks.
pub(super) fn check_description(
    conn: &mut DbConnection,
    organisation_id: &str,
    description: &Description,
) -> Result<(), AppError> {
    if let Some(site_id) = &description.site_id
        && !site::list_for(conn, organisation_id)?
            .iter()
            .any(|site| &site.id == site_id)
    {
        return Err(FieldErrors::single("site_id", Invalid::new("err-unknown-choice")).into());
    }
    evidence::check_supports(conn, organisation_id, &description.requirements)
}

/// Whether the user may send files to the organisme (`rule`: add documents, import values…),
/// checked before any byte is stored.
pub(crate) async fn may_send(
    ctx: &Ctx,
    organisation_id: &str,
    rule: fn(&CurrentUser, &str) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let id = organisation_id.to_owned();
    ctx.user_run(move |conn, user| {
        let found = organisation::find(conn, &user.scope(), &id)?;
        rule(user, &found.id)
    })
    .await
    .map(|_| ())
}

/// Keeps the received contents in storage before anything is recorded: stored by content,
/// so a later refusal leaves no wrong link (at most an unreferenced copy).
pub(crate) fn keep(state: &AppState, upload: &Upload) -> Result<(), AppError> {
    for (file, path) in &upload.files {
        state
            .storage
            .keep(path, &file.sha256)
            .map_err(AppError::unexpected)?;
    }
    Ok(())
}

/// Records one document per file of an upload, for a user who may edit the organisme.
pub(crate) fn record(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_id: &str,
    upload: &Upload,
) -> Result<Vec<Evidence>, AppError> {
    user.require_add_evidence(organisation_id)?;
    let several = upload.files.len() > 1;
    let mut created = Vec::new();
    for (file, _) in &upload.files {
        // With several files, each document is named after its file.
        let title = if several || upload.field("title").trim().is_empty() {
            file.file_name.clone()
        } else {
            upload.field("title")
        };
        let description = describe(&upload.fields, &title)?;
        check_description(conn, organisation_id, &description)?;
        created.push(evidence::create(
            conn,
            &Actor::user(&user.id, &user.email),
            organisation_id,
            &description,
            file,
        )?);
    }
    Ok(created)
}

pub async fn upload_evidence(
    ctx: Ctx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    may_send(&ctx, &id, CurrentUser::require_add_evidence).await?;
    let received = receive(&ctx.state, payload).await;
    let upload = match received {
        Ok(upload) => upload,
        Err(error @ AppError::Validation(_)) => return refused(&ctx, id, &error).await,
        Err(other) => return Err(other),
    };
    keep(&ctx.state, &upload)?;
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            record(conn, user, &organisation.id, &upload)
        })
        .await?;
    match attempt {
        Ok(created) => {
            ctx.flash_with(
                FlashKind::Success,
                "flash-evidence-uploaded",
                vec![("count".into(), created.len().to_string())],
            );
            Ok(see_other(&format!("/organismes/{lookup}/preuves")))
        }
        Err(error @ AppError::Validation(_)) => refused(&ctx, lookup, &error).await,
        Err(other) => Err(other),
    }
}

async fn refused(
    ctx: &Ctx,
    organisation_id: String,
    error: &AppError,
) -> Result<HttpResponse, AppError> {
    let (user, data) = ctx
        .user_run(move |conn, user| library(conn, user, &organisation_id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.extend(data);
    ctx.with_errors(&mut page, Some(&user), error);
    let status = error.info().status;
    ctx.render_status(status, "evidence/list.html", &page)
}
