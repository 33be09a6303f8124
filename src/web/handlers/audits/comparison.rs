//! Comparing an audit with the previous audit of the same commitment: per requirement
//! improved, regressed, unchanged or new; counts by grade on both sides; the actions of
//! earlier audits still open.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::db::parse_id;
use crate::error::AppError;
use crate::models::action;
use crate::models::audit;
use crate::models::finding::{self, Finding};
use crate::models::framework::{self as framework_model, GradeRow};
use crate::web::page::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Improved,
    Regressed,
    Unchanged,
    New,
}

/// How a requirement moved between two gradings (a lower severity is better).
pub fn trend(previous: Option<i32>, current: Option<i32>) -> Option<Trend> {
    match (previous, current) {
        (_, None) => None,
        (None, Some(_)) => Some(Trend::New),
        (Some(before), Some(now)) if now < before => Some(Trend::Improved),
        (Some(before), Some(now)) if now > before => Some(Trend::Regressed),
        (Some(_), Some(_)) => Some(Trend::Unchanged),
    }
}

#[derive(Serialize)]
struct Line {
    reference: String,
    title: String,
    previous: Option<String>,
    current: Option<String>,
    trend: Option<Trend>,
}

fn severity_of(grades: &[GradeRow], finding: Option<&Finding>) -> Option<(i32, String)> {
    let code = finding?.grade_code.as_deref()?;
    grades
        .iter()
        .find(|g| g.code == code)
        .map(|g| (g.severity, g.label.clone()))
}

pub async fn compare(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (user, data) = ctx
        .user_run(move |conn, user| {
            let (current, organisation) = crate::services::audits::open_working(conn, user, &id)?;
            let previous = audit::list_for_commitment(conn, &current.commitment_id)?
                .into_iter()
                .filter(|a| a.start_date < current.start_date && a.id != current.id)
                .max_by_key(|a| a.start_date);
            let requirements = framework_model::requirements(conn, &current.framework_id)?;
            let grades = framework_model::grades(conn, &current.framework_id)?;
            let now: HashMap<String, Finding> = finding::findings_of(conn, &current.id)?
                .into_iter()
                .map(|f| (f.requirement_ref.clone(), f))
                .collect();
            let before: HashMap<String, Finding> = match &previous {
                Some(p) => finding::findings_of(conn, &p.id)?
                    .into_iter()
                    .map(|f| (f.requirement_ref.clone(), f))
                    .collect(),
                None => HashMap::new(),
            };
            let carried: Vec<action::Action> = action::list_for(conn, &organisation.id)?
                .into_iter()
                .filter(|a| a.audit_id.as_ref() != Some(&current.id) && a.status().is_open())
                .collect();
            Ok((
                current,
                organisation,
                previous,
                requirements,
                grades,
                now,
                before,
                carried,
            ))
        })
        .await?;
    let (current, organisation, previous, requirements, grades, now, before, carried) = data;
    let lines: Vec<Line> = requirements
        .iter()
        .map(|r| {
            let was = severity_of(&grades, before.get(&r.reference));
            let is = severity_of(&grades, now.get(&r.reference));
            Line {
                reference: r.reference.clone(),
                title: r.title.clone(),
                trend: trend(was.as_ref().map(|w| w.0), is.as_ref().map(|i| i.0)),
                previous: was.map(|w| w.1),
                current: is.map(|i| i.1),
            }
        })
        .filter(|l| l.previous.is_some() || l.current.is_some())
        .collect();
    let count = |map: &HashMap<String, Finding>, code: &str| {
        map.values()
            .filter(|f| f.grade_code.as_deref() == Some(code))
            .count()
    };
    let counts: Vec<(String, usize, usize)> = grades
        .iter()
        .map(|g| {
            (
                g.label.clone(),
                count(&before, &g.code),
                count(&now, &g.code),
            )
        })
        .collect();
    let tally = |t: Trend| lines.iter().filter(|l| l.trend == Some(t)).count();
    let mut page = ctx.page(Some(&user), "organisations");
    page.insert("audit", &current);
    page.insert("organisation", &organisation);
    page.insert("previous", &previous);
    page.insert("lines", &lines);
    page.insert("counts", &counts);
    page.insert(
        "tallies",
        &[
            tally(Trend::Improved),
            tally(Trend::Regressed),
            tally(Trend::Unchanged),
            tally(Trend::New),
        ],
    );
    page.insert("carried", &carried);
    ctx.render("audits/compare.html", &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trends_follow_severity() {
        assert_eq!(trend(Some(3), Some(0)), Some(Trend::Improved));
        assert_eq!(trend(Some(0), Some(4)), Some(Trend::Regressed));
        assert_eq!(trend(Some(2), Some(2)), Some(Trend::Unchanged));
        assert_eq!(trend(None, Some(1)), Some(Trend::New));
        assert_eq!(trend(Some(1), None), None);
    }
}
