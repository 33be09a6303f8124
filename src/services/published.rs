//! What an organisme publishes to its tenants' representatives and its board: each
//! commitment in plain words (what it promises, where it stands, what comes next), indicator
//! results against their targets, and audit outcomes (the decision, strengths and
//! nonconformities counted, the actions under way and how far they have gone). Nothing here
//! carries an evidence file, an auditor's finding text or note, or a person's e-mail.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::db::schema::{framework_requirements, frameworks};
use crate::domain::action_plan;
use crate::domain::audit::AuditState;
use crate::error::AppError;
use crate::models::{action, audit, finding, framework as framework_model, organisation};
use crate::services::indicator_board::{self, Series};

/// A commitment as its readers understand it.
#[derive(Debug, Clone, Serialize)]
pub struct Promise {
    pub framework: String,
    /// The first sentence of the framework's description
    pub summary: String,
    /// What it commits the organisme to: the titles of its themes (its top-level
    /// requirements), in their order
    pub themes: Vec<String>,
    pub state: String,
    pub certificate_number: String,
    /// The next step of its cycle still to come: name and due date
    pub next_step: Option<(String, NaiveDate)>,
}

/// An action under way, as much as a reader may know of it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionUnderWay {
    /// The requirement concerned (with its title) for a finding's action, the action's own
    /// title for the organisme's improvement actions
    pub subject: String,
    pub origin: String,
    pub status: String,
    pub due: NaiveDate,
    pub days_late: Option<i64>,
}

/// The outcome of one audit.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub title: String,
    pub framework: String,
    pub end_date: NaiveDate,
    pub state: String,
    pub decision: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub strengths: usize,
    pub nonconformities: usize,
    /// Actions opened by its nonconformities: how many in all, how many done or effective
    pub actions_total: usize,
    pub actions_done: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub organisation: organisation::Organisation,
    pub promises: Vec<Promise>,
    pub indicators: Vec<Series>,
    pub outcomes: Vec<Outcome>,
    pub under_way: Vec<ActionUnderWay>,
}

/// A description's first sentence: what the framework is, before the notes of those who
/// wrote the file.
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    text.match_indices(". ")
        .map(|(at, _)| at + 1)
        .next()
        .map_or(text, |end| &text[..end])
        .to_owned()
}

/// Audits whose outcome is known to the organisme: its report submitted at least.
fn published(state: &str) -> bool {
    matches!(
        AuditState::parse(state),
        Ok(AuditState::Submitted | AuditState::Decided | AuditState::Closed)
    )
}

fn outcome(
    conn: &mut DbConnection,
    found: &audit::Audit,
    framework: String,
    actions: &[action::Action],
) -> Result<Outcome, AppError> {
    let grades = framework_model::grades(conn, &found.framework_id)?;
    // The framework's first grade, when it carries no severity, marks strengths (as in the
    // audit report).
    let strength = grades.first().filter(|g| g.severity == 0).map(|g| &g.code);
    let nonconformity: Vec<&String> = grades
        .iter()
        .filter(|g| g.nonconformity)
        .map(|g| &g.code)
        .collect();
    let findings = finding::findings_of(conn, &found.id)?;
    let counted = |wanted: &dyn Fn(&String) -> bool| {
        findings
            .iter()
            .filter(|f| f.grade_code.as_ref().is_some_and(wanted))
            .count()
    };
    let own: Vec<&action::Action> = actions
        .iter()
        .filter(|a| a.audit_id.as_deref() == Some(found.id.as_str()))
        .collect();
    Ok(Outcome {
        id: found.id.clone(),
        title: found.title.clone(),
        framework,
        end_date: found.end_date,
        state: found.state.clone(),
        decision: found.decision.clone(),
        decision_date: found.decision_date,
        strengths: counted(&|c| Some(c) == strength),
        nonconformities: counted(&|c| nonconformity.contains(&c)),
        actions_total: own.len(),
        actions_done: own.iter().filter(|a| !a.status().is_open()).count(),
    })
}

/// The published view of the user's own organisme (or of one in their scope).
pub fn view(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_id: &str,
    today: NaiveDate,
) -> Result<Published, AppError> {
    let found = organisation::find(conn, &user.scope(), organisation_id)?;
    let schedules = crate::services::schedules::of_organisation(conn, &found.id, today)?;
    let ids: Vec<&str> = schedules
        .iter()
        .map(|s| s.0.framework_id.as_str())
        .collect();
    let descriptions: HashMap<String, String> = frameworks::table
        .filter(frameworks::id.eq_any(&ids))
        .select((frameworks::id, frameworks::description))
        .load(conn)?
        .into_iter()
        .collect();
    let mut themes: HashMap<String, Vec<String>> = HashMap::new();
    for (framework, title) in framework_requirements::table
        .filter(framework_requirements::framework_id.eq_any(&ids))
        .filter(framework_requirements::depth.eq(0))
        .order(framework_requirements::position.asc())
        .select((
            framework_requirements::framework_id,
            framework_requirements::title,
        ))
        .load::<(String, String)>(conn)?
    {
        themes.entry(framework).or_default().push(title);
    }
    let promises = schedules
        .iter()
        .map(|(c, name, _, schedule)| Promise {
            framework: name.clone(),
            summary: descriptions
                .get(&c.framework_id)
                .map(|d| first_sentence(d))
                .unwrap_or_default(),
            themes: themes.remove(&c.framework_id).unwrap_or_default(),
            state: c.state.clone(),
            certificate_number: c.certificate_number.clone(),
            next_step: schedule.next_due().map(|i| (i.name.clone(), i.due)),
        })
        .collect();
    let actions = action::list_for(conn, &found.id)?;
    let filter = audit::AuditFilter {
        organisation: Some(found.id.clone()),
        ..audit::AuditFilter::default()
    };
    let audits: Vec<audit::Audit> = audit::list_in(conn, &user.scope(), None, &filter)?
        .into_iter()
        .filter(|a| published(&a.state))
        .collect();
    let audited: Vec<&str> = audits.iter().map(|a| a.framework_id.as_str()).collect();
    let names: HashMap<String, String> = frameworks::table
        .filter(frameworks::id.eq_any(&audited))
        .select((frameworks::id, frameworks::name))
        .load(conn)?
        .into_iter()
        .collect();
    let mut outcomes = Vec::new();
    for a in &audits {
        let framework = names.get(&a.framework_id).cloned().unwrap_or_default();
        outcomes.push(outcome(conn, a, framework, &actions)?);
    }
    let mut titles: HashMap<(String, String), String> = HashMap::new();
    let mut under_way = Vec::new();
    for a in actions.iter().filter(|a| a.status().is_open()) {
        let subject = match (&a.framework_id, a.origin()) {
            (Some(framework), action_plan::ActionOrigin::Finding) => {
                let key = (framework.clone(), a.requirement_ref.clone());
                if !titles.contains_key(&key) {
                    let title = framework_model::requirement(conn, framework, &a.requirement_ref)
                        .ok()
                        .map(|r| r.title)
                        .unwrap_or_default();
                    titles.insert(key.clone(), title);
                }
                format!("{} — {}", a.requirement_ref, titles[&key])
            }
            _ => a.title.clone(),
        };
        under_way.push(ActionUnderWay {
            subject,
            origin: a.origin.clone(),
            status: a.status.clone(),
            due: a.due_date,
            days_late: action_plan::days_late(a.due_date, a.status(), today),
        });
    }
    under_way.sort_by_key(|a| (std::cmp::Reverse(a.days_late), a.due));
    Ok(Published {
        indicators: indicator_board::board(conn, &found.id)?,
        organisation: found,
        promises,
        outcomes,
        under_way,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_description_is_summed_up_by_its_first_sentence() {
        assert_eq!(
            super::first_sentence("Label lancé en 2015. Le référentiel est un modèle."),
            "Label lancé en 2015."
        );
        assert_eq!(super::first_sentence(" Une phrase "), "Une phrase");
    }
}
