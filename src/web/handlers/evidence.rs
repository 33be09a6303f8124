//! The evidence library: an organisme's documents (expiring ones flagged), uploading several
//! files at once, revisions, and safe downloads. Files are checked by their content and
//! streamed to disk; a refused upload stores nothing.

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use tera::Context;

use crate::auth::CurrentUser;
use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::dates::parse_date;
use crate::domain::{BoundedText, FieldErrors, Invalid, Role};
use crate::error::AppError;
use crate::models::evidence::{self, Description, EXPIRING_DAYS, StoredFile};
use crate::models::history::Actor;
use crate::models::organisation::{self, Organisation};
use crate::models::site;
use crate::startup::AppState;
use crate::storage::{Incoming, clean_name, sniff};
use crate::web::page::{Ctx, see_other};

/// Observers read commitments and results, never working documents.
fn may_read(user: &CurrentUser) -> Result<(), AppError> {
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
    page.insert("can_upload", &user.can_edit_organisation(&organisation.id));
    page.insert("sites", &site::list_for(conn, &organisation.id)?);
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
struct Upload {
    fields: Vec<(String, String)>,
    files: Vec<(StoredFile, std::path::PathBuf)>,
}

impl Upload {
    fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn discard(&self) {
        for (_, path) in &self.files {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Streams every file of the form to disk, hashing and checking it; on any refusal every
/// file received is removed and the reason given per file.
async fn receive(state: &AppState, mut payload: Multipart) -> Result<Upload, AppError> {
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

fn describe(upload: &Upload, title: &str) -> Result<Description, FieldErrors> {
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
            optional_date(upload.field("effective_date")),
        )
        .flatten();
    let valid_until = errors
        .check("valid_until", optional_date(upload.field("valid_until")))
        .flatten();
    if let (Some(from), Some(to)) = (effective_date, valid_until)
        && to < from
    {
        errors.add("valid_until", Invalid::new("err-end-before-start"));
    }
    let site_id = Some(upload.field("site_id")).filter(|s| !s.trim().is_empty());
    errors.into_result()?;
    Ok(Description {
        title: title.map(BoundedText::into_inner).unwrap_or_default(),
        site_id,
        effective_date,
        valid_until,
    })
}

pub async fn upload_evidence(
    ctx: Ctx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let received = receive(&ctx.state, payload).await;
    let upload = match received {
        Ok(upload) => upload,
        Err(error @ AppError::Validation(_)) => return refused(&ctx, id, &error).await,
        Err(other) => return Err(other),
    };
    // Contents are kept first (content-addressed, so a later failure leaves no wrong link).
    for (file, path) in &upload.files {
        ctx.state
            .storage
            .keep(path, &file.sha256)
            .map_err(AppError::unexpected)?;
    }
    let lookup = id.clone();
    let (_, attempt) = ctx
        .user_attempt(move |conn, user| {
            let organisation = organisation::find(conn, &user.scope(), &id)?;
            user.require_edit_organisation(&organisation.id)?;
            let sites = site::list_for(conn, &organisation.id)?;
            let several = upload.files.len() > 1;
            for (file, _) in &upload.files {
                // With several files, each document is named after its file.
                let title = if several || upload.field("title").trim().is_empty() {
                    file.file_name.clone()
                } else {
                    upload.field("title")
                };
                let description = describe(&upload, &title)?;
                if description
                    .site_id
                    .as_ref()
                    .is_some_and(|s| !sites.iter().any(|site| &site.id == s))
                {
                    return Err(
                        FieldErrors::single("site_id", Invalid::new("err-unknown-choice")).into(),
                    );
                }
                evidence::create(
                    conn,
                    &Actor::user(&user.id, &user.email),
                    &organisation.id,
                    &description,
                    file,
                )?;
            }
            Ok(upload.files.len())
        })
        .await?;
    match attempt {
        Ok(count) => {
            ctx.flash_with(
                FlashKind::Success,
                "flash-evidence-uploaded",
                vec![("count".into(), count.to_string())],
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
    let status = if matches!(error, AppError::Validation(fields) if fields.0.values().any(|e| e.key == "err-file-too-big"))
    {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(status, "evidence/list.html", &page)
}

fn visible_item(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(evidence::Evidence, Organisation), AppError> {
    may_read(user)?;
    let item = evidence::get(conn, id)?;
    let organisation = organisation::find(conn, &user.scope(), &item.organisation_id)?;
    Ok((item, organisation))
}

pub async fn show_evidence(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    render_item(&ctx, parse_id(&path.into_inner())?, None).await
}

/// A document's page; a refused revision comes back to it with the reason.
async fn render_item(
    ctx: &Ctx,
    id: String,
    error: Option<&AppError>,
) -> Result<HttpResponse, AppError> {
    let (user, (item, organisation, files)) = ctx
        .user_run(move |conn, user| {
            let (item, organisation) = visible_item(conn, user, &id)?;
            let files = evidence::files(conn, &item.id)?;
            Ok((item, organisation, files))
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("can_upload", &user.can_edit_organisation(&organisation.id));
    page.insert("item", &item);
    page.insert("organisation", &organisation);
    page.insert("files", &files);
    let status = match error {
        Some(error) => {
            ctx.with_errors(&mut page, Some(&user), error);
            error.info().status
        }
        None => StatusCode::OK,
    };
    ctx.render_status(status, "evidence/show.html", &page)
}

pub async fn upload_revision(
    ctx: Ctx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let upload = match receive(&ctx.state, payload).await {
        Ok(upload) => upload,
        Err(error @ AppError::Validation(_)) => return render_item(&ctx, id, Some(&error)).await,
        Err(other) => return Err(other),
    };
    for (file, path) in &upload.files {
        ctx.state
            .storage
            .keep(path, &file.sha256)
            .map_err(AppError::unexpected)?;
    }
    let lookup = id.clone();
    ctx.user_run(move |conn, user| {
        let (item, organisation) = visible_item(conn, user, &id)?;
        user.require_edit_organisation(&organisation.id)?;
        for (file, _) in &upload.files {
            evidence::add_revision(conn, &Actor::user(&user.id, &user.email), &item, file)?;
        }
        Ok(())
    })
    .await?;
    ctx.flash(FlashKind::Success, "flash-evidence-revised");
    Ok(see_other(&format!("/preuves/{lookup}")))
}

/// Downloads always as an attachment, with the type recorded at upload (and nosniff).
pub async fn download(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (_, file) = ctx
        .user_run(move |conn, user| {
            let (file, item) = evidence::file(conn, &id)?;
            visible_item(conn, user, &item.id)?;
            Ok(file)
        })
        .await?;
    let bytes = ctx
        .state
        .storage
        .read(&file.sha256)
        .map_err(AppError::unexpected)?;
    let ascii: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(file.file_name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    Ok(HttpResponse::Ok()
        .content_type(file.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
