//! *Mes audits*: the audits an auditor leads or belongs to, as their home lists them — under
//! way first (on site, then the report being written), then the coming ones by date, the
//! finished ones apart (latest first) — each with its organisme, framework, kind, dates,
//! state and progress (graded / requirements).

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{
    findings, framework_requirements as requirements, frameworks, organisations,
};
use crate::domain::audit::AuditState;
use crate::error::AppError;
use crate::models::audit::{self, Audit};

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub audit: Audit,
    pub organisation_name: String,
    pub framework_name: String,
    pub graded: i64,
    pub requirements: i64,
    /// On site or its report being written: the one to open now
    pub under_way: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MyAudits {
    pub current: Vec<Line>,
    pub finished: Vec<Line>,
}

/// Where an audit sorts among the current ones: what is under way, then what comes.
fn urgency(state: AuditState) -> u8 {
    match state {
        AuditState::OnSite => 0,
        AuditState::Drafted => 1,
        AuditState::Preparation => 2,
        _ => 3,
    }
}

pub fn of(conn: &mut DbConnection, user_id: &str) -> Result<MyAudits, AppError> {
    let audits = audit::list_for_auditor(conn, user_id)?;
    let org_ids: Vec<&str> = audits.iter().map(|a| a.organisation_id.as_str()).collect();
    let names: HashMap<String, String> = organisations::table
        .filter(organisations::id.eq_any(&org_ids))
        .select((organisations::id, organisations::name))
        .load(conn)?
        .into_iter()
        .collect();
    let framework_ids: Vec<&str> = audits.iter().map(|a| a.framework_id.as_str()).collect();
    let framework_names: HashMap<String, String> = frameworks::table
        .filter(frameworks::id.eq_any(&framework_ids))
        .select((frameworks::id, frameworks::name))
        .load(conn)?
        .into_iter()
        .collect();
    let sizes: HashMap<String, i64> = requirements::table
        .filter(requirements::framework_id.eq_any(&framework_ids))
        .group_by(requirements::framework_id)
        .select((requirements::framework_id, diesel::dsl::count_star()))
        .load(conn)?
        .into_iter()
        .collect();
    let audit_ids: Vec<&str> = audits.iter().map(|a| a.id.as_str()).collect();
    let graded: HashMap<String, i64> = findings::table
        .filter(findings::audit_id.eq_any(&audit_ids))
        .filter(findings::grade_code.is_not_null())
        .group_by(findings::audit_id)
        .select((findings::audit_id, diesel::dsl::count_star()))
        .load(conn)?
        .into_iter()
        .collect();
    let mut mine = MyAudits::default();
    for a in audits {
        let line = Line {
            organisation_name: names.get(&a.organisation_id).cloned().unwrap_or_default(),
            framework_name: framework_names
                .get(&a.framework_id)
                .cloned()
                .unwrap_or_default(),
            graded: graded.get(&a.id).copied().unwrap_or(0),
            requirements: sizes.get(&a.framework_id).copied().unwrap_or(0),
            under_way: urgency(a.state()) < 2,
            audit: a,
        };
        if line.audit.state().findings_open() {
            mine.current.push(line);
        } else {
            mine.finished.push(line);
        }
    }
    mine.current
        .sort_by_key(|l| (urgency(l.audit.state()), l.audit.start_date));
    mine.finished
        .sort_by_key(|l| std::cmp::Reverse(l.audit.start_date));
    Ok(mine)
}
