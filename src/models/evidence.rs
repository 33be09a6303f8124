//! The evidence library of an organisme: documents with their revisions (each revision a
//! file stored once per content), the site they concern and their period of validity.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use crate::db::schema::{
    commitments, evidence, evidence_files, evidence_requirements, framework_requirements,
    frameworks,
};
use crate::db::{DbConnection, new_id, now};
use crate::domain::actor::OrgScope;
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::organisation::Organisation;

/// Evidence whose validity ends within this many days is flagged.
pub const EXPIRING_DAYS: i64 = 60;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = evidence)]
pub struct Evidence {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    pub site_id: Option<String>,
    pub effective_date: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl crate::domain::policy::Owned for Evidence {
    fn organisation_id(&self) -> &str {
        &self.organisation_id
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = evidence_files)]
pub struct EvidenceFile {
    pub id: String,
    pub evidence_id: String,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    #[serde(serialize_with = "crate::domain::dates::utc")]
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
    /// The requirements it supports: framework code and reference
    pub requirements: Vec<Support>,
}

/// A requirement a document supports, by framework code so it outlives a new version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Queryable, Serialize, utoipa::ToSchema)]
pub struct Support {
    pub framework_code: String,
    pub requirement_ref: String,
}

/// Reads "7.5.3, 8.2.1" (commas, semicolons, spaces or lines between references).
pub fn parse_refs(raw: &str) -> Vec<String> {
    let mut refs: Vec<String> = raw
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// The frameworks an organisme's documents can support: those of its commitments, as
/// (code, name, framework version id), one per code (the newest commitment's version).
pub fn supportable(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> Result<Vec<(String, String, String)>, AppError> {
    let rows: Vec<(String, String, String)> = commitments::table
        .inner_join(frameworks::table)
        .filter(commitments::organisation_id.eq(organisation_id))
        .order(commitments::created_at.desc())
        .select((frameworks::code, frameworks::name, frameworks::id))
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<(String, String, String)> = rows
        .into_iter()
        .filter(|(code, _, _)| seen.insert(code.clone()))
        .collect();
    unique.sort();
    Ok(unique)
}

/// Checks each reference against the framework version the organisme is committed to.
pub fn check_supports(
    conn: &mut DbConnection,
    organisation_id: &str,
    wanted: &[Support],
) -> Result<(), AppError> {
    let frameworks = supportable(conn, organisation_id)?;
    let mut errors = FieldErrors::new();
    for support in wanted {
        let field = format!("req:{}", support.framework_code);
        let Some((_, _, framework_id)) = frameworks
            .iter()
            .find(|(code, _, _)| *code == support.framework_code)
        else {
            errors.add(&field, Invalid::new("err-unknown-choice"));
            continue;
        };
        let known: i64 = framework_requirements::table
            .filter(framework_requirements::framework_id.eq(framework_id))
            .filter(framework_requirements::reference.eq(&support.requirement_ref))
            .count()
            .get_result(conn)?;
        if known == 0 {
            errors.add(
                &field,
                Invalid::new("err-unknown-requirement").arg("value", &support.requirement_ref),
            );
        }
    }
    Ok(errors.into_result()?)
}

fn set_supports(
    conn: &mut DbConnection,
    evidence_id: &str,
    supports: &[Support],
) -> Result<(), AppError> {
    diesel::delete(
        evidence_requirements::table.filter(evidence_requirements::evidence_id.eq(evidence_id)),
    )
    .execute(conn)?;
    for support in supports {
        diesel::insert_into(evidence_requirements::table)
            .values((
                evidence_requirements::evidence_id.eq(evidence_id),
                evidence_requirements::framework_code.eq(&support.framework_code),
                evidence_requirements::requirement_ref.eq(&support.requirement_ref),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The requirements a document supports, in order.
pub fn supports_of(conn: &mut DbConnection, evidence_id: &str) -> Result<Vec<Support>, AppError> {
    Ok(evidence_requirements::table
        .filter(evidence_requirements::evidence_id.eq(evidence_id))
        .order((
            evidence_requirements::framework_code,
            evidence_requirements::requirement_ref,
        ))
        .select((
            evidence_requirements::framework_code,
            evidence_requirements::requirement_ref,
        ))
        .load(conn)?)
}

/// Which of an organisme's documents support which requirement of one framework:
/// (requirement reference, document id).
pub fn supporting(
    conn: &mut DbConnection,
    organisation_id: &str,
    framework_code: &str,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(evidence_requirements::table
        .inner_join(evidence::table)
        .filter(evidence::organisation_id.eq(organisation_id))
        .filter(evidence_requirements::framework_code.eq(framework_code))
        .select((
            evidence_requirements::requirement_ref,
            evidence_requirements::evidence_id,
        ))
        .load(conn)?)
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
    set_supports(conn, &id, &description.requirements)?;
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
                &serde_json::json!({ "title": created.title, "file": file.file_name, "sha256": file.sha256, "size": file.size, "requirements": description.requirements }),
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

/// Changes what describes a document, from the version the user read.
pub fn describe(
    conn: &mut DbConnection,
    actor: &Actor,
    item: &Evidence,
    base_version: i32,
    description: &Description,
) -> Result<Evidence, AppError> {
    let before = serde_json::json!({ "item": item, "requirements": supports_of(conn, &item.id)? });
    let changed = diesel::update(evidence::table.find(&item.id))
        .filter(evidence::version.eq(base_version))
        .set((
            evidence::title.eq(&description.title),
            evidence::site_id.eq(&description.site_id),
            evidence::effective_date.eq(description.effective_date),
            evidence::valid_until.eq(description.valid_until),
            evidence::updated_at.eq(now()),
            evidence::version.eq(base_version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict);
    }
    set_supports(conn, &item.id, &description.requirements)?;
    let after = get(conn, &item.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "evidence",
            entity_id: &item.id,
            organisation_id: Some(&item.organisation_id),
            action: "update",
            before: Some(&before),
            after: Some(
                &serde_json::json!({ "item": after, "requirements": description.requirements }),
            ),
        },
    )?;
    Ok(after)
}

/// A document that `scope` holds, with its organisme; any other id is not found, whoever
/// asks. This is how pages, API and services reach one: the bare lookup stays in `models`.
pub fn find(
    conn: &mut DbConnection,
    scope: &OrgScope,
    id: &str,
) -> Result<(Evidence, Organisation), AppError> {
    let found = get(conn, id)?;
    let organisation = crate::models::organisation::find(conn, scope, &found.organisation_id)?;
    Ok((found, organisation))
}

pub(in crate::models) fn get(conn: &mut DbConnection, id: &str) -> Result<Evidence, AppError> {
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

pub fn find_file(
    conn: &mut DbConnection,
    scope: &OrgScope,
    file_id: &str,
) -> Result<(EvidenceFile, Evidence), AppError> {
    let found: EvidenceFile = evidence_files::table
        .find(file_id)
        .select(EvidenceFile::as_select())
        .first(conn)?;
    let (item, _) = find(conn, scope, &found.evidence_id)?;
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

/// Where a document is cited: (audit id, audit title, requirement reference), by the auditor
/// or in the organisme's self-assessment.
pub fn citations(
    conn: &mut DbConnection,
    item: &Evidence,
) -> Result<Vec<(String, String, String)>, AppError> {
    use crate::db::schema::{audit_photos, audits, findings};
    // Ids are UUIDs, so the quoted id cannot match inside another one.
    let quoted = format!("%\"{}\"%", item.id);
    // A photograph taken on site is cited by the requirement it was taken for.
    let taken: Vec<(String, String, String)> = audit_photos::table
        .inner_join(audits::table)
        .filter(audit_photos::evidence_id.eq(&item.id))
        .select((audits::id, audits::title, audit_photos::requirement_ref))
        .load(conn)?;
    let cited: Vec<(String, String, String)> = findings::table
        .inner_join(audits::table)
        .filter(audits::organisation_id.eq(&item.organisation_id))
        .filter(
            findings::evidence_ids
                .like(&quoted)
                .or(findings::self_evidence_ids.like(&quoted)),
        )
        .order((audits::start_date.desc(), findings::requirement_ref))
        .select((audits::id, audits::title, findings::requirement_ref))
        .load(conn)?;
    let mut all = taken;
    for citation in cited {
        if !all.contains(&citation) {
            all.push(citation);
        }
    }
    Ok(all)
}
