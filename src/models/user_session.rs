//! The sessions a person has open: one row per signed-in browser, named by the session
//! cookie. *Mon compte* lists them and closes one or all; a request whose row is gone is
//! signed out (`web::page`), so closing a session takes effect at its next request, on
//! every node.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::history::{self, Actor};
use crate::db::schema::user_sessions;
use crate::db::{DbConnection, new_id, now};
use crate::error::AppError;

/// How a session was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Means {
    Password,
    /// A password and the authenticator's code.
    SecondFactor,
    /// A password and one of the recovery codes.
    RecoveryCode,
    /// An identity provider, by its slug.
    Provider(String),
}

impl Means {
    pub fn code(&self) -> String {
        match self {
            Self::Password => "password".to_owned(),
            Self::SecondFactor => "second-factor".to_owned(),
            Self::RecoveryCode => "recovery-code".to_owned(),
            Self::Provider(slug) => format!("provider:{slug}"),
        }
    }

    pub fn parse(code: &str) -> Self {
        match code {
            "second-factor" => Self::SecondFactor,
            "recovery-code" => Self::RecoveryCode,
            other => other
                .strip_prefix("provider:")
                .map_or(Self::Password, |slug| Self::Provider(slug.to_owned())),
        }
    }
}

/// The browser a session is opened from, as the request tells it.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub user_agent: String,
    pub address: String,
}

/// What is kept of a browser's self-description (enough to recognise it).
const USER_AGENT_CHARS: usize = 300;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = user_sessions)]
pub struct OpenSession {
    pub id: String,
    pub user_id: String,
    pub means: String,
    pub user_agent: String,
    pub address: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

/// Opens a session for `user_id` (its row's id goes into the cookie) and clears the
/// account's rows idle longer than `idle_secs`, the idle timeout (dead, or closed long ago).
pub fn open(
    conn: &mut DbConnection,
    user_id: &str,
    means: &Means,
    device: &Device,
    idle_secs: i64,
) -> Result<String, AppError> {
    let dead_before = now() - chrono::Duration::seconds(idle_secs);
    diesel::delete(
        user_sessions::table
            .filter(user_sessions::user_id.eq(user_id))
            .filter(user_sessions::last_seen_at.lt(dead_before)),
    )
    .execute(conn)?;
    let id = new_id();
    let at = now();
    diesel::insert_into(user_sessions::table)
        .values((
            user_sessions::id.eq(&id),
            user_sessions::user_id.eq(user_id),
            user_sessions::means.eq(means.code()),
            user_sessions::user_agent.eq(device
                .user_agent
                .chars()
                .take(USER_AGENT_CHARS)
                .collect::<String>()),
            user_sessions::address.eq(&device.address),
            user_sessions::created_at.eq(at),
            user_sessions::last_seen_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Whether the session is still open for `user_id`; `Some(true)` when its last activity was
/// recorded more than a minute ago (activity is informative: written at most once a minute).
pub fn alive(conn: &mut DbConnection, id: &str, user_id: &str) -> Result<Option<bool>, AppError> {
    let seen: Option<NaiveDateTime> = user_sessions::table
        .find(id)
        .filter(user_sessions::user_id.eq(user_id))
        .filter(user_sessions::closed_at.is_null())
        .select(user_sessions::last_seen_at)
        .first(conn)
        .optional()?;
    Ok(seen.map(|at| now() - at > chrono::Duration::minutes(1)))
}

/// Records the session's activity (bookkeeping: no history row).
pub fn touch(conn: &mut DbConnection, id: &str) -> Result<(), AppError> {
    diesel::update(user_sessions::table.find(id))
        .set(user_sessions::last_seen_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// The account's live sessions, the latest active first.
pub fn list(
    conn: &mut DbConnection,
    user_id: &str,
    alive_since: NaiveDateTime,
) -> Result<Vec<OpenSession>, AppError> {
    Ok(user_sessions::table
        .filter(user_sessions::user_id.eq(user_id))
        .filter(user_sessions::last_seen_at.ge(alive_since))
        .filter(user_sessions::closed_at.is_null())
        .order((user_sessions::last_seen_at.desc(), user_sessions::id))
        .select(OpenSession::as_select())
        .load(conn)?)
}

/// Closes one of the account's sessions; `false` when it was closed already (by another tab,
/// or by its own sign-out). Another account's session is not found.
pub fn close(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    id: &str,
) -> Result<bool, AppError> {
    let row = user_sessions::table
        .find(id)
        .filter(user_sessions::user_id.eq(user_id))
        .select(OpenSession::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    // Of two tabs closing it at once, the one whose update finds it closed (PostgreSQL waits
    // for the other's commit) says so.
    if row.closed_at.is_some() || end(conn, Which::One(id))? == 0 {
        return Ok(false);
    }
    history::on_account(
        conn,
        actor,
        user_id,
        "close_session",
        Some(&serde_json::json!({
            "means": row.means,
            "address": row.address,
            "opened": row.created_at,
        })),
    )?;
    Ok(true)
}

/// Closes every session of the account but `keep`; how many were closed.
pub fn close_others(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    keep: &str,
) -> Result<usize, AppError> {
    let closed = forget_others(conn, user_id, keep)?;
    if closed > 0 {
        history::on_account(
            conn,
            actor,
            user_id,
            "close_sessions",
            Some(&serde_json::json!({ "closed": closed })),
        )?;
    }
    Ok(closed)
}

/// Ends every session of the account but `keep`, within a change that has its own history
/// line (a new password ends the other sessions).
pub fn forget_others(
    conn: &mut DbConnection,
    user_id: &str,
    keep: &str,
) -> Result<usize, AppError> {
    end(conn, Which::AllBut(user_id, keep))
}

/// Ends a session at its own sign-out.
pub fn forget(conn: &mut DbConnection, id: &str) -> Result<(), AppError> {
    end(conn, Which::One(id))?;
    Ok(())
}

/// Ends every session of an account (disabled, or its password set by an administrator).
pub fn forget_all(conn: &mut DbConnection, user_id: &str) -> Result<usize, AppError> {
    end(conn, Which::All(user_id))
}

/// Which open sessions a closing ends.
#[derive(Clone, Copy)]
enum Which<'a> {
    One(&'a str),
    /// The account's, but one
    AllBut(&'a str, &'a str),
    All(&'a str),
}

/// Marks the open sessions `which` names closed; how many were.
fn end(conn: &mut DbConnection, which: Which<'_>) -> Result<usize, AppError> {
    let open = user_sessions::table.filter(user_sessions::closed_at.is_null());
    let closed = user_sessions::closed_at.eq(Some(now()));
    Ok(match which {
        Which::One(id) => diesel::update(open.filter(user_sessions::id.eq(id)))
            .set(closed)
            .execute(conn)?,
        Which::AllBut(user_id, keep) => diesel::update(
            open.filter(user_sessions::user_id.eq(user_id))
                .filter(user_sessions::id.ne(keep)),
        )
        .set(closed)
        .execute(conn)?,
        Which::All(user_id) => diesel::update(open.filter(user_sessions::user_id.eq(user_id)))
            .set(closed)
            .execute(conn)?,
    })
}

#[cfg(test)]
mod tests {
    use super::Means;

    #[test]
    fn means_read_back_as_written() {
        for means in [
            Means::Password,
            Means::SecondFactor,
            Means::RecoveryCode,
            Means::Provider("proconnect".into()),
        ] {
            assert_eq!(Means::parse(&means.code()), means);
        }
    }
}
