//! Evidence: an organisme's documents, as pages and API reach them. Observers never see
//! them; a document outside the actor's scope is not found; adding one is checked before
//! any byte is stored, and again when it is recorded.

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::dates::parse_date;
use crate::domain::policy;
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::{AppError, ensure};
use crate::models::evidence::{self, Description, Evidence, EvidenceFile, StoredFile, Support};
use crate::models::history::Actor;
use crate::models::organisation::Organisation;
use crate::models::site;
use crate::storage::Storage;

/// A document of the actor's scope, with its organisme (not for observers).
pub fn open(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Evidence, Organisation), AppError> {
    ensure(policy::sees_working_documents(user))?;
    evidence::find(conn, &user.scope(), id)
}

/// One revision's file and its document, under the same rule as the document.
pub fn open_file(
    conn: &mut DbConnection,
    user: &CurrentUser,
    file_id: &str,
) -> Result<(EvidenceFile, Evidence), AppError> {
    ensure(policy::sees_working_documents(user))?;
    evidence::find_file(conn, &user.scope(), file_id)
}

/// An upload: the text fields of the form and the files, already on disk and checked.
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(StoredFile, std::path::PathBuf)>,
}

/// The value of a form field (the first one), or empty.
pub fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

impl Upload {
    pub fn field(&self, name: &str) -> String {
        field(&self.fields, name)
    }

    pub fn discard(&self) {
        for (_, path) in &self.files {
            let _ = std::fs::remove_file(path);
        }
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
pub fn check_description(
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

/// Keeps the received contents in storage before anything is recorded: stored by content,
/// so a later refusal leaves no wrong link (at most an unreferenced copy).
pub fn keep(storage: &dyn Storage, upload: &Upload) -> Result<(), AppError> {
    for (file, path) in &upload.files {
        storage
            .keep(path, &file.sha256)
            .map_err(AppError::unexpected)?;
    }
    Ok(())
}

/// Records one document per file of an upload, for a user who may edit the organisme.
pub fn record(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_id: &str,
    upload: &Upload,
) -> Result<Vec<Evidence>, AppError> {
    ensure(policy::may_add_evidence(user, organisation_id))?;
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
