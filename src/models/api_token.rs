//! API tokens of a user: created and revoked by their owner, stored hashed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use super::user::User;
use crate::auth::token;
use crate::db::schema::{api_tokens, users};
use crate::db::{DbConnection, new_id, now};
use crate::domain::{BoundedText, FieldErrors};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub prefix: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc_opt")]
    pub last_used_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::domain::dates::utc_opt")]
    pub revoked_at: Option<NaiveDateTime>,
}

/// Creates a token for `user`; returns the secret, which is never stored.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    user: &User,
    name: &str,
) -> Result<(ApiToken, String), AppError> {
    let name = BoundedText::required(name, 80).map_err(|e| FieldErrors::single("name", e))?;
    let generated = token::generate();
    let row = ApiToken {
        id: new_id(),
        user_id: user.id.clone(),
        name: name.into_inner(),
        token_hash: generated.hash,
        prefix: generated.prefix,
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(&row.id),
            api_tokens::user_id.eq(&row.user_id),
            api_tokens::name.eq(&row.name),
            api_tokens::token_hash.eq(&row.token_hash),
            api_tokens::prefix.eq(&row.prefix),
            api_tokens::created_at.eq(row.created_at),
        ))
        .execute(conn)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "api_token",
            entity_id: &row.id,
            organisation_id: user.organisation_id.as_deref(),
            action: "create",
            before: None,
            after: Some(&row),
        },
    )?;
    Ok((row, generated.secret))
}

pub fn list_for(conn: &mut DbConnection, user_id: &str) -> Result<Vec<ApiToken>, AppError> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::created_at.desc())
        .select(ApiToken::as_select())
        .load(conn)?)
}

/// Revokes one of the user's own tokens.
pub fn revoke(conn: &mut DbConnection, user: &User, token_id: &str) -> Result<(), AppError> {
    let before: ApiToken = api_tokens::table
        .filter(api_tokens::id.eq(token_id))
        .filter(api_tokens::user_id.eq(&user.id))
        .select(ApiToken::as_select())
        .first(conn)?;
    if before.revoked_at.is_some() {
        return Ok(());
    }
    diesel::update(api_tokens::table.find(&before.id))
        .set(api_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    let after = ApiToken {
        revoked_at: Some(now()),
        ..before.clone()
    };
    history::record(
        conn,
        &Actor::user(&user.id, &user.email),
        &Change {
            entity: "api_token",
            entity_id: &before.id,
            organisation_id: user.organisation_id.as_deref(),
            action: "revoke",
            before: Some(&before),
            after: Some(&after),
        },
    )
}

/// A bearer secret's live token and its enabled user.
pub struct Authenticated {
    pub user: User,
    /// The token, when its last use was recorded more than a minute ago (or never): last
    /// use is informative, and writing it at most once a minute keeps reads cheap.
    pub stale_use: Option<String>,
}

/// The active user behind a bearer secret, if the token is live and the account enabled.
/// Reads only: the caller records the use (`record_use`) in a write of its own.
pub fn authenticate(
    conn: &mut DbConnection,
    secret: &str,
) -> Result<Option<Authenticated>, AppError> {
    let hash = token::hash(secret);
    let found: Option<(ApiToken, User)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(&hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select((ApiToken::as_select(), User::as_select()))
        .first(conn)
        .optional()?;
    Ok(found.map(|(token, user)| Authenticated {
        stale_use: token
            .last_used_at
            .is_none_or(|t| now() - t > chrono::Duration::minutes(1))
            .then_some(token.id),
        user,
    }))
}

/// Records that a token was just used (bookkeeping: no history row, no page changes).
pub fn record_use(conn: &mut DbConnection, token_id: &str) -> Result<(), AppError> {
    diesel::update(api_tokens::table.find(token_id))
        .set(api_tokens::last_used_at.eq(now()))
        .execute(conn)?;
    Ok(())
}
