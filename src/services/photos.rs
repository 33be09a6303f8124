//! Photographs an auditor takes on site, for one requirement of an audit under way: each
//! becomes a document of the organisme's library supporting that requirement, linked to the
//! audit. The device names each photograph when it is taken, so a send retried after a lost
//! answer (a basement, a train) is recognised and answered with the first one.

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::policy;
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::{AppError, ensure};
use crate::models::audit::{self, Audit};
use crate::models::evidence::{self, Description, Support};
use crate::models::framework;
use crate::models::history::Actor;
use crate::models::photo::{self, ClientKey, Photo};
use crate::services::audits;
use crate::services::evidence::Upload;

/// The audit, when the user may add photographs to this requirement now (an auditor of the
/// audit while findings are open): checked before any byte of the upload is stored.
pub fn may_take(
    conn: &mut DbConnection,
    user: &CurrentUser,
    audit_id: &str,
    reference: &str,
) -> Result<Audit, AppError> {
    let (found, _) = audits::open_working(conn, user, audit_id)?;
    framework::requirement(conn, &found.framework_id, reference)?;
    let team = audit::team(conn, &found.id)?;
    ensure(policy::may_record_findings(user, &found, &team))?;
    if !found.state().findings_open() {
        return Err(FieldErrors::single("files", Invalid::new("err-findings-frozen")).into());
    }
    Ok(found)
}

/// Records the upload's photographs for the requirement; a retried send is answered with
/// the photographs its first send left.
pub fn take(
    conn: &mut DbConnection,
    user: &CurrentUser,
    audit_id: &str,
    reference: &str,
    upload: &Upload,
) -> Result<Vec<Photo>, AppError> {
    let found = may_take(conn, user, audit_id, reference)?;
    let key = ClientKey::parse(&upload.field("key"))?;
    let already = photo::by_key(conn, &found.id, &key)?;
    if !already.is_empty() {
        return Ok(already);
    }
    let mut errors = FieldErrors::new();
    let caption = errors.check(
        "caption",
        BoundedText::optional(&upload.field("caption"), 200),
    );
    for (file, _) in &upload.files {
        if !file.content_type.starts_with("image/") {
            errors.add(
                "files",
                Invalid::new("err-photo-not-image").arg("file", &file.file_name),
            );
        }
    }
    errors.into_result()?;
    let caption = caption.map(BoundedText::into_inner).unwrap_or_default();
    let code = framework::summary(conn, &found.framework_id)?.code;
    let actor = Actor::user(&user.id, &user.email);
    // In a savepoint: a send of the same key at the same instant (PostgreSQL lets both try)
    // leaves nothing of this one, and is answered with the other's photographs.
    let made = diesel::Connection::transaction(conn, |conn| {
        let several = upload.files.len() > 1;
        let mut taken = Vec::new();
        for (n, (file, _)) in upload.files.iter().enumerate() {
            let description = Description {
                title: title(&caption, reference, several.then_some(n + 1)),
                site_id: None,
                effective_date: Some(chrono::Utc::now().date_naive()),
                valid_until: None,
                requirements: vec![Support {
                    framework_code: code.clone(),
                    requirement_ref: reference.to_owned(),
                }],
            };
            let document =
                evidence::create(conn, &actor, &found.organisation_id, &description, file)?;
            taken.push(photo::link(
                conn, &actor, &found, reference, &key, &document,
            )?);
        }
        Ok::<_, AppError>(taken)
    });
    match made {
        Err(AppError::Conflict) => {
            let first = photo::by_key(conn, &found.id, &key)?;
            if first.is_empty() {
                return Err(AppError::Conflict);
            }
            Ok(first)
        }
        other => other,
    }
}

/// A photograph's title in the library: the auditor's caption, or the requirement and the
/// time it was taken (Paris time, as the auditor's watch says).
fn title(caption: &str, reference: &str, number: Option<usize>) -> String {
    let base = if caption.is_empty() {
        let at = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris);
        format!("Photo {reference} — {}", at.format("%d/%m/%Y %H:%M"))
    } else {
        caption.to_owned()
    };
    match number {
        Some(n) => format!("{base} ({n})"),
        None => base,
    }
}
