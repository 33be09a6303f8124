//! Audits of a commitment, pinned to the framework version of the commitment, with their
//! team, sampled sites, states and decision. Their findings are in `finding`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::commitment::{self, Commitment};
use super::history::{self, Actor, Change};
use crate::db::schema::{audit_sites, audit_team, audits, users};
use crate::db::{DbConnection, new_id, now};
use crate::domain::actor::OrgScope;
use crate::domain::audit::{AuditState, Decision};
use crate::domain::dates::parse_date;
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::organisation::Organisation;

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
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl crate::domain::policy::Owned for Audit {
    fn organisation_id(&self) -> &str {
        &self.organisation_id
    }
}

impl crate::domain::policy::Conducted for Audit {
    fn lead_auditor_id(&self) -> Option<&str> {
        self.lead_auditor_id.as_deref()
    }
}

impl Audit {
    pub fn state(&self) -> AuditState {
        AuditState::parse(&self.state).unwrap_or(AuditState::Planned)
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

/// An audit that `scope` holds, with its organisme; any other id is not found, whoever
/// asks. This is how pages, API and services reach one: the bare lookup stays in `models`.
pub fn find(
    conn: &mut DbConnection,
    scope: &OrgScope,
    id: &str,
) -> Result<(Audit, Organisation), AppError> {
    let found = get(conn, id)?;
    let organisation = crate::models::organisation::find(conn, scope, &found.organisation_id)?;
    Ok((found, organisation))
}

pub(in crate::models) fn get(conn: &mut DbConnection, id: &str) -> Result<Audit, AppError> {
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
/// Filters of a list of audits; each is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// An organisme's id
    pub organisation: Option<String>,
    /// A framework code (every version of it)
    pub framework: Option<String>,
    /// A state (`planned`, `on_site`, `submitted`…)
    pub state: Option<String>,
    /// Audits ending on or after this day
    pub from: Option<NaiveDate>,
    /// Audits starting on or before this day
    pub to: Option<NaiveDate>,
}

/// The audits of the organismes `scope` sees (only their own for auditors, when
/// `auditor` is given), newest first, filtered.
pub fn list_in(
    conn: &mut DbConnection,
    scope: &OrgScope,
    auditor: Option<&str>,
    filter: &AuditFilter,
) -> Result<Vec<Audit>, AppError> {
    use crate::db::schema::frameworks;
    let visible = crate::models::organisation::ids_in(conn, scope)?;
    let mut query = audits::table
        .filter(audits::organisation_id.eq_any(visible))
        .into_boxed();
    if let Some(user_id) = auditor {
        query = query.filter(
            audits::lead_auditor_id
                .eq(user_id.to_owned())
                .or(audits::id.eq_any(
                    audit_team::table
                        .filter(audit_team::user_id.eq(user_id.to_owned()))
                        .select(audit_team::audit_id),
                )),
        );
    }
    if let Some(id) = &filter.organisation {
        query = query.filter(audits::organisation_id.eq(id.clone()));
    }
    if let Some(code) = &filter.framework {
        query = query.filter(
            audits::framework_id.eq_any(
                frameworks::table
                    .filter(frameworks::code.eq(code.clone()))
                    .select(frameworks::id),
            ),
        );
    }
    if let Some(state) = &filter.state {
        query = query.filter(audits::state.eq(state.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audits::end_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audits::start_date.le(to));
    }
    Ok(query
        .order((audits::start_date.desc(), audits::id.asc()))
        .select(Audit::as_select())
        .load(conn)?)
}

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
