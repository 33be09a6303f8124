//! Organismes and their sites as pages, API and CLI create and change them: administrators
//! create organismes; an organisme and its sites are changed by whoever edits it, from the
//! version read (a stale version is `Conflict`, nothing written).

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::policy;
use crate::error::{AppError, ensure};
use crate::models::history::Actor;
use crate::models::organisation::{self, Organisation, OrganisationForm, OrganisationInput};
use crate::models::site::{self, Site, SiteForm, SiteInput};

fn actor_of(user: &CurrentUser) -> Actor {
    Actor::user(&user.id, &user.email)
}

pub fn create(
    conn: &mut DbConnection,
    user: &CurrentUser,
    form: &OrganisationForm,
) -> Result<Organisation, AppError> {
    ensure(policy::may_create_organisation(user))?;
    let input = OrganisationInput::try_from(form)?;
    organisation::create(conn, &actor_of(user), &input)
}

/// Changes an organisme found by id or SIREN; `form.version` is the one read.
pub fn update(
    conn: &mut DbConnection,
    user: &CurrentUser,
    key: &str,
    form: &OrganisationForm,
) -> Result<Organisation, AppError> {
    let before = organisation::find_by_key(conn, &user.scope(), key)?;
    ensure(policy::may_edit_organisation(user, &before.id))?;
    let version = organisation::require_version(form.version)?;
    let input = OrganisationInput::try_from(form)?;
    organisation::update(conn, &actor_of(user), &before, version, &input)
}

/// Adds a site to an organisme found by id or SIREN.
pub fn create_site(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_key: &str,
    form: &SiteForm,
) -> Result<Site, AppError> {
    let found = organisation::find_by_key(conn, &user.scope(), organisation_key)?;
    ensure(policy::may_edit_organisation(user, &found.id))?;
    let input = SiteInput::try_from(form)?;
    site::create(conn, &actor_of(user), &found.id, &input)
}

/// A site of the actor's scope; with `organisation_key`, only if it is that organisme's.
pub fn open_site(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_key: Option<&str>,
    id: &str,
) -> Result<(Site, Organisation), AppError> {
    let (found, organisation) = site::find(conn, &user.scope(), id)?;
    if let Some(key) = organisation_key
        && organisation::find_by_key(conn, &user.scope(), key)?.id != organisation.id
    {
        return Err(AppError::NotFound);
    }
    Ok((found, organisation))
}

/// Changes a site from the version read.
pub fn update_site(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_key: Option<&str>,
    id: &str,
    form: &SiteForm,
) -> Result<Site, AppError> {
    let (before, organisation) = open_site(conn, user, organisation_key, id)?;
    ensure(policy::may_edit_organisation(user, &organisation.id))?;
    let version = organisation::require_version(form.version)?;
    let input = SiteInput::try_from(form)?;
    site::update(conn, &actor_of(user), &before, version, &input)
}
