//! The evidence library of an organisme: documents with their revisions (each revision a
//! file stored once per content), the site they concern and their period of validity.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use crate::db::schema::{evidence, evidence_files};
use crate::db::{DbConnection, new_id, now};
use crate::error::AppError;

/// Evidence whose validity ends within this many days is flagged.
pub const EXPIRING_DAYS: i64 = 60;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = evidence)]
pub struct Evidence {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    pub site_id: Option<String>,
    pub effective_date: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = evidence_files)]
pub struct EvidenceFile {
    pub id: String,
    pub evidence_id: String,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by: String,
}

/// A file already checked and kept in storage, to be recorded.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// What describes a document, validated by the caller.
#[derive(Debug, Clone, Default)]
pub struct Description {
    pub title: String,
    pub site_id: Option<String>,
    pub effective_date: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

fn add_file(
    conn: &mut DbConnection,
    actor: &Actor,
    evidence_id: &str,
    file: &StoredFile,
) -> Result<(), AppError> {
    diesel::insert_into(evidence_files::table)
        .values((
            evidence_files::id.eq(new_id()),
            evidence_files::evidence_id.eq(evidence_id),
            evidence_files::sha256.eq(&file.sha256),
            evidence_files::file_name.eq(&file.file_name),
            evidence_files::content_type.eq(&file.content_type),
            evidence_files::size.eq(file.size),
            evidence_files::uploaded_at.eq(now()),
            evidence_files::uploaded_by.eq(&actor.label),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    description: &Description,
    file: &StoredFile,
) -> Result<Evidence, AppError> {
    let id = new_id();
    let at = now();
    diesel::insert_into(evidence::table)
        .values((
            evidence::id.eq(&id),
            evidence::organisation_id.eq(organisation_id),
            evidence::title.eq(&description.title),
            evidence::site_id.eq(&description.site_id),
            evidence::effective_date.eq(description.effective_date),
            evidence::valid_until.eq(description.valid_until),
            evidence::created_at.eq(at),
            evidence::updated_at.eq(at),
            evidence::version.eq(1),
        ))
        .execute(conn)?;
    add_file(conn, actor, &id, file)?;
    let created = get(conn, &id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "evidence",
            entity_id: &id,
            organisation_id: Some(organisation_id),
            action: "create",
            before: None,
            after: Some(
                &serde_json::json!({ "title": created.title, "file": file.file_name, "sha256": file.sha256, "size": file.size }),
            ),
        },
    )?;
    Ok(created)
}

/// A new revision: the old files stay, the newest is the current one.
pub fn add_revision(
    conn: &mut DbConnection,
    actor: &Actor,
    item: &Evidence,
    file: &StoredFile,
) -> Result<(), AppError> {
    add_file(conn, actor, &item.id, file)?;
    diesel::update(evidence::table.find(&item.id))
        .set((
            evidence::updated_at.eq(now()),
            evidence::version.eq(item.version + 1),
        ))
        .execute(conn)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "evidence",
            entity_id: &item.id,
            organisation_id: Some(&item.organisation_id),
            action: "revision",
            before: None,
            after: Some(
                &serde_json::json!({ "file": file.file_name, "sha256": file.sha256, "size": file.size }),
            ),
        },
    )
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Evidence, AppError> {
    Ok(evidence::table
        .find(id)
        .select(Evidence::as_select())
        .first(conn)?)
}

/// Revisions of a document, newest first.
pub fn files(conn: &mut DbConnection, evidence_id: &str) -> Result<Vec<EvidenceFile>, AppError> {
    Ok(evidence_files::table
        .filter(evidence_files::evidence_id.eq(evidence_id))
        .order(evidence_files::uploaded_at.desc())
        .select(EvidenceFile::as_select())
        .load(conn)?)
}

pub fn file(conn: &mut DbConnection, file_id: &str) -> Result<(EvidenceFile, Evidence), AppError> {
    let found: EvidenceFile = evidence_files::table
        .find(file_id)
        .select(EvidenceFile::as_select())
        .first(conn)?;
    let item = get(conn, &found.evidence_id)?;
    Ok((found, item))
}

/// The organisme's documents with their current file, those expiring first.
pub fn list_for(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> Result<Vec<(Evidence, EvidenceFile)>, AppError> {
    let items: Vec<Evidence> = evidence::table
        .filter(evidence::organisation_id.eq(organisation_id))
        .order(evidence::title.asc())
        .select(Evidence::as_select())
        .load(conn)?;
    let ids: Vec<&str> = items.iter().map(|e| e.id.as_str()).collect();
    let all_files: Vec<EvidenceFile> = evidence_files::table
        .filter(evidence_files::evidence_id.eq_any(&ids))
        .order(evidence_files::uploaded_at.desc())
        .select(EvidenceFile::as_select())
        .load(conn)?;
    let mut listed: Vec<(Evidence, EvidenceFile)> = items
        .into_iter()
        .filter_map(|e| {
            let current = all_files.iter().find(|f| f.evidence_id == e.id)?.clone();
            Some((e, current))
        })
        .collect();
    listed.sort_by_key(|(e, _)| e.valid_until.unwrap_or(NaiveDate::MAX));
    Ok(listed)
}
