//! Satisfaction surveys as pages and the command line record them: a wave of an organisme
//! and its results, written by whoever edits the organisme.

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::policy;
use crate::error::{AppError, ensure};
use crate::models::history::Actor;
use crate::models::organisation::{self, Organisation};
use crate::models::survey::{self, NewResult, NewWave, Wave};

/// An organisme (by id or SIREN) the actor may declare survey waves of.
pub fn surveyed(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_key: &str,
) -> Result<Organisation, AppError> {
    let found = organisation::find_by_key(conn, &user.scope(), organisation_key)?;
    ensure(policy::may_edit_organisation(user, &found.id))?;
    Ok(found)
}

/// Declares a survey wave of an organisme `surveyed` found.
pub fn create_wave(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation: &Organisation,
    wave: &NewWave,
) -> Result<Wave, AppError> {
    ensure(policy::may_edit_organisation(user, &organisation.id))?;
    survey::create_wave(
        conn,
        &Actor::user(&user.id, &user.email),
        &organisation.id,
        wave,
    )
}

/// A wave of the actor's scope whose results they may write, with its organisme.
pub fn writable(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(Wave, Organisation), AppError> {
    let (wave, found) = survey::find(conn, &user.scope(), id)?;
    ensure(policy::may_edit_organisation(user, &found.id))?;
    Ok((wave, found))
}

/// Writes a wave's results (typed in or imported), all or none; how many were written.
pub fn write_results(
    conn: &mut DbConnection,
    user: &CurrentUser,
    wave: &Wave,
    results: &[NewResult],
) -> Result<usize, AppError> {
    ensure(policy::may_edit_organisation(user, &wave.organisation_id))?;
    survey::write_results(conn, &Actor::user(&user.id, &user.email), wave, results)
}
