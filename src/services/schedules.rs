//! Schedules of commitments, computed on demand from their framework's cycle and events:
//! for one commitment, or for every commitment a user may see (the calendar).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::OrgScope;
use crate::db::DbConnection;
use crate::db::clock::Reach;
use crate::db::schema::{commitment_events, commitments, frameworks, organisations, sites};
use crate::domain::calendar::Zone;
use crate::domain::framework::plan::CyclePlan;
use crate::domain::schedule::{Item, ItemState, Schedule, compute};
use crate::error::AppError;
use crate::models::commitment::{Commitment, Event, history_of};
use crate::models::organisation;
use crate::services::memo::{self, Memo};

/// The holiday zone of an organisme: its head office's postal code when known (Alsace-Moselle
/// is only part of Grand Est), otherwise its region.
pub fn zones(
    conn: &mut DbConnection,
    organisation_ids: &[String],
) -> Result<HashMap<String, Zone>, AppError> {
    let regions: Vec<(String, String)> = organisations::table
        .filter(organisations::id.eq_any(organisation_ids))
        .select((organisations::id, organisations::region))
        .load(conn)?;
    let head_offices: HashMap<String, String> = sites::table
        .filter(sites::organisation_id.eq_any(organisation_ids))
        .filter(sites::kind.eq("siege"))
        .select((sites::organisation_id, sites::postal_code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(regions
        .into_iter()
        .map(|(id, region)| {
            let zone = head_offices.get(&id).map_or_else(
                || Zone::from_region(&region),
                |postal| Zone::from_postal_code(postal),
            );
            (id, zone)
        })
        .collect())
}

pub fn plan_of(conn: &mut DbConnection, framework_id: &str) -> Result<CyclePlan, AppError> {
    let cycle: String = frameworks::table
        .find(framework_id)
        .select(frameworks::cycle)
        .first(conn)?;
    CyclePlan::parse(&cycle).map_err(AppError::unexpected)
}

/// The schedule of one commitment as of `today`.
pub fn for_commitment(
    conn: &mut DbConnection,
    commitment: &Commitment,
    events: &[Event],
    today: NaiveDate,
) -> Result<(Schedule, CyclePlan, Zone), AppError> {
    let plan = plan_of(conn, &commitment.framework_id)?;
    let zone = zones(conn, std::slice::from_ref(&commitment.organisation_id))?
        .remove(&commitment.organisation_id)
        .unwrap_or(Zone::Metropole);
    let schedule = compute(&plan, &history_of(commitment, events), today, zone);
    Ok((schedule, plan, zone))
}

/// Every commitment of one organisme, oldest first, with its framework's name and version and
/// its schedule as of `today`: four queries whatever their number (the organisme's page).
/// A commitment with its framework's name and version and its schedule.
pub type CommitmentSchedule = (Commitment, String, String, Schedule);

pub fn of_organisation(
    conn: &mut DbConnection,
    organisation_id: &str,
    today: NaiveDate,
) -> Result<Vec<CommitmentSchedule>, AppError> {
    let rows: Vec<(Commitment, String, String, String)> = commitments::table
        .inner_join(frameworks::table)
        .filter(commitments::organisation_id.eq(organisation_id))
        .order(commitments::created_at.asc())
        .select((
            Commitment::as_select(),
            frameworks::name,
            frameworks::version,
            frameworks::cycle,
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.id.as_str()).collect();
    let events = events_by_commitment(conn, &ids)?;
    let zone = zones(conn, &[organisation_id.to_owned()])?
        .remove(organisation_id)
        .unwrap_or(Zone::Metropole);
    rows.into_iter()
        .map(|(commitment, name, version, cycle)| {
            let plan = CyclePlan::parse(&cycle).map_err(AppError::unexpected)?;
            let own = events.get(&commitment.id).map_or(&[][..], Vec::as_slice);
            let schedule = compute(&plan, &history_of(&commitment, own), today, zone);
            Ok((commitment, name, version, schedule))
        })
        .collect()
}

pub use crate::domain::calendar::CalendarFilter;

#[derive(Debug, Clone, Serialize)]
pub struct CalendarEntry {
    pub organisation_id: String,
    pub organisation_name: String,
    pub region: String,
    pub family: String,
    pub commitment_id: String,
    pub commitment_state: String,
    pub framework_code: String,
    pub framework_name: String,
    pub item: Item,
}

type Row = (Commitment, String, String, String, String, String);

/// Each commitment's events, in order (grouped once: a federation has thousands).
fn events_by_commitment(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<HashMap<String, Vec<Event>>, AppError> {
    let mut events: HashMap<String, Vec<Event>> = HashMap::new();
    for chunk in ids.chunks(crate::db::MAX_IDS) {
        for event in commitment_events::table
            .filter(commitment_events::commitment_id.eq_any(chunk))
            .order((
                commitment_events::event_date.asc(),
                commitment_events::created_at.asc(),
            ))
            .select(Event::as_select())
            .load::<Event>(conn)?
        {
            events
                .entry(event.commitment_id.clone())
                .or_default()
                .push(event);
        }
    }
    Ok(events)
}

/// A commitment `scope` sees, with its organisme's name, region and family, its framework's
/// code and name, its history and its schedule computed for `today`.
struct Computed {
    commitment: Commitment,
    organisation_name: String,
    region: String,
    family: String,
    framework_code: String,
    framework_name: String,
    history: crate::domain::schedule::History,
    schedule: Schedule,
}

/// The schedules of the commitments `scope` may see that match `filter`'s framework, region,
/// family, organisme and auditor.
fn computed(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &CalendarFilter,
    only: Option<&[String]>,
    today: NaiveDate,
) -> Result<Vec<Computed>, AppError> {
    let mut visible = organisation::scoped(scope)
        .select(organisations::id)
        .load::<String>(conn)?;
    if let Some(only) = only {
        visible.retain(|id| only.contains(id));
    }
    let mut query = commitments::table
        .inner_join(organisations::table)
        .inner_join(frameworks::table)
        .filter(commitments::organisation_id.eq_any(&visible))
        .into_boxed();
    if filter.framework == crate::domain::rollout::CHARTERS {
        // The organismes' own charters, counted together as on the dashboard.
        query = query.filter(frameworks::kind.eq("charter"));
    } else if !filter.framework.is_empty() {
        query = query.filter(frameworks::code.eq(filter.framework.clone()));
    }
    if filter.renewals {
        // Renewals are those of labels and certifications: an organisme's yearly internal
        // review of its own charter renews nothing a federation follows.
        query = query.filter(frameworks::kind.ne("charter"));
    }
    if !filter.region.is_empty() {
        query = query.filter(organisations::region.eq(filter.region.clone()));
    }
    if !filter.family.is_empty() {
        query = query.filter(organisations::family.eq(filter.family.clone()));
    }
    if !filter.organisation.is_empty() {
        query = query.filter(organisations::id.eq(filter.organisation.clone()));
    }
    if !filter.auditor.is_empty() {
        query = query.filter(commitments::auditor_id.eq(filter.auditor.clone()));
    }
    let rows: Vec<Row> = query
        .select((
            Commitment::as_select(),
            organisations::name,
            organisations::region,
            organisations::family,
            frameworks::code,
            frameworks::name,
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.id.as_str()).collect();
    let events = events_by_commitment(conn, &ids)?;
    let framework_ids: Vec<&str> = rows.iter().map(|r| r.0.framework_id.as_str()).collect();
    let plans: HashMap<String, CyclePlan> = frameworks::table
        .filter(frameworks::id.eq_any(&framework_ids))
        .select((frameworks::id, frameworks::cycle))
        .load::<(String, String)>(conn)?
        .into_iter()
        .filter_map(|(id, cycle)| CyclePlan::parse(&cycle).ok().map(|p| (id, p)))
        .collect();
    let organisation_ids: Vec<String> = rows.iter().map(|r| r.0.organisation_id.clone()).collect();
    let zones = zones(conn, &organisation_ids)?;

    let mut computed = Vec::new();
    for (commitment, organisation_name, region, family, framework_code, framework_name) in rows {
        let Some(plan) = plans.get(&commitment.framework_id) else {
            continue;
        };
        let own = events.get(&commitment.id).map_or(&[][..], Vec::as_slice);
        let zone = zones
            .get(&commitment.organisation_id)
            .copied()
            .unwrap_or(Zone::Metropole);
        let history = history_of(&commitment, own);
        let schedule = compute(plan, &history, today, zone);
        computed.push(Computed {
            commitment,
            organisation_name,
            region,
            family,
            framework_code,
            framework_name,
            history,
            schedule,
        });
    }
    Ok(computed)
}

/// Every schedule item of the commitments `scope` may see that match `filter`.
pub fn calendar(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &CalendarFilter,
    today: NaiveDate,
) -> Result<Vec<CalendarEntry>, AppError> {
    let mut entries = Vec::new();
    for Computed {
        commitment,
        organisation_name,
        region,
        family,
        framework_code,
        framework_name,
        schedule,
        ..
    } in computed(conn, scope, filter, None, today)?
    {
        for item in schedule.items {
            if filter.renewals && !item.renews() {
                continue;
            }
            if (!filter.state.is_empty() && state_code(item.state) != filter.state)
                || (filter.pending && item.done_on.is_some())
            {
                continue;
            }
            entries.push(CalendarEntry {
                organisation_id: commitment.organisation_id.clone(),
                organisation_name: organisation_name.clone(),
                region: region.clone(),
                family: family.clone(),
                commitment_id: commitment.id.clone(),
                commitment_state: commitment.state.clone(),
                framework_code: framework_code.clone(),
                framework_name: framework_name.clone(),
                item,
            });
        }
    }
    // Overdue first, then by due date (compared in place: a federation has thousands).
    entries.sort_by(|a, b| {
        (a.item.state != ItemState::Overdue, a.item.due)
            .cmp(&(b.item.state != ItemState::Overdue, b.item.due))
            .then_with(|| a.organisation_name.cmp(&b.organisation_name))
    });
    Ok(entries)
}

/// Where an organisme stands in one framework, as the lists behind the dashboard show it.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkStanding {
    pub framework: String,
    /// The commitment's state code
    pub state: String,
    pub last_decision: Option<NaiveDate>,
    /// The end of the current decision's validity
    pub valid_until: Option<NaiveDate>,
    pub next_step: Option<String>,
    pub next_due: Option<NaiveDate>,
    /// planned, due_soon, overdue…
    pub next_state: Option<&'static str>,
}

/// Each organisme's standing in the framework `filter` names (its first commitment to it),
/// among those `scope` sees, and among `only` when given (a page of a list: its schedules
/// alone are computed).
pub fn standings(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &CalendarFilter,
    only: Option<&[String]>,
    today: NaiveDate,
) -> Result<HashMap<String, FrameworkStanding>, AppError> {
    use crate::domain::schedule::Standing;
    let mut found = HashMap::new();
    for c in computed(conn, scope, filter, only, today)? {
        let next = c.schedule.next_due();
        let valid_until = match c.schedule.standing {
            Standing::Valid { until } | Standing::ExpiredRestorable { until } => Some(until),
            _ => None,
        };
        found
            .entry(c.commitment.organisation_id.clone())
            .or_insert_with(|| FrameworkStanding {
                framework: c.framework_name.clone(),
                state: c.commitment.state.clone(),
                last_decision: c.history.decisions.last().copied(),
                valid_until,
                next_step: next.map(|i| i.name.clone()),
                next_due: next.map(|i| i.due),
                next_state: next.map(|i| state_code(i.state)),
            });
    }
    Ok(found)
}

/// `calendar`, kept in `memo` until the next write (the key holds the scope, the filter and
/// the day): federation staff's calendars compute every commitment's schedule.
pub fn calendar_kept(
    conn: &mut DbConnection,
    memo: &Memo<CalendarKey, Vec<CalendarEntry>>,
    scope: &OrgScope,
    filter: &CalendarFilter,
    today: NaiveDate,
) -> Result<Arc<Vec<CalendarEntry>>, AppError> {
    let key = CalendarKey {
        scope: scope.clone(),
        filter: filter.clone(),
        today,
    };
    memo.get_or_compute(conn, key, |conn| calendar(conn, scope, filter, today))
}

/// Every dimension of a calendar: whose, narrowed how, seen on which day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CalendarKey {
    pub scope: OrgScope,
    pub filter: CalendarFilter,
    pub today: NaiveDate,
}

impl memo::Key for CalendarKey {
    fn reach(&self) -> Reach<'_> {
        memo::reach_of(&self.scope, UNREAD_BY_SCHEDULES)
    }
}

/// Kinds of record (the history's entities) that neither schedules nor rollout dashboards
/// read: writing them leaves calendars and dashboards over several organismes kept. A kind
/// missing here only costs a computation; one listed wrongly would show a stale page.
pub const UNREAD_BY_SCHEDULES: &[&str] = &[
    "indicator_values",
    "indicator",
    "indicator_target",
    "evidence",
    "survey_wave",
    "api_token",
    "calendar_feed",
    "user",
];

/// Late, or with a window opening within `days`: what people must act on.
pub fn needs_attention(item: &Item, today: NaiveDate, days: i64) -> bool {
    match item.state {
        ItemState::Overdue => true,
        ItemState::DueSoon | ItemState::Planned => {
            item.window_start <= today + chrono::Duration::days(days)
        }
        ItemState::Done | ItemState::Lapsed => false,
    }
}

pub fn state_code(state: ItemState) -> &'static str {
    match state {
        ItemState::Planned => "planned",
        ItemState::DueSoon => "due_soon",
        ItemState::Overdue => "overdue",
        ItemState::Done => "done",
        ItemState::Lapsed => "lapsed",
    }
}
