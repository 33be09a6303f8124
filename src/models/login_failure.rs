//! Failed sign-ins counted per account and per address, in the database: every node sees
//! the same counts (see `auth::throttle` for the rules). Bookkeeping, not a change of any
//! record: no history row.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::throttle::{Failures, PER_ACCOUNT, PER_ADDRESS, Policy};
use crate::db::DbConnection;
use crate::db::schema::login_failures;
use crate::error::AppError;

const ACCOUNT: &str = "account";
const ADDRESS: &str = "address";

fn find(conn: &mut DbConnection, kind: &str, key: &str) -> Result<Option<Failures>, AppError> {
    let row: Option<(i32, NaiveDateTime, Option<NaiveDateTime>)> = login_failures::table
        .find((kind, key))
        .select((
            login_failures::failures,
            login_failures::first_failure,
            login_failures::locked_until,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(count, first, locked_until)| Failures {
        count,
        first,
        locked_until,
    }))
}

/// How long the account or the address must still wait, when either is locked now.
pub fn wait(
    conn: &mut DbConnection,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<Option<Duration>, AppError> {
    let account = find(conn, ACCOUNT, account)?.and_then(|f| f.wait(now));
    let address = find(conn, ADDRESS, address)?.and_then(|f| f.wait(now));
    Ok(account.max(address))
}

/// Counts one failure for the account and one for the address (in a write transaction).
pub fn record_failure(
    conn: &mut DbConnection,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    count(conn, ACCOUNT, account, PER_ACCOUNT, now)?;
    count(conn, ADDRESS, address, PER_ADDRESS, now)?;
    // Entries whose window and lockout are over are forgotten, so the table stays small.
    let horizon = now
        - PER_ACCOUNT
            .window
            .max(PER_ACCOUNT.lockout)
            .max(PER_ADDRESS.lockout);
    diesel::delete(
        login_failures::table
            .filter(login_failures::first_failure.lt(horizon))
            .filter(
                login_failures::locked_until
                    .is_null()
                    .or(login_failures::locked_until.lt(now)),
            ),
    )
    .execute(conn)?;
    Ok(())
}

fn count(
    conn: &mut DbConnection,
    kind: &str,
    key: &str,
    policy: Policy,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    // The row exists first, then is locked (PostgreSQL) until this transaction ends: two
    // failures at the same instant are both counted, one after the other.
    ensure_row(conn, kind, key, now)?;
    diesel::update(login_failures::table.find((kind, key)))
        .set(login_failures::failures.eq(login_failures::failures))
        .execute(conn)?;
    let previous = find(conn, kind, key)?.filter(|f| f.count > 0);
    let next = Failures::after_failure(previous, policy, now);
    diesel::update(login_failures::table.find((kind, key)))
        .set((
            login_failures::failures.eq(next.count),
            login_failures::first_failure.eq(next.first),
            login_failures::locked_until.eq(next.locked_until),
        ))
        .execute(conn)?;
    Ok(())
}

/// Inserts an empty count unless one is there (`ON CONFLICT`, which diesel's multi-backend
/// connection cannot write, is the same SQL on both backends but for the placeholders).
fn ensure_row(
    conn: &mut DbConnection,
    kind: &str,
    key: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    use diesel::sql_types::{Text, Timestamp};
    const SQLITE: &str = "INSERT INTO login_failures (kind, key, failures, first_failure) \
                          VALUES (?, ?, 0, ?) ON CONFLICT (kind, key) DO NOTHING";
    const POSTGRES: &str = "INSERT INTO login_failures (kind, key, failures, first_failure) \
                            VALUES ($1, $2, 0, $3) ON CONFLICT (kind, key) DO NOTHING";
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(SQLITE)
            .bind::<Text, _>(kind)
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(now)
            .execute(c),
        DbConnection::Postgres(c) => diesel::sql_query(POSTGRES)
            .bind::<Text, _>(kind)
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(now)
            .execute(c),
    }?;
    Ok(())
}

/// A successful sign-in clears the account's count (not the address's: one good password
/// must not reset the guessing budget of a whole address).
pub fn clear_account(conn: &mut DbConnection, account: &str) -> Result<(), AppError> {
    diesel::delete(login_failures::table.find((ACCOUNT, account))).execute(conn)?;
    Ok(())
}
