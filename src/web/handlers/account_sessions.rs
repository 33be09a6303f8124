//! The signed-in person's open sessions on *Mon compte*: each browser signed in, how and
//! from where, and closing one of them or all the others (a lost phone, a shared computer).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::auth::session::FlashKind;
use crate::db::{DbConnection, parse_id};
use crate::domain::device::{self, Device};
use crate::error::AppError;
use crate::models::history::Actor;
use crate::models::user_session::{self, Means, OpenSession};
use crate::web::page::{Ctx, see_other};

/// One line of the list, as the page shows it.
#[derive(Debug, Serialize)]
pub struct SessionLine {
    id: String,
    device: Device,
    user_agent: String,
    address: String,
    /// The catalogue key of how it was opened
    means_key: &'static str,
    /// The identity provider's slug, for a session opened through one
    provider: Option<String>,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    created_at: chrono::NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    last_seen_at: chrono::NaiveDateTime,
    /// The session this page is read in
    current: bool,
}

impl SessionLine {
    fn of(row: OpenSession, current: &str) -> Self {
        let (means_key, provider) = match Means::parse(&row.means) {
            Means::Password => ("session-means-password", None),
            Means::SecondFactor => ("session-means-second-factor", None),
            Means::RecoveryCode => ("session-means-recovery-code", None),
            Means::Provider(slug) => ("session-means-provider", Some(slug)),
        };
        Self {
            current: row.id == current,
            device: device::describe(&row.user_agent),
            id: row.id,
            user_agent: row.user_agent,
            address: row.address,
            means_key,
            provider,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
        }
    }
}

/// The account's live sessions, this one first.
pub fn lines(
    conn: &mut DbConnection,
    user_id: &str,
    current: &str,
    idle_secs: i64,
) -> Result<Vec<SessionLine>, AppError> {
    let alive_since = crate::db::now() - chrono::Duration::seconds(idle_secs);
    let mut lines: Vec<SessionLine> = user_session::list(conn, user_id, alive_since)?
        .into_iter()
        .map(|row| SessionLine::of(row, current))
        .collect();
    lines.sort_by_key(|line| !line.current);
    Ok(lines)
}

/// Closes one of the person's sessions; their own current one is a sign-out.
pub async fn close(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let current = ctx.auth()?.session_id;
    if id == current {
        return Ok(super::auth::logout(ctx).await);
    }
    let (_, closed) = ctx
        .user_run(move |conn, user| {
            user_session::close(conn, &Actor::user(&user.id, &user.email), &user.id, &id)
        })
        .await?;
    if closed {
        ctx.flash(FlashKind::Success, "flash-session-closed");
    } else {
        ctx.flash(FlashKind::Info, "flash-session-already-closed");
    }
    Ok(see_other("/compte#sessions"))
}

/// Closes every session of the person but this one.
pub async fn close_others(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let current = ctx.auth()?.session_id;
    let (_, closed) = ctx
        .user_run(move |conn, user| {
            user_session::close_others(
                conn,
                &Actor::user(&user.id, &user.email),
                &user.id,
                &current,
            )
        })
        .await?;
    ctx.flash_with(
        FlashKind::Success,
        "flash-sessions-closed",
        vec![("count".into(), closed.to_string())],
    );
    Ok(see_other("/compte#sessions"))
}
