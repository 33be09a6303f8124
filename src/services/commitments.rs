//! Commitments as pages, API and CLI declare and move them: the organisme's people who edit
//! it declare one and move it along its states, from the version read.

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::policy;
use crate::error::{AppError, ensure};
use crate::models::commitment::{self, Commitment, CommitmentForm, CommitmentInput};
use crate::models::history::Actor;
use crate::models::organisation;

/// Declares a commitment of an organisme found by id or SIREN.
pub fn create(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_key: &str,
    form: &CommitmentForm,
) -> Result<Commitment, AppError> {
    let found = organisation::find_by_key(conn, &user.scope(), organisation_key)?;
    ensure(policy::may_edit_organisation(user, &found.id))?;
    let input = CommitmentInput::try_from(form)?;
    commitment::create(conn, &Actor::user(&user.id, &user.email), &found.id, &input)
}

/// Moves a commitment to `state` on `date` from the version read (required, checked once the
/// actor is known to be allowed); a forbidden move names the allowed ones.
pub fn transition(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
    version: Option<i32>,
    (state, date, reason): (&str, &str, &str),
) -> Result<Commitment, AppError> {
    let (found, _) = commitment::find(conn, &user.scope(), id)?;
    ensure(policy::may_edit(user, &found))?;
    let version = organisation::require_version(version)?;
    let (to, date) = commitment::parse_move(state, date)?;
    commitment::transition(
        conn,
        &Actor::user(&user.id, &user.email),
        &found,
        version,
        to,
        date,
        reason,
    )
}
