//! The findings of an audit, one row per requirement: the auditor's grade and finding, and
//! beside them the organisme's self-assessment, each saved with the version read.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::history::{self, Actor, Change};
use crate::db::schema::{evidence, findings, framework_grades, framework_requirements, sites};
use crate::db::{DbConnection, new_id, now};
use crate::domain::audit::{AuditState, SaveOutcome, SelfLevel, save_outcome};
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = findings)]
pub struct Finding {
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub audit_id: String,
    pub requirement_ref: String,
    pub grade_code: Option<String>,
    pub finding: String,
    pub evidence_seen: String,
    /// The sites concerned
    #[serde(serialize_with = "id_list::serialize")]
    #[schema(value_type = Vec<String>)]
    pub site_ids: String,
    /// The documents of the evidence library the auditor saw
    #[serde(serialize_with = "id_list::serialize")]
    #[schema(value_type = Vec<String>)]
    pub evidence_ids: String,
    pub self_level: Option<String>,
    pub self_comment: String,
    /// The documents the organisme linked in its self-assessment
    #[serde(serialize_with = "id_list::serialize")]
    #[schema(value_type = Vec<String>)]
    pub self_evidence_ids: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
    pub version: i32,
}

/// Lists of ids kept as a JSON array in one column, and shown as lists.
pub mod id_list {
    use serde::Serialize;

    #[expect(clippy::ptr_arg, reason = "serde passes the field as it is declared")]
    pub fn serialize<S: serde::Serializer>(raw: &String, serializer: S) -> Result<S::Ok, S::Error> {
        parse(raw).serialize(serializer)
    }

    pub fn parse(raw: &str) -> Vec<String> {
        serde_json::from_str(raw).unwrap_or_default()
    }

    pub fn encode(ids: &[String]) -> String {
        serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned())
    }

    /// Sorted and without repeats, so that two saves of the same choice compare equal.
    pub fn normalise(ids: &[String]) -> Vec<String> {
        let mut ids: Vec<String> = ids
            .iter()
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// What an auditor writes for one requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingContent {
    pub grade_code: Option<String>,
    pub finding: String,
    pub evidence_seen: String,
    pub site_ids: Vec<String>,
    pub evidence_ids: Vec<String>,
}

/// What the organisme states for one requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfContent {
    pub level: Option<String>,
    pub comment: String,
    pub evidence_ids: Vec<String>,
}

impl Finding {
    pub fn content(&self) -> FindingContent {
        FindingContent {
            grade_code: self.grade_code.clone(),
            finding: self.finding.clone(),
            evidence_seen: self.evidence_seen.clone(),
            site_ids: id_list::parse(&self.site_ids),
            evidence_ids: id_list::parse(&self.evidence_ids),
        }
    }

    pub fn self_content(&self) -> SelfContent {
        SelfContent {
            level: self.self_level.clone(),
            comment: self.self_comment.clone(),
            evidence_ids: id_list::parse(&self.self_evidence_ids),
        }
    }
}

pub fn findings_of(conn: &mut DbConnection, audit_id: &str) -> Result<Vec<Finding>, AppError> {
    Ok(findings::table
        .filter(findings::audit_id.eq(audit_id))
        .select(Finding::as_select())
        .load(conn)?)
}

fn finding(
    conn: &mut DbConnection,
    audit_id: &str,
    reference: &str,
) -> Result<Option<Finding>, AppError> {
    Ok(findings::table
        .filter(findings::audit_id.eq(audit_id))
        .filter(findings::requirement_ref.eq(reference))
        .select(Finding::as_select())
        .first(conn)
        .optional()?)
}

/// The result of a save: the row as stored now, and whether this save was refused.
pub enum Saved {
    Stored(Finding),
    Conflict(Finding),
}

fn check_requirement(
    conn: &mut DbConnection,
    audit: &Audit,
    reference: &str,
) -> Result<(), AppError> {
    let known: i64 = framework_requirements::table
        .filter(framework_requirements::framework_id.eq(&audit.framework_id))
        .filter(framework_requirements::reference.eq(reference))
        .count()
        .get_result(conn)?;
    if known == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

/// One of the two halves of a requirement's row: the auditor's finding, or the organisme's
/// self-assessment. Both are saved by the same algorithm (`save`), each with its own fields,
/// the state in which it is open, and its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Finding(FindingContent),
    SelfAssessment(SelfContent),
}

impl Part {
    /// The field an error about the part as a whole is shown on.
    fn main_field(&self) -> &'static str {
        match self {
            Part::Finding(_) => "grade_code",
            Part::SelfAssessment(_) => "self_level",
        }
    }

    /// The field documents of the library are chosen in.
    pub fn evidence_field(&self) -> &'static str {
        match self {
            Part::Finding(_) => "evidence_ids",
            Part::SelfAssessment(_) => "self_evidence_ids",
        }
    }

    pub fn evidence_ids_mut(&mut self) -> &mut Vec<String> {
        match self {
            Part::Finding(content) => &mut content.evidence_ids,
            Part::SelfAssessment(content) => &mut content.evidence_ids,
        }
    }

    fn open_in(&self, state: AuditState) -> Result<(), FieldErrors> {
        let (open, key) = match self {
            Part::Finding(_) => (state.findings_open(), "err-findings-frozen"),
            Part::SelfAssessment(_) => (state.self_assessment_open(), "err-self-closed"),
        };
        if open {
            Ok(())
        } else {
            Err(FieldErrors::single(self.main_field(), Invalid::new(key)))
        }
    }

    /// As it will be stored, so a retried save with stray spaces is still a retry.
    fn normalised(&self) -> Part {
        match self {
            Part::Finding(c) => Part::Finding(FindingContent {
                grade_code: c.grade_code.clone(),
                finding: c.finding.trim().to_owned(),
                evidence_seen: c.evidence_seen.trim().to_owned(),
                site_ids: id_list::normalise(&c.site_ids),
                evidence_ids: id_list::normalise(&c.evidence_ids),
            }),
            Part::SelfAssessment(c) => Part::SelfAssessment(SelfContent {
                level: c.level.clone(),
                comment: c.comment.trim().to_owned(),
                evidence_ids: id_list::normalise(&c.evidence_ids),
            }),
        }
    }

    /// The checks of the part's own values (the links are checked by `save`).
    fn check_values(
        &self,
        conn: &mut DbConnection,
        audit: &Audit,
        errors: &mut FieldErrors,
    ) -> Result<(), AppError> {
        match self {
            Part::Finding(c) => {
                if let Some(grade) = &c.grade_code {
                    let known: i64 = framework_grades::table
                        .filter(framework_grades::framework_id.eq(&audit.framework_id))
                        .filter(framework_grades::code.eq(grade))
                        .count()
                        .get_result(conn)?;
                    if known == 0 {
                        errors.add("grade_code", Invalid::new("err-unknown-choice"));
                    }
                }
                errors.check("finding", BoundedText::optional(&c.finding, 5000));
                errors.check(
                    "evidence_seen",
                    BoundedText::optional(&c.evidence_seen, 5000),
                );
            }
            Part::SelfAssessment(c) => {
                if let Some(level) = &c.level {
                    errors.check("self_level", SelfLevel::parse(level));
                }
                errors.check("self_comment", BoundedText::optional(&c.comment, 5000));
            }
        }
        Ok(())
    }

    fn site_ids(&self) -> &[String] {
        match self {
            Part::Finding(c) => &c.site_ids,
            Part::SelfAssessment(_) => &[],
        }
    }

    fn evidence_ids(&self) -> &[String] {
        match self {
            Part::Finding(c) => &c.evidence_ids,
            Part::SelfAssessment(c) => &c.evidence_ids,
        }
    }

    /// What the stored row holds of this part, to compare a save with.
    fn stored_in(&self, row: &Finding) -> Part {
        match self {
            Part::Finding(_) => Part::Finding(row.content()),
            Part::SelfAssessment(_) => Part::SelfAssessment(row.self_content()),
        }
    }

    /// Writes the part over the row read at `row.version`; 0 rows when someone wrote since.
    fn write(
        &self,
        conn: &mut DbConnection,
        actor: &Actor,
        row: &Finding,
    ) -> Result<usize, AppError> {
        let target =
            diesel::update(findings::table.find(&row.id)).filter(findings::version.eq(row.version));
        let stamp = (
            findings::updated_at.eq(now()),
            findings::updated_by.eq(&actor.label),
            findings::version.eq(row.version + 1),
        );
        Ok(match self {
            Part::Finding(c) => target
                .set((
                    findings::grade_code.eq(c.grade_code.clone()),
                    findings::finding.eq(&c.finding),
                    findings::evidence_seen.eq(&c.evidence_seen),
                    findings::site_ids.eq(id_list::encode(&c.site_ids)),
                    findings::evidence_ids.eq(id_list::encode(&c.evidence_ids)),
                    stamp,
                ))
                .execute(conn)?,
            Part::SelfAssessment(c) => target
                .set((
                    findings::self_level.eq(c.level.clone()),
                    findings::self_comment.eq(&c.comment),
                    findings::self_evidence_ids.eq(id_list::encode(&c.evidence_ids)),
                    stamp,
                ))
                .execute(conn)?,
        })
    }
}

/// Saves one part of a requirement's row from the version its writer started from: checked
/// whole first (nothing written when a value is wrong), then judged against the stored row
/// (a repeat is harmless, a save from a stale version is refused with the row kept), then
/// written and recorded in the history.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    audit: &Audit,
    reference: &str,
    base_version: i32,
    part: &Part,
) -> Result<Saved, AppError> {
    check_requirement(conn, audit, reference)?;
    part.open_in(audit.state())?;
    let mut errors = FieldErrors::new();
    part.check_values(conn, audit, &mut errors)?;
    let part = &part.normalised();
    check_links(
        conn,
        audit,
        part.site_ids(),
        part.evidence_ids(),
        part.evidence_field(),
        &mut errors,
    )?;
    errors.into_result()?;
    let decide = |stored: Option<&Finding>| {
        let current = stored.map(|f| (f.version, part.stored_in(f)));
        save_outcome(current.as_ref().map(|(v, c)| (*v, c)), base_version, part)
    };
    let row = match settle(conn, actor, audit, reference, decide)? {
        Settled::Write(row) => row,
        Settled::Done(done) => return Ok(done),
    };
    let changed = part.write(conn, actor, &row)?;
    finish(conn, actor, audit, reference, changed)
}

fn check_links(
    conn: &mut DbConnection,
    audit: &Audit,
    site_ids: &[String],
    evidence_ids: &[String],
    evidence_field: &str,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if !site_ids.is_empty() {
        let known: i64 = sites::table
            .filter(sites::organisation_id.eq(&audit.organisation_id))
            .filter(sites::id.eq_any(site_ids))
            .count()
            .get_result(conn)?;
        if usize::try_from(known).ok() != Some(site_ids.len()) {
            errors.add("site_ids", Invalid::new("err-unknown-choice"));
        }
    }
    if !evidence_ids.is_empty() {
        let known: i64 = evidence::table
            .filter(evidence::organisation_id.eq(&audit.organisation_id))
            .filter(evidence::id.eq_any(evidence_ids))
            .count()
            .get_result(conn)?;
        if usize::try_from(known).ok() != Some(evidence_ids.len()) {
            errors.add(evidence_field, Invalid::new("err-unknown-document"));
        }
    }
    Ok(())
}

/// The row to update (created empty, at version 0, on first save), or the final answer when
/// nothing is to be written (a retried save, or a conflict). `decide` judges the save
/// against the row as stored.
fn settle(
    conn: &mut DbConnection,
    actor: &Actor,
    audit: &Audit,
    reference: &str,
    decide: impl Fn(Option<&Finding>) -> SaveOutcome,
) -> Result<Settled, AppError> {
    let stored = finding(conn, &audit.id, reference)?;
    let Some(current) = stored.as_ref() else {
        // Inside a savepoint: when someone created the row at the same instant (PostgreSQL
        // lets both transactions try), this one goes on and judges its save against theirs.
        let created = diesel::Connection::transaction(conn, |c| {
            diesel::insert_into(findings::table)
                .values((
                    findings::id.eq(new_id()),
                    findings::audit_id.eq(&audit.id),
                    findings::requirement_ref.eq(reference),
                    findings::finding.eq(""),
                    findings::evidence_seen.eq(""),
                    findings::site_ids.eq("[]"),
                    findings::self_comment.eq(""),
                    findings::updated_at.eq(now()),
                    findings::updated_by.eq(&actor.label),
                    findings::version.eq(0),
                ))
                .execute(c)
        });
        let raced = matches!(
            created,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        );
        if !raced {
            created?;
        }
        let row = finding(conn, &audit.id, reference)?.ok_or(AppError::NotFound)?;
        return Ok(if raced {
            Settled::judged(decide(Some(&row)), row)
        } else {
            Settled::Write(row)
        });
    };
    Ok(Settled::judged(decide(Some(current)), current.clone()))
}

/// What a save does once the stored row is known.
enum Settled {
    /// Write the content over this row.
    Write(Finding),
    /// Nothing to write: this is the answer.
    Done(Saved),
}

impl Settled {
    fn judged(outcome: SaveOutcome, stored: Finding) -> Self {
        match outcome {
            SaveOutcome::Conflict => Settled::Done(Saved::Conflict(stored)),
            SaveOutcome::AlreadySaved => Settled::Done(Saved::Stored(stored)),
            SaveOutcome::Create | SaveOutcome::Update => Settled::Write(stored),
        }
    }
}

/// After an update: reload the row and record it, or report a save overtaken meanwhile.
fn finish(
    conn: &mut DbConnection,
    actor: &Actor,
    audit: &Audit,
    reference: &str,
    changed: usize,
) -> Result<Saved, AppError> {
    let after = finding(conn, &audit.id, reference)?.ok_or(AppError::NotFound)?;
    if changed == 0 {
        return Ok(Saved::Conflict(after));
    }
    history::record(
        conn,
        actor,
        &Change {
            entity: "finding",
            entity_id: &after.id,
            organisation_id: Some(&audit.organisation_id),
            action: "save",
            before: None,
            after: Some(&after),
        },
    )?;
    Ok(Saved::Stored(after))
}
