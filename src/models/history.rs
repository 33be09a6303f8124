//! The append-only history: every write records who, when, what, and the record before and
//! after. The database refuses updates and deletes of these rows (triggers).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::history;
use crate::db::{DbConnection, clock, new_id, now};
use crate::error::AppError;

/// Who made a change: a user, or the system itself (start-up, command line).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub label: String,
}

impl Actor {
    pub fn user(id: &str, label: &str) -> Self {
        Self {
            id: Some(id.to_owned()),
            label: label.to_owned(),
        }
    }

    pub fn system(label: &str) -> Self {
        Self {
            id: None,
            label: label.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = history)]
pub struct HistoryEntry {
    pub id: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub entity: String,
    pub entity_id: String,
    pub organisation_id: Option<String>,
    pub action: String,
    pub before_data: Option<String>,
    pub after_data: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = history)]
struct NewEntry<'a> {
    id: String,
    at: NaiveDateTime,
    actor_id: Option<&'a str>,
    actor_label: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    organisation_id: Option<&'a str>,
    action: &'a str,
    before_data: Option<String>,
    after_data: Option<String>,
}

/// What changed, for one entity.
pub struct Change<'a, T: Serialize> {
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub organisation_id: Option<&'a str>,
    pub action: &'a str,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

pub fn record<T: Serialize>(
    conn: &mut DbConnection,
    actor: &Actor,
    change: &Change<'_, T>,
) -> Result<(), AppError> {
    record_as(conn, actor, change, new_id(), now())
}

/// Records a change under the id and time given: a generated dataset takes them from its
/// seed so that it comes out the same every time (`qualitrack generate`).
pub fn record_as<T: Serialize>(
    conn: &mut DbConnection,
    actor: &Actor,
    change: &Change<'_, T>,
    id: String,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let to_json = |value: Option<&T>| {
        value
            .map(serde_json::to_string)
            .transpose()
            .map_err(AppError::unexpected)
    };
    let entry = NewEntry {
        id,
        at,
        actor_id: actor.id.as_deref(),
        actor_label: &actor.label,
        entity: change.entity,
        entity_id: change.entity_id,
        organisation_id: change.organisation_id,
        action: change.action,
        before_data: to_json(change.before)?,
        after_data: to_json(change.after)?,
    };
    diesel::insert_into(history::table)
        .values(&entry)
        .execute(conn)?;
    // Kept pages learn of the change through the clock; a write outside `db::transaction`
    // (none should be) advances it at once rather than not at all.
    let mut scopes = vec![
        clock::Scope::of(change.organisation_id),
        clock::Scope::Kind(change.entity.to_owned()),
    ];
    if let Some(id) = change.organisation_id {
        scopes.push(clock::Scope::OrganisationKind(
            id.to_owned(),
            change.entity.to_owned(),
        ));
    }
    let noted = scopes.iter().all(|scope| clock::note(scope.clone()));
    if !noted {
        clock::advance(conn, &scopes.into_iter().collect())?;
    }
    Ok(())
}

/// A line of an account's history with no fields changed (a second factor turned on, an
/// identity linked): what was done, and what it concerned (`about`).
pub fn on_account(
    conn: &mut DbConnection,
    actor: &Actor,
    account_id: &str,
    action: &str,
    about: Option<&serde_json::Value>,
) -> Result<(), AppError> {
    record(
        conn,
        actor,
        &Change {
            entity: "user",
            entity_id: account_id,
            organisation_id: None,
            action,
            before: None,
            after: about,
        },
    )
}

/// The history of one entity, newest first.
pub fn for_entity(
    conn: &mut DbConnection,
    entity: &str,
    entity_id: &str,
    limit: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    Ok(history::table
        .filter(history::entity.eq(entity))
        .filter(history::entity_id.eq(entity_id))
        .order((history::at.desc(), history::id.desc()))
        .limit(limit)
        .select(HistoryEntry::as_select())
        .load(conn)?)
}

/// Everything recorded about an organisme and what belongs to it, newest first.
pub fn for_organisation(
    conn: &mut DbConnection,
    organisation_id: &str,
    limit: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    Ok(history::table
        .filter(history::organisation_id.eq(organisation_id))
        .order((history::at.desc(), history::id.desc()))
        .limit(limit)
        .select(HistoryEntry::as_select())
        .load(conn)?)
}

/// The most recent changes of the whole application (administrators).
pub fn recent(conn: &mut DbConnection, limit: i64) -> Result<Vec<HistoryEntry>, AppError> {
    Ok(history::table
        .order((history::at.desc(), history::id.desc()))
        .limit(limit)
        .select(HistoryEntry::as_select())
        .load(conn)?)
}

/// What the administrator's history shows; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub organisation: Option<String>,
    /// An account's id: what this person did
    pub actor: Option<String>,
    /// A kind of record (`action`, `audit`, `user`…)
    pub entity: Option<String>,
    /// From this day on (in UTC, as recorded)
    pub from: Option<chrono::NaiveDate>,
    /// Up to this day included
    pub to: Option<chrono::NaiveDate>,
}

fn filtered(filter: &HistoryFilter) -> history::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = history::table.into_boxed();
    if let Some(id) = &filter.organisation {
        query = query.filter(history::organisation_id.eq(id.clone()));
    }
    if let Some(id) = &filter.actor {
        query = query.filter(history::actor_id.eq(id.clone()));
    }
    if let Some(entity) = &filter.entity {
        query = query.filter(history::entity.eq(entity.clone()));
    }
    if let Some(from) = filter.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        query = query.filter(history::at.ge(from));
    }
    if let Some(to) = filter
        .to
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        query = query.filter(history::at.lt(to));
    }
    query
}

/// One page of the changes `filter` keeps, newest first, with how many there are in all.
pub fn search(
    conn: &mut DbConnection,
    filter: &HistoryFilter,
    page: super::Page,
) -> Result<super::Paged<HistoryEntry>, AppError> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    let items = filtered(filter)
        .order((history::at.desc(), history::id.desc()))
        .limit(page.size)
        .offset(page.offset())
        .select(HistoryEntry::as_select())
        .load(conn)?;
    Ok(super::Paged::new(items, total, page))
}

/// Every change `filter` keeps, newest first, up to `limit` (an export).
pub fn search_all(
    conn: &mut DbConnection,
    filter: &HistoryFilter,
    limit: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    Ok(filtered(filter)
        .order((history::at.desc(), history::id.desc()))
        .limit(limit)
        .select(HistoryEntry::as_select())
        .load(conn)?)
}

/// The kinds of record the history holds, for its filter (a test checks that every kind
/// recorded is here).
pub const KINDS: [&str; 16] = [
    "action",
    "api_token",
    "audit",
    "calendar_feed",
    "commitment",
    "evidence",
    "finding",
    "framework",
    "indicator",
    "indicator_target",
    "indicator_values",
    "organisation",
    "role_policy",
    "site",
    "survey_wave",
    "user",
];

/// The names of the accounts, organismes, sites and frameworks among `ids`: what a history
/// line shows instead of an identifier.
pub fn names_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>, AppError> {
    use crate::db::schema::{frameworks, organisations, sites, users};
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(crate::db::MAX_IDS) {
        let found: Vec<(String, String)> = users::table
            .filter(users::id.eq_any(chunk))
            .select((users::id, users::name))
            .load(conn)?;
        names.extend(found);
        let found: Vec<(String, String)> = organisations::table
            .filter(organisations::id.eq_any(chunk))
            .select((organisations::id, organisations::name))
            .load(conn)?;
        names.extend(found);
        let found: Vec<(String, String)> = sites::table
            .filter(sites::id.eq_any(chunk))
            .select((sites::id, sites::name))
            .load(conn)?;
        names.extend(found);
        let found: Vec<(String, String)> = frameworks::table
            .filter(frameworks::id.eq_any(chunk))
            .select((frameworks::id, frameworks::name))
            .load(conn)?;
        names.extend(found);
    }
    Ok(names)
}
