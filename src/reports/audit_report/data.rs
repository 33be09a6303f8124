//! Everything an audit report says, read from the database in one go; nothing in it comes
//! from the clock, so the same audit gives the same report.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::models::audit;
use crate::models::finding::id_list;
use crate::models::framework::{self as framework_model, GradeRow};
use crate::models::{action, evidence, organisation, site, user};
use crate::services::indicator_board;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub reference: String,
    pub title: String,
    pub grade: Option<String>,
    pub nonconformity: bool,
    pub finding: String,
    pub sites: Vec<String>,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Theme {
    pub reference: String,
    pub title: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionPlan {
    pub correction: String,
    pub root_cause: String,
    pub corrective_action: String,
    pub owner: String,
    pub due_date: NaiveDate,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nonconformity {
    pub reference: String,
    pub title: String,
    pub grade: String,
    pub finding: String,
    pub action: Option<ActionPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cited {
    pub title: String,
    pub file_name: String,
    pub date: NaiveDate,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub title: String,
    pub start_date: NaiveDate,
    pub improved: usize,
    pub regressed: usize,
    pub unchanged: usize,
    pub new: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorTrend {
    pub name: String,
    pub unit: String,
    pub target: Option<f64>,
    /// (period, value), oldest first, within the twelve months before the audit's end
    pub points: Vec<(String, f64)>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    pub audit_id: String,
    pub organisation_id: String,
    pub organisation: String,
    pub siren: String,
    pub framework: String,
    pub framework_version: String,
    pub title: String,
    pub kind: String,
    pub state: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub decision: Option<String>,
    pub decision_date: Option<NaiveDate>,
    /// The day the report's content dates from: the audit's last change
    pub issued_on: NaiveDate,
    pub sites: Vec<String>,
    pub lead_auditor: Option<String>,
    pub team: Vec<String>,
    /// (grade label, count) in the framework's order, then "not assessed"
    pub counts: Vec<(String, usize)>,
    pub not_assessed: usize,
    pub themes: Vec<Theme>,
    pub comparison: Option<Comparison>,
    pub nonconformities: Vec<Nonconformity>,
    pub strengths: Vec<Row>,
    pub indicators: Vec<IndicatorTrend>,
    pub evidence: Vec<Cited>,
    /// The other evidence examined, written by the auditors (notes, interviews, visits), as
    /// (requirement, text) in the framework's order
    pub other_evidence: Vec<(String, String)>,
}

fn severity(grades: &[GradeRow], code: Option<&str>) -> Option<i32> {
    code.and_then(|c| grades.iter().find(|g| g.code == c))
        .map(|g| g.severity)
}

/// Gathers the report of an audit; the caller has checked the reader may see it.
#[expect(
    clippy::too_many_lines,
    reason = "one report's sections, gathered in reading order"
)]
pub fn load(conn: &mut DbConnection, audit_id: &str) -> Result<ReportData, AppError> {
    // Reached by those who found the audit in their scope (pages, API) or by the CLI.
    let (found, _) = audit::find(conn, &crate::domain::actor::OrgScope::All, audit_id)?;
    let org = organisation::find(conn, &crate::auth::OrgScope::All, &found.organisation_id)?;
    let framework = framework_model::summary(conn, &found.framework_id)?;
    let requirements = framework_model::requirements(conn, &found.framework_id)?;
    let grades = framework_model::grades(conn, &found.framework_id)?;
    let findings: HashMap<String, crate::models::finding::Finding> =
        crate::models::finding::findings_of(conn, &found.id)?
            .into_iter()
            .map(|f| (f.requirement_ref.clone(), f))
            .collect();
    let site_names: HashMap<String, String> = site::list_for(conn, &org.id)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let library: HashMap<String, evidence::Evidence> = evidence::list_for(conn, &org.id)?
        .into_iter()
        .map(|(e, _)| (e.id.clone(), e))
        .collect();
    let label = |code: Option<&str>| {
        code.and_then(|c| grades.iter().find(|g| g.code == c))
            .map(|g| g.label.clone())
    };
    let is_nc = |code: Option<&str>| {
        code.and_then(|c| grades.iter().find(|g| g.code == c))
            .is_some_and(|g| g.nonconformity)
    };
    let row = |r: &framework_model::RequirementRow| {
        let f = findings.get(&r.reference);
        let code = f.and_then(|f| f.grade_code.as_deref());
        let mut cited: Vec<String> = f
            .map(|f| id_list::parse(&f.evidence_ids))
            .unwrap_or_default()
            .iter()
            .filter_map(|id| library.get(id).map(|e| e.title.clone()))
            .collect();
        if let Some(seen) = f.map(|f| f.evidence_seen.clone()).filter(|s| !s.is_empty()) {
            cited.push(seen);
        }
        Row {
            reference: r.reference.clone(),
            title: r.title.clone(),
            grade: label(code),
            nonconformity: is_nc(code),
            finding: f.map(|f| f.finding.clone()).unwrap_or_default(),
            sites: f
                .map(|f| id_list::parse(&f.site_ids))
                .unwrap_or_default()
                .iter()
                .filter_map(|s| site_names.get(s).cloned())
                .collect(),
            evidence: cited,
        }
    };
    let mut themes: Vec<Theme> = Vec::new();
    for r in &requirements {
        if r.parent_ref.is_none() {
            themes.push(Theme {
                reference: r.reference.clone(),
                title: r.title.clone(),
                rows: Vec::new(),
            });
        }
        // A theme's own line repeats its heading: it is listed only when it was graded.
        let heading_only = r.parent_ref.is_none() && !findings.contains_key(&r.reference);
        if let Some(theme) = themes.last_mut().filter(|_| !heading_only) {
            theme.rows.push(row(r));
        }
    }
    let counts: Vec<(String, usize)> = grades
        .iter()
        .map(|g| {
            let n = findings
                .values()
                .filter(|f| f.grade_code.as_deref() == Some(g.code.as_str()))
                .count();
            (g.label.clone(), n)
        })
        .collect();
    let not_assessed = requirements.len() - counts.iter().map(|(_, n)| n).sum::<usize>();
    // The framework's first grade, when it carries no severity, marks strengths.
    let strength = grades
        .first()
        .filter(|g| g.severity == 0)
        .map(|g| g.code.clone());
    let strengths: Vec<Row> = requirements
        .iter()
        .filter(|r| {
            strength.is_some()
                && findings
                    .get(&r.reference)
                    .and_then(|f| f.grade_code.clone())
                    == strength
        })
        .map(row)
        .collect();
    let actions: Vec<action::Action> = action::list_for(conn, &org.id)?
        .into_iter()
        .filter(|a| a.audit_id.as_ref() == Some(&found.id))
        .collect();
    let nonconformities: Vec<Nonconformity> = requirements
        .iter()
        .filter_map(|r| {
            let f = findings.get(&r.reference)?;
            let code = f.grade_code.as_deref();
            if !is_nc(code) {
                return None;
            }
            Some(Nonconformity {
                reference: r.reference.clone(),
                title: r.title.clone(),
                grade: label(code).unwrap_or_default(),
                finding: f.finding.clone(),
                action: actions
                    .iter()
                    .find(|a| a.finding_id.as_ref() == Some(&f.id))
                    .map(|a| ActionPlan {
                        correction: a.correction.clone(),
                        root_cause: a.root_cause.clone(),
                        corrective_action: a.corrective_action.clone(),
                        owner: a.owner.clone(),
                        due_date: a.due_date,
                        status: a.status.clone(),
                    }),
            })
        })
        .collect();
    let previous = audit::list_for_commitment(conn, &found.commitment_id)?
        .into_iter()
        .filter(|a| a.start_date < found.start_date && a.id != found.id)
        .max_by_key(|a| a.start_date);
    let comparison = match previous {
        Some(p) => {
            let before: HashMap<String, crate::models::finding::Finding> =
                crate::models::finding::findings_of(conn, &p.id)?
                    .into_iter()
                    .map(|f| (f.requirement_ref.clone(), f))
                    .collect();
            let mut c = Comparison {
                title: p.title.clone(),
                start_date: p.start_date,
                improved: 0,
                regressed: 0,
                unchanged: 0,
                new: 0,
            };
            for r in &requirements {
                let now = severity(
                    &grades,
                    findings
                        .get(&r.reference)
                        .and_then(|f| f.grade_code.as_deref()),
                );
                let was = severity(
                    &grades,
                    before
                        .get(&r.reference)
                        .and_then(|f| f.grade_code.as_deref()),
                );
                match (was, now) {
                    (None, Some(_)) => c.new += 1,
                    (Some(w), Some(n)) if n < w => c.improved += 1,
                    (Some(w), Some(n)) if n > w => c.regressed += 1,
                    (Some(_), Some(_)) => c.unchanged += 1,
                    _ => {}
                }
            }
            Some(c)
        }
        None => None,
    };
    let window_start = found.end_date - chrono::Duration::days(365);
    let indicators: Vec<IndicatorTrend> = indicator_board::board(conn, &org.id)?
        .into_iter()
        .filter(|s| s.definition.frameworks.contains(&framework.code))
        .filter_map(|s| {
            let points: Vec<(String, f64)> = s
                .points
                .iter()
                .filter(|p| {
                    crate::domain::indicators::Period::parse(&p.period).is_ok_and(|period| {
                        period.start() >= window_start && period.start() <= found.end_date
                    })
                })
                .map(|p| (p.period.clone(), p.value))
                .collect();
            let last = points.last()?.1;
            let direction =
                crate::domain::indicators::Direction::parse(&s.definition.direction).ok()?;
            Some(IndicatorTrend {
                status: crate::domain::indicators::status(
                    direction,
                    s.definition.target,
                    Some(last),
                )
                .as_str()
                .to_owned(),
                name: s.definition.name,
                unit: s.definition.unit,
                target: s.definition.target,
                points,
            })
        })
        .collect();
    let other_evidence: Vec<(String, String)> = requirements
        .iter()
        .filter_map(|r| {
            let seen = findings.get(&r.reference)?.evidence_seen.trim();
            (!seen.is_empty()).then(|| (r.reference.clone(), seen.to_owned()))
        })
        .collect();
    let mut cited_ids: Vec<String> = findings
        .values()
        .flat_map(|f| id_list::parse(&f.evidence_ids))
        .collect();
    cited_ids.sort();
    cited_ids.dedup();
    let mut cited: Vec<Cited> = Vec::new();
    for id in cited_ids {
        let Some(item) = library.get(&id) else {
            continue;
        };
        if let Some(file) = evidence::files(conn, &id)?.into_iter().next() {
            cited.push(Cited {
                title: item.title.clone(),
                file_name: file.file_name,
                date: file.uploaded_at.date(),
                sha256: file.sha256,
            });
        }
    }
    cited.sort_by(|a, b| a.title.cmp(&b.title));
    let name_of = |conn: &mut DbConnection, id: &str| user::get(conn, id).map(|u| u.name);
    let lead_auditor = match &found.lead_auditor_id {
        Some(id) => Some(name_of(conn, id)?),
        None => None,
    };
    let mut team = Vec::new();
    for id in audit::team(conn, &found.id)? {
        team.push(name_of(conn, &id)?);
    }
    team.sort();
    let mut sites: Vec<String> = audit::sites(conn, &found.id)?
        .iter()
        .filter_map(|s| site_names.get(s).cloned())
        .collect();
    sites.sort();
    Ok(ReportData {
        audit_id: found.id.clone(),
        organisation_id: org.id.clone(),
        organisation: org.name,
        siren: org.siren,
        framework: framework.name,
        framework_version: framework.version,
        title: found.title,
        kind: found.kind,
        state: found.state,
        start_date: found.start_date,
        end_date: found.end_date,
        decision: found.decision,
        decision_date: found.decision_date,
        issued_on: found.updated_at.date(),
        sites,
        lead_auditor,
        team,
        counts,
        not_assessed,
        themes,
        comparison,
        nonconformities,
        strengths,
        indicators,
        evidence: cited,
        other_evidence,
    })
}
