//! A local account's second factor: its TOTP secret with the last time step accepted, its
//! recovery codes (hashes), and which roles must have one. Every change leaves a history line
//! on the account; spending a code is one conditional update, so two sign-ins racing with the
//! same code cannot both pass.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::history::{self, Actor, Change};
use crate::auth::totp::{Secret, recovery_hash};
use crate::db::schema::{recovery_codes, role_policies, second_factors};
use crate::db::{DbConnection, new_id, now};
use crate::domain::Role;
use crate::domain::policy;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = second_factors)]
pub struct Factor {
    pub user_id: String,
    pub secret: String,
    pub enabled_at: NaiveDateTime,
    pub last_step: i64,
}

impl Factor {
    pub fn secret(&self) -> Result<Secret, AppError> {
        Secret::from_base32(&self.secret)
            .ok_or_else(|| AppError::unexpected("unreadable second factor secret"))
    }

    pub fn last_step(&self) -> u64 {
        u64::try_from(self.last_step).unwrap_or(0)
    }
}

pub fn find(conn: &mut DbConnection, user_id: &str) -> Result<Option<Factor>, AppError> {
    Ok(second_factors::table
        .find(user_id)
        .select(Factor::as_select())
        .first(conn)
        .optional()?)
}

fn note(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    action: &str,
) -> Result<(), AppError> {
    history::on_account(conn, actor, user_id, action, None)
}

/// Turns the factor on with the secret its first code was checked against (that code's step
/// is spent) and the recovery codes shown to the user.
pub fn enable(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    secret: &Secret,
    step: u64,
    codes: &[String],
) -> Result<(), AppError> {
    // Enrolled meanwhile from another page: that one stands, this one is a conflict.
    diesel::insert_into(second_factors::table)
        .values((
            second_factors::user_id.eq(user_id),
            second_factors::secret.eq(secret.base32()),
            second_factors::enabled_at.eq(now()),
            second_factors::last_step.eq(i64::try_from(step).unwrap_or(i64::MAX)),
        ))
        .execute(conn)
        .map_err(super::conflict_on_unique)?;
    store_codes(conn, user_id, codes)?;
    note(conn, actor, user_id, "second_factor_on")
}

fn store_codes(conn: &mut DbConnection, user_id: &str, codes: &[String]) -> Result<(), AppError> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    for code in codes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::id.eq(new_id()),
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(recovery_hash(code)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// New recovery codes in place of the old ones.
pub fn replace_codes(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    codes: &[String],
) -> Result<(), AppError> {
    store_codes(conn, user_id, codes)?;
    note(conn, actor, user_id, "recovery_codes")
}

/// Spends a time step: true when it is newer than the last one spent (and now is the last).
pub fn spend_step(conn: &mut DbConnection, user_id: &str, step: u64) -> Result<bool, AppError> {
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let changed = diesel::update(
        second_factors::table
            .filter(second_factors::user_id.eq(user_id))
            .filter(second_factors::last_step.lt(step)),
    )
    .set(second_factors::last_step.eq(step))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Spends a recovery code: true when it was one of the account's, not used yet.
pub fn spend_recovery(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    typed: &str,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(recovery_hash(typed)))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now()))
    .execute(conn)?;
    if changed == 1 {
        note(conn, actor, user_id, "recovery_code_used")?;
    }
    Ok(changed == 1)
}

/// The accounts that have a second factor, with the day it was turned on (for the list of
/// accounts: who signs in how).
pub fn enrolled(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<String, NaiveDateTime>, AppError> {
    Ok(second_factors::table
        .select((second_factors::user_id, second_factors::enabled_at))
        .load::<(String, NaiveDateTime)>(conn)?
        .into_iter()
        .collect())
}

/// Recovery codes left unused.
pub fn codes_left(conn: &mut DbConnection, user_id: &str) -> Result<i64, AppError> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Removes the factor and its codes: turned off by its owner (`second_factor_off`) or reset
/// by an administrator after a lost phone (`second_factor_reset`).
pub fn remove(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    action: &str,
) -> Result<(), AppError> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    let removed = diesel::delete(second_factors::table.find(user_id)).execute(conn)?;
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    note(conn, actor, user_id, action)
}

/// Whether accounts of this role must have a second factor: administrators always, the
/// other roles as the administrators chose.
pub fn required_for(conn: &mut DbConnection, role: Role) -> Result<bool, AppError> {
    if policy::always_needs_second_factor(role) {
        return Ok(true);
    }
    Ok(role_policies::table
        .find(role.as_str())
        .select(role_policies::second_factor_required)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// The roles whose accounts must have a second factor, administrators first.
pub fn required_roles(conn: &mut DbConnection) -> Result<Vec<Role>, AppError> {
    let chosen: Vec<String> = role_policies::table
        .filter(role_policies::second_factor_required.eq(true))
        .select(role_policies::role)
        .load(conn)?;
    Ok(Role::ALL
        .iter()
        .copied()
        .filter(|role| {
            policy::always_needs_second_factor(*role) || chosen.iter().any(|c| c == role.as_str())
        })
        .collect())
}

/// Sets which roles must have a second factor, from the choice the administrator read
/// (`seen`): each role's row changes only if it still holds what was read, so of two
/// administrators saving at once the second meets a changed row and gets `Conflict` (its
/// whole change undone). One history line says which roles.
pub fn set_required(
    conn: &mut DbConnection,
    actor: &Actor,
    seen: &[Role],
    roles: &[Role],
) -> Result<(), AppError> {
    let before: Vec<&str> = required_roles(conn)?.iter().map(|r| r.as_str()).collect();
    for role in Role::ALL
        .iter()
        .filter(|r| !policy::always_needs_second_factor(**r))
    {
        let changed = diesel::update(
            role_policies::table
                .filter(role_policies::role.eq(role.as_str()))
                .filter(role_policies::second_factor_required.eq(seen.contains(role))),
        )
        .set((
            role_policies::second_factor_required.eq(roles.contains(role)),
            role_policies::updated_at.eq(now()),
            role_policies::version.eq(role_policies::version + 1),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(AppError::Conflict);
        }
    }
    let after: Vec<&str> = required_roles(conn)?.iter().map(|r| r.as_str()).collect();
    history::record(
        conn,
        actor,
        &Change {
            entity: "role_policy",
            entity_id: "second_factor",
            organisation_id: None,
            action: "update",
            before: Some(&serde_json::json!({ "second_factor_roles": before })),
            after: Some(&serde_json::json!({ "second_factor_roles": after })),
        },
    )
}
