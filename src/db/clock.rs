//! The change clock: counters that every write transaction advances just before it commits,
//! in the same transaction, so that what a node keeps in memory is known stale on the next
//! request of any node, whatever the nodes' clocks say and in whatever order transactions
//! commit. One counter per organisme, one for what belongs to none ("shared": frameworks,
//! accounts, feeds), one per kind of record (the history's entity: "finding",
//! "indicator_values"…) and one that every write advances ("all").

use std::cell::RefCell;
use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::DbConnection;
use crate::db::schema::change_clock;
use crate::error::AppError;

/// What a write changed, as far as kept answers are concerned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// One kind of record, whoever owns it.
    Kind(String),
    /// One organisme and what belongs to it.
    Organisation(String),
    /// One kind of record of one organisme (organisme, entity).
    OrganisationKind(String, String),
    /// What no organisme owns and any page may show.
    Shared,
}

impl Scope {
    pub fn of(organisation_id: Option<&str>) -> Self {
        organisation_id.map_or(Scope::Shared, |id| Scope::Organisation(id.to_owned()))
    }

    fn row(&self) -> String {
        match self {
            Scope::Kind(entity) => format!("{KIND}{entity}"),
            Scope::Organisation(id) => format!("organisation:{id}"),
            Scope::OrganisationKind(id, entity) => format!("organisation:{id}:{entity}"),
            Scope::Shared => SHARED.to_owned(),
        }
    }
}

const ALL: &str = "all";
const SHARED: &str = "shared";
const KIND: &str = "kind:";

/// What an answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach<'a> {
    /// Every write.
    All,
    /// Every write but those of these kinds of record alone (the history's entities): an
    /// answer over every organisme that never reads them. A kind not listed, new ones
    /// included, reaches it.
    AllBut(&'static [&'static str]),
    /// One organisme's writes and those that belong to none.
    Organisation(&'a str),
    /// One organisme's writes but those of these kinds of record alone, and those that belong
    /// to none.
    OrganisationBut(&'a str, &'static [&'static str]),
}

/// The counters an answer was computed under; any write in its reach changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp(i64, i64);

impl Stamp {
    pub fn new(first: i64, second: i64) -> Self {
        Stamp(first, second)
    }

    /// Whether these counters are later than `other`'s (counters only ever advance).
    pub fn is_after(self, other: Stamp) -> bool {
        self != other && self.0 >= other.0 && self.1 >= other.1
    }
}

thread_local! {
    /// The scopes the write transaction running on this thread has touched so far.
    static TOUCHED: RefCell<Option<BTreeSet<Scope>>> = const { RefCell::new(None) };
}

/// Notes that the write transaction under way changes `scope`. Returns false when no write
/// transaction collects on this thread: the caller then advances the clock itself.
pub fn note(scope: Scope) -> bool {
    TOUCHED.with(|t| match t.borrow_mut().as_mut() {
        Some(set) => {
            set.insert(scope);
            true
        }
        None => false,
    })
}

/// Runs `f` while collecting the scopes it touches (see `note`).
pub fn collecting<T>(f: impl FnOnce() -> T) -> (T, BTreeSet<Scope>) {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            TOUCHED.with(|t| t.borrow_mut().take());
        }
    }
    TOUCHED.with(|t| *t.borrow_mut() = Some(BTreeSet::new()));
    let reset = Reset;
    let value = f();
    let touched = TOUCHED.with(|t| t.borrow_mut().take()).unwrap_or_default();
    drop(reset);
    (value, touched)
}

/// Advances "all" and then each scope touched, always in that order, so that two
/// transactions never wait on each other's counters (PostgreSQL locks the rows it updates).
pub fn advance(conn: &mut DbConnection, touched: &BTreeSet<Scope>) -> Result<(), AppError> {
    if touched.is_empty() {
        return Ok(());
    }
    let rows = std::iter::once(ALL.to_owned()).chain(touched.iter().map(Scope::row));
    for row in rows {
        match conn {
            DbConnection::Sqlite(c) => diesel::sql_query(
                "INSERT INTO change_clock (scope, tick) VALUES (?, 1) \
                 ON CONFLICT (scope) DO UPDATE SET tick = change_clock.tick + 1",
            )
            .bind::<Text, _>(&row)
            .execute(c),
            DbConnection::Postgres(c) => diesel::sql_query(
                "INSERT INTO change_clock (scope, tick) VALUES ($1, 1) \
                 ON CONFLICT (scope) DO UPDATE SET tick = change_clock.tick + 1",
            )
            .bind::<Text, _>(&row)
            .execute(c),
        }?;
    }
    Ok(())
}

/// Counters whose name starts with `prefix` (which ends with ':'), as a range of the primary
/// key, so that both backends read only those rows (';' follows ':').
fn starting_with(
    prefix: &str,
) -> diesel::dsl::And<
    diesel::dsl::Gt<change_clock::scope, String>,
    diesel::dsl::Lt<change_clock::scope, String>,
> {
    let end = format!("{};", prefix.trim_end_matches(':'));
    change_clock::scope
        .gt(prefix.to_owned())
        .and(change_clock::scope.lt(end))
}

/// The counters covering `reach`, read in one query (a counter never advanced reads 0).
pub fn stamp(conn: &mut DbConnection, reach: Reach<'_>) -> Result<Stamp, AppError> {
    let rows: Vec<String> = match reach {
        Reach::All => vec![ALL.to_owned()],
        Reach::AllBut(ignored) => {
            // The sum of the other kinds' counters: it moves whenever one of them does.
            let kinds: Vec<(String, i64)> = change_clock::table
                .filter(starting_with(KIND))
                .select((change_clock::scope, change_clock::tick))
                .load(conn)?;
            let read = kinds
                .iter()
                .filter(|(scope, _)| !ignored.contains(&&scope[KIND.len()..]))
                .map(|(_, tick)| tick)
                .sum();
            return Ok(Stamp(read, 0));
        }
        Reach::OrganisationBut(id, ignored) => {
            let prefix = format!("organisation:{id}:");
            let rows: Vec<(String, i64)> = change_clock::table
                .filter(starting_with(&prefix).or(change_clock::scope.eq(SHARED)))
                .select((change_clock::scope, change_clock::tick))
                .load(conn)?;
            let (mut shared, mut read) = (0, 0);
            for (scope, tick) in rows {
                match scope.strip_prefix(&prefix) {
                    Some(kind) if ignored.contains(&kind) => {}
                    Some(_) => read += tick,
                    None => shared = tick,
                }
            }
            return Ok(Stamp(shared, read));
        }
        Reach::Organisation(id) => vec![SHARED.to_owned(), Scope::Organisation(id.into()).row()],
    };
    let found: Vec<(String, i64)> = change_clock::table
        .filter(change_clock::scope.eq_any(&rows))
        .select((change_clock::scope, change_clock::tick))
        .load(conn)?;
    let tick = |name: &str| {
        found
            .iter()
            .find(|(scope, _)| scope == name)
            .map_or(0, |(_, tick)| *tick)
    };
    Ok(Stamp(tick(&rows[0]), rows.get(1).map_or(0, |r| tick(r))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_only_inside_a_write() {
        assert!(!note(Scope::Shared));
        let ((), touched) = collecting(|| {
            assert!(note(Scope::of(Some("a"))));
            assert!(note(Scope::of(Some("a"))));
            assert!(note(Scope::of(None)));
        });
        assert_eq!(
            touched.into_iter().collect::<Vec<_>>(),
            vec![Scope::Organisation("a".into()), Scope::Shared]
        );
        assert!(!note(Scope::Shared), "the collector ends with the write");
    }

    #[test]
    fn a_panicking_write_leaves_no_collector_behind() {
        let caught = std::panic::catch_unwind(|| collecting(|| panic!("boom")));
        assert!(caught.is_err());
        assert!(!note(Scope::Shared));
    }
}
