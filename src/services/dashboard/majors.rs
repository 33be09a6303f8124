//! Major nonconformities still open: findings graded with a grade that is a nonconformity
//! and blocks the decision, whose action plan has no action yet or one an auditor has not
//! judged effective (an action done but not verified still leaves it open).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{actions, audits, findings, framework_grades, frameworks, organisations};
use crate::domain::audit::ActionStatus;
use crate::domain::rollout::framework_key;
use crate::error::AppError;

/// An audit with open major nonconformities.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Major {
    pub organisation_id: String,
    pub organisation_name: String,
    pub framework_key: String,
    pub framework_name: String,
    pub audit_id: String,
    pub audit_title: String,
    pub count: usize,
}

/// Findings graded with a major nonconformity: (finding, framework, audit, organisme).
fn graded_major(
    conn: &mut DbConnection,
    organisation_ids: &[&str],
) -> Result<Vec<(String, String, String, String)>, AppError> {
    let majors: HashSet<(String, String)> = framework_grades::table
        .filter(framework_grades::nonconformity.eq(true))
        .filter(framework_grades::blocks_decision.eq(true))
        .select((framework_grades::framework_id, framework_grades::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let codes: HashSet<&str> = majors.iter().map(|(_, c)| c.as_str()).collect();
    let codes: Vec<&str> = codes.into_iter().collect();
    let mut found = Vec::new();
    for chunk in organisation_ids.chunks(crate::db::MAX_IDS) {
        let rows: Vec<(String, Option<String>, String, String, String)> = findings::table
            .inner_join(audits::table)
            .filter(audits::organisation_id.eq_any(chunk))
            .filter(findings::grade_code.eq_any(&codes))
            .select((
                findings::id,
                findings::grade_code,
                audits::framework_id,
                audits::id,
                audits::organisation_id,
            ))
            .load(conn)?;
        // A grade code is major only in its own framework.
        found.extend(
            rows.into_iter()
                .filter_map(|(id, grade, framework, audit, org)| {
                    majors
                        .contains(&(framework.clone(), grade?))
                        .then_some((id, framework, audit, org))
                }),
        );
    }
    Ok(found)
}

/// The findings among these whose action plan is still open: no action, or one not effective.
fn still_open(conn: &mut DbConnection, finding_ids: &[&str]) -> Result<HashSet<String>, AppError> {
    let mut statuses: HashMap<String, Vec<ActionStatus>> = HashMap::new();
    for chunk in finding_ids.chunks(crate::db::MAX_IDS) {
        for (finding, status) in actions::table
            .filter(actions::finding_id.eq_any(chunk))
            .select((actions::finding_id, actions::status))
            .load::<(Option<String>, String)>(conn)?
        {
            let Some(finding) = finding else { continue };
            statuses
                .entry(finding)
                .or_default()
                .push(ActionStatus::parse(&status).unwrap_or(ActionStatus::Open));
        }
    }
    Ok(finding_ids
        .iter()
        .filter(|id| {
            statuses
                .get(**id)
                .is_none_or(|s| s.iter().any(|a| *a != ActionStatus::Effective))
        })
        .map(|id| (*id).to_owned())
        .collect())
}

/// The open major nonconformities of these organismes, per audit, most first.
pub fn open_majors_of(
    conn: &mut DbConnection,
    organisation_ids: &[&str],
) -> Result<Vec<Major>, AppError> {
    let graded = graded_major(conn, organisation_ids)?;
    let finding_ids: Vec<&str> = graded.iter().map(|g| g.0.as_str()).collect();
    let open = still_open(conn, &finding_ids)?;
    let mut per_audit: HashMap<(String, String), usize> = HashMap::new();
    for (finding, _, audit, org) in &graded {
        if open.contains(finding) {
            *per_audit.entry((audit.clone(), org.clone())).or_default() += 1;
        }
    }
    let audit_ids: Vec<&str> = per_audit.keys().map(|k| k.0.as_str()).collect();
    let mut names: HashMap<String, (String, String, String, String, String)> = HashMap::new();
    for chunk in audit_ids.chunks(crate::db::MAX_IDS) {
        let rows: Vec<(String, String, String, String, String, String)> = audits::table
            .inner_join(organisations::table)
            .inner_join(frameworks::table)
            .filter(audits::id.eq_any(chunk))
            .select((
                audits::id,
                audits::title,
                organisations::name,
                frameworks::code,
                frameworks::kind,
                frameworks::name,
            ))
            .load(conn)?;
        for (id, title, org, code, kind, name) in rows {
            names.insert(id, (title, org, code, kind, name));
        }
    }
    let mut majors: Vec<Major> = per_audit
        .into_iter()
        .filter_map(|((audit, org), count)| {
            let (title, org_name, code, kind, name) = names.get(&audit)?.clone();
            Some(Major {
                organisation_id: org,
                organisation_name: org_name,
                framework_key: framework_key(&code, &kind),
                framework_name: name,
                audit_id: audit,
                audit_title: title,
                count,
            })
        })
        .collect();
    majors.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.organisation_name.cmp(&b.organisation_name))
    });
    Ok(majors)
}
