//! Audits of a commitment, pinned to the framework version of the commitment, with their
//! team and sampled sites; the findings recorded per requirement (and the organisme's
//! self-assessment beside them), saved one row at a time with a version.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::commitment::{self, Commitment};
use super::history::{self, Actor, Change};
use crate::db::schema::{
    audit_sites, audit_team, audits, evidence, findings, framework_grades, framework_requirements,
    sites, users,
};
use crate::db::{DbConnection, new_id, now};
use crate::domain::audit::{AuditState, Decision, SaveOutcome, SelfLevel, save_outcome};
use crate::domain::dates::parse_date;
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = audits)]
pub struct Audit {
    pub id: String,
    pub commitment_id: String,
    pub organisation_id: String,
    /// The framework version the audit is pinned to
    pub framework_id: String,
    /// The step of the cycle it fulfils, if planned from the schedule
    pub step_code: Option<String>,
    pub kind: String,
    pub title: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub state: String,
    pub lead_auditor_id: Option<String>,
    pub decision: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl Audit {
    pub fn state(&self) -> AuditState {
        AuditState::parse(&self.state).unwrap_or(AuditState::Planned)
    }
}

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

/// The planning form: a slot of the schedule (`step:<code>`) or an extra audit
/// (`extra:internal`, `extra:blank`, `extra:short_notice`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditForm {
    pub slot: String,
    pub title: String,
    pub start_date: String,
    pub end_date: String,
    pub lead_auditor_id: String,
    pub team_ids: Vec<String>,
    pub site_ids: Vec<String>,
}

impl AuditForm {
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            let value = value.clone();
            match name.as_str() {
                "slot" => form.slot = value,
                "title" => form.title = value,
                "start_date" => form.start_date = value,
                "end_date" => form.end_date = value,
                "lead_auditor_id" => form.lead_auditor_id = value,
                "team_ids" => form.team_ids.push(value),
                "site_ids" => form.site_ids.push(value),
                _ => {}
            }
        }
        form
    }
}

const EXTRA_KINDS: [&str; 3] = ["internal", "blank", "short_notice"];

fn require_auditors(conn: &mut DbConnection, ids: &[String], field: &str) -> Result<(), AppError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: i64 = users::table
        .filter(users::id.eq_any(ids))
        .filter(users::role.eq("auditor"))
        .count()
        .get_result(conn)?;
    if usize::try_from(found).unwrap_or(0) == ids.len() {
        Ok(())
    } else {
        Err(FieldErrors::single(field, Invalid::new("err-unknown-choice")).into())
    }
}

/// Plans an audit of `commitment`; `steps` are the (code, kind, name) of its cycle.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    commitment: &Commitment,
    steps: &[(String, String, String)],
    form: &AuditForm,
) -> Result<Audit, AppError> {
    let mut errors = FieldErrors::new();
    let (step_code, kind, default_title) = match form.slot.split_once(':') {
        Some(("step", code)) => {
            if let Some((code, kind, name)) = steps.iter().find(|(c, _, _)| c == code) {
                (Some(code.clone()), kind.clone(), name.clone())
            } else {
                errors.add("slot", Invalid::new("err-unknown-choice"));
                (None, String::new(), String::new())
            }
        }
        Some(("extra", kind)) if EXTRA_KINDS.contains(&kind) => {
            (None, kind.to_owned(), String::new())
        }
        _ => {
            errors.add("slot", Invalid::new("err-required"));
            (None, String::new(), String::new())
        }
    };
    let title = if form.title.trim().is_empty() {
        default_title
    } else {
        form.title.clone()
    };
    let title = errors.check("title", BoundedText::required(&title, 200));
    let start = errors.check("start_date", parse_date(&form.start_date));
    let end = errors.check(
        "end_date",
        parse_date(if form.end_date.trim().is_empty() {
            &form.start_date
        } else {
            &form.end_date
        }),
    );
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.add("end_date", Invalid::new("err-end-before-start"));
    }
    errors.into_result()?;
    let lead = Some(form.lead_auditor_id.trim().to_owned()).filter(|l| !l.is_empty());
    require_auditors(conn, lead.as_slice(), "lead_auditor_id")?;
    require_auditors(conn, &form.team_ids, "team_ids")?;
    let own_sites: Vec<String> = crate::db::schema::sites::table
        .filter(crate::db::schema::sites::organisation_id.eq(&commitment.organisation_id))
        .select(crate::db::schema::sites::id)
        .load(conn)?;
    if form.site_ids.iter().any(|s| !own_sites.contains(s)) {
        return Err(FieldErrors::single("site_ids", Invalid::new("err-unknown-choice")).into());
    }
    let (Some(title), Some(start), Some(end)) = (title, start, end) else {
        return Err(AppError::unexpected("validated audit form incomplete"));
    };
    let id = new_id();
    let at = now();
    diesel::insert_into(audits::table)
        .values((
            audits::id.eq(&id),
            audits::commitment_id.eq(&commitment.id),
            audits::organisation_id.eq(&commitment.organisation_id),
            audits::framework_id.eq(&commitment.framework_id),
            audits::step_code.eq(&step_code),
            audits::kind.eq(&kind),
            audits::title.eq(title.as_str()),
            audits::start_date.eq(start),
            audits::end_date.eq(end),
            audits::state.eq(AuditState::Planned.as_str()),
            audits::lead_auditor_id.eq(&lead),
            audits::created_at.eq(at),
            audits::updated_at.eq(at),
            audits::version.eq(1),
        ))
        .execute(conn)?;
    for member in &form.team_ids {
        diesel::insert_into(audit_team::table)
            .values((audit_team::audit_id.eq(&id), audit_team::user_id.eq(member)))
            .execute(conn)?;
    }
    for site in &form.site_ids {
        diesel::insert_into(audit_sites::table)
            .values((audit_sites::audit_id.eq(&id), audit_sites::site_id.eq(site)))
            .execute(conn)?;
    }
    let created = get(conn, &id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "audit",
            entity_id: &id,
            organisation_id: Some(&created.organisation_id),
            action: "create",
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Audit, AppError> {
    Ok(audits::table
        .find(id)
        .select(Audit::as_select())
        .first(conn)?)
}

pub fn list_for_commitment(
    conn: &mut DbConnection,
    commitment_id: &str,
) -> Result<Vec<Audit>, AppError> {
    Ok(audits::table
        .filter(audits::commitment_id.eq(commitment_id))
        .order(audits::start_date.desc())
        .select(Audit::as_select())
        .load(conn)?)
}

/// Audits an auditor leads or belongs to, soonest first.
pub fn list_for_auditor(conn: &mut DbConnection, user_id: &str) -> Result<Vec<Audit>, AppError> {
    Ok(audits::table
        .filter(
            audits::lead_auditor_id.eq(user_id).or(audits::id.eq_any(
                audit_team::table
                    .filter(audit_team::user_id.eq(user_id))
                    .select(audit_team::audit_id),
            )),
        )
        .order(audits::start_date.asc())
        .select(Audit::as_select())
        .load(conn)?)
}

pub fn team(conn: &mut DbConnection, audit_id: &str) -> Result<Vec<String>, AppError> {
    Ok(audit_team::table
        .filter(audit_team::audit_id.eq(audit_id))
        .select(audit_team::user_id)
        .load(conn)?)
}

pub fn sites(conn: &mut DbConnection, audit_id: &str) -> Result<Vec<String>, AppError> {
    Ok(audit_sites::table
        .filter(audit_sites::audit_id.eq(audit_id))
        .select(audit_sites::site_id)
        .load(conn)?)
}

/// Moves an audit on; reopening a submitted report needs a reason.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &Audit,
    expected_version: i32,
    to: AuditState,
    reason: &str,
) -> Result<Audit, AppError> {
    let mut errors = FieldErrors::new();
    errors.check("state", before.state().check_move(to));
    let reopening = before.state() == AuditState::Submitted && to == AuditState::Drafted;
    if reopening {
        errors.check("reason", BoundedText::required(reason, 1000));
    }
    errors.into_result()?;
    update_state(conn, before, expected_version, to, None)?;
    let after = get(conn, &before.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "audit",
            entity_id: &before.id,
            organisation_id: Some(&before.organisation_id),
            action: if reopening { "reopen" } else { "transition" },
            before: Some(&serde_json::json!({ "state": before.state, "reason": reason })),
            after: Some(&serde_json::to_value(&after).map_err(AppError::unexpected)?),
        },
    )?;
    Ok(after)
}

fn update_state(
    conn: &mut DbConnection,
    before: &Audit,
    expected_version: i32,
    to: AuditState,
    decision: Option<(Decision, NaiveDate)>,
) -> Result<(), AppError> {
    let changed = diesel::update(audits::table.find(&before.id))
        .filter(audits::version.eq(expected_version))
        .set((
            audits::state.eq(to.as_str()),
            audits::decision.eq(decision.map(|(d, _)| d.as_str())),
            audits::decision_date.eq(decision.map(|(_, date)| date)),
            audits::updated_at.eq(now()),
            audits::version.eq(expected_version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        Err(AppError::Conflict)
    } else {
        Ok(())
    }
}

/// Records the decision on a submitted audit, and moves the commitment accordingly: the
/// audit counts as held on its last day, and the commitment takes the decision's state.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &Audit,
    expected_version: i32,
    decision: Decision,
    date: NaiveDate,
) -> Result<Audit, AppError> {
    let mut errors = FieldErrors::new();
    errors.check("decision", before.state().check_move(AuditState::Decided));
    if date < before.end_date {
        errors.add("date", Invalid::new("err-decision-before-audit"));
    }
    errors.into_result()?;
    update_state(
        conn,
        before,
        expected_version,
        AuditState::Decided,
        Some((decision, date)),
    )?;
    let held = commitment::get(conn, &before.commitment_id)?;
    if let Some(step) = &before.step_code {
        commitment::record_audit(conn, actor, &held, step, before.end_date, &before.title)?;
    }
    let current = commitment::get(conn, &before.commitment_id)?;
    let target = decision.commitment_state();
    if current.state() != target {
        let reason = format!("{} — {}", before.title, decision.as_str());
        commitment::transition(
            conn,
            actor,
            &current,
            current.version,
            target,
            date,
            &reason,
        )
        .map_err(|e| match e {
            AppError::Validation(fields) => AppError::Validation(FieldErrors(
                fields
                    .0
                    .into_values()
                    .map(|v| ("decision".to_owned(), v))
                    .collect(),
            )),
            other => other,
        })?;
    }
    let after = get(conn, &before.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "audit",
            entity_id: &before.id,
            organisation_id: Some(&before.organisation_id),
            action: "decide",
            before: Some(before),
            after: Some(&after),
        },
    )?;
    Ok(after)
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

/// Saves what the auditor wrote for one requirement, from the version they started from.
pub fn save_finding(
    conn: &mut DbConnection,
    actor: &Actor,
    audit: &Audit,
    reference: &str,
    base_version: i32,
    content: &FindingContent,
) -> Result<Saved, AppError> {
    check_requirement(conn, audit, reference)?;
    if !audit.state().findings_open() {
        return Err(FieldErrors::single("grade_code", Invalid::new("err-findings-frozen")).into());
    }
    let mut errors = FieldErrors::new();
    if let Some(grade) = &content.grade_code {
        let known: i64 = framework_grades::table
            .filter(framework_grades::framework_id.eq(&audit.framework_id))
            .filter(framework_grades::code.eq(grade))
            .count()
            .get_result(conn)?;
        if known == 0 {
            errors.add("grade_code", Invalid::new("err-unknown-choice"));
        }
    }
    errors.check("finding", BoundedText::optional(&content.finding, 5000));
    errors.check(
        "evidence_seen",
        BoundedText::optional(&content.evidence_seen, 5000),
    );
    // Compared as it will be stored, so a retried save with stray spaces is still a retry.
    let content = &FindingContent {
        grade_code: content.grade_code.clone(),
        finding: content.finding.trim().to_owned(),
        evidence_seen: content.evidence_seen.trim().to_owned(),
        site_ids: id_list::normalise(&content.site_ids),
        evidence_ids: id_list::normalise(&content.evidence_ids),
    };
    check_links(
        conn,
        audit,
        &content.site_ids,
        &content.evidence_ids,
        "evidence_ids",
        &mut errors,
    )?;
    errors.into_result()?;
    let decide = judge(Finding::content, base_version, content);
    let row = match settle(conn, actor, audit, reference, decide)? {
        Settled::Write(row) => row,
        Settled::Done(done) => return Ok(done),
    };
    let changed = diesel::update(findings::table.find(&row.id))
        .filter(findings::version.eq(row.version))
        .set((
            findings::grade_code.eq(content.grade_code.clone()),
            findings::finding.eq(content.finding.trim()),
            findings::evidence_seen.eq(content.evidence_seen.trim()),
            findings::site_ids.eq(id_list::encode(&content.site_ids)),
            findings::evidence_ids.eq(id_list::encode(&content.evidence_ids)),
            findings::updated_at.eq(now()),
            findings::updated_by.eq(&actor.label),
            findings::version.eq(row.version + 1),
        ))
        .execute(conn)?;
    finish(conn, actor, audit, reference, changed)
}

/// Saves the organisme's self-assessment of one requirement.
pub fn save_self(
    conn: &mut DbConnection,
    actor: &Actor,
    audit: &Audit,
    reference: &str,
    base_version: i32,
    content: &SelfContent,
) -> Result<Saved, AppError> {
    check_requirement(conn, audit, reference)?;
    if !audit.state().self_assessment_open() {
        return Err(FieldErrors::single("self_level", Invalid::new("err-self-closed")).into());
    }
    let mut errors = FieldErrors::new();
    if let Some(level) = &content.level {
        errors.check("self_level", SelfLevel::parse(level));
    }
    errors.check(
        "self_comment",
        BoundedText::optional(&content.comment, 5000),
    );
    let content = &SelfContent {
        level: content.level.clone(),
        comment: content.comment.trim().to_owned(),
        evidence_ids: id_list::normalise(&content.evidence_ids),
    };
    check_links(
        conn,
        audit,
        &[],
        &content.evidence_ids,
        "self_evidence_ids",
        &mut errors,
    )?;
    errors.into_result()?;
    let decide = judge(Finding::self_content, base_version, content);
    let row = match settle(conn, actor, audit, reference, decide)? {
        Settled::Write(row) => row,
        Settled::Done(done) => return Ok(done),
    };
    let changed = diesel::update(findings::table.find(&row.id))
        .filter(findings::version.eq(row.version))
        .set((
            findings::self_level.eq(content.level.clone()),
            findings::self_comment.eq(content.comment.trim()),
            findings::self_evidence_ids.eq(id_list::encode(&content.evidence_ids)),
            findings::updated_at.eq(now()),
            findings::updated_by.eq(&actor.label),
            findings::version.eq(row.version + 1),
        ))
        .execute(conn)?;
    finish(conn, actor, audit, reference, changed)
}

/// Sites and documents cited by a finding must be the audited organisme's own.
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

/// Judges a save of `content` (the part of a row that `read` gives) made from `base_version`,
/// against the row as stored.
fn judge<T: PartialEq>(
    read: fn(&Finding) -> T,
    base_version: i32,
    content: &T,
) -> impl Fn(Option<&Finding>) -> SaveOutcome + '_ {
    move |stored| {
        let current = stored.map(|f| (f.version, read(f)));
        save_outcome(
            current.as_ref().map(|(v, c)| (*v, c)),
            base_version,
            content,
        )
    }
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
