//! Photographs taken on site for one requirement of an audit. Each is a document of the
//! organisme's library (so it is kept, downloaded and cited like any other) linked here to
//! the audit and the requirement; the device that took it names it (`client_key`), so that
//! a send retried after a lost answer finds the first photograph instead of adding a copy.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use crate::db::schema::audit_photos;
use crate::db::{DbConnection, new_id, now};
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::audit::Audit;
use crate::models::evidence::Evidence;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_photos)]
pub struct Photo {
    pub id: String,
    pub audit_id: String,
    pub requirement_ref: String,
    pub evidence_id: String,
    pub client_key: String,
    pub taken_by: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
}

/// The name a device gives a photograph when it is taken: letters, digits and dashes (a
/// UUID), at most 64 of them. A form sent without one gets a fresh name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKey(String);

impl ClientKey {
    pub fn parse(raw: &str) -> Result<Self, FieldErrors> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self(new_id()));
        }
        if raw.len() > 64 || !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(FieldErrors::single("key", Invalid::new("err-photo-key")));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The photographs already sent under this key, in the order they were taken.
pub fn by_key(
    conn: &mut DbConnection,
    audit_id: &str,
    key: &ClientKey,
) -> Result<Vec<Photo>, AppError> {
    Ok(audit_photos::table
        .filter(audit_photos::audit_id.eq(audit_id))
        .filter(audit_photos::client_key.eq(key.as_str()))
        .select(Photo::as_select())
        .load(conn)?)
}

/// Every photograph of an audit, oldest first.
pub fn of_audit(conn: &mut DbConnection, audit_id: &str) -> Result<Vec<Photo>, AppError> {
    Ok(audit_photos::table
        .filter(audit_photos::audit_id.eq(audit_id))
        .order((audit_photos::created_at.asc(), audit_photos::id.asc()))
        .select(Photo::as_select())
        .load(conn)?)
}

/// Links a document just added to the library to the requirement it was taken for, with
/// its history line. Two sends of one key at the same instant: the second meets the unique
/// key and answers `Conflict`, for the caller to read the first one back.
pub fn link(
    conn: &mut DbConnection,
    actor: &Actor,
    audit: &Audit,
    reference: &str,
    key: &ClientKey,
    document: &Evidence,
) -> Result<Photo, AppError> {
    let evidence_id = document.id.as_str();
    let photo = Photo {
        id: new_id(),
        audit_id: audit.id.clone(),
        requirement_ref: reference.to_owned(),
        evidence_id: evidence_id.to_owned(),
        client_key: key.as_str().to_owned(),
        taken_by: actor.label.clone(),
        created_at: now(),
    };
    diesel::insert_into(audit_photos::table)
        .values((
            audit_photos::id.eq(&photo.id),
            audit_photos::audit_id.eq(&photo.audit_id),
            audit_photos::requirement_ref.eq(&photo.requirement_ref),
            audit_photos::evidence_id.eq(&photo.evidence_id),
            audit_photos::client_key.eq(&photo.client_key),
            audit_photos::taken_by.eq(&photo.taken_by),
            audit_photos::created_at.eq(photo.created_at),
        ))
        .execute(conn)
        .map_err(super::conflict_on_unique)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "evidence",
            entity_id: evidence_id,
            organisation_id: Some(&audit.organisation_id),
            action: "photo",
            before: None,
            after: Some(&serde_json::json!({
                "title": document.title,
                "audit_id": audit.id,
                "requirement_ref": reference,
            })),
        },
    )?;
    Ok(photo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_a_device_name_or_a_fresh_one() {
        let uuid = "0b7f3c1e-9a0d-4c43-8f5e-2d1b6a7c9e10";
        assert_eq!(ClientKey::parse(uuid).unwrap().as_str(), uuid);
        assert_eq!(
            ClientKey::parse(&format!(" {uuid} ")).unwrap().as_str(),
            uuid
        );
        let fresh = ClientKey::parse("").unwrap();
        assert_ne!(
            fresh,
            ClientKey::parse("").unwrap(),
            "each form gets its own"
        );
        assert!(ClientKey::parse("a/b").is_err());
        assert!(ClientKey::parse(&"a".repeat(65)).is_err());
    }
}
