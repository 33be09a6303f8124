//! Files in and out at the edge, the same for pages and the API: a multipart form streamed
//! to disk and checked by content, and a stored file sent back as an attachment.

use actix_multipart::Multipart;
use actix_web::HttpResponse;
use actix_web::http::header;
use futures_util::StreamExt;

use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::evidence::{EvidenceFile, StoredFile};
use crate::services::evidence::Upload;
use crate::startup::AppState;
use crate::storage::{Incoming, clean_name, sniff};

/// The session's CSRF token an upload form has still to show: a file upload's body is
/// streamed to its handler, so the token comes as the form's first field (never in the
/// address, where logs and the browser's history would keep it), and no file is read before
/// it is checked. Set by the CSRF middleware on upload addresses only.
#[derive(Debug, Clone)]
pub struct PendingCsrf(pub Option<String>);

/// The addresses that take files: the only ones whose CSRF token may come in the body of a
/// multipart form.
pub fn is_upload_path(path: &str) -> bool {
    [
        "/preuves",
        "/revisions",
        "/indicateurs/import",
        "/import",
        "/referentiels/importer",
        "/photos",
    ]
    .iter()
    .any(|end| path.ends_with(end))
}

/// Reads the form's first field and checks it is the session's CSRF token.
pub async fn check_token(
    payload: &mut Multipart,
    pending: Option<&PendingCsrf>,
) -> Result<(), AppError> {
    let Some(PendingCsrf(expected)) = pending else {
        return Ok(());
    };
    let Some(part) = payload.next().await else {
        return Err(AppError::Csrf);
    };
    let mut part = part.map_err(|e| AppError::BadRequest(e.to_string()))?;
    if part.name() != Some("csrf_token") {
        return Err(AppError::Csrf);
    }
    let mut value = Vec::new();
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
        if value.len() + chunk.len() > 256 {
            return Err(AppError::Csrf);
        }
        value.extend_from_slice(&chunk);
    }
    match expected {
        Some(expected) if crate::auth::constant_time_eq(expected.as_bytes(), &value) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

/// Streams every file of the form to disk, hashing and checking it; on any refusal every
/// file received is removed and the reason given per file. A page's form first shows its
/// CSRF token (`pending`); the API's bearer token needs none.
pub async fn receive(
    state: &AppState,
    mut payload: Multipart,
    pending: Option<&PendingCsrf>,
) -> Result<Upload, AppError> {
    check_token(&mut payload, pending).await?;
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

/// The headers of a download: always an attachment, with the type recorded at upload.
pub fn attachment(file: &EvidenceFile, bytes: Vec<u8>) -> HttpResponse {
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
    HttpResponse::Ok()
        .content_type(file.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes)
}

/// The PDF as an attachment, named after the organisme and the audit's last day.
/// The report in `format`, with its file name and the fingerprint of the PDF it matches.
pub fn report_response(
    issued: &crate::services::reports::Issued,
    format: crate::reports::document::Format,
) -> Result<HttpResponse, crate::error::AppError> {
    if format == crate::reports::document::Format::Pdf {
        return Ok(pdf_response(issued));
    }
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", issued.file_name_as(format)),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Report-Fingerprint", issued.fingerprint.clone()))
        .body(issued.document(format)?))
}

pub fn pdf_response(issued: &crate::services::reports::Issued) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", issued.file_name()),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Report-Fingerprint", issued.fingerprint.clone()))
        .body(issued.pdf.as_ref().clone())
}
