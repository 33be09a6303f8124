//! The action plan: what pages and API do with an organisme's actions. Observers never see
//! them (working documents); an action outside the actor's scope is not found.

use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::action_plan::{self, ActionOrigin, Priority, StateFilter};
use crate::domain::policy;
use crate::error::{AppError, ensure};
use crate::models::action::{self, Action, ActionForm, Choices, NewActionForm};
use crate::models::history::Actor;
use crate::models::organisation::{self, Organisation};

/// Which actions of the plan to show; every part is optional but the state, which defaults
/// to the actions still to be carried out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFilter {
    pub state: StateFilter,
    pub origin: Option<ActionOrigin>,
    pub framework: Option<String>,
    pub site: Option<String>,
    /// An account's id, or `aucun` for actions nobody owns
    pub owner: Option<String>,
    pub priority: Option<Priority>,
}

/// The owner filter's value for actions without an owner.
pub const NO_OWNER: &str = "aucun";

impl PlanFilter {
    fn admits(&self, row: &PlanRow) -> bool {
        let a = &row.action;
        self.state.admits(a.status(), row.days_late)
            && self.origin.is_none_or(|o| a.origin() == o)
            && self.priority.is_none_or(|p| a.priority() == p)
            && self
                .framework
                .as_deref()
                .is_none_or(|f| a.framework_id.as_deref() == Some(f))
            && self
                .site
                .as_deref()
                .is_none_or(|s| a.site_id.as_deref() == Some(s))
            && self.owner.as_deref().is_none_or(|o| match o {
                NO_OWNER => a.owner_id.is_none(),
                id => a.owner_id.as_deref() == Some(id),
            })
    }
}

/// One line of the plan: the action and the names of what it points at.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub action: Action,
    pub framework: Option<String>,
    pub site: Option<String>,
    /// The owner's account name, or the name typed before owners were accounts
    pub owner: Option<String>,
    /// Days past the due date, for an action still open
    pub days_late: Option<i64>,
}

/// How many actions the organisme has in each state, whatever the filter.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PlanCounts {
    pub open: usize,
    pub late: usize,
    pub closed: usize,
    pub all: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub organisation: Organisation,
    pub rows: Vec<PlanRow>,
    pub counts: PlanCounts,
    pub choices: Choices,
}

fn row(action: Action, choices: &Choices, today: NaiveDate) -> PlanRow {
    let named = |among: &[(String, String)], id: Option<&String>| {
        Choices::name_of(among, id.map(String::as_str)).map(ToOwned::to_owned)
    };
    PlanRow {
        framework: named(&choices.frameworks, action.framework_id.as_ref()),
        site: named(&choices.sites, action.site_id.as_ref()),
        owner: named(&choices.owners, action.owner_id.as_ref())
            .or_else(|| (!action.owner.is_empty()).then(|| action.owner.clone())),
        days_late: action_plan::days_late(action.due_date, action.status(), today),
        action,
    }
}

/// An organisme's plan (by id or SIREN) as `filter` shows it, in reading order: open before
/// closed, the most overdue first, then by priority and due date.
pub fn plan(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation: &str,
    filter: &PlanFilter,
    today: NaiveDate,
) -> Result<Plan, AppError> {
    ensure(policy::sees_working_documents(user))?;
    let found = organisation::find_by_key(conn, &user.scope(), organisation)?;
    let choices = Choices::of(conn, &found.id)?;
    let mut rows: Vec<PlanRow> = action::list_for(conn, &found.id)?
        .into_iter()
        .map(|a| row(a, &choices, today))
        .collect();
    let counts = PlanCounts {
        open: rows.iter().filter(|r| r.action.status().is_open()).count(),
        late: rows.iter().filter(|r| r.days_late.is_some()).count(),
        closed: rows.iter().filter(|r| !r.action.status().is_open()).count(),
        all: rows.len(),
    };
    rows.retain(|r| filter.admits(r));
    rows.sort_by_key(|r| {
        action_plan::reading_order(
            r.action.status(),
            r.action.priority(),
            r.action.due_date,
            r.days_late,
        )
    });
    Ok(Plan {
        organisation: found,
        rows,
        counts,
        choices,
    })
}

/// An organisme's actions (by id or SIREN), in the plan's reading order.
pub fn list(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation: &str,
    today: NaiveDate,
) -> Result<(Organisation, Vec<Action>), AppError> {
    let filter = PlanFilter {
        state: StateFilter::All,
        ..PlanFilter::default()
    };
    let plan = plan(conn, user, organisation, &filter, today)?;
    Ok((
        plan.organisation,
        plan.rows.into_iter().map(|r| r.action).collect(),
    ))
}

/// What a new action of the organisme may point at, once the actor may create one there.
pub fn creatable(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation: &str,
) -> Result<(Organisation, Choices), AppError> {
    let found = organisation::find_by_key(conn, &user.scope(), organisation)?;
    ensure(policy::may_create_action(user, &found.id))?;
    let choices = Choices::of(conn, &found.id)?;
    Ok((found, choices))
}

/// Records an action of the organisme's own.
pub fn create(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation: &str,
    form: &NewActionForm,
) -> Result<Action, AppError> {
    let (found, _) = creatable(conn, user, organisation)?;
    action::create(conn, &Actor::user(&user.id, &user.email), &found.id, form)
}

/// One action of the actor's scope, with its organisme.
pub fn open(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Action, Organisation), AppError> {
    ensure(policy::sees_working_documents(user))?;
    action::find(conn, &user.scope(), id)
}

/// Updates an action from the version read; only auditors and administrators judge its
/// effectiveness. A stale version is `Conflict`, nothing written.
pub fn update(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    form: &ActionForm,
) -> Result<Action, AppError> {
    let (found, _) = open(conn, user, id)?;
    ensure(policy::may_update_action(user, &found))?;
    action::update(
        conn,
        &Actor::user(&user.id, &user.email),
        &found,
        form,
        policy::may_judge_effectiveness(user),
    )
}
