//! "Are we ready for the next audit?": for an organisme's next audit still to be held, how
//! many requirements its people self-assessed, which have no document, which documents end
//! before the audit, and the nonconformities and actions still open (the overdue first).

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{audits, evidence, evidence_requirements, frameworks};
use crate::domain::action_plan::{self, ActionOrigin};
use crate::domain::audit::AuditState;
use crate::domain::readiness;
use crate::error::AppError;
use crate::models::{action, audit::Audit, finding, framework as framework_model};

/// The audit being prepared.
#[derive(Debug, Clone, Serialize)]
pub struct NextAudit {
    pub id: String,
    pub title: String,
    pub framework: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub state: String,
    /// Days until it starts; negative once under way
    pub days_to_go: i64,
}

/// A document whose validity ends before the audit (or has ended).
#[derive(Debug, Clone, Serialize)]
pub struct Expiring {
    pub id: String,
    pub title: String,
    pub valid_until: NaiveDate,
    pub expired: bool,
}

/// An open action past its due date.
#[derive(Debug, Clone, Serialize)]
pub struct Late {
    pub id: String,
    pub title: String,
    pub days_late: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub audit: Option<NextAudit>,
    /// Requirements of the audit's framework assessed one by one
    pub requirements: usize,
    pub self_assessed: usize,
    pub self_assessed_percent: u32,
    /// Requirements no document of the organisme supports
    pub without_document: usize,
    /// Documents ending before the audit starts (within 90 days without an audit), the
    /// soonest first
    pub expiring: Vec<Expiring>,
    /// Nonconformities of past audits whose action is still open
    pub open_nonconformities: usize,
    pub open_actions: usize,
    /// The overdue actions, the most overdue first
    pub late: Vec<Late>,
}

/// Audits still to be held or under way: the next one is the one to prepare.
fn to_prepare(state: &str) -> bool {
    matches!(
        AuditState::parse(state),
        Ok(AuditState::Planned | AuditState::Preparation | AuditState::OnSite)
    )
}

fn next_audit(conn: &mut DbConnection, organisation_id: &str) -> Result<Option<Audit>, AppError> {
    let planned: Vec<Audit> = audits::table
        .filter(audits::organisation_id.eq(organisation_id))
        .order((audits::start_date.asc(), audits::id.asc()))
        .select(Audit::as_select())
        .load(conn)?;
    Ok(planned.into_iter().find(|a| to_prepare(&a.state)))
}

/// How many of the audit's requirements are self-assessed and how many no document supports.
fn requirement_counts(
    conn: &mut DbConnection,
    organisation_id: &str,
    found: &Audit,
) -> Result<(usize, usize, usize), AppError> {
    let requirements = framework_model::requirements(conn, &found.framework_id)?;
    let tree: Vec<(&str, Option<&str>)> = requirements
        .iter()
        .map(|r| (r.reference.as_str(), r.parent_ref.as_deref()))
        .collect();
    let assessed = readiness::assessed_one_by_one(&tree);
    let findings = finding::findings_of(conn, &found.id)?;
    let self_assessed: HashSet<&str> = findings
        .iter()
        .filter(|f| f.self_level.is_some())
        .map(|f| f.requirement_ref.as_str())
        .collect();
    let code: String = frameworks::table
        .find(&found.framework_id)
        .select(frameworks::code)
        .first(conn)?;
    // Documents the library says support a requirement, and those linked to it in a save.
    let mut documented: HashSet<String> = evidence_requirements::table
        .inner_join(evidence::table)
        .filter(evidence::organisation_id.eq(organisation_id))
        .filter(evidence_requirements::framework_code.eq(code))
        .select(evidence_requirements::requirement_ref)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    documented.extend(
        findings
            .iter()
            .filter(|f| {
                !finding::id_list::parse(&f.self_evidence_ids).is_empty()
                    || !finding::id_list::parse(&f.evidence_ids).is_empty()
            })
            .map(|f| f.requirement_ref.clone()),
    );
    Ok((
        assessed.len(),
        assessed
            .iter()
            .filter(|r| self_assessed.contains(*r))
            .count(),
        assessed
            .iter()
            .filter(|r| !documented.contains(**r))
            .count(),
    ))
}

/// Where the organisme's preparation stands today.
pub fn of(
    conn: &mut DbConnection,
    organisation_id: &str,
    today: NaiveDate,
) -> Result<Readiness, AppError> {
    let next = next_audit(conn, organisation_id)?;
    let (requirements, self_assessed, without_document) = match &next {
        Some(found) => requirement_counts(conn, organisation_id, found)?,
        None => (0, 0, 0),
    };
    let horizon = next
        .as_ref()
        .map_or(today + chrono::Duration::days(90), |a| a.start_date);
    let expiring = evidence::table
        .filter(evidence::organisation_id.eq(organisation_id))
        .filter(evidence::valid_until.le(horizon))
        .order(evidence::valid_until.asc())
        .select((evidence::id, evidence::title, evidence::valid_until))
        .load::<(String, String, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(id, title, until)| {
            let valid_until = until?;
            Some(Expiring {
                id,
                title,
                valid_until,
                expired: valid_until < today,
            })
        })
        .collect();
    let open: Vec<action::Action> = action::list_for(conn, organisation_id)?
        .into_iter()
        .filter(|a| a.status().is_open())
        .collect();
    let mut late: Vec<Late> = open
        .iter()
        .filter_map(|a| {
            Some(Late {
                days_late: action_plan::days_late(a.due_date, a.status(), today)?,
                id: a.id.clone(),
                title: a.title.clone(),
            })
        })
        .collect();
    late.sort_by_key(|l| std::cmp::Reverse(l.days_late));
    let audit = match next {
        Some(found) => {
            let framework: String = frameworks::table
                .find(&found.framework_id)
                .select(frameworks::name)
                .first(conn)?;
            Some(NextAudit {
                days_to_go: (found.start_date - today).num_days(),
                id: found.id,
                title: found.title,
                framework,
                start_date: found.start_date,
                end_date: found.end_date,
                state: found.state,
            })
        }
        None => None,
    };
    Ok(Readiness {
        audit,
        requirements,
        self_assessed,
        self_assessed_percent: readiness::percent(self_assessed, requirements),
        without_document,
        expiring,
        open_nonconformities: open
            .iter()
            .filter(|a| a.origin() == ActionOrigin::Finding)
            .count(),
        open_actions: open.len(),
        late,
    })
}
