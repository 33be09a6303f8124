//! Accounts: who may sign in, with which role and scope.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::history::{self, Actor, Change};
use super::{organisation, unique_violation_on};
use crate::auth::{CurrentUser, OrgScope, password};
use crate::db::schema::{organisations, users};
use crate::db::{DbConnection, new_id, now};
use crate::domain::{BoundedText, Email, FieldErrors, Invalid, Region, Role};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub organisation_id: Option<String>,
    pub region: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub locale: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
    pub version: i32,
}

/// An account as shown and recorded in history: never the password hash.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub region: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub locale: Option<String>,
    #[serde(serialize_with = "crate::domain::dates::utc_opt")]
    pub last_login_at: Option<NaiveDateTime>,
    pub version: i32,
}

impl User {
    pub fn view(&self, organisation_name: Option<String>) -> UserView {
        UserView {
            id: self.id.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role.clone(),
            organisation_id: self.organisation_id.clone(),
            organisation_name,
            region: self.region.clone(),
            must_change_password: self.must_change_password,
            disabled: self.disabled,
            locale: self.locale.clone(),
            last_login_at: self.last_login_at,
            version: self.version,
        }
    }

    pub fn current(&self) -> Result<CurrentUser, AppError> {
        Ok(CurrentUser {
            id: self.id.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: Role::parse(&self.role)
                .map_err(|_| AppError::unexpected("unknown role in database"))?,
            organisation_id: self.organisation_id.clone(),
            region: self.region.clone(),
            must_change_password: self.must_change_password,
            locale: self.locale.clone(),
        })
    }

    fn actor(&self) -> Actor {
        Actor::user(&self.id, &self.email)
    }
}

/// A new account as typed by an administrator or given on the command line.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct UserForm {
    pub email: String,
    pub name: String,
    pub role: String,
    /// Organisme id or SIREN, for quality managers and observers
    pub organisation: String,
    /// Region code, for federation staff narrowed to one region
    pub region: String,
}

#[derive(Debug, Clone)]
pub struct UserInput {
    pub email: Email,
    pub name: BoundedText,
    pub role: Role,
    pub organisation: Option<String>,
    pub region: Option<Region>,
}

impl TryFrom<&UserForm> for UserInput {
    type Error = FieldErrors;

    fn try_from(form: &UserForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(&form.email));
        let name = errors.check("name", BoundedText::required(&form.name, 120));
        let role = errors.check("role", Role::parse(&form.role));
        let organisation = form.organisation.trim();
        let region = form.region.trim();
        if let Some(role) = role {
            if role.needs_organisation() && organisation.is_empty() {
                errors.add("organisation", Invalid::new("err-organisation-required"));
            }
            if !role.needs_organisation() && !organisation.is_empty() {
                errors.add(
                    "organisation",
                    Invalid::new("err-organisation-not-for-role"),
                );
            }
            if !role.allows_region() && !region.is_empty() {
                errors.add("region", Invalid::new("err-region-not-for-role"));
            }
        }
        let region = if region.is_empty() {
            None
        } else {
            errors.check("region", Region::parse(region))
        };
        match (email, name, role) {
            (Some(email), Some(name), Some(role)) if errors.is_empty() => Ok(Self {
                email,
                name,
                role,
                organisation: (!organisation.is_empty()).then(|| organisation.to_owned()),
                region,
            }),
            _ => Err(errors),
        }
    }
}

pub fn count(conn: &mut DbConnection) -> Result<i64, AppError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<User>, AppError> {
    Ok(users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<User, AppError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

/// All accounts with their organisme's name, for the administrators' page.
pub fn list(conn: &mut DbConnection) -> Result<Vec<UserView>, AppError> {
    let rows: Vec<(User, Option<String>)> = users::table
        .left_join(organisations::table)
        .order((users::disabled.asc(), users::email.asc()))
        .select((User::as_select(), organisations::name.nullable()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(u, org)| u.view(org)).collect())
}

/// Creates an account with the given password; `must_change` forces a new one at first login.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &UserInput,
    password_hash: &str,
    must_change: bool,
) -> Result<User, AppError> {
    let organisation_id = match &input.organisation {
        Some(key) => Some(
            organisation::find_by_key(conn, &OrgScope::All, key)
                .map_err(|e| match e {
                    AppError::NotFound => AppError::Validation(FieldErrors::single(
                        "organisation",
                        Invalid::new("err-organisation-unknown"),
                    )),
                    other => other,
                })?
                .id,
        ),
        None => None,
    };
    let at = now();
    let id = new_id();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::email.eq(input.email.as_str()),
            users::name.eq(input.name.as_str()),
            users::password_hash.eq(password_hash),
            users::role.eq(input.role.as_str()),
            users::organisation_id.eq(&organisation_id),
            users::region.eq(input.region.map(|r| r.code)),
            users::must_change_password.eq(must_change),
            users::disabled.eq(false),
            users::created_at.eq(at),
            users::updated_at.eq(at),
            users::version.eq(1),
        ))
        .execute(conn)
        .map_err(|e| unique_violation_on(e, "email", "err-email-taken"))?;
    let user = get(conn, &id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "user",
            entity_id: &user.id,
            organisation_id: user.organisation_id.as_deref(),
            action: "create",
            before: None,
            after: Some(&user.view(None)),
        },
    )?;
    Ok(user)
}

/// Writes a new password hash; `by_owner` clears the "must change" flag, a reset sets it.
pub fn set_password(
    conn: &mut DbConnection,
    actor: &Actor,
    user: &User,
    password_hash: &str,
    by_owner: bool,
) -> Result<User, AppError> {
    diesel::update(users::table.find(&user.id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(!by_owner),
            users::updated_at.eq(now()),
            users::version.eq(user.version + 1),
        ))
        .execute(conn)?;
    if !by_owner {
        // A password set by someone else ends every session (the owner's own change keeps
        // the one it is made in, see the account page).
        super::user_session::forget_all(conn, &user.id)?;
    }
    let after = get(conn, &user.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "user",
            entity_id: &user.id,
            organisation_id: user.organisation_id.as_deref(),
            action: if by_owner {
                "change_password"
            } else {
                "reset_password"
            },
            before: Some(&user.view(None)),
            after: Some(&after.view(None)),
        },
    )?;
    Ok(after)
}

/// Enables or disables an account; a disabled account cannot sign in or use its tokens.
pub fn set_disabled(
    conn: &mut DbConnection,
    actor: &Actor,
    user: &User,
    expected_version: i32,
    disabled: bool,
) -> Result<User, AppError> {
    let changed = diesel::update(users::table.find(&user.id))
        .filter(users::version.eq(expected_version))
        .set((
            users::disabled.eq(disabled),
            users::updated_at.eq(now()),
            users::version.eq(expected_version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict);
    }
    if disabled {
        super::user_session::forget_all(conn, &user.id)?;
    }
    let after = get(conn, &user.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "user",
            entity_id: &user.id,
            organisation_id: user.organisation_id.as_deref(),
            action: if disabled { "disable" } else { "enable" },
            before: Some(&user.view(None)),
            after: Some(&after.view(None)),
        },
    )?;
    Ok(after)
}

pub fn set_locale(conn: &mut DbConnection, user: &User, locale: &str) -> Result<(), AppError> {
    diesel::update(users::table.find(&user.id))
        .set((users::locale.eq(locale), users::updated_at.eq(now())))
        .execute(conn)?;
    history::record(
        conn,
        &user.actor(),
        &Change {
            entity: "user",
            entity_id: &user.id,
            organisation_id: user.organisation_id.as_deref(),
            action: "set_locale",
            before: Some(&serde_json::json!({ "locale": user.locale })),
            after: Some(&serde_json::json!({ "locale": locale })),
        },
    )
}

pub fn record_login(conn: &mut DbConnection, user: &User) -> Result<(), AppError> {
    diesel::update(users::table.find(&user.id))
        .set(users::last_login_at.eq(now()))
        .execute(conn)?;
    history::record::<()>(
        conn,
        &user.actor(),
        &Change {
            entity: "user",
            entity_id: &user.id,
            organisation_id: user.organisation_id.as_deref(),
            action: "login",
            before: None,
            after: None,
        },
    )
}

/// Creates the first administrator when the database has no account yet; returns its
/// one-time password, to be shown once.
pub fn bootstrap_admin(conn: &mut DbConnection) -> Result<Option<String>, AppError> {
    if count(conn)? > 0 {
        return Ok(None);
    }
    let one_time = password::generate_one_time();
    let hash = password::hash(&one_time).map_err(AppError::unexpected)?;
    let input = UserInput {
        email: Email::parse("admin@qualitrack.local")
            .map_err(|_| AppError::unexpected("bad admin e-mail"))?,
        name: BoundedText::required("Administrateur", 120)
            .map_err(|_| AppError::unexpected("bad admin name"))?,
        role: Role::Admin,
        organisation: None,
        region: None,
    };
    create(conn, &Actor::system("start-up"), &input, &hash, true)?;
    Ok(Some(one_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(role: &str, organisation: &str, region: &str) -> UserForm {
        UserForm {
            email: "rq@habitat.fr".into(),
            name: "Responsable qualité".into(),
            role: role.into(),
            organisation: organisation.into(),
            region: region.into(),
        }
    }

    #[test]
    fn scope_must_match_the_role() {
        assert!(UserInput::try_from(&form("quality_manager", "732829320", "")).is_ok());
        assert!(UserInput::try_from(&form("federation", "", "11")).is_ok());
        let e = UserInput::try_from(&form("observer", "", "")).unwrap_err();
        assert_eq!(e.0["organisation"].key, "err-organisation-required");
        let e = UserInput::try_from(&form("admin", "732829320", "")).unwrap_err();
        assert_eq!(e.0["organisation"].key, "err-organisation-not-for-role");
        let e = UserInput::try_from(&form("auditor", "", "11")).unwrap_err();
        assert_eq!(e.0["region"].key, "err-region-not-for-role");
        let e = UserInput::try_from(&form("federation", "", "99")).unwrap_err();
        assert_eq!(e.0["region"].key, "err-unknown-region");
    }
}
