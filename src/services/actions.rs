//! The action plan: what pages and API do with an organisme's actions. Observers never see
//! them (working documents); an action outside the actor's scope is not found.

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::policy;
use crate::error::{AppError, ensure};
use crate::models::action::{self, Action, ActionForm};
use crate::models::history::Actor;
use crate::models::organisation::{self, Organisation};

/// An organisme's actions (by id or SIREN), open and overdue first.
pub fn list(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation: &str,
) -> Result<(Organisation, Vec<Action>), AppError> {
    ensure(policy::sees_working_documents(user))?;
    let found = organisation::find_by_key(conn, &user.scope(), organisation)?;
    let actions = action::list_for(conn, &found.id)?;
    Ok((found, actions))
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
