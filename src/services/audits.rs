//! Audits as pages, API and CLI run them: found through the actor's scope, planned from a
//! commitment, moved along their states, decided, and their findings and self-assessment
//! saved. Every rule comes from `domain::policy`.

use std::collections::HashMap;

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::audit::{AuditState, Decision};
use crate::domain::dates::parse_date;
use crate::domain::policy;
use crate::domain::submission::{Assessed, Check};
use crate::domain::{FieldErrors, Invalid};
use crate::error::{AppError, ensure};
use crate::models::audit::{self, Audit, AuditForm};
use crate::models::commitment::{self, Commitment};
use crate::models::finding::{self, Part, Saved};
use crate::models::framework;
use crate::models::history::Actor;
use crate::models::organisation::Organisation;
use crate::services::schedules;

fn actor_of(user: &CurrentUser) -> Actor {
    Actor::user(&user.id, &user.email)
}

/// An audit of the actor's scope with its organisme: its page, its outcome (state, decision,
/// counts), which observers read too.
pub fn open(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Audit, Organisation), AppError> {
    audit::find(conn, &user.scope(), id)
}

/// An audit whose working documents are wanted: its findings, comparison and report (not
/// for observers).
pub fn open_working(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Audit, Organisation), AppError> {
    ensure(policy::sees_working_documents(user))?;
    open(conn, user, id)
}

/// A commitment the actor may plan an audit of.
pub fn plannable(
    conn: &mut DbConnection,
    user: &CurrentUser,
    commitment_id: &str,
) -> Result<(Commitment, Organisation), AppError> {
    let (found, organisation) = commitment::find(conn, &user.scope(), commitment_id)?;
    ensure(policy::may_plan_audit(user, &found))?;
    Ok((found, organisation))
}

/// Plans an audit of a commitment: a slot of its schedule or an extra audit.
pub fn plan(
    conn: &mut DbConnection,
    user: &CurrentUser,
    commitment_id: &str,
    form: &AuditForm,
) -> Result<Audit, AppError> {
    let (found, _) = plannable(conn, user, commitment_id)?;
    let plan = schedules::plan_of(conn, &found.framework_id)?;
    let steps: Vec<(String, String, String)> = plan
        .audits
        .iter()
        .map(|s| (s.code.clone(), s.kind.clone(), s.name.clone()))
        .collect();
    audit::create(conn, &actor_of(user), &found, &steps, form)
}

/// An audit the actor runs (its lead, its team, or an administrator), with its team.
fn run_by(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Audit, Vec<String>), AppError> {
    let (found, _) = open(conn, user, id)?;
    let team = audit::team(conn, &found.id)?;
    ensure(policy::may_record_findings(user, &found, &team))?;
    Ok((found, team))
}

/// Moves an audit to its next state from the version read. Submitting the report turns its
/// nonconformities into actions to carry out.
pub fn transition(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    version: i32,
    state: &str,
    reason: &str,
) -> Result<Audit, AppError> {
    let (found, _) = run_by(conn, user, id)?;
    let to = AuditState::parse(state).map_err(|e| FieldErrors::single("state", e))?;
    if to == AuditState::Submitted {
        // Only through `submit`, which checks what the report holds.
        return Err(FieldErrors::single("state", Invalid::new("err-submit-through-check")).into());
    }
    audit::transition(conn, &actor_of(user), &found, version, to, reason)
}

/// What the report of an audit the actor runs holds and lacks before it is submitted.
pub fn submission_check(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Audit, Check), AppError> {
    let (found, _) = run_by(conn, user, id)?;
    let check = check_of(conn, &found)?;
    Ok((found, check))
}

fn check_of(conn: &mut DbConnection, found: &Audit) -> Result<Check, AppError> {
    let requirements = framework::requirements(conn, &found.framework_id)?;
    let grades = framework::grades(conn, &found.framework_id)?;
    let findings: HashMap<String, finding::Finding> = finding::findings_of(conn, &found.id)?
        .into_iter()
        .map(|f| (f.requirement_ref.clone(), f))
        .collect();
    Ok(Check::of(requirements.iter().map(|r| {
        let recorded = findings.get(&r.reference);
        let grade = recorded
            .and_then(|f| f.grade_code.as_deref())
            .and_then(|code| grades.iter().find(|g| g.code == code));
        Assessed {
            reference: &r.reference,
            title: &r.title,
            graded: grade.is_some(),
            nonconformity: grade.is_some_and(|g| g.nonconformity),
            written: recorded.is_some_and(|f| !f.finding.trim().is_empty()),
        }
    })))
}

/// Submits the report from the version read: refused while a nonconformity has no finding
/// text, and while requirements are unassessed unless the auditor `confirmed` leaving them
/// so. The report's nonconformities become actions to carry out.
pub fn submit(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    version: i32,
    confirmed: bool,
) -> Result<Audit, AppError> {
    let (found, _) = run_by(conn, user, id)?;
    // Read before someone else moved it (submitted it, say): that is what to say.
    if found.version != version {
        return Err(AppError::Conflict);
    }
    let check = check_of(conn, &found)?;
    if check.blocks() {
        let references: Vec<&str> = check.unwritten.iter().map(|(r, _)| r.as_str()).collect();
        return Err(FieldErrors::single(
            "state",
            Invalid::new("err-submit-unwritten")
                .arg("count", check.unwritten.len().to_string())
                .arg("references", references.join(", ")),
        )
        .into());
    }
    if check.needs_confirmation() && !confirmed {
        return Err(FieldErrors::single(
            "confirm",
            Invalid::new("err-submit-confirm").arg("count", check.unassessed.len().to_string()),
        )
        .into());
    }
    let actor = actor_of(user);
    // From the site straight to submission: the report is drafted on the way (two history
    // rows, as two moves would write).
    // The version read is checked by the first move; the second starts from the first's.
    let (drafted, version) = if found.state() == AuditState::OnSite {
        let drafted = audit::transition(conn, &actor, &found, version, AuditState::Drafted, "")?;
        let next = drafted.version;
        (drafted, next)
    } else {
        (found, version)
    };
    let moved = audit::transition(conn, &actor, &drafted, version, AuditState::Submitted, "")?;
    let zone = schedules::zones(conn, std::slice::from_ref(&moved.organisation_id))?
        .remove(&moved.organisation_id)
        .unwrap_or(crate::domain::calendar::Zone::Metropole);
    crate::models::action::open_for_audit(conn, &actor, &moved, zone)?;
    Ok(moved)
}

/// Records the decision of the body that grants the label or certificate.
pub fn decide(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    version: i32,
    decision: &str,
    date: &str,
) -> Result<Audit, AppError> {
    let (found, _) = run_by(conn, user, id)?;
    let mut errors = FieldErrors::new();
    let decision = errors.check("decision", Decision::parse(decision));
    let date = errors.check("date", parse_date(date));
    let (Some(decision), Some(date)) = (decision, date) else {
        return Err(errors.into());
    };
    audit::decide(conn, &actor_of(user), &found, version, decision, date)
}

/// A save of one part of a requirement's row, with the audit and team it was made on (the
/// page shows the row again from them).
pub struct Saving {
    pub audit: Audit,
    pub team: Vec<String>,
    pub saved: Saved,
}

/// Saves the auditor's finding or the organisme's self-assessment of one requirement, from
/// the version read: the same algorithm for both, each under its own rule. `complete` lets
/// the caller add to the part what it needs the audit for (documents named by their title).
pub fn save(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    reference: &str,
    version: i32,
    mut part: Part,
    complete: impl FnOnce(&mut DbConnection, &Audit, &mut Part) -> Result<(), AppError>,
) -> Result<Saving, AppError> {
    let (found, _) = open(conn, user, id)?;
    let team = audit::team(conn, &found.id)?;
    ensure(match part {
        Part::Finding(_) => policy::may_record_findings(user, &found, &team),
        Part::SelfAssessment(_) => policy::may_self_assess(user, &found),
    })?;
    complete(conn, &found, &mut part)?;
    let saved = finding::save(conn, &actor_of(user), &found, reference, version, &part)?;
    Ok(Saving {
        audit: found,
        team,
        saved,
    })
}
