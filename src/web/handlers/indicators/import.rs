//! Importing a CSV file of indicator values from the organisme's indicators page: the file
//! is checked and shown first (every refused line with its column and reason, the values it
//! would write), then imported on confirmation. Nothing is written while a line is wrong,
//! unless the user chooses to keep the valid lines. The file itself is kept, by its SHA-256.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tera::Context;

use super::readable;
use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::domain::indicators::{Period, csv_file};
use crate::domain::policy;
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::error::ensure;
use crate::i18n;
use crate::models::history::Actor;
use crate::models::{indicator, site};
use crate::services::evidence::keep;
use crate::services::indicators::{Checked, check_file, write_checked};
use crate::web::files::receive;
use crate::web::handlers::evidence::may_send;
use crate::web::page::{Ctx, see_other};

/// The file waiting for confirmation, remembered in the user's session.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    organisation_id: String,
    sha256: String,
    file_name: String,
}

const PENDING: &str = "indicator_import";

pub async fn show_import(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, organisation) = ctx
        .user_run(move |conn, user| {
            let organisation = readable(conn, user, &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            Ok(organisation)
        })
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("organisation", &organisation);
    ctx.render("indicators/import.html", &page)
}

/// The preview: what the file holds and every refusal, translated.
fn preview(page: &mut Context, lang: i18n::Lang, checked: &Checked, file_name: &str) {
    let errors: Vec<serde_json::Value> = checked
        .errors
        .iter()
        .map(|e| {
            serde_json::json!({
                "line": e.line,
                "column": e.column.as_ref().map(|(i, n)| if *i > 0 { format!("{i} ({n})") } else { n.clone() }),
                "message": i18n::invalid(lang, &e.invalid),
            })
        })
        .collect();
    let sample: Vec<serde_json::Value> = checked
        .values
        .iter()
        .take(50)
        .map(|(line, v)| serde_json::json!({ "line": line, "value": v }))
        .collect();
    page.insert("checked", checked);
    page.insert("valid", &checked.values.len());
    page.insert("errors_list", &errors);
    page.insert("sample", &sample);
    page.insert("file_name", file_name);
}

pub async fn upload_import(
    ctx: Ctx,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    may_send(&ctx, &id, policy::may_edit_organisation).await?;
    let upload = match receive(&ctx.state, payload, ctx.pending_csrf().as_ref()).await {
        Ok(upload) if upload.files.len() == 1 => upload,
        Ok(upload) => {
            for (_, path) in &upload.files {
                let _ = std::fs::remove_file(path);
            }
            return refused(
                &ctx,
                id,
                &FieldErrors::single("files", Invalid::new("err-one-file")).into(),
            )
            .await;
        }
        Err(error @ AppError::Validation(_)) => return refused(&ctx, id, &error).await,
        Err(other) => return Err(other),
    };
    keep(ctx.state.storage.as_ref(), &upload)?;
    let file = upload.files[0].0.clone();
    let bytes = ctx
        .state
        .storage
        .read(&file.sha256)
        .map_err(AppError::unexpected)?;
    let organisation_id = id.clone();
    let (user, (organisation, checked)) = ctx
        .user_run(move |conn, user| {
            let organisation = readable(conn, user, &organisation_id)?;
            let checked = check_file(conn, &organisation.id, &bytes)
                .map_err(|invalid| FieldErrors::single("files", invalid))?;
            Ok((organisation, checked))
        })
        .await?;
    let pending = Pending {
        organisation_id: organisation.id.clone(),
        sha256: file.sha256.clone(),
        file_name: file.file_name.clone(),
    };
    ctx.session
        .insert(PENDING, &pending)
        .map_err(AppError::unexpected)?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("organisation", &organisation);
    preview(&mut page, ctx.lang(Some(&user)), &checked, &file.file_name);
    let status = if checked.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(status, "indicators/import.html", &page)
}

async fn refused(ctx: &Ctx, id: String, error: &AppError) -> Result<HttpResponse, AppError> {
    let (user, organisation) = ctx
        .user_run(move |conn, user| readable(conn, user, &id))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("organisation", &organisation);
    ctx.with_errors(&mut page, Some(&user), error);
    let status = error.info().status;
    ctx.render_status(status, "indicators/import.html", &page)
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    keep_valid: Option<String>,
}

pub async fn confirm_import(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    // Signed-in first: the pending import below is only looked up for a known user.
    ctx.auth()?;
    let id = parse_id(&path.into_inner())?;
    let keep_valid = form.into_inner().keep_valid.is_some();
    let pending: Pending = ctx
        .session
        .get(PENDING)
        .ok()
        .flatten()
        .filter(|p: &Pending| p.organisation_id == id)
        .ok_or_else(|| {
            AppError::from(FieldErrors::single(
                "files",
                Invalid::new("err-import-expired"),
            ))
        })?;
    let bytes = ctx
        .state
        .storage
        .read(&pending.sha256)
        .map_err(AppError::unexpected)?;
    let origin = format!("import {} (sha256 {})", pending.file_name, pending.sha256);
    let (user, (organisation, checked, written)) = ctx
        .user_run(move |conn, user| {
            let organisation = readable(conn, user, &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            let checked = check_file(conn, &organisation.id, &bytes)
                .map_err(|invalid| FieldErrors::single("files", invalid))?;
            let written = write_checked(
                conn,
                &Actor::user(&user.id, &user.email),
                &organisation.id,
                &origin,
                &checked,
                keep_valid,
                &mut |_| {},
            )?;
            Ok((organisation, checked, written))
        })
        .await?;
    let Some(written) = written else {
        let mut page = ctx.page(Some(&user), "organisations");
        page.insert("organisation", &organisation);
        preview(
            &mut page,
            ctx.lang(Some(&user)),
            &checked,
            &pending.file_name,
        );
        // Some lines were refused and the box was not ticked: say so beside it.
        let unticked = AppError::from(FieldErrors::single(
            "keep_valid",
            Invalid::new("err-import-keep-valid").arg("count", checked.errors.len()),
        ));
        return ctx.form_again(&mut page, &user, "indicators/import.html", &unticked);
    };
    ctx.session.remove(PENDING);
    ctx.flash_with(
        FlashKind::Success,
        "flash-import-done",
        vec![
            ("inserted".into(), written.inserted.to_string()),
            ("updated".into(), written.updated.to_string()),
            ("unchanged".into(), written.unchanged.to_string()),
            ("refused".into(), checked.errors.len().to_string()),
        ],
    );
    Ok(see_other(&format!(
        "/organismes/{}/indicateurs",
        organisation.id
    )))
}

/// The file to fill in for this organisme: each indicator it follows for its last complete
/// period, then the first one for each of its sites, so that the names written are its own.
pub async fn template(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let today = chrono::Utc::now().date_naive();
    let (_, text) = ctx
        .user_run(move |conn, user| {
            let organisation = readable(conn, user, &id)?;
            ensure(policy::may_edit_organisation(user, &organisation.id))?;
            let definitions = indicator::definitions_for(conn, &organisation.id)?;
            let sites = site::list_for(conn, &organisation.id)?;
            let last = |frequency: &str| Period::of(frequency, today).previous();
            let mut blanks: Vec<csv_file::Blank<'_>> = definitions
                .iter()
                .map(|d| csv_file::Blank {
                    code: &d.code,
                    site: "",
                    period: last(&d.frequency),
                })
                .collect();
            if let Some(first) = definitions.first() {
                blanks.extend(sites.iter().map(|s| csv_file::Blank {
                    code: &first.code,
                    site: &s.name,
                    period: last(&first.frequency),
                }));
            }
            Ok(csv_file::template(&blanks))
        })
        .await?;
    Ok(crate::web::page::download(
        "text/csv; charset=utf-8",
        "modele-indicateurs.csv",
        format!("\u{feff}{text}"),
    ))
}
