//! Commitments: an organisme's engagement to a framework version over some of its sites,
//! and the events of its life (state transitions with date, author and reason; audits held).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::history::{self, Actor, Change};
use crate::db::schema::{commitment_events, commitment_sites, commitments, frameworks, sites};
use crate::db::{DbConnection, new_id, now};
use crate::domain::actor::OrgScope;
use crate::domain::commitment::CommitmentState;
use crate::domain::dates::parse_date;
use crate::domain::schedule::{Held, History};
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::organisation::Organisation;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = commitments)]
pub struct Commitment {
    pub id: String,
    pub organisation_id: String,
    pub framework_id: String,
    /// considered, preparing, initial_audit, granted, surveillance, renewal_due, renewed,
    /// suspended, withdrawn or expired
    pub state: String,
    pub all_sites: bool,
    /// Certification or labelling body
    pub body: String,
    pub certificate_number: String,
    /// The auditor following this commitment for the certification or labelling body
    pub auditor_id: Option<String>,
    pub start_date: NaiveDate,
    pub notes: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl crate::domain::policy::Owned for Commitment {
    fn organisation_id(&self) -> &str {
        &self.organisation_id
    }
}

impl crate::domain::policy::Assigned for Commitment {
    fn auditor_id(&self) -> Option<&str> {
        self.auditor_id.as_deref()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = commitment_events)]
pub struct Event {
    pub id: String,
    #[serde(skip)]
    pub commitment_id: String,
    /// transition or audit
    pub kind: String,
    pub event_date: NaiveDate,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub step_code: Option<String>,
    pub reason: String,
    #[serde(skip)]
    pub author_id: Option<String>,
    pub author_label: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
}

impl Commitment {
    pub fn state(&self) -> CommitmentState {
        CommitmentState::parse(&self.state).unwrap_or(CommitmentState::Considered)
    }
}

/// The new-commitment form (and the API body), before validation. `decision_date` is needed
/// when the commitment is recorded as already granted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CommitmentForm {
    pub framework_id: String,
    pub state: String,
    pub start_date: String,
    pub decision_date: String,
    pub body: String,
    pub certificate_number: String,
    pub notes: String,
    /// The account of the auditor following the commitment (optional)
    pub auditor_id: String,
    /// Empty means every site.
    pub site_ids: Vec<String>,
}

impl CommitmentForm {
    /// Reads a form whose site checkboxes repeat the `site_ids` field.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            let value = value.clone();
            match name.as_str() {
                "framework_id" => form.framework_id = value,
                "state" => form.state = value,
                "start_date" => form.start_date = value,
                "decision_date" => form.decision_date = value,
                "body" => form.body = value,
                "certificate_number" => form.certificate_number = value,
                "notes" => form.notes = value,
                "auditor_id" => form.auditor_id = value,
                "site_ids" => form.site_ids.push(value),
                _ => {}
            }
        }
        form
    }
}

#[derive(Debug, Clone)]
pub struct CommitmentInput {
    pub framework_id: String,
    pub state: CommitmentState,
    pub start_date: NaiveDate,
    pub decision_date: Option<NaiveDate>,
    pub body: BoundedText,
    pub certificate_number: BoundedText,
    pub notes: BoundedText,
    pub auditor_id: Option<String>,
    pub site_ids: Vec<String>,
}

impl TryFrom<&CommitmentForm> for CommitmentInput {
    type Error = FieldErrors;

    fn try_from(form: &CommitmentForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if form.framework_id.trim().is_empty() {
            errors.add("framework_id", Invalid::new("err-required"));
        }
        let state = if form.state.trim().is_empty() {
            Some(CommitmentState::Considered)
        } else {
            errors.check("state", CommitmentState::parse(&form.state))
        };
        let start_date = errors.check("start_date", parse_date(&form.start_date));
        let decision_date = match state {
            Some(s) if s.holds() || s == CommitmentState::Expired => {
                errors.check("decision_date", parse_date(&form.decision_date))
            }
            _ => None,
        };
        if let (Some(start), Some(decision)) = (start_date, decision_date)
            && decision < start
        {
            errors.add("decision_date", Invalid::new("err-date-before-start"));
        }
        let body = errors.check("body", BoundedText::optional(&form.body, 200));
        let certificate_number = errors.check(
            "certificate_number",
            BoundedText::optional(&form.certificate_number, 80),
        );
        let notes = errors.check("notes", BoundedText::optional(&form.notes, 2000));
        match (state, start_date, body, certificate_number, notes) {
            (Some(state), Some(start_date), Some(body), Some(certificate_number), Some(notes))
                if errors.is_empty() =>
            {
                Ok(Self {
                    framework_id: form.framework_id.trim().to_owned(),
                    state,
                    start_date,
                    decision_date,
                    body,
                    certificate_number,
                    notes,
                    auditor_id: Some(form.auditor_id.trim().to_owned()).filter(|a| !a.is_empty()),
                    site_ids: form
                        .site_ids
                        .iter()
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect(),
                })
            }
            _ => Err(errors),
        }
    }
}

pub fn list_for(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> Result<Vec<Commitment>, AppError> {
    Ok(commitments::table
        .filter(commitments::organisation_id.eq(organisation_id))
        .order(commitments::created_at.asc())
        .select(Commitment::as_select())
        .load(conn)?)
}

/// A commitment that `scope` holds, with its organisme; any other id is not found, whoever
/// asks. This is how pages, API and services reach one: the bare lookup stays in `models`.
pub fn find(
    conn: &mut DbConnection,
    scope: &OrgScope,
    id: &str,
) -> Result<(Commitment, Organisation), AppError> {
    let found = get(conn, id)?;
    let organisation = crate::models::organisation::find(conn, scope, &found.organisation_id)?;
    Ok((found, organisation))
}

/// A commitment by id, whatever its organisme: callers check the organisme's scope.
pub(in crate::models) fn get(conn: &mut DbConnection, id: &str) -> Result<Commitment, AppError> {
    Ok(commitments::table
        .find(id)
        .select(Commitment::as_select())
        .first(conn)?)
}

pub fn events(conn: &mut DbConnection, commitment_id: &str) -> Result<Vec<Event>, AppError> {
    Ok(commitment_events::table
        .filter(commitment_events::commitment_id.eq(commitment_id))
        .order((
            commitment_events::event_date.asc(),
            commitment_events::created_at.asc(),
        ))
        .select(Event::as_select())
        .load(conn)?)
}

pub fn site_ids(conn: &mut DbConnection, commitment_id: &str) -> Result<Vec<String>, AppError> {
    Ok(commitment_sites::table
        .filter(commitment_sites::commitment_id.eq(commitment_id))
        .select(commitment_sites::site_id)
        .load(conn)?)
}

/// What the schedule engine needs, from the events: decisions (grants, renewals, or the
/// state recorded at creation when already granted), audits held, and a withdrawal.
pub fn history_of(commitment: &Commitment, events: &[Event]) -> History {
    let mut history = History {
        start: Some(commitment.start_date),
        ..History::default()
    };
    for event in events {
        match (
            event.kind.as_str(),
            event
                .to_state
                .as_deref()
                .and_then(|s| CommitmentState::parse(s).ok()),
        ) {
            ("audit", _) => {
                if let Some(step) = &event.step_code {
                    history.held.push(Held {
                        step: step.clone(),
                        date: event.event_date,
                    });
                }
            }
            (_, Some(state))
                if state.is_decision() || (event.from_state.is_none() && state.holds()) =>
            {
                history.decisions.push(event.event_date);
            }
            (_, Some(CommitmentState::Withdrawn)) => history.ended = Some(event.event_date),
            (_, Some(CommitmentState::Considered | CommitmentState::Preparing)) => {
                // Starting over after a withdrawal or a lapse: a new process from this date.
                history = History {
                    start: Some(event.event_date),
                    ..History::default()
                };
            }
            _ => {}
        }
    }
    history
}

fn add_event(
    conn: &mut DbConnection,
    actor: &Actor,
    commitment_id: &str,
    event: (
        &str,
        NaiveDate,
        Option<&str>,
        Option<&str>,
        Option<&str>,
        &str,
    ),
) -> Result<(), AppError> {
    let (kind, date, from, to, step, reason) = event;
    diesel::insert_into(commitment_events::table)
        .values((
            commitment_events::id.eq(new_id()),
            commitment_events::commitment_id.eq(commitment_id),
            commitment_events::kind.eq(kind),
            commitment_events::event_date.eq(date),
            commitment_events::from_state.eq(from),
            commitment_events::to_state.eq(to),
            commitment_events::step_code.eq(step),
            commitment_events::reason.eq(reason),
            commitment_events::author_id.eq(&actor.id),
            commitment_events::author_label.eq(&actor.label),
            commitment_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Creates a commitment in the state given, recording that state as its first event.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    input: &CommitmentInput,
) -> Result<Commitment, AppError> {
    let framework_owner: Option<Option<String>> = frameworks::table
        .find(&input.framework_id)
        .select(frameworks::organisation_id)
        .first(conn)
        .optional()?;
    // A shared framework, or this organisme's own charter; nothing else.
    match framework_owner {
        Some(None) => {}
        Some(Some(owner)) if owner == organisation_id => {}
        _ => {
            return Err(
                FieldErrors::single("framework_id", Invalid::new("err-unknown-choice")).into(),
            );
        }
    }
    let own_sites: Vec<String> = sites::table
        .filter(sites::organisation_id.eq(organisation_id))
        .select(sites::id)
        .load(conn)?;
    if input.site_ids.iter().any(|s| !own_sites.contains(s)) {
        return Err(FieldErrors::single("site_ids", Invalid::new("err-unknown-choice")).into());
    }
    if let Some(auditor) = &input.auditor_id {
        let is_auditor: i64 = crate::db::schema::users::table
            .filter(crate::db::schema::users::id.eq(auditor))
            .filter(crate::db::schema::users::role.eq("auditor"))
            .count()
            .get_result(conn)?;
        if is_auditor == 0 {
            return Err(
                FieldErrors::single("auditor_id", Invalid::new("err-unknown-choice")).into(),
            );
        }
    }
    let at = now();
    let id = new_id();
    diesel::insert_into(commitments::table)
        .values((
            commitments::id.eq(&id),
            commitments::organisation_id.eq(organisation_id),
            commitments::framework_id.eq(&input.framework_id),
            commitments::state.eq(input.state.as_str()),
            commitments::all_sites.eq(input.site_ids.is_empty()),
            commitments::body.eq(input.body.as_str()),
            commitments::certificate_number.eq(input.certificate_number.as_str()),
            commitments::auditor_id.eq(&input.auditor_id),
            commitments::start_date.eq(input.start_date),
            commitments::notes.eq(input.notes.as_str()),
            commitments::created_at.eq(at),
            commitments::updated_at.eq(at),
            commitments::version.eq(1),
        ))
        .execute(conn)?;
    for site in &input.site_ids {
        diesel::insert_into(commitment_sites::table)
            .values((
                commitment_sites::commitment_id.eq(&id),
                commitment_sites::site_id.eq(site),
            ))
            .execute(conn)?;
    }
    let recorded_on = input.decision_date.unwrap_or(input.start_date);
    add_event(
        conn,
        actor,
        &id,
        (
            "transition",
            recorded_on,
            None,
            Some(input.state.as_str()),
            None,
            "",
        ),
    )?;
    let created = get(conn, &id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "commitment",
            entity_id: &id,
            organisation_id: Some(organisation_id),
            action: "create",
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

/// Reads a requested move: the target state and the date, as typed.
pub fn parse_move(state: &str, date: &str) -> Result<(CommitmentState, NaiveDate), FieldErrors> {
    let mut errors = FieldErrors::new();
    let to = errors.check("state", CommitmentState::parse(state));
    let date = errors.check("date", parse_date(date));
    match (to, date) {
        (Some(to), Some(date)) => Ok((to, date)),
        _ => Err(errors),
    }
}

/// Moves a commitment to another state, if the move is allowed and dated after the last event.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &Commitment,
    expected_version: i32,
    to: CommitmentState,
    date: NaiveDate,
    reason: &str,
) -> Result<Commitment, AppError> {
    let mut errors = FieldErrors::new();
    errors.check("state", before.state().check_move(to));
    let reason = errors.check("reason", BoundedText::required(reason, 1000));
    check_after_last_event(conn, before, date, &mut errors)?;
    errors.into_result()?;
    let changed = diesel::update(commitments::table.find(&before.id))
        .filter(commitments::version.eq(expected_version))
        .set((
            commitments::state.eq(to.as_str()),
            commitments::updated_at.eq(now()),
            commitments::version.eq(expected_version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict);
    }
    let reason = reason.map(BoundedText::into_inner).unwrap_or_default();
    add_event(
        conn,
        actor,
        &before.id,
        (
            "transition",
            date,
            Some(before.state.as_str()),
            Some(to.as_str()),
            None,
            &reason,
        ),
    )?;
    let after = get(conn, &before.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "commitment",
            entity_id: &before.id,
            organisation_id: Some(&before.organisation_id),
            action: "transition",
            before: Some(before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

fn check_after_last_event(
    conn: &mut DbConnection,
    commitment: &Commitment,
    date: NaiveDate,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let last: Option<NaiveDate> = commitment_events::table
        .filter(commitment_events::commitment_id.eq(&commitment.id))
        .filter(commitment_events::kind.eq("transition"))
        .select(diesel::dsl::max(commitment_events::event_date))
        .first(conn)?;
    if let Some(last) = last.filter(|l| date < *l) {
        errors.add(
            "date",
            Invalid::new("err-date-before-last").arg("date", last.format("%d/%m/%Y")),
        );
    }
    if date > chrono::Utc::now().date_naive() + chrono::Duration::days(1) {
        errors.add("date", Invalid::new("err-date-future"));
    }
    Ok(())
}

/// Records that a step of the cycle (an audit) was held on `date`.
pub fn record_audit(
    conn: &mut DbConnection,
    actor: &Actor,
    commitment: &Commitment,
    step: &str,
    date: NaiveDate,
    note: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if date > chrono::Utc::now().date_naive() + chrono::Duration::days(1) {
        errors.add("date", Invalid::new("err-date-future"));
    }
    if date < commitment.start_date {
        errors.add("date", Invalid::new("err-date-before-start"));
    }
    let note = errors.check("note", BoundedText::optional(note, 1000));
    errors.into_result()?;
    let note = note.map(BoundedText::into_inner).unwrap_or_default();
    add_event(
        conn,
        actor,
        &commitment.id,
        ("audit", date, None, None, Some(step), &note),
    )?;
    diesel::update(commitments::table.find(&commitment.id))
        .set((
            commitments::updated_at.eq(now()),
            commitments::version.eq(commitment.version + 1),
        ))
        .execute(conn)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "commitment",
            entity_id: &commitment.id,
            organisation_id: Some(&commitment.organisation_id),
            action: "audit_held",
            before: None,
            after: Some(&serde_json::json!({ "step": step, "date": date, "note": note })),
        },
    )
}

/// Accounts with the auditor role, to assign one to a commitment: (id, name, email).
pub fn auditors(conn: &mut DbConnection) -> Result<Vec<(String, String, String)>, AppError> {
    use crate::db::schema::users;
    Ok(users::table
        .filter(users::role.eq("auditor"))
        .filter(users::disabled.eq(false))
        .order(users::name.asc())
        .select((users::id, users::name, users::email))
        .load(conn)?)
}
