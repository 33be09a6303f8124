//! Calendar subscriptions: a secret address per user and filter, stored hashed, revocable.
//! Whoever holds the address reads the calendar with its owner's rights, nothing more.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use super::user::User;
use crate::auth::token;
use crate::db::schema::{calendar_feeds, users};
use crate::db::{DbConnection, new_id, now};
use crate::domain::calendar::CalendarFilter;
use crate::domain::{BoundedText, FieldErrors};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = calendar_feeds)]
pub struct CalendarFeed {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    /// The calendar filter, as JSON
    pub filter: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc_opt")]
    pub revoked_at: Option<NaiveDateTime>,
}

impl CalendarFeed {
    pub fn calendar_filter(&self) -> CalendarFilter {
        serde_json::from_str(&self.filter).unwrap_or_default()
    }
}

/// Creates a feed; returns it and the secret of its address (shown once).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    owner_id: &str,
    name: &str,
    filter: &CalendarFilter,
) -> Result<(CalendarFeed, String), AppError> {
    let name = BoundedText::required(name, 80).map_err(|e| FieldErrors::single("name", e))?;
    let generated = token::generate();
    let id = new_id();
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::id.eq(&id),
            calendar_feeds::user_id.eq(owner_id),
            calendar_feeds::name.eq(name.as_str()),
            calendar_feeds::token_hash.eq(&generated.hash),
            calendar_feeds::filter.eq(serde_json::to_string(filter).map_err(AppError::unexpected)?),
            calendar_feeds::created_at.eq(now()),
        ))
        .execute(conn)?;
    let feed: CalendarFeed = calendar_feeds::table
        .find(&id)
        .select(CalendarFeed::as_select())
        .first(conn)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "calendar_feed",
            entity_id: &id,
            organisation_id: None,
            action: "create",
            before: None,
            after: Some(&feed),
        },
    )?;
    Ok((feed, generated.secret))
}

pub fn list_for(conn: &mut DbConnection, owner_id: &str) -> Result<Vec<CalendarFeed>, AppError> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::user_id.eq(owner_id))
        .order(calendar_feeds::created_at.desc())
        .select(CalendarFeed::as_select())
        .load(conn)?)
}

pub fn revoke(
    conn: &mut DbConnection,
    actor: &Actor,
    owner_id: &str,
    id: &str,
) -> Result<(), AppError> {
    let before: CalendarFeed = calendar_feeds::table
        .filter(calendar_feeds::id.eq(id))
        .filter(calendar_feeds::user_id.eq(owner_id))
        .select(CalendarFeed::as_select())
        .first(conn)?;
    if before.revoked_at.is_some() {
        return Ok(());
    }
    let at = now();
    diesel::update(calendar_feeds::table.find(id))
        .set(calendar_feeds::revoked_at.eq(at))
        .execute(conn)?;
    let after = CalendarFeed {
        revoked_at: Some(at),
        ..before.clone()
    };
    history::record(
        conn,
        actor,
        &Change {
            entity: "calendar_feed",
            entity_id: id,
            organisation_id: None,
            action: "revoke",
            before: Some(&before),
            after: Some(&after),
        },
    )
}

/// The live feed behind a secret, with its enabled owner.
pub fn authenticate(
    conn: &mut DbConnection,
    secret: &str,
) -> Result<Option<(CalendarFeed, User)>, AppError> {
    Ok(calendar_feeds::table
        .inner_join(users::table)
        .filter(calendar_feeds::token_hash.eq(token::hash(secret)))
        .filter(calendar_feeds::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select((CalendarFeed::as_select(), User::as_select()))
        .first(conn)
        .optional()?)
}
